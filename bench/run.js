#!/usr/bin/env node
// `npm run bench`: the package against the limits and the alternatives a Node user
// has, for float32 and float64 at N = 16 .. 16Mi, in one run on this machine.
// Fresh random data for every call (see measure.js); medians of 5-21 passes.
// Writes bench/results/results.md and bench/results/throughput.svg.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const limitPath = path.join(root, 'build-bench/Release/stream_limit.node');
const limitSource = path.join(root, 'bench/stream_limit.cc');
if (!fs.existsSync(limitPath) || fs.statSync(limitPath).mtimeMs < fs.statSync(limitSource).mtimeMs) {
  process.stderr.write('building the benchmark\'s limits addon (build-bench/)...\n');
  execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'compile', '--out', 'build-bench', '--CDLEAKY_RELU_BENCH=ON'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const lib = require('..');
const js = require('../dist/fallback');
const { resolveBackend } = require('../dist/native');
const { lineChart } = require('./chart');
const { makePool, median, sizeLabel: label, timeSync, timeInterleaved, timeSyncVsAsync, roundsFor, randomArray } = require('./measure');
const { measureAlternatives } = require('./alternatives');
const { measurePrelu } = require('./prelu');
const { measureHalf } = require('./half');

const limit = require(limitPath);
const { binding } = resolveBackend();
if (binding === null) throw new Error('the benchmark needs the native binding (npm run build)');
const SIZES = [16, 256, 4096, 65536, 1 << 20, 1 << 24];
// Per-channel slopes: the sizes of their targets (N >= 64Ki).
const PRELU_SIZES = [65536, 1 << 20, 1 << 24];
const ALPHA = 0.2;
const order = ['scalar', 'avx2', 'avx512', 'neon'];
const best = binding.bestIsa();
const isas = best === 'neon' ? ['scalar', 'neon'] : order.slice(0, order.indexOf(best) + 1);

function naiveLoop(a) {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    a[i] = v > 0 ? v : v * ALPHA;
  }
}

const progressTotal = 4 * SIZES.length;
const HALVES = ['float16', 'bfloat16'];
let progress = 0;
function tell(what) {
  process.stderr.write(`\r[${progress}/${progressTotal}] ${what}`.padEnd(70));
}

const rows = [];
const add = (impl, dtype, n, ns) => rows.push({ impl, dtype, n, ns });
// Figures beside the tables, per element type: the Node-API floor and the data-in-L3
// case at 256 elements, the async/sync pair and the several-thread limit at 16Mi.
const aside = { Float32Array: {}, Float64Array: {} };
const facadeOp = (a) => lib.leakyRelu(a, ALPHA);
const limitOp = (a) => limit.negateInPlace(a);

async function main() {
  const started = Date.now();
  for (const Type of [Float32Array, Float64Array]) {
    const dtype = Type.name;
    const jsKernel = Type === Float32Array ? (a) => js.forwardF32(a, a, Math.fround(ALPHA), 0, a.length) : (a) => js.forwardF64(a, a, ALPHA, 0, a.length);
    for (const n of SIZES) {
      progress++;
      tell(`${dtype} N=${n}`);
      const rounds = roundsFor(n);
      const pool = makePool(Type, n);
      const ops = {
        'in-place streaming limit (native)': limitOp,
        'in-place multiply loop (native)': (a) => limit.scaleInPlace(a),
        'leakyRelu (sync, facade)': facadeOp,
        'JS fallback': jsKernel,
        'naive JS loop': naiveLoop,
      };
      // At 256 elements a call's fixed cost decides: measure its Node-API floor beside.
      const floor = n === 256 ? { floor: (a) => limit.unpackOnly(a, ALPHA) } : {};
      const sync = timeInterleaved(pool, { ...ops, ...floor }, rounds);
      add('copy limit (TypedArray.set)', dtype, n, sync.copy);
      for (const name of Object.keys(ops)) add(name, dtype, n, sync[name]);
      if (n === 256) aside[dtype].floorNs = sync.floor * n;
      // Capping the kernels changes them for the facade too: measured apart, then reset.
      for (const isa of isas) {
        binding.configure(isa);
        add(`native ${isa} (raw binding)`, dtype, n, timeSync(pool, (a) => binding.forward(a, ALPHA), rounds));
      }
      binding.configure();
      const paired = await timeSyncVsAsync(pool, facadeOp, (a) => lib.leakyReluAsync(a, ALPHA), rounds);
      add(`leakyReluAsync (${lib.info().threads} threads)`, dtype, n, paired.async);
      if (n === 1 << 24) {
        aside[dtype].asyncPair = paired;
        const threads = lib.info().threads;
        const spread = timeInterleaved(pool, { one: limitOp, all: (a) => limit.negateInPlaceThreads(a, threads) }, rounds);
        aside[dtype].spreadLimit = { threads, ratio: spread.all / spread.one };
      }
    }
    tell(`${dtype} N=256 with its data in L3`);
    const inL3 = makePool(Type, 256, randomArray, 4 << 20);
    aside[dtype].inL3 = timeInterleaved(inL3, { facade: facadeOp, js: jsKernel, limit: limitOp }, 7);
  }

  measureHalf({ sizes: SIZES, alpha: ALPHA, isas, binding, limit, add, tell: (what) => (progress++, tell(what)) });
  const prelu = await measurePrelu({ sizes: PRELU_SIZES, alpha: ALPHA, limit, tell });

  // libuv sizes its pool once per process: one child per thread count.
  for (const threads of [1, 2]) {
    tell(`async with ${threads} threadpool thread(s)`);
    const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'async-child.js'), JSON.stringify(SIZES)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    for (const r of JSON.parse(out)) rows.push({ ...r, impl: `leakyReluAsync (${threads} thread${threads > 1 ? 's' : ''})` });
  }

  tell('batch of 10,000 x 1Ki vs awaited single calls');
  const batch = await batchVsSingles();
  tell('subnormal input');
  const subnormal = subnormalCost();
  const alternatives = await measureAlternatives({ sizes: SIZES, alpha: ALPHA, makePool, roundsFor, median, tell });
  rows.push(...alternatives.rows);
  process.stderr.write(`\rdone in ${((Date.now() - started) / 1000).toFixed(0)} s`.padEnd(70) + '\n');
  const md = report(batch, subnormal, alternatives.notes, prelu);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results/results.md'), md);
  fs.writeFileSync(path.join(__dirname, 'results/throughput.svg'), chart());
  console.log(md);
}

