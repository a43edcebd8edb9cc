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
