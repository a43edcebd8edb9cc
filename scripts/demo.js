// `npm start`: what this machine runs, a worked example, and a short timing table
// against the plain JS loop a user would otherwise write and against copying the
// same bytes with TypedArray.prototype.set (the memory system's pace).
'use strict';
const { leakyRelu, leakyReluBackward, info } = require('..');

const about = info();
console.log(`leaky-relu ${about.version}: backend ${about.backend}, kernels ${about.isa}, ${about.threads} threadpool threads\n`);

const x = new Float32Array([-1, 2, -3, 4]);
console.log('leakyRelu(Float32Array [-1, 2, -3, 4])         ->', Array.from(leakyRelu(x)).map((v) => +v.toFixed(7)));
const g = leakyReluBackward(new Float64Array([1, 1, 1, 1]), new Float64Array([-1, 2, 0, 4]), 0.1);
console.log('leakyReluBackward(dy = 1s, x = [-1, 2, 0, 4], 0.1) ->', Array.from(g), '\n');

function naiveLoop(a, alpha) {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    a[i] = v > 0 ? v : v * alpha;
  }
}

// Enough distinct random arrays that the branch predictor cannot learn their signs
// (it can learn a few thousand); alpha alternates 0.5 / 2, exact powers of two, so
// repeated in-place runs neither drift nor sink into subnormals.
function pool(Type, n) {
  const count = Math.max(2, Math.min(4096, Math.ceil((1 << 22) / n)));
  return Array.from({ length: count }, () => Type.from({ length: n }, () => Math.random() * 2 - 1));
}

function nsPerElement(arrays, run) {
  const n = arrays[0].length;
  const calls = Math.max(8, Math.ceil((1 << 23) / n));
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) run(arrays[i % arrays.length], (i & 1) === 0 ? 0.5 : 2, i);
    runs.push(Number(process.hrtime.bigint() - t0) / (calls * n));
  }
  return runs.sort((a, b) => a - b)[2];
}

const rows = [];
for (const Type of [Float32Array, Float64Array]) {
  for (const n of [1024, 65536, 1 << 20]) {
    const arrays = pool(Type, n);
    // Copies between arrays of the pool: as cold as the data the others transform,
    // and the pool keeps its random signs.
    const copy = nsPerElement(arrays, (a, _alpha, i) => a.set(arrays[(i + 1) % arrays.length]));
    const naive = nsPerElement(arrays, naiveLoop);
    const ours = nsPerElement(arrays, (a, alpha) => leakyRelu(a, alpha));
    rows.push({ Type, n, copy, naive, ours });
  }
}

console.log('ns per element, median of 5 runs, random signs, in place');
console.log('data              n   leakyRelu   JS loop  copy(set)   vs JS loop  vs copy');
for (const r of rows) {
  console.log(
    `${r.Type.name.padEnd(12)} ${String(r.n).padStart(8)} ${r.ours.toFixed(3).padStart(11)} ${r.naive
      .toFixed(3)
      .padStart(9)} ${r.copy.toFixed(3).padStart(10)} ${(r.naive / r.ours).toFixed(1).padStart(10)}x ${(
      r.ours / r.copy
    )
      .toFixed(2)
      .padStart(7)}x`,
  );
}
console.log('\n"vs JS loop": how many times faster than the loop; "vs copy": time relative to copying the same bytes.');
