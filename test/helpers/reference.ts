// The contract's formulas written the plainest way, for the tests to compare against.
// Deliberately naive: one branch per element, no tables, no SIMD.

export type FloatArray = Float32Array | Float64Array;

/** y = x > 0 ? x : alpha * x, with float32 alpha and one float32 rounding for float32 data. */
export function referenceForward<T extends FloatArray>(x: T, alpha: number): T {
  const y = new (x.constructor as new (n: number) => T)(x.length);
  if (x instanceof Float32Array) {
    const a = Math.fround(alpha);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : Math.fround(a * x[i]);
  } else {
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
  }
  return y;
}

/** dx = x > 0 ? dy : alpha * dy (slope alpha at x == 0 and for NaN x). */
export function referenceBackward<T extends FloatArray>(dy: T, x: T, alpha: number): T {
  const dx = new (x.constructor as new (n: number) => T)(x.length);
  if (x instanceof Float32Array) {
    const a = Math.fround(alpha);
    for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : Math.fround(a * dy[i]);
  } else {
    for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
  }
  return dx;
}
