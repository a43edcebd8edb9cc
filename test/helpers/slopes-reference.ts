// Per-channel slopes' reference: the spec's element rule and gradient order, written
// once in test/tools/slopes-reference.cjs (plain CommonJS, shared with the kernel-check
// script that runs under qemu), typed here for the suites, with the comparisons they use.
import { firstHalfDifference } from '../tools/kernel-reference.cjs';
import type { Half } from '../tools/kernel-reference.cjs';
import { firstBitDifference } from './bits';
import { firstGradDifference } from '../tools/slopes-reference.cjs';
import type { SlopeData } from '../tools/slopes-reference.cjs';

export type { GradientPlan, SlopeData } from '../tools/slopes-reference.cjs';
export {
  channelOf,
  firstGradDifference,
  gradHex,
  gradientPlan,
  naiveSlopeGrad,
  referenceSlopeGrad,
  referenceSlopesBackward,
  referenceSlopesForward,
} from '../tools/slopes-reference.cjs';

/** null when data of one element type have the same bits (any NaN equals any NaN), else the first difference. */
export function dataDifference(actual: SlopeData, expected: SlopeData, half?: Half): string | null {
  if (half !== undefined) return firstHalfDifference(actual as Uint16Array, expected as Uint16Array, half);
  return firstBitDifference(actual as Float32Array, expected as Float32Array);
}

/** Throws with the first difference unless alphaGrad has the expected bits. */
export function expectSameGrad(actual: Float64Array, expected: Float64Array, context = ''): void {
  const d = firstGradDifference(actual, expected);
  if (d !== null) throw new Error(`${context ? `${context}: ` : ''}${d}`);
}

/** Throws with the first difference unless the data have the expected bits. */
export function expectSameData(actual: SlopeData, expected: SlopeData, half?: Half, context = ''): void {
  const d = dataDifference(actual, expected, half);
  if (d !== null) throw new Error(`${context ? `${context}: ` : ''}${d}`);
}

/** Fails with every problem listed (the first 20), one a line, unless there is none. */
export function expectNone(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20).join('\n');
  throw new Error(`${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${shown}`);
}