async function batchVsSingles() {
  const arrays = Array.from({ length: 10000 }, () => Float32Array.from({ length: 1024 }, () => Math.random() * 2 - 1));
  const pristine = arrays.map((a) => new Float32Array(a));
  const refresh = () => arrays.forEach((a, i) => a.set(pristine[i]));
  const batchRuns = [], singleRuns = [];
  for (let r = 0; r < 5; r++) {
    refresh();
    let t0 = process.hrtime.bigint();
    await lib.leakyReluBatch(arrays, ALPHA);
    batchRuns.push(Number(process.hrtime.bigint() - t0) / 1e6);
    refresh();
    t0 = process.hrtime.bigint();
    for (const a of arrays) await lib.leakyReluAsync(a, ALPHA);
    singleRuns.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { batchMs: median(batchRuns), singlesMs: median(singleRuns) };
}

/** What subnormal inputs (and outputs) cost the best native kernels, at 1Mi elements. */
function subnormalCost() {
  const out = [];
  for (const Type of [Float32Array, Float64Array]) {
    const tiny = Type === Float32Array ? 1e-40 : 1e-310;
    const subnormals = (T, n) => T.from({ length: n }, () => -Math.random() * tiny);
    const n = 1 << 20;
    const normal = makePool(Type, n);
    const sub = makePool(Type, n, subnormals);
    const op = (a) => binding.forward(a, ALPHA);
    out.push({ dtype: Type.name, normal: timeSync(normal, op, 7), subnormal: timeSync(sub, op, 7) });
  }
  return out;
}

const fmt = (v, digits = 3) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(digits));
const get = (impl, dtype, n) => rows.find((r) => r.impl === impl && r.dtype === dtype && r.n === n)?.ns;

