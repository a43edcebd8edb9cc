'use strict';
// Per-channel slopes (PReLU), as the lead's spec states them, written once for
// everything that checks them: the vitest suites (through test/helpers/slopes-reference.ts)
// and kernel-check.cjs, which must run on a bare Node 18 under qemu, so plain CommonJS.
// Types: slopes-reference.d.cts.
//
// Written from the spec, not from lib/ or native/: element i's channel is
// Math.floor(i / S) % C by a plain modulo; its result is the scalar rule of
// kernel-reference.cjs (per element type, 16-bit included) with that channel's slope,
// which that rule rounds as it rounds a scalar alpha. The slope gradient follows the
// spec's four steps literally: a slot index per element by formula, block boundaries by
// formula, every sum a Float64Array element added to left to right.
//
// 16-bit data are Uint16Array bits with their type ('float16' or 'bfloat16') passed as
// `half`; float32 and float64 data are Float32Array / Float64Array.
const {
  decodeHalf,
  referenceBackward,
  referenceBackward16,
  referenceForward,
  referenceForward16,
} = require('./kernel-reference.cjs');

/** Element i's channel: floor(i / S) % C. */
function channelOf(i, channels, spatial) {
  return Math.floor(i / spatial) % channels;
}

// The indices of each channel's elements, in increasing order: a counting sort by
// channelOf (one pass to count, one to place).
function byChannel(n, channels, spatial) {
  const start = new Int32Array(channels + 1);
  for (let i = 0; i < n; i++) start[channelOf(i, channels, spatial) + 1]++;
  for (let c = 0; c < channels; c++) start[c + 1] += start[c];
  const next = start.slice(0, channels);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[channelOf(i, channels, spatial)]++] = i;
  return { start, order };
}

function checkShape(n, channels, spatial) {
  if (!(channels >= 1) || !(spatial >= 1) || n % (channels * spatial) !== 0) {
    throw new Error(`slopes-reference: length ${n} is not a multiple of ${channels} slopes times spatialSize ${spatial}`);
  }
}

// out[i] = the scalar rule at element i (g = x forward, dy backward) with alpha =
// slopes[channel of i]. Each channel's elements are gathered, given to the scalar
// reference with that channel's slope, and scattered back.
function select(x, g, slopes, spatial, half, backward) {
  const n = x.length;
  const channels = slopes.length;
  checkShape(n, channels, spatial);
  const Ctor = x.constructor;
  const out = new Ctor(n);
  const { start, order } = byChannel(n, channels, spatial);
  for (let c = 0; c < channels; c++) {
    const m = start[c + 1] - start[c];
    if (m === 0) continue;
    const xs = new Ctor(m);
    const gs = new Ctor(m);
    for (let k = 0; k < m; k++) {
      const i = order[start[c] + k];
      xs[k] = x[i];
      gs[k] = g[i];
    }
    const alpha = slopes[c];
    let r;
    if (half !== undefined) r = backward ? referenceBackward16(gs, xs, alpha, half) : referenceForward16(xs, alpha, half);
    else r = backward ? referenceBackward(gs, xs, alpha) : referenceForward(xs, alpha);
    for (let k = 0; k < m; k++) out[order[start[c] + k]] = r[k];
  }
  return out;
}

/** y[i] = x[i] > 0 ? x[i] : slope * x[i], slope = slopes[floor(i / S) % C] rounded as a scalar alpha is. */
function referenceSlopesForward(x, slopes, spatial = 1, half) {
  return select(x, x, Array.from(slopes), spatial, half, false);
}

/** dx[i] = x[i] > 0 ? dy[i] : slope * dy[i], with element i's channel slope. */
function referenceSlopesBackward(dy, x, slopes, spatial = 1, half) {
  if (dy.length !== x.length) throw new Error('slopes-reference: dy and x lengths differ');
  return select(x, dy, Array.from(slopes), spatial, half, true);
}

