// globalSetup of the packaging project: `npm run build:prebuilds` for every target whose
// toolchain this machine has (all eight in CI), then `npm pack`, once for all its files
// (they run in parallel). The tests read the tarball and prebuilds/ that this leaves.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

const root = path.resolve(__dirname, '../..');
const toolsRoot = process.env.LEAKY_RELU_TOOLS ?? '/opt/leaky-relu-tools';
const onPath = (p: string) => spawnSync('sh', ['-c', `command -v ${p}`], { stdio: 'ignore' }).status === 0;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The packed tarball, its folder, and the files npm pack put in it. */
    tarball: string;
    packWork: string;
    packedFiles: string[];
    packedSize: number;
    /** The targets built (scripts/build-prebuilds.js names). */
    builtTargets: string[];
    /** build/Release/leaky_relu.node's mtime and hash before and after (null: absent). */
    devBuildBefore: string | null;
    devBuildAfter: string | null;
  }
}

export const zigTargets = ['linux-x64-musl', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

const devBuild = path.join(root, 'build/Release/leaky_relu.node');
function fingerprint(file: string): string | null {
  if (!existsSync(file)) return null;
  return `${statSync(file).mtimeMs} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

export default function setup(project: TestProject) {
  project.provide('devBuildBefore', fingerprint(devBuild));
  const targets = ['linux-x64-glibc'];
  if (onPath('aarch64-linux-gnu-g++') && onPath('aarch64-linux-gnu-strip')) targets.push('linux-arm64-glibc');
  if (existsSync(process.env.ZIG ?? path.join(toolsRoot, 'zig/zig')) && onPath('llvm-strip')) targets.push(...zigTargets);
  execFileSync('npm', ['run', 'build:prebuilds', '--', ...targets], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  project.provide('devBuildAfter', fingerprint(devBuild));
  const work = mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  project.provide('tarball', path.join(work, packed[0].filename));
  project.provide('packWork', work);
  project.provide('packedFiles', packed[0].files.map((f: { path: string }) => f.path));
  project.provide('packedSize', packed[0].size);
  project.provide('builtTargets', targets);
  return () => rmSync(work, { recursive: true, force: true });
}
