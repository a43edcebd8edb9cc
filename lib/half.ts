// 16-bit floats in JS, as bits in a Uint16Array: float16 and bfloat16 to float32, and
// float32 (or a double holding a float32 value) to either, rounded to nearest even.
// No allocation per element: the conversions go through one shared scratch element.

export const enum Half {
  F16 = 0,
  BF16 = 1,
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The float32 bits of `v`, rounded to float32 first (a no-op for a float32 value). */
function f32Bits(v: number): number {
  scratchF32[0] = v;
  return scratchU32[0];
}

/** float32 bits to float16 bits, round to nearest even; NaN stays NaN (quiet). */
function f16FromF32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // the float16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal in float16 (or zero): units of 2^-24. Below half the smallest, zero.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let r = mant >>> shift;
    if (rem > halfway || (rem === halfway && (r & 1) !== 0)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa steps into the exponent, up to Infinity: as IEEE rounds.
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) !== 0)) r++;
  return sign | r;
}

/** float32 bits to bfloat16 bits, round to nearest even; NaN stays NaN (quiet). */
function bf16FromF32Bits(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return (b >>> 16) | 0x40;
  return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
}

/** Bits of `v` (rounded to float32 first) as `half`. */
export function toHalf(v: number, half: Half): number {
  const b = f32Bits(v);
  return half === Half.F16 ? f16FromF32Bits(b) : bf16FromF32Bits(b);
}

let f16Values: Float32Array | null = null;
let bf16Values: Float32Array | null = null;

/** Every 16-bit pattern's float32 value: one table per type, 256 KiB, made on first use. */
export function valuesOf(half: Half): Float32Array {
  if (half === Half.BF16) {
    if (bf16Values === null) {
      const bits = new Uint32Array(65536);
      for (let h = 0; h < 65536; h++) bits[h] = h << 16;
      bf16Values = new Float32Array(bits.buffer);
    }
    return bf16Values;
  }
  if (f16Values === null) {
    const t = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >>> 10) & 0x1f, m = h & 0x3ff;
      t[h] = e === 0 ? sign * m * 2 ** -24 : e === 0x1f ? (m !== 0 ? NaN : sign * Infinity) : sign * (1024 + m) * 2 ** (e - 25);
    }
    f16Values = t;
  }
  return f16Values;
}

/** alphaT as a float32 value: alpha rounded to float32, then to `half`. */
export function roundAlpha(alpha: number, half: Half): number {
  return valuesOf(half)[toHalf(alpha, half)];
}

/** Whether bits `h` of `half` are a value > 0: positive, not zero, not NaN. */
export function positiveLimit(half: Half): number {
  // Bits 1 .. +Infinity are exactly the values > 0.
  return half === Half.F16 ? 0x7c00 : 0x7f80;
}