/** The per-channel table, and its targets' rows. */
function preluReport(prelu, targets) {
  const lines = [
    '### Per-channel slopes (PReLU)',
    '',
    'ns per element; "per-channel" is leakyRelu with one slope per channel, "+ alphaGrad" backward with the slope gradient. ' +
      'Channels-first holds one image: spatialSize = N / C.',
    '',
    '| layout | type | N | streaming limit | scalar alpha | per-channel | ratio | backward | per-channel backward | + alphaGrad | ratio | onnxruntime PRelu |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of prelu.rows) {
    const fwd = r.ns.slopes / r.ns.scalar, grad = r.ns.backwardGrad / r.ns.backwardSlopes;
    lines.push(
      `| ${r.layout} | ${r.dtype} | ${r.n === r.size ? label(r.n) : `${label(r.size)} (${r.n})`} | ${fmt(r.ns.limit)} | ${fmt(r.ns.scalar)} | ${fmt(r.ns.slopes)} | ${fmt(fwd, 2)} | ` +
        `${fmt(r.ns.backwardScalar)} | ${fmt(r.ns.backwardSlopes)} | ${fmt(r.ns.backwardGrad)} | ${fmt(grad, 2)} | ${r.ns.onnx === undefined ? '–' : fmt(r.ns.onnx)} |`,
    );
  }
  lines.push('');
  for (const dtype of ['Float32Array', 'Float64Array']) {
    const of = prelu.rows.filter((r) => r.dtype === dtype);
    const worstFwd = of.reduce((w, r) => (r.ns.slopes / r.ns.scalar > w.v ? { v: r.ns.slopes / r.ns.scalar, r } : w), { v: 0 });
    const worstGrad = of.reduce((w, r) => (r.ns.backwardGrad / r.ns.backwardSlopes > w.v ? { v: r.ns.backwardGrad / r.ns.backwardSlopes, r } : w), { v: 0 });
    targets.push([`per-channel / scalar-alpha leakyRelu, ${dtype}, worst of both layouts, C=3 and 64, N ≥ 64Ki`, '≤ 1.15', `${fmt(worstFwd.v, 2)} (${worstFwd.r.layout}, N=${label(worstFwd.r.size)})`, worstFwd.v <= 1.15]);
    targets.push([`backward with / without alphaGrad, ${dtype}, worst of both layouts, C=3 and 64, N ≥ 64Ki`, '≤ 1.5', `${fmt(worstGrad.v, 2)} (${worstGrad.r.layout}, N=${label(worstGrad.r.size)})`, worstGrad.v <= 1.5]);
  }
  for (const note of prelu.notes) lines.push(`- ${note}`);
  lines.push('');
  return lines;
}

