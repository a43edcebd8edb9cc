// The options argument: a bare number (alpha) or an object whose every option is read
// exactly once, here, before any check. A getter on it runs now and only now; what it
// throws reaches the caller as is, before anything is registered or touched.
import { alphaRange, alphaType, dtypeValue, optionsType, signalType, slopeType, spatialType } from './errors';
import { bufferOf, isAbortSignal, isBoxedPrimitive, isDetached, lengthOf, typedArrayName } from './intrinsics';
import { roundAlpha } from './half';
import { dtypeName, Element, halfOf } from './kinds';

export const DEFAULT_ALPHA = 0.2;

export interface RawOptions {
  alpha: number;
  /** Per-channel slopes instead of alpha: an array alpha, or a number with spatialSize or alphaGrad. */
  slopes: Slopes | undefined;
  /** As given; its type is checked with the call's arrays (checks.ts). */
  alphaGrad: unknown;
  out: unknown;
  dtype: Element | undefined;
  signal: AbortSignal | undefined;
}

export interface Slopes {
  /** The slopes as given (a copy). */
  values: Float64Array;
  /** A typed array of slopes on a detached buffer: reported in the detached stage. */
  detached: boolean;
  /** spatialSize as given; a positive integer once checked (checkSlopeValues). */
  spatial: number;
}

// The last copy of typed-array slopes, reused while the next call's slopes have the same
// bits (a layer's slopes, call after call): a new Float64Array of 64 slopes costs ~1 us
// (its memory lives outside V8's heap). Never written once made, so a call that holds
// it (an async one) keeps its values.
let lastSlopes = new Float64Array(0);

function sameAsLast(typed: Float32Array | Float64Array, n: number): boolean {
  if (n !== lastSlopes.length || n === 0) return false;
  // The same bits: === but telling -0 from +0 (a NaN never matches: it is copied, then refused).
  for (let c = 0; c < n; c++) {
    const a = typed[c], b = lastSlopes[c];
    if (a !== b || (a === 0 && 1 / a !== 1 / b)) return false;
  }
  return true;
}

function copyOf(typed: Float32Array | Float64Array, n: number): Float64Array {
  const values = new Float64Array(n);
  for (let c = 0; c < n; c++) values[c] = typed[c];
  return (lastSlopes = values);
}

/** Stage 1: alpha as slopes (a number, a Float32Array or Float64Array, an Array of numbers) and spatialSize's type. */
function readSlopes(alpha: unknown, spatialSize: unknown): Slopes {
  let values: Float64Array;
  let isDetachedArray = false;
  const name = typedArrayName(alpha);
  if (typeof alpha === 'number') {
    values = Float64Array.of(alpha);
  } else if (name === 'Float32Array' || name === 'Float64Array') {
    const typed = alpha as Float32Array | Float64Array;
    const n = lengthOf(typed);
    values = sameAsLast(typed, n) ? lastSlopes : copyOf(typed, n);
    isDetachedArray = n === 0 && isDetached(bufferOf(typed));
  } else if (Array.isArray(alpha)) {
    // Element by element into a plain list first: a hole or a non-number stops the copy
    // at once, before anything is allocated for a huge sparse array.
    const list: number[] = [];
    const n = alpha.length;
    for (let c = 0; c < n; c++) {
      const v: unknown = alpha[c];
      if (typeof v !== 'number') throw slopeType(c, v);
      list.push(v);
    }
    values = Float64Array.from(list);
  } else {
    throw alphaType(alpha);
  }
  if (spatialSize !== undefined && typeof spatialSize !== 'number') throw spatialType(spatialSize);
  return { values, detached: isDetachedArray, spatial: spatialSize ?? 1 };
}



/** alpha's type: undefined means the default; null, a Number object or a non-number is a type error. */
function alphaOfType(alpha: unknown): number {
  if (alpha === undefined) return DEFAULT_ALPHA;
  if (typeof alpha !== 'number') {
    throw alphaType(alpha);
  }
  return alpha;
}

/**
 * The alpha the kernels of `element` multiply by: alpha itself for float64, rounded to
 * float32 for float32, then to the 16-bit type for 16-bit data (as a float32 value).
 */
export function kernelAlpha(alpha: number, element: Element): number {
  if (element === Element.F64) return alpha;
  return element === Element.F32 ? Math.fround(alpha) : roundAlpha(alpha, halfOf(element));
}

/** alpha's range for data of `element` (finite once rounded); returns kernelAlpha. */
export function alphaInRange(alpha: number, element: Element): number {
  const rounded = kernelAlpha(alpha, element);
  if (rounded - rounded !== 0) throw alphaRange(alpha, element === Element.F64 ? undefined : dtypeName(element));
  return rounded;
}

function dtypeOf(dtype: unknown): Element | undefined {
  if (dtype === undefined) return undefined;
  if (dtype === 'float32') return Element.F32;
  if (dtype === 'float64') return Element.F64;
  if (dtype === 'float16') return Element.F16;
  if (dtype === 'bfloat16') return Element.BF16;
  throw dtypeValue(dtype);
}

/** The options an options object may carry, as read from it. */
export interface OptionValues {
  alpha?: unknown;
  out?: unknown;
  dtype?: unknown;
  signal?: unknown;
  spatialSize?: unknown;
  alphaGrad?: unknown;
}

const plain = (alpha: number): RawOptions => ({
  alpha,
  slopes: undefined,
  alphaGrad: undefined,
  out: undefined,
  dtype: undefined,
  signal: undefined,
});

export function readOptions(opts: unknown): RawOptions {
  if (typeof opts === 'number') return plain(opts);
  if (opts === undefined) return plain(DEFAULT_ALPHA);
  if (typeof opts !== 'object' || opts === null) throw optionsType(opts);
  const { alpha, out, dtype, signal, spatialSize, alphaGrad } = opts as OptionValues;
  return checkOptionValues(opts, { alpha, out, dtype, signal, spatialSize, alphaGrad });
}

/** The checks of an options object's values, read from it once by the caller. */
export function checkOptionValues(opts: object, values: OptionValues): RawOptions {
  const { alpha, out, dtype, signal, spatialSize, alphaGrad } = values;
  // A Number object is not a number: taken as an options object it would silently mean
  // the default alpha. (It has no alpha; asked only then, since the check costs ~15 ns.)
  if (alpha === undefined && isBoxedPrimitive(opts)) throw optionsType(opts);
  const perChannel = (typeof alpha === 'object' && alpha !== null) || spatialSize !== undefined || alphaGrad !== undefined;
  const slopes = perChannel ? readSlopes(alpha === undefined ? DEFAULT_ALPHA : alpha, spatialSize) : undefined;
  const checked: RawOptions = {
    alpha: slopes === undefined ? alphaOfType(alpha) : DEFAULT_ALPHA,
    slopes,
    alphaGrad,
    out,
    dtype: dtypeOf(dtype),
    signal: undefined,
  };
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw signalType(signal);
  }
  checked.signal = signal as AbortSignal;
  return checked;
}
