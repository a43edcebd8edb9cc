// The two element types, and making float arrays of either from one piece of code.
// The types are test/tools/kernel-reference.cjs's, which the plain-CommonJS tools share.
import type { FloatArray, FloatCtor } from '../tools/kernel-reference.cjs';

export type { FloatCtor };

/**
 * Both element types, for describe.each / test.each ($name) and loops: the constructor,
 * the name the `dtype` option takes, and how a double rounds to the element type.
 */
export const dtypes = [
  { name: 'float32', Ctor: Float32Array as FloatCtor, round: Math.fround },
  { name: 'float64', Ctor: Float64Array as FloatCtor, round: (v: number) => v },
] as const;

/** The `dtype` option that reads a buffer as `Ctor`'s elements. */
export const dtypeOf = (Ctor: FloatCtor): 'float32' | 'float64' => (Ctor === Float64Array ? 'float64' : 'float32');

/** A new array of `n` elements, element i being valueAt(i) (rounded to the element type). */
export function arrayOf<T extends FloatArray>(Ctor: FloatCtor, n: number, valueAt: (i: number) => number): T {
  const a = new Ctor(n) as T;
  for (let i = 0; i < n; i++) a[i] = valueAt(i);
  return a;
}
