// A self-contained check of the native kernels for machines where vitest is too slow
// or absent (qemu-emulated CPUs, the arm64 Node under qemu-aarch64). It calls the raw
// binding the package would load (so LEAKY_RELU_ISA and LEAKY_RELU_NATIVE_PATH apply)
// and compares it bit for bit with a plain reference: every length 0..300 at every
// position in a 64-byte line, with guard elements around the view, special values, both dtypes,
// forward (in place and into out) and backward. Prints info as JSON, then
// "N passed, N failed". Exits non-zero on any failure. Needs dist/ (npm run build:ts).
'use strict';
const { resolveBackend } = require('../dist/native');

const { binding, isa } = resolveBackend();
if (binding === null) {
  console.error('kernel-check: the native binding did not load');
  process.exit(2);
}

const specials = [0, -0, 1, -1, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.5e-40, -1.5e-40,
  5e-324, -5e-324, 2.2e-308, -2.2e-308, 3.4e38, -3.4e38, 1e300, -1e300, 0.5, -7.25];
const GUARD = 4;
const SENTINEL = 12345.5;

function reference(Type, x, dy, alpha) {
  const f32 = Type === Float32Array;
  const a = f32 ? Math.fround(alpha) : alpha;
  const out = new Type(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = dy ? dy[i] : x[i];
    out[i] = x[i] > 0 ? g : a * g; // the store rounds a float32 product once
  }
  return out;
}

function sameBits(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i])) continue;
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    return false;
  }
  return a.length === b.length;
}

let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
}

// A view of n elements starting `pos` elements past a 64-byte boundary, with GUARD
// sentinels on both sides. The SIMD kernels peel the elements before the output's
// first boundary, so every head length (and every misalignment between the arrays of
// one call) is reached on purpose, not by where malloc happened to put the buffer.
function guarded(Type, n, pos, fill) {
  const perLine = 64 / Type.BYTES_PER_ELEMENT;
  const whole = new Type(n + 2 * GUARD + perLine).fill(SENTINEL);
  const misalignment = (binding.addressOf(whole) % 64) / Type.BYTES_PER_ELEMENT;
  const start = (((pos - misalignment - GUARD) % perLine) + perLine) % perLine + GUARD;
  const view = whole.subarray(start, start + n);
  for (let i = 0; i < n; i++) view[i] = fill(i);
  return { whole, view, guardsIntact: () => whole.every((v, i) => (i >= start && i < start + n) || v === SENTINEL) };
}

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    if (failed <= 10) console.error(`FAIL ${what}`);
  }
}

for (const Type of [Float32Array, Float64Array]) {
  for (const alpha of [0.2, -0.3, 3, 0]) {
    for (let n = 0; n <= 300; n++) {
      // Positions in the line: n sweeps them all for each array, each array differently.
      const pos = n % 16;
      const value = (i) => (random() < 0.25 ? specials[(i * 7 + n) % specials.length] : (random() - 0.5) * 8);
      const x = guarded(Type, n, pos, value);
      const dy = guarded(Type, n, pos + 1, () => (random() - 0.5) * 8);
      const x0 = Type.from(x.view);
      const dy0 = Type.from(dy.view);
      const tag = `${Type.name} alpha=${alpha} n=${n} pos=${pos}`;

      const out = guarded(Type, n, pos * 3, () => 0);
      binding.forward(x.view, alpha, out.view);
      check(sameBits(out.view, reference(Type, x0, null, alpha)) && sameBits(x.view, x0) && out.guardsIntact(), `forward into out ${tag}`);

      const dx = guarded(Type, n, pos * 5 + 2, () => 0);
      binding.backward(dy.view, x.view, alpha, dx.view);
      check(sameBits(dx.view, reference(Type, x0, dy0, alpha)) && dx.guardsIntact(), `backward into out ${tag}`);

      binding.backward(dy.view, x.view, alpha);
      check(sameBits(dy.view, reference(Type, x0, dy0, alpha)) && dy.guardsIntact(), `backward into dy ${tag}`);

      binding.forward(x.view, alpha);
      check(sameBits(x.view, reference(Type, x0, null, alpha)) && x.guardsIntact(), `forward in place ${tag}`);
    }
  }
}

console.log(JSON.stringify({ backend: 'native', isa, bestIsa: binding.bestIsa(), arch: process.arch }));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
