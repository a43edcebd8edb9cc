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
  return a.BYTES_PER_ELEMENT === 4
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

function showValue(a, i) {
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
const SENTINEL_BITS = {
  4: new Uint32Array(Float32Array.of(SENTINEL).buffer)[0],
  8: new BigUint64Array(Float64Array.of(SENTINEL).buffer)[0],
};

function place(whole, start, data) {
  whole.fill(SENTINEL);
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
};
