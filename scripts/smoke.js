// A short end-to-end check, run under emulated CPUs (qemu) where vitest is too slow:
// loads the package, prints info() as JSON, and checks forward/backward against a
// plain reference on sizes that reach the SIMD main loops and every tail length.
// Exits non-zero on any mismatch. Usage: node scripts/smoke.js
'use strict';
const { leakyRelu, leakyReluBackward, info } = require('..');

function reference(x, dy, alpha, f32) {
  const a = f32 ? Math.fround(alpha) : alpha;
  const round = f32 ? Math.fround : (v) => v;
  return Array.from(x, (v, i) => {
    const g = dy ? dy[i] : v;
    return v > 0 ? g : round(a * g);
  });
}

const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-45, -1e-45, 5e-324, -5e-324, 3.5, -7.25];
let failures = 0;
for (const Type of [Float32Array, Float64Array]) {
  for (const n of [0, 1, 7, 15, 16, 17, 31, 63, 64, 65, 100, 257, 1000]) {
    for (const alpha of [0.2, -0.3, 3]) {
      const x = Type.from({ length: n }, (_, i) => (i % 5 === 0 ? specials[i % specials.length] : Math.random() * 4 - 2));
      const dy = Type.from({ length: n }, () => Math.random() * 4 - 2);
      const f32 = Type === Float32Array;
      const want = reference(x, null, alpha, f32);
      const wantBack = reference(x, dy, alpha, f32);
      const y = leakyRelu(Type.from(x), alpha);
      const dx = leakyReluBackward(Type.from(dy), x, alpha);
      for (let i = 0; i < n; i++) {
        if (!Object.is(y[i], Type.of(want[i])[0]) || !Object.is(dx[i], Type.of(wantBack[i])[0])) {
          failures++;
          if (failures < 5) console.error(`mismatch ${Type.name} n=${n} alpha=${alpha} i=${i} x=${x[i]}`);
        }
      }
    }
  }
}
console.log(JSON.stringify({ ...info(), failures }));
process.exit(failures === 0 ? 0 : 1);
