// The package as users get it: prebuilt binaries made with `npm run build:prebuilds`,
// packed with `npm pack`, installed into fresh projects with and without a compiler.
// Runs as its own vitest project after the main suites (it builds, packs and installs,
// minutes of work that would compete with them). The x64 parts need only this machine's
// compiler; the arm64 prebuild and the emulated CPUs need more (test/helpers/tools.ts).
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { evalArgs, runNodeSync, runSync, succeeded } from '../helpers/child';
import type { ChildOptions } from '../helpers/child';
import { kernelCheckHere, kernelCheckOnArm64, kernelCheckOnX86, root } from '../helpers/qemu';
import type { Tool } from '../helpers/tools';
import { skipUnless } from '../helpers/tools';

const version = require('../../package.json').version as string;
const work = inject('packWork');
const tarball = inject('tarball');
const files = inject('packedFiles');
const x64Prebuild = path.join(root, 'prebuilds/linux-x64/leaky-relu.glibc.node');
const arm64Prebuild = path.join(root, 'prebuilds/linux-arm64/leaky-relu.glibc.node');
const crossTools: Tool[] = ['aarch64-linux-gnu-g++', 'aarch64-linux-gnu-strip'];
const arm64Title = 'the arm64 prebuild (cross-compiled)';
const BUDGET_KIB = 1472;

function run(cmd: string, args: string[], opts: Partial<ChildOptions> = {}) {
  return succeeded(runSync(cmd, args, { switches: 'project', timeoutMs: 10 * 60_000, ...opts }), `${cmd} ${args.join(' ')}`);
}

// A PATH with node, npm and sh only: no compiler, no cmake, no make.
function bareBin(): string {
  const bin = path.join(work, 'bare-bin');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    symlinkSync(run('sh', ['-c', 'command -v npm']).stdout.trim(), path.join(bin, 'npm'));
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
  // A user's environment: none of the package's switches, and npm's own default for scripts.
  const env = { ...(opts.bare ? { PATH: bareBin() } : {}), npm_config_ignore_scripts: undefined };
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', pkg];
  if (opts.ignoreScripts) args.push('--ignore-scripts');
  const r = run(opts.bare ? path.join(bareBin(), 'npm') : 'npm', args, { cwd: dir, switches: 'clean', env });
  return { dir, output: r.stdout + r.stderr, env };
}

type UserEnv = ReturnType<typeof installInto>['env'];

/** Runs a snippet in `dir` (as a user of the installed package would) and parses its JSON. */
function useIn(dir: string, env: UserEnv, code: string, type: 'commonjs' | 'module' = 'commonjs') {
  const r = succeeded(runNodeSync(evalArgs(code, { esm: type === 'module' }), { cwd: dir, switches: 'clean', env }), 'snippet');
  const result = r.records.at(-1);
  if (result === undefined) throw new Error(`snippet printed no JSON:\n${r.stdout}`);
  return { result: result as { info: Record<string, unknown>; y: number[] } & Record<string, unknown>, stderr: r.stderr };
}

const probe = `
const { leakyRelu, info } = require('leaky-relu');
const y = leakyRelu(new Float32Array([-1, 2, -3, 4, ...new Array(96).fill(-5)]));
console.log(JSON.stringify({ info: info(), y: Array.from(y.subarray(0, 5)) }));`;
const expectedY = [Math.fround(-0.2), 2, Math.fround(Math.fround(0.2) * -3), 4, Math.fround(Math.fround(0.2) * -5)];