function report(batch, subnormal, alternativeNotes, prelu) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const impls = [...new Set(rows.map((r) => r.impl))];
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, Node ${process.version}, ` +
      `kernels ${lib.info().isa}. ns per element (lower is better), median of 5 (16Mi), 7 (1Mi) or 21 passes, fresh random data for every call, in place.`,
    '',
  ];
  for (const dtype of ['Float32Array', 'Float64Array', ...HALVES]) {
    lines.push(`### ${dtype}${HALVES.includes(dtype) ? ' (Uint16Array bits)' : ''}`, '', `| implementation | ${SIZES.map(label).join(' | ')} |`, `|---|${SIZES.map(() => '---:').join('|')}|`);
    for (const impl of impls) {
      if (rows.some((r) => r.impl === impl && r.dtype === dtype)) lines.push(`| ${impl} | ${SIZES.map((n) => fmt(get(impl, dtype, n))).join(' | ')} |`);
    }
    const es = dtype === 'Float32Array' ? 4 : dtype === 'Float64Array' ? 8 : 2;
    lines.push(`| GB/s of leakyRelu (read + write) | ${SIZES.map((n) => fmt((2 * es) / get('leakyRelu (sync, facade)', dtype, n), 1)).join(' | ')} |`, '');
  }
  const facade = 'leakyRelu (sync, facade)';
  const asyncDefault = impls.find((i) => i.startsWith('leakyReluAsync') && i.includes(`${lib.info().threads} threads`));
  const targets = [];
  for (const dtype of ['Float32Array', 'Float64Array']) {
    for (const n of SIZES.filter((n) => n >= 65536)) {
      // The multiply loop shows what of the gap any floating-point loop pays here.
      const limitNs = get('in-place streaming limit (native)', dtype, n);
      const r = get(facade, dtype, n) / limitNs;
      const multiply = get('in-place multiply loop (native)', dtype, n) / limitNs;
      targets.push([`sync native / in-place streaming limit, ${dtype} N=${label(n)}`, '≤ 1.10', `${fmt(r, 3)} (multiply loop: ${fmt(multiply, 3)})`, r <= 1.1]);
    }
  }
  for (const dtype of ['Float32Array', 'Float64Array']) {
    const perCall = get(facade, dtype, 16) * 16;
    targets.push([`facade ns per call, ${dtype} N=16`, '≤ 40', fmt(perCall, 1), perCall <= 40]);
    const worst = Math.max(...SIZES.map((n) => get(facade, dtype, n) / get('naive JS loop', dtype, n)));
    targets.push([`facade / naive JS loop, worst over all N, ${dtype}`, '≤ 1', fmt(worst, 2), worst <= 1]);
    // The trivial loop behind the least Node-API call is about as cheap as a native call
    // gets, so the JS fallback over that loop is, in practice, the most this can reach.
    const at256 = get('JS fallback', dtype, 256) / get(facade, dtype, 256);
    const bound = get('JS fallback', dtype, 256) / get('in-place streaming limit (native)', dtype, 256);
    targets.push([`JS fallback / facade time at N=256, ${dtype}`, '≥ 4', `${fmt(at256, 2)} (bound: JS fallback / streaming limit = ${fmt(bound, 2)})`, at256 >= 4]);
    const fb = get('JS fallback', dtype, 65536) / get('naive JS loop', dtype, 65536);
    targets.push([`JS fallback / naive JS loop, ${dtype} N=64Ki`, '≤ 0.30', fmt(fb, 2), fb <= 0.3]);
    const pair = aside[dtype].asyncPair;
    const as = pair.async / pair.sync;
    const spread = aside[dtype].spreadLimit;
    targets.push([
      `${asyncDefault} / sync in alternate passes, ${dtype} N=16Mi`,
      '≤ 0.60',
      `${fmt(as, 2)} (streaming loop on ${spread.threads} threads / on 1: ${fmt(spread.ratio, 2)})`,
      as <= 0.6,
    ]);
  }
  for (const half of HALVES) {
    for (const n of SIZES.filter((n) => n >= 65536)) {
      const r = get(facade, half, n) / get('in-place streaming limit (native)', half, n);
      targets.push([`sync native / 16-bit in-place streaming limit, ${half} N=${label(n)}`, '≤ 1.15', fmt(r, 3), r <= 1.15]);
    }
    const userWay = 'decode → leakyRelu → encode (JS)';
    const worst = Math.min(...SIZES.filter((n) => n >= 4096).map((n) => get(userWay, half, n) / get(facade, half, n)));
    targets.push([`${half}: leakyRelu vs decode → leakyRelu → encode, worst N ≥ 4Ki`, '≥ 10× faster', `${fmt(worst, 1)}×`, worst >= 10]);
    const fb = get('JS fallback', half, 65536) / get('JS fallback', 'Float32Array', 65536);
    targets.push([`${half} JS fallback / float32 JS fallback per element, N=64Ki`, '≤ 2', fmt(fb, 2), fb <= 2]);
  }
  lines.push(...preluReport(prelu, targets));
  const speedup = batch.singlesMs / batch.batchMs;
  targets.push(['batch of 10,000 x 1Ki f32 vs 10,000 awaited leakyReluAsync', '≥ 10× faster', `${fmt(speedup, 1)}× (${fmt(batch.batchMs, 1)} ms vs ${fmt(batch.singlesMs, 0)} ms)`, speedup >= 10]);
  lines.push('### Targets (ratios from this run)', '', '| what | target | measured | met |', '|---|---|---|---|');
  for (const [what, target, got, ok] of targets) lines.push(`| ${what} | ${target} | ${got} | ${ok ? 'yes' : '**no**'} |`);
  lines.push('', '### Other figures', '');
  for (const dtype of ['Float32Array', 'Float64Array']) {
    const tiny = get(asyncDefault, dtype, 16) * 16 / 1000;
    lines.push(`- ${dtype}: a tiny async call (N=16) costs ${fmt(tiny, 1)} µs (one threadpool round trip).`);
  }
  for (const dtype of ['Float32Array', 'Float64Array']) {
    const { floorNs, inL3 } = aside[dtype];
    const at256 = get('JS fallback', dtype, 256) * 256;
    lines.push(
      `- ${dtype}, N=256: the Node-API floor of a call (arguments, the array's type, length and data, alpha; no work) is ${fmt(floorNs, 1)} ns, ` +
        `the JS fallback ${fmt(at256, 0)} ns, so a native call that did its work for free would be ${fmt(at256 / floorNs, 2)}× faster at most.`,
    );
    lines.push(
      `- ${dtype}, N=256 with the data in L3 (a 4 MiB pool): facade ${fmt(inL3.facade * 256, 0)} ns, streaming limit ${fmt(inL3.limit * 256, 0)} ns, ` +
        `JS fallback ${fmt(inL3.js * 256, 0)} ns a call; JS fallback / facade = ${fmt(inL3.js / inL3.facade, 2)}.`,
    );
  }
  for (const s of subnormal) {
    lines.push(`- Subnormal input, ${s.dtype} N=1Mi, native ${lib.info().isa}: ${fmt(s.subnormal)} ns/element vs ${fmt(s.normal)} on normal numbers (${fmt(s.subnormal / s.normal, 2)}×).`);
  }
  for (const note of alternativeNotes) lines.push(`- ${note}`);
  return lines.join('\n') + '\n';
}

function chart() {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const panels = ['Float32Array', 'Float64Array', ...HALVES].map((dtype) => ({
    title: `${dtype}: throughput, in place`,
    series: impls.filter((impl) => rows.some((r) => r.impl === impl && r.dtype === dtype)).map((impl) => ({
      name: impl,
      points: SIZES.map((n) => ({ n, value: 1 / get(impl, dtype, n) })).filter((p) => Number.isFinite(p.value)),
    })),
  }));
  return lineChart(panels, { yLabel: 'G elements / s' });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
