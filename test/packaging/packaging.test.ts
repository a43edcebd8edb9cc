// The package as users get it: prebuilt binaries made with `npm run build:prebuilds`,
// packed with `npm pack`, installed into fresh projects with and without a compiler.
// Runs as its own vitest project after the main suites (it builds, packs and installs,
// minutes of work that would compete with them). The x64 parts need only this machine's
// compiler; the arm64 prebuild and the emulated CPUs need more (test/helpers/tools.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { kernelCheckOnArm64, kernelCheckOnX86, root } from '../helpers/qemu';
import type { Tool } from '../helpers/tools';
import { has, skipUnless } from '../helpers/tools';

const version = require('../../package.json').version as string;
let work: string;
let tarball: string;
let files: string[];
const x64Prebuild = path.join(root, 'prebuilds/linux-x64/leaky-relu.glibc.node');
const arm64Prebuild = path.join(root, 'prebuilds/linux-arm64/leaky-relu.glibc.node');
const crossTools: Tool[] = ['aarch64-linux-gnu-g++', 'aarch64-linux-gnu-strip'];
const arm64Title = 'the arm64 prebuild (cross-compiled)';
const buildArm64 = crossTools.every(has);
const devBuild = path.join(root, 'build/Release/leaky_relu.node');
let devBuildBefore: string | null;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A file's mtime and SHA-256, or null when it does not exist. */
function fingerprint(file: string): string | null {
  if (!existsSync(file)) return null;
  return `${statSync(file).mtimeMs} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

// A PATH with node, npm and sh only: no compiler, no cmake, no make.
function bareBin(): string {
  const bin = path.join(work, 'bare-bin');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    symlinkSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim(), path.join(bin, 'npm'));
    symlinkSync('/bin/sh', path.join(bin, 'sh'));
  }
  return bin;
}

/** A new project that installs `pkg` (a tarball); returns its folder and npm's output. */
function installInto(name: string, pkg: string, opts: { bare: boolean; ignoreScripts?: boolean }) {
  const dir = path.join(work, name);
  mkdirSync(dir);
  // npm 11 runs a dependency's install script only when the project allows it.
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, allowScripts: { [`file:${pkg}`]: true } }),
  );
  const env = { ...process.env, ...(opts.bare ? { PATH: bareBin() } : {}) };
  for (const k of ['LEAKY_RELU_BACKEND', 'LEAKY_RELU_ISA', 'LEAKY_RELU_NATIVE_PATH', 'npm_config_ignore_scripts']) delete env[k];
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', pkg];
  if (opts.ignoreScripts) args.push('--ignore-scripts');
  const r = run(opts.bare ? path.join(bareBin(), 'npm') : 'npm', args, { cwd: dir, env });
  return { dir, output: r.stdout + r.stderr, env };
}

/** Runs a snippet in `dir` (as a user of the installed package would) and parses its JSON. */
function useIn(dir: string, env: NodeJS.ProcessEnv, code: string, type: 'commonjs' | 'module' = 'commonjs') {
  const r = spawnSync(process.execPath, ['--input-type', type, '-e', code], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`snippet failed:\n${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim()), stderr: r.stderr };
}

