// The 16-bit rows of `npm run bench`: float16 and bfloat16 (Uint16Array bits) in place,
// against the 16-bit in-place streaming limit (a sign flip of every element), the JS
// fallback, and what a user does without the package: decode into a Float32Array,
// leakyRelu it, encode back (a scratch array reused across calls: the user's best case).
'use strict';
const lib = require('..');
const { select16 } = require('../dist/fallback16');
const { roundAlpha } = require('../dist/half');
const { makePool, timeInterleaved, timeSync, roundsFor } = require('./measure');

/** Random signs and magnitudes around 1 (normal numbers) in either 16-bit format. */
function randomHalfs(half) {
  return (Type, n) => {
    const a = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const sign = Math.random() < 0.5 ? 0x8000 : 0;
      // float16: exponents 2^-4 .. 2^3; bfloat16: the same range in its own layout.
      a[i] = half === 'float16'
        ? sign | ((11 + Math.floor(Math.random() * 8)) << 10) | Math.floor(Math.random() * 1024)
        : sign | ((123 + Math.floor(Math.random() * 8)) << 7) | Math.floor(Math.random() * 128);
    }
    return a;
  };
}

// A user's conversions, as commonly written: bit operations per element.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function decode(h, half) {
  if (half === 'bfloat16') {
    u32[0] = h << 16;
    return f32[0];
  }
  const e = (h >> 10) & 0x1f, m = h & 0x3ff, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function encode(v, half) {
  f32[0] = v;
  const b = u32[0];
  if (half === 'bfloat16') return (b & 0x7fffffff) > 0x7f800000 ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  const s = (b >>> 16) & 0x8000, e = ((b >>> 23) & 0xff) - 112, m = b & 0x7fffff;
  if (e >= 31) return s | 0x7c00 | (((b >>> 23) & 0xff) === 0xff && m ? 0x200 : 0);
  if (e <= 0) {
    if (e < -10) return s;
    const full = m | 0x800000, shift = 14 - e, r = full >>> shift, rem = full & ((1 << shift) - 1), h = 1 << (shift - 1);
    return s | (rem > h || (rem === h && r & 1) ? r + 1 : r);
  }
  const r = (e << 10) | (m >>> 13), rem = m & 0x1fff;
  return s | (rem > 0x1000 || (rem === 0x1000 && r & 1) ? r + 1 : r);
}

function measureHalf({ sizes, alpha, isas, binding, limit, add, tell }) {
  const scratch = new Float32Array(Math.max(...sizes));
  for (const half of ['float16', 'bfloat16']) {
    const h = half === 'float16' ? 0 : 1; // lib/half.ts's Half
    const alphaT = roundAlpha(alpha, h);
    const userWay = (a) => {
      const tmp = scratch.subarray(0, a.length);
      for (let i = 0; i < a.length; i++) tmp[i] = decode(a[i], half);
      lib.leakyRelu(tmp, alpha);
      for (let i = 0; i < a.length; i++) a[i] = encode(tmp[i], half);
    };
    for (const n of sizes) {
      tell(`${half} N=${n}`);
      const rounds = roundsFor(n);
      const pool = makePool(Uint16Array, n, randomHalfs(half));
      // Two groups: the JS ways' tables and scratch array (128-256 KiB each) would push
      // the pool out of L2 between the native passes they were interleaved with.
      const native = {
        'in-place streaming limit (native)': (a) => limit.negateInPlace(a),
        'leakyRelu (sync, facade)': (a) => lib.leakyRelu(a, { alpha, dtype: half }),
      };
      const js = {
        'JS fallback': (a) => select16(a, a, a, alphaT, h, 0, a.length),
        'decode → leakyRelu → encode (JS)': userWay,
      };
      const fewer = n >= 1 << 24 ? 3 : rounds;
      const sync = { ...timeInterleaved(pool, js, fewer), ...timeInterleaved(pool, native, fewer) };
      add('copy limit (TypedArray.set)', half, n, sync.copy);
      for (const name of [...Object.keys(native), ...Object.keys(js)]) add(name, half, n, sync[name]);
      for (const isa of isas) {
        binding.configure(isa);
        add(`native ${binding.isaOf(half)} (raw binding, ${isa} set)`, half, n, timeSync(pool, (a) => binding.forward(a, alpha, a, half), rounds));
      }
      binding.configure();
    }
  }
}

module.exports = { measureHalf };
