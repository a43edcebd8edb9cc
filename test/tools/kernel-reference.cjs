'use strict';
// The contract's element rule, what "the same result" means, and guarded views, written
// once for everything that checks kernels: the vitest suites (through the typed wrappers
// in test/helpers) and kernel-check.cjs, which must run on a bare Node 18 under qemu, so
// this stays plain CommonJS. Types: kernel-reference.d.cts.
//
// Element types are told apart by BYTES_PER_ELEMENT, not instanceof, so that a typed
// array from another realm gets its own type's rounding here too.

// Deliberately naive: one branch per element, no tables, no SIMD. For float32 the
// double product of two float32 values is exact, so Math.fround rounds it exactly once.
function select(x, g, alpha) {
  const out = new x.constructor(x.length);
  if (x.BYTES_PER_ELEMENT === 4) {
    const a = Math.fround(alpha);
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? g[i] : Math.fround(a * g[i]);
  } else {
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? g[i] : alpha * g[i];
  }
  return out;
}

function referenceForward(x, alpha) {
  return select(x, x, alpha);
}

// At x == 0 (and for NaN x) the slope is alpha, as TensorFlow's LeakyReluGrad.
function referenceBackward(dy, x, alpha) {
  return select(x, dy, alpha);
}

// Compared as integers: Object.is would tell NaN payloads apart only sometimes, and
// === would call -0 and +0 equal.
function bitsOf(a) {
  if (a.BYTES_PER_ELEMENT === 2) return a;
  return a.BYTES_PER_ELEMENT === 4
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

// A Uint16Array's elements are bits of a type it does not know: they are shown as bits
// (showHalf shows them as values of a type).
function showValue(a, i) {
  if (a.BYTES_PER_ELEMENT === 2) return `bits 0x${hex16(a[i])}`;
  const v = a[i];
  const bits = bitsOf(a)[i].toString(16).padStart(a.BYTES_PER_ELEMENT * 2, '0');
  return `${Object.is(v, -0) ? '-0' : String(v)} (0x${bits})`;
}

// The contract counts any NaN equal to any NaN, whatever its payload.
function firstBitDifference(actual, expected) {
  if (actual.constructor !== expected.constructor) {
    return `element types differ: ${actual.constructor.name} vs ${expected.constructor.name}`;
  }
  if (actual.length !== expected.length) {
    return `lengths differ: ${actual.length} vs ${expected.length}`;
  }
  const a = bitsOf(actual);
  const e = bitsOf(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      return `index ${i}: got ${showValue(actual, i)}, expected ${showValue(expected, i)}`;
    }
  }
  return null;
}

// Negative and not a power of two, so alpha * SENTINEL differs from it for any alpha
// != 1: a kernel that runs one element too far, reading the input's guard and writing
// the output's, leaves a mark. A positive sentinel is mapped to itself and hides that.
const SENTINEL = -12345.5;
const GUARD = 16;
// 16-bit data are guarded by bits, read the same way as either type: float16
// -3.416015625, bfloat16 -106.5, both negative and not powers of two, for the same reason.
const HALF_SENTINEL = 0xc2d5;
const SENTINEL_BITS = {
  2: HALF_SENTINEL,
  4: new Uint32Array(Float32Array.of(SENTINEL).buffer)[0],
  8: new BigUint64Array(Float64Array.of(SENTINEL).buffer)[0],
};

function place(whole, start, data) {
  whole.fill(whole.BYTES_PER_ELEMENT === 2 ? HALF_SENTINEL : SENTINEL);
  whole.set(data, start);
  const view = new whole.constructor(whole.buffer, whole.byteOffset + start * whole.BYTES_PER_ELEMENT, data.length);
  return { view, whole, start };
}

function guardedView(Ctor, off, data) {
  return place(new Ctor(GUARD + off + data.length + GUARD), GUARD + off, data);
}

// The SIMD kernels peel the elements before the output's first line boundary, so the
// view is placed by its address, not by where the allocator happened to put the buffer.
function guardedInLine(Ctor, pos, data, addressOf) {
  const perLine = 64 / Ctor.BYTES_PER_ELEMENT;
  const whole = new Ctor(GUARD + perLine + data.length + GUARD);
  const misalignment = Math.floor((addressOf(whole) % 64) / Ctor.BYTES_PER_ELEMENT);
  const start = GUARD + ((((pos - misalignment - GUARD) % perLine) + perLine) % perLine);
  return place(whole, start, data);
}