const probe = `
const { leakyRelu, info } = require('leaky-relu');
const y = leakyRelu(new Float32Array([-1, 2, -3, 4, ...new Array(96).fill(-5)]));
console.log(JSON.stringify({ info: info(), y: Array.from(y.subarray(0, 5)) }));`;
const expectedY = [Math.fround(-0.2), 2, Math.fround(Math.fround(0.2) * -3), 4, Math.fround(Math.fround(0.2) * -5)];

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-pack-'));
  devBuildBefore = fingerprint(devBuild);
  run('npm', ['run', 'build:prebuilds', '--', ...(buildArm64 ? ['arm64', 'x64'] : ['x64'])]);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]).stdout);
  tarball = path.join(work, packed[0].filename);
  files = packed[0].files.map((f: { path: string }) => f.path);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run build:prebuilds and npm pack', () => {
  test('the tarball holds the x64 prebuild, the built JS, the C++ sources, and nothing else', () => {
    for (const f of [
      'prebuilds/linux-x64/leaky-relu.glibc.node',
      'dist/index.js',
      'dist/index.mjs',
      'dist/index.d.ts',
      'binding.d.ts',
      'CMakeLists.txt',
      'cmake/aarch64-linux-gnu.cmake',
      'native/addon.cc',
      'native/kernels_neon.cc',
      'scripts/install.js',
      'package.json',
      'README.md',
    ]) {
      expect(files).toContain(f);
    }
    const unwanted = files.filter((f) => /^(build[^/]*|test|lib|node_modules|\.ci)\//.test(f) || /vitest|tsconfig/.test(f));
    expect(unwanted).toEqual([]);
  });

  test('build:prebuilds leaves the development build in build/Release as it was (or absent)', () => {
    expect(fingerprint(devBuild)).toBe(devBuildBefore);
    expect(existsSync(path.join(root, 'build-prebuild-x64/Release/leaky_relu.node'))).toBe(true);
  });

  const strippedTitle = 'the x64 prebuild is a stripped x86-64 ELF file';
  test.runIf(skipUnless(strippedTitle, 'readelf'))(strippedTitle, () => {
    const x64 = execFileSync('readelf', ['-h', '-S', x64Prebuild], { encoding: 'utf8' });
    expect(x64).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
    expect(x64).not.toMatch(/\.symtab/);
  });

  const avxTitle = 'no code outside the AVX2 / AVX-512 kernel sections uses AVX (VEX/EVEX, ymm, zmm)';
  test.runIf(skipUnless(avxTitle, 'objdump'))(avxTitle, () => {
    const asm = execFileSync('objdump', ['-d', '--no-show-raw-insn', x64Prebuild], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const offenders: string[] = [];
    const counts: Record<string, number> = {};
    let section = '';
    for (const line of asm.split('\n')) {
      const header = line.match(/^Disassembly of section (\S+):/);
      if (header) {
        section = header[1];
        continue;
      }
      const insn = line.match(/^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$/);
      if (!insn) continue;
      const [, mnemonic, operands] = insn;
      // VEX/EVEX-encoded instructions are the ones objdump spells with a leading v.
      const usesAvx = /%[yz]mm\d/.test(operands) || /^v(?!err|erw)[a-z]/.test(mnemonic);
      if (!usesAvx) continue;
      counts[section] = (counts[section] ?? 0) + 1;
      const allowed = section === 'lr_avx512' || (section === 'lr_avx2' && !/%zmm|%k\d/.test(operands));
      if (!allowed && offenders.length < 10) offenders.push(`${section}: ${line.trim()}`);
    }
    expect(offenders).toEqual([]);
    // The kernels are there, in their sections: this test looks at real code.
    expect(counts.lr_avx2).toBeGreaterThan(50);
    expect(counts.lr_avx512).toBeGreaterThan(50);
  });
});

describe.runIf(skipUnless(arm64Title, [...crossTools, 'readelf']))(arm64Title, () => {
  test('is in the tarball, a stripped AArch64 ELF file', () => {
    expect(files).toContain('prebuilds/linux-arm64/leaky-relu.glibc.node');
    const arm = execFileSync('readelf', ['-h', '-S', arm64Prebuild], { encoding: 'utf8' });
    expect(arm).toMatch(/Machine:\s+AArch64/);
    expect(arm).not.toMatch(/\.symtab/);
  });
});

