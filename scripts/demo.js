// `npm start`: what this machine runs, a worked example, and a short timing table
// against the plain JS loop a user would otherwise write and against copying the
// same bytes with TypedArray.prototype.set (the memory system's pace).
'use strict';
const { leakyRelu, leakyReluBackward, info } = require('..');
const { makePool, timeInterleaved } = require('../bench/measure');

const about = info();
console.log(`leaky-relu ${about.version}: backend ${about.backend}, kernels ${about.isa}, ${about.threads} threadpool threads\n`);

const x = new Float32Array([-1, 2, -3, 4]);
console.log('leakyRelu(Float32Array [-1, 2, -3, 4])         ->', Array.from(leakyRelu(x)).map((v) => +v.toFixed(7)));
const g = leakyReluBackward(new Float64Array([1, 1, 1, 1]), new Float64Array([-1, 2, 0, 4]), 0.1);
console.log('leakyReluBackward(dy = 1s, x = [-1, 2, 0, 4], 0.1) ->', Array.from(g), '\n');

function naiveLoop(a) {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    a[i] = v > 0 ? v : v * 0.2;
  }
}

// The benchmark's harness (bench/measure.js): fresh random signs for every call,
// implementations interleaved round by round; the copy limit is the refresh itself.
const rows = [];
for (const Type of [Float32Array, Float64Array]) {
  for (const n of [1024, 65536, 1 << 20]) {
    const t = timeInterleaved(makePool(Type, n), { ours: (a) => leakyRelu(a), naive: naiveLoop }, 5);
    rows.push({ Type, n, copy: t.copy, naive: t.naive, ours: t.ours });
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
