// Seeded random data, so a failure reproduces on every run and machine.
import type { FloatArray } from './reference';
import type { FloatCtor } from './arrays';

/** mulberry32: small, fast, good enough to spread test values. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Values of every class the contract names, in random order: both signs, zeros of
 * both signs, NaNs (with payloads, quiet and signalling), infinities, subnormals,
 * and values near the smallest normal (whose alpha * x is subnormal).
 */
export function mixedData<T extends FloatArray>(Ctor: FloatCtor, n: number, seed: number): T {
  const random = seededRandom(seed);
  const f32 = Ctor === Float32Array;
  const out = new Ctor(n) as T;
  const u32 = f32 ? new Uint32Array(out.buffer) : null;
  const u64 = f32 ? null : new BigUint64Array(out.buffer);
  const minSubnormal = f32 ? 2 ** -149 : Number.MIN_VALUE;
  const minNormal = f32 ? 2 ** -126 : 2 ** -1022;
  const mantissaSteps = f32 ? 2 ** 23 : 2 ** 52;
  for (let i = 0; i < n; i++) {
    const sign = random() < 0.5 ? -1 : 1;
    const r = random();
    if (r < 0.05) out[i] = 0;
    else if (r < 0.1) out[i] = -0;
    else if (r < 0.12) out[i] = NaN;
    else if (r < 0.14) {
      // A NaN with a payload, quiet or signalling, of either sign.
      const payload = 1 + Math.floor(random() * 0x3fffff);
      const quiet = random() < 0.5;
      if (u32) u32[i] = ((sign < 0 ? 0xff800000 : 0x7f800000) | (quiet ? 0x400000 : 0) | payload) >>> 0;
      else if (u64) u64[i] = ((sign < 0 ? 0xfff0000000000000n : 0x7ff0000000000000n) | (quiet ? 1n << 51n : 0n) | BigInt(payload));
    } else if (r < 0.16) out[i] = sign * Infinity;
    else if (r < 0.26) out[i] = sign * minSubnormal * (1 + Math.floor(random() * (mantissaSteps - 1)));
    else if (r < 0.31) out[i] = sign * minNormal * (1 + random() * 3);
    else out[i] = sign * (1 + random()) * 2 ** Math.floor(random() * 40 - 20);
  }
  return out;
}
