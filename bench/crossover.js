// Finds the size below which the JS kernels beat a call into the native binding.
// Both run in place on the same arrays; alpha alternates between 0.5 and 2 so that
// repeated runs neither drift nor sink into subnormals (both are exact powers of two).
// Usage: npm run crossover   (needs `npm run build`)
'use strict';
const js = require('../dist/fallback');
const { resolveBackend } = require('../dist/native');
const { median } = require('./measure');

const { binding, isa } = resolveBackend();
if (!binding) throw new Error('the native binding did not load');

const sizes = [4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512];
const POOL = 64;

function randomArrays(Type, n) {
  return Array.from({ length: POOL }, () => Type.from({ length: n }, () => Math.random() * 2 - 1));
}

function nsPerCall(arrays, run, calls) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const x = arrays[i % POOL];
    run(x, (i & 1) === 0 ? 0.5 : 2);
    sink += x[0];
  }
  const ns = Number(process.hrtime.bigint() - t0) / calls;
  return sink === Infinity ? -1 : ns;
}

const rows = [];
for (const [Type, jsKernel] of [
  [Float32Array, (x, a) => js.forwardF32(x, x, a, 0, x.length)],
  [Float64Array, (x, a) => js.forwardF64(x, x, a, 0, x.length)],
]) {
  const nativeKernel = (x, a) => binding.forward(x, a);
  for (const n of sizes) {
    const arrays = randomArrays(Type, n);
    const calls = Math.max(20000, Math.floor(4e6 / n));
    const jsRuns = [], nativeRuns = [];
    for (let r = 0; r < 7; r++) {
      jsRuns.push(nsPerCall(arrays, jsKernel, calls));
      nativeRuns.push(nsPerCall(arrays, nativeKernel, calls));
    }
    rows.push({ type: Type.name, n, js: median(jsRuns), native: median(nativeRuns) });
  }
}

console.log(`native ISA: ${isa}; ns per call, median of 7 runs`);
console.log('type          n     js  native  js/native');
for (const r of rows) {
  console.log(
    `${r.type.padEnd(12)} ${String(r.n).padStart(4)} ${r.js.toFixed(1).padStart(6)} ${r.native
      .toFixed(1)
      .padStart(7)} ${(r.js / r.native).toFixed(2).padStart(10)}`,
  );
}
