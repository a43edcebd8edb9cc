'use strict';
// Child of test/slopes-configurations.test.ts: the slope gradient of fixed seeded data,
// computed by the package at PKG (dist/) in whatever configuration this process was
// started with (LEAKY_RELU_ISA, LEAKY_RELU_BACKEND, UV_THREADPOOL_SIZE), sync and
// async, printed as one JSON line per case: alphaGrad's bits in hex and a hash of dx's
// bytes. The parent starts one child per configuration and requires this file for the
// same inputs (inputs()) to compute the reference. Plain CommonJS.
const crypto = require('node:crypto');
const { gradHex } = require('./slopes-reference.cjs');

// Many gradient blocks and threadpool chunks, both regimes, every element type; the
// float32 case past 64 blocks of 65536 (where the block length grows with N).
const CASES = [
  { name: 'float32 C=3 S=1 (period regime)', type: 'float32', C: 3, S: 1, N: 3 * 1_400_000 },
  { name: 'float64 C=64 S=49 (run regime)', type: 'float64', C: 64, S: 49, N: 64 * 49 * 170 },
  { name: 'float16 C=5 S=7 (period regime)', type: 'float16', C: 5, S: 7, N: 35 * 30_000 },
  { name: 'bfloat16 C=2 S=4096 (run regime)', type: 'bfloat16', C: 2, S: 4096, N: 2 * 4096 * 128 },
];

function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Finite data (zeros and subnormals among them, no NaN or infinity: NaN payloads are
// no part of the contract), magnitudes spread so that the sums' last bits depend on
// their order. 16-bit data as Uint16Array bits.
function data(type, n, seed) {
  const random = mulberry32(seed);
  if (type === 'float16' || type === 'bfloat16') {
    // Built from bits (no rounding per element: millions of them): a sign, an
    // exponent over 2^-10..2^10, any fraction; zeros and subnormals among them.
    const [fraction, bias] = type === 'float16' ? [10, 15] : [7, 127];
    const a = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const r = random();
      const sign = random() < 0.5 ? 0x8000 : 0;
      const bits = Math.floor(random() * 2 ** fraction);
      if (r < 0.03) a[i] = sign;
      else if (r < 0.05) a[i] = sign | (bits || 1);
      else a[i] = sign | ((bias - 10 + Math.floor(random() * 21)) << fraction) | bits;
    }
    return a;
  }
  const a = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const tiny = type === 'float32' ? 2 ** -149 : 2 ** -1074;
  for (let i = 0; i < n; i++) {
    const r = random();
    const sign = random() < 0.5 ? -1 : 1;
    if (r < 0.03) a[i] = sign * 0;
    else if (r < 0.05) a[i] = sign * tiny * (1 + Math.floor(random() * 1000));
    else a[i] = sign * (1 + random()) * 2 ** Math.floor(random() * 40 - 20);
  }
  return a;
}

/** Case k's inputs: x, dy, the slopes (a Float64Array), the half type if 16-bit. */
function inputs(k) {
  const c = CASES[k];
  const random = mulberry32(1000 + k);
  const slopes = Float64Array.from({ length: c.C }, () => (random() - 0.5) * 4);
  const half = c.type === 'float16' || c.type === 'bfloat16' ? c.type : undefined;
  return { ...c, x: data(c.type, c.N, 10 + k), dy: data(c.type, c.N, 20 + k), slopes, half };
}

function hashOf(view) {
  return crypto.createHash('sha256').update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).digest('hex');
}

async function main() {
  const lr = require(process.env.PKG);
  const info = lr.info();
  console.log(JSON.stringify({ info }));
  for (let k = 0; k < CASES.length; k++) {
    const c = inputs(k);
    const opts = (alphaGrad) => ({ alpha: c.slopes, spatialSize: c.S, alphaGrad, ...(c.half ? { dtype: c.half } : {}) });
    const gSync = new Float64Array(c.C).fill(NaN);
    const dxSync = lr.leakyReluBackward(c.dy.slice(), c.x, opts(gSync));
    const gAsync = new Float64Array(c.C).fill(NaN);
    // Into x this time (out === x): the gradient must read x before dx overwrites it.
    const xCopy = c.x.slice();
    const dxAsync = await lr.leakyReluBackwardAsync(c.dy, xCopy, { ...opts(gAsync), out: xCopy });
    console.log(JSON.stringify({
      case: c.name,
      sync: { alphaGrad: gradHex(gSync), dx: hashOf(dxSync) },
      async: { alphaGrad: gradHex(gAsync), dx: hashOf(dxAsync) },
    }));
  }
}

module.exports = { CASES, inputs, hashOf };

if (require.main === module) {
  main().catch((error) => {
    console.error(error && error.stack);
    process.exitCode = 1;
  });
}