const x64EmulatedTitle = 'the x64 prebuild on emulated CPUs';
describe.runIf(process.arch === 'x64' && skipUnless(x64EmulatedTitle, 'qemu-x86_64-static'))(x64EmulatedTitle, () => {
  test('Nehalem (no AVX): scalar kernels, every check passes', () => {
    const r = kernelCheckOnX86('Nehalem', { LEAKY_RELU_NATIVE_PATH: x64Prebuild });
    expect(r).toMatchObject({ isa: 'scalar', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);

  test('Haswell: avx2 kernels, every check passes', () => {
    const r = kernelCheckOnX86('Haswell', { LEAKY_RELU_NATIVE_PATH: x64Prebuild });
    expect(r).toMatchObject({ isa: 'avx2', failed: 0 });
  }, 60_000);
});

const arm64RunTitle = 'the arm64 prebuild in Debian arm64 Node under qemu-aarch64';
describe.runIf(skipUnless(arm64RunTitle, [...crossTools, 'qemu-aarch64-static', 'arm64-node-root']))(arm64RunTitle, () => {
  test('NEON kernels: reports neon, bit-exact on every length 0..300, offsets, specials, both dtypes, forward and backward', () => {
    const r = kernelCheckOnArm64(arm64Prebuild);
    expect(r).toMatchObject({ arch: 'arm64', isa: 'neon', bestIsa: 'neon', failed: 0 });
    expect(r.passed).toBe(9632);
  }, 120_000);

  test('LEAKY_RELU_ISA=scalar there: scalar kernels pass the same checks', () => {
    const r = kernelCheckOnArm64(arm64Prebuild, { LEAKY_RELU_ISA: 'scalar' });
    expect(r).toMatchObject({ arch: 'arm64', isa: 'scalar', failed: 0 });
    expect(r.passed).toBe(9632);
  }, 120_000);
});

describe('installing the tarball', () => {
  test('with no compiler on PATH: the prebuild is used as is (CommonJS and ESM)', () => {
    const { dir, env } = installInto('with-prebuild', tarball, { bare: true });
    const { result, stderr } = useIn(dir, env, probe);
    expect(result.info).toMatchObject({ backend: 'native', version });
    expect(result.y).toEqual(expectedY);
    expect(stderr).not.toMatch(/LeakyReluWarning/);
    const esm = useIn(
      dir,
      env,
      `import { leakyRelu, info } from 'leaky-relu';
       console.log(JSON.stringify({ info: info(), y: Array.from(leakyRelu(new Float64Array([-1, 3]), 0.5)) }));`,
      'module',
    );
    expect(esm.result).toMatchObject({ info: { backend: 'native' }, y: [-0.5, 3] });
  }, 120_000);

  test('with --ignore-scripts: the prebuild is still used', () => {
    const { dir, env } = installInto('ignore-scripts', tarball, { bare: true, ignoreScripts: true });
    expect(useIn(dir, env, probe).result.info.backend).toBe('native');
  }, 120_000);

  describe('a tarball without prebuilds', () => {
    let bare: string;
    beforeAll(() => {
      const unpacked = path.join(work, 'unpacked');
      mkdirSync(unpacked);
      run('tar', ['-xzf', tarball, '-C', unpacked]);
      rmSync(path.join(unpacked, 'package/prebuilds'), { recursive: true });
      bare = path.join(work, 'no-prebuilds.tgz');
      run('tar', ['-czf', bare, '-C', unpacked, 'package']);
    });

    test('and no compiler: the install succeeds and says why; the package runs on JS with one warning', () => {
      const { dir, env, output } = installInto('no-compiler', bare, { bare: true });
      expect(output).toMatch(/source build failed.*pure-JS fallback.*npm rebuild leaky-relu/s);
      expect(readdirSync(path.join(dir, 'node_modules/leaky-relu'))).not.toContain('prebuilds');
      const { result, stderr } = useIn(dir, env, probe);
      expect(result.info).toMatchObject({ backend: 'js', isa: 'js', version });
      expect(result.y).toEqual(expectedY);
      const warnings = stderr.match(/LeakyReluWarning/g) ?? [];
      expect(warnings).toHaveLength(1);
      expect(stderr).toMatch(/linux-x64/);
      expect(stderr).toMatch(/Node-API \d+/);
      expect(stderr).toMatch(/npm rebuild leaky-relu/);
      // The strict mode makes the same failure an error.
      const strict = spawnSync(process.execPath, ['-e', probe], {
        cwd: dir,
        env: { ...env, LEAKY_RELU_BACKEND: 'native' },
        encoding: 'utf8',
      });
      expect(strict.status).not.toBe(0);
      expect(strict.stderr).toMatch(/native binding could not be loaded/);
    }, 120_000);

    test('with a compiler and cmake: it is built from source at install', () => {
      const { dir, env } = installInto('source-build', bare, { bare: false });
      expect(existsSync(path.join(dir, 'node_modules/leaky-relu/build/Release/leaky_relu.node'))).toBe(true);
      expect(useIn(dir, env, probe).result.info.backend).toBe('native');
    }, 180_000);
  });
});
