// The package's entry points and load-time switches, each in a fresh Node process:
// the backend is decided once per process, at first require. Needs dist/ (built by
// `npm run build:ts`, which `npm ci` runs through the prepare script).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadRawBinding, packageRoot as root } from './helpers/binding';
import { evalArgs, runNodeSync } from './helpers/child';
import { project } from './helpers/project';

const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const breakNativeBinding = path.join(__dirname, 'helpers', 'break-native-binding.cjs');

interface Report {
  ok: boolean;
  message?: string;
  info?: { backend: string; isa: string; version: string; threads: number };
  y?: number[];
  long?: boolean;
  warnings: { name: string; code?: string; message: string }[];
}

/**
 * The body a child runs with the package as `m`: it applies leakyRelu to a short and
 * a long array (the JS and native paths) and reports them, info() and every warning.
 */
const exercise = `
  const x = new Float32Array([-1, 2, -3, 4]);
  const same = m.leakyRelu(x) === x;
  const long = m.leakyRelu(new Float64Array(300).fill(-5), 0.5).every((v) => v === -2.5);
  const empty = m.leakyRelu(new Float32Array(0));
  report.ok = same && empty.length === 0;
  report.info = m.info();
  report.y = Array.from(x);
  report.long = long;`;

const prologue = `
  const report = { ok: false, warnings: [] };
  process.on('warning', (w) => report.warnings.push({ name: w.name, code: w.code, message: w.message }));
  // Warnings are emitted on a later tick: report after them.
  const finish = () => setImmediate(() => console.log(JSON.stringify(report)));`;

/**
 * Runs `code` in a new node (CommonJS, or an ES module with `esm`) in the package root,
 * with none of this project's switches: only those in `env`. The report is its last record.
 */
function runFresh(code: string, opts: { env?: Record<string, string>; esm?: boolean; preload?: string } = {}) {
  const r = runNodeSync(evalArgs(code, opts), { switches: 'clean', env: opts.env });
  return { status: r.code, stderr: r.stderr, report: r.records.at(-1) as Report | undefined };
}

/** A CommonJS child that loads the package with `load` and exercises it; errors are reported, not thrown. */
function cjsChild(load: string): string {
  return `${prologue}
  try {
    const m = ${load};
    ${exercise}
  } catch (e) {
    report.message = e.message;
  }
  finish();`;
}

const requireRoot = `require(${JSON.stringify(root)})`;
const expectedY = [Math.fround(-0.2), 2, Math.fround(Math.fround(0.2) * -3), 4];

// Spawning processes does not depend on the project: run once, in one project.
describe.runIf(project.once)('entry points and load-time switches (child processes)', () => {
  let bestIsa: string;

  beforeAll(() => {
    bestIsa = loadRawBinding().bestIsa();
  });

  test('require() of the package directory (package.json main)', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot));
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY, warnings: [] });
    expect(report?.info).toMatchObject({ backend: 'native', isa: bestIsa, version });
  });

  test("require('leaky-relu') by its own name (exports, require condition)", () => {
    const { report, stderr } = runFresh(cjsChild(`require('leaky-relu')`));
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY, warnings: [] });
    expect(report?.info).toMatchObject({ backend: 'native', version });
  });

  test("import 'leaky-relu' from an ES module (exports, import condition): named and default exports", () => {
    const code = `${prologue}
      import * as ns from 'leaky-relu';
      import def from 'leaky-relu';
      const m = ns;
      ${exercise}
      report.ok = report.ok && def.leakyRelu === ns.leakyRelu && typeof ns.leakyReluBackward === 'function';
      finish();`;
    const { report, stderr } = runFresh(code, { esm: true });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY, warnings: [] });
    expect(report?.info).toMatchObject({ backend: 'native', isa: bestIsa, version });
  });

  test('dynamic import() from an ES module', () => {
    const code = `${prologue}
      const m = await import('leaky-relu');
      ${exercise}
      finish();`;
    const { report, stderr } = runFresh(code, { esm: true });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY });
    expect(report?.info?.version).toBe(version);
  });

  test('LEAKY_RELU_BACKEND=js: the pure-JS backend', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), { env: { LEAKY_RELU_BACKEND: 'js' } });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY, warnings: [] });
    expect(report?.info).toMatchObject({ backend: 'js', isa: 'js', version });
  });

  test('LEAKY_RELU_ISA=scalar: the scalar kernels', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), { env: { LEAKY_RELU_ISA: 'scalar' } });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY, warnings: [] });
    expect(report?.info).toMatchObject({ backend: 'native', isa: 'scalar' });
  });

  test('LEAKY_RELU_ISA=bogus: one warning, then the best kernel set, and it works', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), { env: { LEAKY_RELU_ISA: 'bogus' } });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY });
    expect(report?.info).toMatchObject({ backend: 'native', isa: bestIsa });
    expect(report?.warnings).toHaveLength(1);
    expect(stderr).toMatch(/LEAKY_RELU_BAD_ISA|names no kernel set/);
  });

  test('LEAKY_RELU_BACKEND=bogus: one warning, then the usual choice (native here), and it works', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), { env: { LEAKY_RELU_BACKEND: 'bogus' } });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY });
    expect(report?.info).toMatchObject({ backend: 'native', isa: bestIsa });
    expect(report?.warnings).toHaveLength(1);
    expect(report?.warnings[0]?.code).toBe('LEAKY_RELU_BAD_BACKEND');
  });

  test('native binding unavailable: the JS fallback, with exactly one warning that says what to do', () => {
    // Loaded twice and called several times: still one warning.
    const load = `(require(${JSON.stringify(root)}), ${requireRoot})`;
    const { report, stderr } = runFresh(cjsChild(load), { preload: breakNativeBinding });
    expect(report, stderr).toMatchObject({ ok: true, long: true, y: expectedY });
    expect(report?.info).toMatchObject({ backend: 'js', isa: 'js', version });
    expect(report?.warnings).toHaveLength(1);
    const [warning] = report?.warnings ?? [];
    expect(warning.message).toContain(process.platform);
    expect(warning.message).toContain(process.arch);
    expect(warning.message).toContain('npm rebuild');
    expect(stderr.match(/could not be loaded/g) ?? []).toHaveLength(1);
  });

  test('native binding unavailable with LEAKY_RELU_BACKEND=native: an error, not a fallback', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), {
      preload: breakNativeBinding,
      env: { LEAKY_RELU_BACKEND: 'native' },
    });
    expect(report, stderr).toMatchObject({ ok: false, warnings: [] });
    expect(report?.info).toBeUndefined();
    expect(report?.message).toContain('could not be loaded');
    expect(report?.message).toContain('npm rebuild');
  });

  test('LEAKY_RELU_BACKEND=native with the binding there: native, quietly', () => {
    const { report, stderr } = runFresh(cjsChild(requireRoot), { env: { LEAKY_RELU_BACKEND: 'native' } });
    expect(report, stderr).toMatchObject({ ok: true, long: true, warnings: [] });
    expect(report?.info?.backend).toBe('native');
  });
});
