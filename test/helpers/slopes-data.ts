// Data and slopes for the per-channel slope suites: the four element types, seeded
// data of two kinds, and slopes of every sign and size in the three forms alpha takes.
import type { DType } from '../../lib/index';
import { roundToHalf } from '../tools/kernel-reference.cjs';
import type { Half } from '../tools/kernel-reference.cjs';
import { mixedData, seededRandom } from './random';
import type { SlopeData } from './slopes-reference';

export interface SlopeType {
  name: DType;
  /** The data's array: 16-bit data are Uint16Array bits. */
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor | Uint16ArrayConstructor;
  half: Half | undefined;
  /** The dtype option the facade needs for this data (16-bit only). */
  dtype: DType | undefined;
}

export const slopeTypes: readonly SlopeType[] = [
  { name: 'float32', Ctor: Float32Array, half: undefined, dtype: undefined },
  { name: 'float64', Ctor: Float64Array, half: undefined, dtype: undefined },
  { name: 'float16', Ctor: Uint16Array, half: 'float16', dtype: 'float16' },
  { name: 'bfloat16', Ctor: Uint16Array, half: 'bfloat16', dtype: 'bfloat16' },
];

/**
 * 'specials': every class of value (both zeros, NaNs with payloads, infinities,
 * subnormals, any 16-bit pattern). 'finite': no NaN or infinity, so that every slope
 * gradient is a finite sum whose last bits tell summation orders apart: magnitudes
 * over 2^-20..2^20, both zeros and subnormals among them.
 */
export type DataKind = 'specials' | 'finite';

export function slopeData(type: SlopeType, n: number, seed: number, kind: DataKind): SlopeData {
  const random = seededRandom(seed);
  if (type.half === undefined) {
    if (kind === 'specials') return mixedData(type.Ctor as Float32ArrayConstructor, n, seed);
    const a = new type.Ctor(n) as Float32Array | Float64Array;
    const tiny = type.Ctor === Float32Array ? 2 ** -149 : 2 ** -1074;
    for (let i = 0; i < n; i++) {
      const r = random();
      const sign = random() < 0.5 ? -1 : 1;
      if (r < 0.03) a[i] = sign * 0;
      else if (r < 0.06) a[i] = sign * tiny * (1 + Math.floor(random() * 1000));
      else a[i] = sign * (1 + random()) * 2 ** Math.floor(random() * 40 - 20);
    }
    return a;
  }
  const half = type.half;
  const a = new Uint16Array(n);
  const exponentMask = half === 'float16' ? 0x7c00 : 0x7f80;
  for (let i = 0; i < n; i++) {
    const r = random();
    if (kind === 'specials' && r < 0.5) {
      a[i] = Math.floor(random() * 65536);
      continue;
    }
    const sign = random() < 0.5 ? 0x8000 : 0;
    if (r < 0.55) a[i] = sign;
    else if (r < 0.6) a[i] = sign | (1 + Math.floor(random() * (exponentMask === 0x7c00 ? 0x3fe : 0x7e)));
    else {
      // Moderate values (float16 tops out at 65504): 2^-12..2^12.
      a[i] = roundToHalf((random() < 0.5 ? -1 : 1) * (1 + random()) * 2 ** Math.floor(random() * 24 - 12), half);
    }
  }
  return a;
}

/** Slopes that are finite in every element type: negative, zero (both signs), > 1, ties for 16-bit rounding, tiny. */
const SLOPE_POOL = [0.2, -0.5, 0, -0, 1.5, 3, 0.01, -2.75, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -20, 0.3, 100, -7, 1e-5];

export type SlopeForm = 'Float32Array' | 'Float64Array' | 'Array';
export const slopeForms: readonly SlopeForm[] = ['Float32Array', 'Float64Array', 'Array'];

/** C slopes in `form`: drawn from the pool and from (-3, 3), seeded. */
export function slopesOf(channels: number, seed: number, form: SlopeForm): Float32Array | Float64Array | number[] {
  const random = seededRandom(seed ^ 0x5eed);
  const values = Array.from({ length: channels }, () =>
    random() < 0.5 ? SLOPE_POOL[Math.floor(random() * SLOPE_POOL.length)] : (random() - 0.5) * 6,
  );
  if (form === 'Float32Array') return Float32Array.from(values);
  if (form === 'Float64Array') return Float64Array.from(values);
  return values;
}

/** Garbage for an alphaGrad the call must overwrite: NaNs (with a payload) and ordinary values. */
export function garbageGrad(channels: number): Float64Array {
  const g = new Float64Array(channels);
  const bits = new BigUint64Array(g.buffer);
  for (let c = 0; c < channels; c++) {
    if (c % 3 === 0) bits[c] = 0x7ff4000000000abcn;
    else g[c] = c % 3 === 1 ? NaN : -12345.5;
  }
  return g;
}

/** A fresh copy of data of any element type. */
export const copy = <T extends SlopeData>(a: T): T => a.slice() as T;
