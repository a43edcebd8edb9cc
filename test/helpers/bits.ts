// Bit-for-bit comparison of float arrays. Equal means identical bits, except that any
// NaN equals any NaN (the contract counts NaNs equal whatever their payload).
import type { FloatArray } from './reference';

/** The integer view over exactly the bytes of `a`. */
function bitsOf(a: FloatArray): Uint32Array | BigUint64Array {
  return a instanceof Float32Array
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

/** How a value is printed in a failure: -0 as "-0", with its bits. */
export function showValue(a: FloatArray, i: number): string {
  const v = a[i];
  const bits = bitsOf(a)[i].toString(16).padStart(a instanceof Float32Array ? 8 : 16, '0');
  return `${Object.is(v, -0) ? '-0' : String(v)} (0x${bits})`;
}

/** null when equal, else where and how they first differ. */
export function firstBitDifference(actual: FloatArray, expected: FloatArray): string | null {
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

/** Throws (with the first difference) unless `actual` and `expected` have the same bits. */
export function expectSameBits(actual: FloatArray, expected: FloatArray, context = ''): void {
  const difference = firstBitDifference(actual, expected);
  if (difference !== null) throw new Error(`${context ? `${context}: ` : ''}${difference}`);
}
