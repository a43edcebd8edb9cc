// globalSetup of the runtimes project: the package as a user installs it. Packs this
// checkout (with whatever prebuilds/ holds: the packaging stage built them; a missing
// linux-x64 one is built here) and installs the tarball into a fresh project, without
// scripts, so each runtime loads a prebuild through node-gyp-build (or our musl pick).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

const root = path.resolve(__dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The installed package: <project>/node_modules/leaky-relu. */
    installedPackage: string;
  }
}

export default function setup(project: TestProject) {
  if (!existsSync(path.join(root, 'prebuilds/linux-x64/leaky-relu.glibc.node'))) {
    execFileSync('npm', ['run', 'build:prebuilds', '--', 'linux-x64-glibc'], { cwd: root, stdio: 'inherit' });
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-runtimes-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  const tarball = path.join(work, packed[0].filename);
  const dir = path.join(work, 'user');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], {
    cwd: dir,
    stdio: 'ignore',
  });
  project.provide('installedPackage', path.join(dir, 'node_modules', 'leaky-relu'));
  return () => rmSync(work, { recursive: true, force: true });
}
