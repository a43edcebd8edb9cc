// Bit-for-bit comparison of float arrays (any NaN equals any NaN). The rule itself is in
// test/tools/kernel-reference.cjs, shared with the kernel-check script.
import { firstBitDifference } from '../tools/kernel-reference.cjs';
import type { FloatArray } from '../tools/kernel-reference.cjs';

export { firstBitDifference, showValue } from '../tools/kernel-reference.cjs';

/** Throws (with the first difference) unless `actual` and `expected` have the same bits. */
export function expectSameBits(actual: FloatArray, expected: FloatArray, context = ''): void {
  const difference = firstBitDifference(actual, expected);
  if (difference !== null) throw new Error(`${context ? `${context}: ` : ''}${difference}`);
}