function guardDamage(g) {
  const bits = bitsOf(g.whole);
  const sentinel = SENTINEL_BITS[g.whole.BYTES_PER_ELEMENT];
  const end = g.start + g.view.length;
  for (const [from, to] of [[0, g.start], [end, bits.length]]) {
    for (let i = from; i < to; i++) {
      if (bits[i] !== sentinel) {
        return `guard element ${i - g.start} (relative to the view start) became ${showValue(g.whole, i)}`;
      }
    }
  }
  return null;
}

// 16-bit floats (float16, bfloat16), held as their bits in Uint16Arrays. Written for
// the tests, independently of lib/half.ts and native/half.cc, and by other means:
// values are decoded by the formula, and a value is rounded to a type by scaling it by
// the type's quantum at its binade, rounding the scaled double half-to-even as an
// integer, and looking the rounded value up among the decodings of all 65,536 patterns.
const HALF_FORMATS = {
  // Fraction bits, exponent bits, bias; a NaN to return for a NaN result.
  float16: { fraction: 10, exponent: 5, bias: 15, nan: 0x7e00 },
  bfloat16: { fraction: 7, exponent: 8, bias: 127, nan: 0x7fc0 },
};
const halfTables = Object.create(null);

function halfFormat(half) {
  const f = HALF_FORMATS[half];
  if (f === undefined) throw new Error(`not a 16-bit type: ${half}`);
  return f;
}

function decodeByFormula(bits, half) {
  const f = halfFormat(half);
  const sign = bits & 0x8000 ? -1 : 1;
  const top = 2 ** f.exponent - 1;
  const e = (bits >> f.fraction) & top;
  const m = bits & (2 ** f.fraction - 1);
  if (e === top) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** (1 - f.bias - f.fraction);
  return sign * (2 ** f.fraction + m) * 2 ** (e - f.bias - f.fraction);
}

// Built once per type: every pattern's value, and the pattern of every value but the
// zeros and NaNs (a Map cannot tell -0 from +0; roundToHalf handles both itself).
function tableOf(half) {
  let t = halfTables[half];
  if (t !== undefined) return t;
  const values = new Float64Array(65536);
  const patterns = new Map();
  for (let b = 0; b < 65536; b++) {
    const v = (values[b] = decodeByFormula(b, half));
    if (v !== 0 && !Number.isNaN(v)) {
      if (patterns.has(v)) throw new Error(`${half}: 0x${hex16(b)} decodes to the value of 0x${hex16(patterns.get(v))}`);
      patterns.set(v, b);
    }
  }
  const f = halfFormat(half);
  const maxFinite = (2 ** (f.fraction + 1) - 1) * 2 ** (2 ** f.exponent - 2 - f.bias - f.fraction);
  t = halfTables[half] = { values, patterns, maxFinite, emin: 1 - f.bias, fraction: f.fraction, nan: f.nan };
  return t;
}

/** The value of a pattern (looked up among the formula's values: the checks decode millions). */
function decodeHalf(bits, half) {
  return (halfTables[half] || tableOf(half)).values[bits & 0xffff];
}

// 2^e for every exponent a double's binade can have, looked up: under qemu a `**`
// costs ~0.6 us, and the kernel check rounds millions of values there.
const POW2_MIN = -1080;
const POW2 = new Float64Array(1030 - POW2_MIN);
for (let e = POW2_MIN; e < 1030; e++) POW2[e - POW2_MIN] = 2 ** e;
const pow2 = (e) => POW2[e - POW2_MIN];

// The exact binade of a finite nonzero double: 2^e <= a < 2^(e+1). Math.log2 only guesses.
function binade(a) {
  let e = Math.floor(Math.log2(a));
  while (pow2(e) > a) e--;
  while (pow2(e + 1) <= a) e++;
  return e;
}

/** The bits of the value of type `half` nearest to `v` (ties to even), ±Inf beyond its range. */
function roundToHalf(v, half) {
  const t = halfTables[half] || tableOf(half);
  if (v !== v) return t.nan;
  const negative = v < 0 || (v === 0 && 1 / v < 0);
  const a = Math.abs(v);
  let r = 0;
  if (a === Infinity) r = Infinity;
  else if (a !== 0) {
    // The spacing of the type's values at a's binade (the subnormal spacing below emin).
    // Dividing by a power of two is exact here, so `scaled` is a itself in units of it.
    const quantum = pow2(Math.max(binade(a), t.emin) - t.fraction);
    const scaled = a / quantum;
    let n = Math.floor(scaled);
    const rest = scaled - n;
    if (rest > 0.5 || (rest === 0.5 && n % 2 === 1)) n += 1;
    r = n * quantum;
    if (r > t.maxFinite) r = Infinity;
  }
  if (r === 0) return negative ? 0x8000 : 0;
  const bits = t.patterns.get(negative ? -r : r);
  if (bits === undefined) throw new Error(`${half}: ${r} is no value of the type`);
  return bits;
}