describe('npm run build:prebuilds and npm pack', () => {
  const allTitle = 'the tarball holds all eight prebuilds (Zig cross-builds the musl, macOS and Windows ones)';
  test.runIf(skipUnless(allTitle, ['zig', 'llvm', ...crossTools]))(allTitle, () => {
    expect(files.filter((f) => f.startsWith('prebuilds/')).sort()).toEqual([
      'prebuilds/darwin-arm64/leaky-relu.node',
      'prebuilds/darwin-x64/leaky-relu.node',
      'prebuilds/linux-arm64/leaky-relu.glibc.node',
      'prebuilds/linux-arm64/leaky-relu.musl.node',
      'prebuilds/linux-x64/leaky-relu.glibc.node',
      'prebuilds/linux-x64/leaky-relu.musl.node',
      'prebuilds/win32-arm64/leaky-relu.node',
      'prebuilds/win32-x64/leaky-relu.node',
    ]);
  });

  // The packed tarball's budget, with all eight binaries: 967 KiB when it was set (the
  // binaries 130-470 KB each stripped, 2.3 MB in all, the static libc++ of the six Zig
  // builds most of it; the sources and README ~60 KiB), so about a fifth to grow into
  // (the 16-bit kernels); a binary that doubles (a runtime linked twice, an unstripped
  // build) breaks it. Two binaries packed to 128 KiB before. The per-channel kernels
  // (three kernel kinds x four types in each ISA file) grew each binary by 65-100 KB:
  // 1,344,943 bytes packed then (1313 KiB), and the budget 1472 KiB, about a tenth above.
  test(`the packed tarball stays within its budget (${BUDGET_KIB} KiB)`, () => {
    expect(inject('packedSize')).toBeLessThanOrEqual(BUDGET_KIB * 1024);
  });

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
    expect(inject('devBuildAfter')).toBe(inject('devBuildBefore'));
    expect(existsSync(path.join(root, 'build-prebuild-linux-x64-glibc/Release/leaky_relu.node'))).toBe(true);
  });

  const strippedTitle = 'the x64 prebuild is a stripped x86-64 ELF file';
  test.runIf(skipUnless(strippedTitle, 'readelf'))(strippedTitle, () => {
    const x64 = run('readelf', ['-h', '-S', x64Prebuild]).stdout;
    expect(x64).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
    expect(x64).not.toMatch(/\.symtab/);
  });

  const avxTitle = 'no code outside the AVX2 / AVX-512 kernel sections uses AVX (VEX/EVEX, ymm, zmm)';
  test.runIf(skipUnless(avxTitle, 'objdump'))(avxTitle, () => {
    const asm = run('objdump', ['-d', '--no-show-raw-insn', x64Prebuild]).stdout;
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
    const arm = run('readelf', ['-h', '-S', arm64Prebuild]).stdout;
    expect(arm).toMatch(/Machine:\s+AArch64/);
    expect(arm).not.toMatch(/\.symtab/);
  });
});

const x64EmulatedTitle = 'the x64 prebuild on emulated CPUs';
describe.runIf(process.arch === 'x64' && skipUnless(x64EmulatedTitle, 'qemu-x86_64-static'))(x64EmulatedTitle, () => {
  test('Nehalem (no AVX): scalar kernels, every check passes', async () => {
    const r = await kernelCheckOnX86('Nehalem', { LEAKY_RELU_NATIVE_PATH: x64Prebuild });
    expect(r).toMatchObject({ isa: 'scalar', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);

  test('Haswell: avx2 kernels, every check passes', async () => {
    const r = await kernelCheckOnX86('Haswell', { LEAKY_RELU_NATIVE_PATH: x64Prebuild });
    expect(r).toMatchObject({ isa: 'avx2', failed: 0 });
  }, 60_000);
});

const arm64RunTitle = 'the arm64 prebuild in Debian arm64 Node under qemu-aarch64';
describe.runIf(skipUnless(arm64RunTitle, [...crossTools, 'qemu-aarch64-static', 'arm64-node-root']))(arm64RunTitle, () => {
  // The checker runs the same checks on every ISA: as many there as on this machine.
  const checks = async (): Promise<number> => (await kernelCheckHere()).passed;

  test('NEON kernels: reports neon, bit-exact on every length 0..300, offsets, specials, all four dtypes, forward and backward', async () => {
    const r = await kernelCheckOnArm64(arm64Prebuild);
    expect(r).toMatchObject({ arch: 'arm64', isa: 'neon', bestIsa: 'neon', float16: 'neon', bfloat16: 'neon', failed: 0 });
    expect(r.passed).toBe(await checks());
  }, 120_000);

  test('LEAKY_RELU_ISA=scalar there: scalar kernels pass the same checks', async () => {
    const r = await kernelCheckOnArm64(arm64Prebuild, { LEAKY_RELU_ISA: 'scalar' });
    expect(r).toMatchObject({ arch: 'arm64', isa: 'scalar', float16: 'scalar', bfloat16: 'scalar', failed: 0 });
    expect(r.passed).toBe(await checks());
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
      const strict = runNodeSync(evalArgs(probe), { cwd: dir, switches: 'clean', env: { ...env, LEAKY_RELU_BACKEND: 'native' } });
      expect(strict.code).not.toBe(0);
      expect(strict.stderr).toMatch(/native binding could not be loaded/);
    }, 120_000);

    test('with a compiler and cmake: it is built from source at install', () => {
      const { dir, env } = installInto('source-build', bare, { bare: false });
      expect(existsSync(path.join(dir, 'node_modules/leaky-relu/build/Release/leaky_relu.node'))).toBe(true);
      expect(useIn(dir, env, probe).result.info.backend).toBe('native');
    }, 180_000);
  });
});