function gcd(a, b) {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The spec's steps 1 and 2 for C channels, spatial size S and N elements: the
 * regime, the slot count, the slot of element i, the channel of slot a, the unit and
 * the block length. A plain object, so that a test can build a broken one.
 */
function gradientPlan(channels, spatial, n) {
  const C = channels;
  const S = spatial;
  const P = C * S;
  let plan;
  if (S < 32) {
    // Period regime.
    const lcm = (P / gcd(P, 64)) * 64;
    const Q = lcm <= 4096 ? lcm : P;
    const L = Q * Math.ceil(1024 / Q);
    plan = {
      regime: 'period',
      slots: L,
      unit: L,
      slotOf: (i) => i % L,
      channelOfSlot: (a) => Math.floor((a % P) / S),
    };
  } else {
    // Run regime: 32 slots per channel, numbered c * 32 + k (k = slot index 0..31 of channel c).
    plan = {
      regime: 'run',
      slots: 32 * C,
      unit: S,
      slotOf: (i) => channelOf(i, C, S) * 32 + ((i % S) % 32),
      channelOfSlot: (a) => Math.floor(a / 32),
    };
  }
  const U = plan.unit;
  plan.block = U * Math.max(Math.ceil(65536 / U), Math.ceil(n / (64 * U)), Math.ceil((16 * C) / U));
  plan.channels = C;
  plan.spatial = S;
  plan.length = n;
  return plan;
}

// The value of element i as a double: 16-bit bits decoded, float32 / float64 as they are.
function valueReader(half) {
  return half === undefined ? (a, i) => a[i] : (a, i) => decodeHalf(a[i], half);
}

/**
 * alphaGrad by the spec's steps 3 and 4: per block, every slot from +0 adds the
 * products p_i = dy_i * x_i (x_i not > 0) of its elements in increasing index; each
 * channel's block sum is +0 plus its slots in increasing slot index; alphaGrad[c] is
 * +0 plus the block sums in block order. `plan` defaults to gradientPlan's.
 */
function referenceSlopeGrad(dy, x, channels, spatial = 1, half, plan) {
  const n = x.length;
  if (dy.length !== n) throw new Error('slopes-reference: dy and x lengths differ');
  checkShape(n, channels, spatial);
  const p = plan || gradientPlan(channels, spatial, n);
  const value = valueReader(half);
  const grad = new Float64Array(channels);
  const slot = new Float64Array(p.slots);
  const blockSum = new Float64Array(channels);
  for (let begin = 0; begin < n; begin += p.block) {
    const end = Math.min(n, begin + p.block);
    slot.fill(0);
    for (let i = begin; i < end; i++) {
      const xi = value(x, i);
      if (xi > 0) continue;
      const a = p.slotOf(i);
      slot[a] = slot[a] + value(dy, i) * xi;
    }
    blockSum.fill(0);
    for (let a = 0; a < p.slots; a++) {
      const c = p.channelOfSlot(a);
      blockSum[c] = blockSum[c] + slot[a];
    }
    for (let c = 0; c < channels; c++) grad[c] = grad[c] + blockSum[c];
  }
  // The contract writes a NaN sum as the default quiet NaN, whatever NaNs went in.
  for (let c = 0; c < grad.length; c++) if (Number.isNaN(grad[c])) grad[c] = NaN;
  return grad;
}

/** The same products summed the naive way: each channel from +0, left to right over the data. */
function naiveSlopeGrad(dy, x, channels, spatial = 1, half) {
  const value = valueReader(half);
  const grad = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const xi = value(x, i);
    if (xi > 0) continue;
    const c = channelOf(i, channels, spatial);
    grad[c] = grad[c] + value(dy, i) * xi;
  }
  return grad;
}

const hex64 = (bits) => `0x${bits.toString(16).padStart(16, '0')}`;

/**
 * null when the two gradients have the same bits, element by element (+0 and -0
 * differ; a NaN must be the default quiet NaN, as the contract writes every NaN sum),
 * else the first difference.
 */
function firstGradDifference(actual, expected) {
  if (!(actual instanceof Float64Array) && actual.BYTES_PER_ELEMENT !== 8) return `not a Float64Array: ${actual && actual.constructor && actual.constructor.name}`;
  if (actual.length !== expected.length) return `lengths differ: ${actual.length} vs ${expected.length}`;
  const a = new BigUint64Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new BigUint64Array(expected.buffer, expected.byteOffset, expected.length);
  for (let c = 0; c < a.length; c++) {
    // Exact bits, NaN included: a NaN sum is always 0x7FF8000000000000 (the reference's too).
    if (a[c] !== e[c]) {
      const show = (v, bits) => `${Object.is(v, -0) ? '-0' : String(v)} (${hex64(bits)})`;
      return `alphaGrad[${c}]: got ${show(actual[c], a[c])}, expected ${show(expected[c], e[c])}`;
    }
  }
  return null;
}

/** The bits of a Float64Array as hex, one entry per element (for logs and child processes). */
function gradHex(grad) {
  return Array.from(new BigUint64Array(grad.buffer, grad.byteOffset, grad.length), hex64);
}

module.exports = {
  channelOf,
  referenceSlopesForward,
  referenceSlopesBackward,
  gradientPlan,
  referenceSlopeGrad,
  naiveSlopeGrad,
  firstGradDifference,
  gradHex,
};