/** alphaT: the bits of T(float32(alpha)), the slope 16-bit data are multiplied by. */
function halfAlpha(alpha, half) {
  return roundToHalf(Math.fround(alpha), half);
}

// x > 0 (positive, not zero, not NaN) keeps g's bits; else T(fround(alphaT * g)): the
// double product of two values of T is exact, so fround rounds it once, as a float32
// multiply does, and roundToHalf rounds that once more.
function select16(x, g, alpha, half) {
  const values = tableOf(half).values;
  const a = values[halfAlpha(alpha, half)];
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = values[x[i]] > 0 ? g[i] : roundToHalf(Math.fround(a * values[g[i]]), half);
  return out;
}

function referenceForward16(x, alpha, half) {
  return select16(x, x, alpha, half);
}

function referenceBackward16(dy, x, alpha, half) {
  return select16(x, dy, alpha, half);
}

function hex16(b) {
  return b.toString(16).padStart(4, '0');
}

function showHalf(bits, half) {
  const v = decodeHalf(bits, half);
  return `${Object.is(v, -0) ? '-0' : String(v)} (0x${hex16(bits)})`;
}

/** The indices where two arrays of `half` bits differ (a NaN equals any NaN), at most `limit`. */
function halfDifferences(actual, expected, half, limit = Infinity) {
  const values = tableOf(half).values;
  const found = [];
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length && found.length < limit; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a !== e && !(Number.isNaN(values[a]) && Number.isNaN(values[e]))) found.push(i);
  }
  return found;
}

function firstHalfDifference(actual, expected, half) {
  if (!(actual instanceof Uint16Array) && actual.BYTES_PER_ELEMENT !== 2) return `not 16-bit data: ${actual.constructor.name}`;
  if (actual.length !== expected.length) return `lengths differ: ${actual.length} vs ${expected.length}`;
  const [i] = halfDifferences(actual, expected, half, 1);
  return i === undefined ? null : `index ${i}: got ${showHalf(actual[i], half)}, expected ${showHalf(expected[i], half)}`;
}

// What every pattern is checked with, here (half-exhaustive.test.ts) and on emulated
// CPUs (kernel-check.cjs): alphas for every branch of the rounding (ordinary slopes, 0,
// negative, > 1, the largest float16, a subnormal of the type, ties to even down to 1
// and up to 1 + 2 ulp), and x patterns for backward, positive (subnormals, normals,
// the largest finite, +Inf) and not (zeros, negatives, -Inf, NaNs of either sign, a
// signalling NaN), which backwardMixes16 alternates so that every dy meets both.
const HALF_CASES = {
  float16: {
    alphas: [0.2, 0.01, 0, -0.5, 1.5, 65504, 2 ** -20, 1 + 2 ** -11, 1 + 3 * 2 ** -11],
    positive: [0x0001, 0x03ff, 0x0400, 0x3555, 0x3c00, 0x7bff, 0x7c00],
    notPositive: [0x0000, 0x8000, 0x8001, 0x83ff, 0xbc00, 0xfbff, 0xfc00, 0x7e00, 0xfe00, 0x7c01],
  },
  bfloat16: {
    alphas: [0.2, 0.01, 0, -0.5, 1.5, 65504, 1e-39, 1 + 2 ** -8, 1 + 3 * 2 ** -8],
    positive: [0x0001, 0x007f, 0x0080, 0x3eaa, 0x3f80, 0x7f7f, 0x7f80],
    notPositive: [0x0000, 0x8000, 0x8001, 0x807f, 0xbf80, 0xff7f, 0xff80, 0x7fc0, 0xffc0, 0x7f81],
  },
};

/** All 65,536 patterns, in order. */
function allPatterns() {
  const all = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i;
  return all;
}

/** Two x arrays for backward over allPatterns(): element i positive in one, not positive in the other. */
function backwardMixes16(half) {
  const c = HALF_CASES[half];
  const mix = (flip) => {
    const x = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) {
      x[i] = (i % 2 === 0) !== flip ? c.positive[(i >> 1) % c.positive.length] : c.notPositive[(i >> 1) % c.notPositive.length];
    }
    return x;
  };
  return [mix(false), mix(true)];
}

module.exports = {
  referenceForward,
  referenceBackward,
  showValue,
  firstBitDifference,
  SENTINEL,
  GUARD,
  guardedView,
  guardedInLine,
  guardDamage,
  HALF_SENTINEL,
  decodeHalf,
  roundToHalf,
  halfAlpha,
  referenceForward16,
  referenceBackward16,
  showHalf,
  halfDifferences,
  firstHalfDifference,
  HALF_CASES,
  allPatterns,
  backwardMixes16,
};
