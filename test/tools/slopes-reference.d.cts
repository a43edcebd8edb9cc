import type { FloatArray, Half } from './kernel-reference.cjs';

/** Float32Array / Float64Array data, or 16-bit data as Uint16Array bits (with their Half). */
export type SlopeData = FloatArray | Uint16Array;

/** Element i's channel: Math.floor(i / spatial) % channels. */
export declare function channelOf(i: number, channels: number, spatial: number): number;

/** y = x > 0 ? x : slope * x with element i's channel slope, rounded to the element type as a scalar alpha. */
export declare function referenceSlopesForward<T extends SlopeData>(x: T, slopes: ArrayLike<number>, spatial?: number, half?: Half): T;
/** dx = x > 0 ? dy : slope * dy with element i's channel slope. */
export declare function referenceSlopesBackward<T extends SlopeData>(
  dy: T,
  x: T,
  slopes: ArrayLike<number>,
  spatial?: number,
  half?: Half,
): T;

/** Steps 1 and 2 of the spec's gradient order, as data a test may break on purpose. */
export interface GradientPlan {
  regime: 'period' | 'run';
  /** How many slots a block has (period regime: L; run regime: 32 per channel). */
  slots: number;
  /** U: L or S. */
  unit: number;
  /** B, the block length. */
  block: number;
  slotOf(i: number): number;
  channelOfSlot(a: number): number;
  channels: number;
  spatial: number;
  length: number;
}

export declare function gradientPlan(channels: number, spatial: number, length: number): GradientPlan;
/** alphaGrad in the spec's order (steps 3 and 4), with `plan` (default: gradientPlan's). */
export declare function referenceSlopeGrad(
  dy: SlopeData,
  x: SlopeData,
  channels: number,
  spatial?: number,
  half?: Half,
  plan?: GradientPlan,
): Float64Array;
/** The same products, each channel summed left to right over the data (not the spec's order). */
export declare function naiveSlopeGrad(dy: SlopeData, x: SlopeData, channels: number, spatial?: number, half?: Half): Float64Array;
/** null when the bits are the same (+0 is not -0; any NaN equals any NaN), else the first difference. */
export declare function firstGradDifference(actual: Float64Array, expected: Float64Array): string | null;
/** Each element's bits as 0x-prefixed hex. */
export declare function gradHex(grad: Float64Array): string[];
