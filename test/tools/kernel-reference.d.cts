export type FloatArray = Float32Array | Float64Array;
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** y = x > 0 ? x : alpha * x, with float32 alpha and one float32 rounding for float32 data. */
export declare function referenceForward<T extends FloatArray>(x: T, alpha: number): T;
/** dx = x > 0 ? dy : alpha * dy (slope alpha at x == 0 and for NaN x). */
export declare function referenceBackward<T extends FloatArray>(dy: T, x: T, alpha: number): T;

/** How a value is printed in a failure: -0 as "-0", with its bits. */
export declare function showValue(a: FloatArray, i: number): string;
/** null when the bits are identical (any NaN equal to any NaN), else where and how they first differ. */
export declare function firstBitDifference(actual: FloatArray, expected: FloatArray): string | null;

/** Negative and not a power of two, so alpha * sentinel differs from it for any alpha != 1. */
export declare const SENTINEL: number;
/** Sentinel elements at least on each side of a guarded view. */
export declare const GUARD: number;

export interface Guarded<T extends FloatArray> {
  /** The view under test: element `start` of `whole`, `length` elements. */
  view: T;
  /** The whole buffer as elements: sentinels, the view, sentinels. */
  whole: T;
  start: number;
}

/** `data` in a view GUARD + off elements into a buffer of sentinels, GUARD after it. */
export declare function guardedView<T extends FloatArray>(Ctor: FloatCtor, off: number, data: ArrayLike<number>): Guarded<T>;
/** `data` in a view whose first element is `pos` elements past a 64-byte boundary (by `addressOf`), GUARD or more sentinels on each side. */
export declare function guardedInLine<T extends FloatArray>(
  Ctor: FloatCtor,
  pos: number,
  data: ArrayLike<number>,
  addressOf: (a: FloatArray) => number,
): Guarded<T>;
/** null if every element outside the view still has the sentinel's bits, else the first that does not. */
export declare function guardDamage(g: Guarded<FloatArray>): string | null;

// 16-bit floats, as their bits in Uint16Arrays. Guarded views (guardedView,
// guardedInLine, guardDamage) take Uint16Array too: their guards are HALF_SENTINEL.
export type Half = 'float16' | 'bfloat16';

/** Bits guarding 16-bit views: negative and not a power of two as float16 (-3.416015625) and bfloat16 (-106.5). */
export declare const HALF_SENTINEL: number;
/** The value of a pattern, by the formula. */
export declare function decodeHalf(bits: number, half: Half): number;
/** The pattern of the value of `half` nearest to `v`, ties to even; ±Inf beyond the range (float16: |v| >= 65520), a NaN for NaN. */
export declare function roundToHalf(v: number, half: Half): number;
/** The pattern of alphaT = T(float32(alpha)), the slope the 16-bit kernels multiply by. */
export declare function halfAlpha(alpha: number, half: Half): number;
/** y = x > 0 ? x (bits unchanged) : T(fround(alphaT * x)). */
export declare function referenceForward16(x: Uint16Array, alpha: number, half: Half): Uint16Array;
/** dx = x > 0 ? dy (bits unchanged) : T(fround(alphaT * dy)). */
export declare function referenceBackward16(dy: Uint16Array, x: Uint16Array, alpha: number, half: Half): Uint16Array;
/** A pattern as a value of `half`, -0 as "-0", with its bits. */
export declare function showHalf(bits: number, half: Half): string;
/** The indices (at most `limit`) where the patterns differ, any NaN equal to any NaN. */
export declare function halfDifferences(actual: Uint16Array, expected: Uint16Array, half: Half, limit?: number): number[];
/** null when the patterns are the same (any NaN equal to any NaN), else where and how they first differ. */
export declare function firstHalfDifference(actual: Uint16Array, expected: Uint16Array, half: Half): string | null;

/** Per type: the alphas every pattern is checked with, and x patterns for backward (positive, not positive). */
export declare const HALF_CASES: Record<Half, { alphas: number[]; positive: number[]; notPositive: number[] }>;
/** All 65,536 patterns, in order. */
export declare function allPatterns(): Uint16Array;
/** Two x arrays for backward over allPatterns(): element i is positive in one and not positive in the other. */
export declare function backwardMixes16(half: Half): [Uint16Array, Uint16Array];

export interface Guarded16 {
  view: Uint16Array;
  whole: Uint16Array;
  start: number;
}
/** 16-bit `data` (bits) GUARD + off elements into a buffer of HALF_SENTINEL, GUARD after it. */
export declare function guardedView(Ctor: Uint16ArrayConstructor, off: number, data: ArrayLike<number>): Guarded16;
/** 16-bit `data` (bits) `pos` elements past a 64-byte boundary, HALF_SENTINEL guards. */
export declare function guardedInLine(
  Ctor: Uint16ArrayConstructor,
  pos: number,
  data: ArrayLike<number>,
  addressOf: (a: Uint16Array) => number,
): Guarded16;
/** null if every element outside the 16-bit view still holds HALF_SENTINEL, else the first that does not. */
export declare function guardDamage(g: Guarded16): string | null;
