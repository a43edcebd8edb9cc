// Making float arrays of either element type from one piece of code.
import type { FloatArray } from './reference';

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** A new array of `n` elements, element i being valueAt(i) (rounded to the element type). */
export function arrayOf<T extends FloatArray>(Ctor: FloatCtor, n: number, valueAt: (i: number) => number): T {
  const a = new Ctor(n) as T;
  for (let i = 0; i < n; i++) a[i] = valueAt(i);
  return a;
}
