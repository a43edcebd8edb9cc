// The options argument: a bare number (alpha) or an object whose every option is read
// exactly once, here, before any check. A getter on it runs now and only now; what it
// throws reaches the caller as is, before anything is registered or touched.
import { alphaRange, alphaType, dtypeValue, optionsType, signalType } from './errors';
import { isAbortSignal, isBoxedPrimitive } from './intrinsics';
import { roundAlpha } from './half';
import { dtypeName, Element, halfOf } from './kinds';

export const DEFAULT_ALPHA = 0.2;

export interface RawOptions {
  alpha: number;
  out: unknown;
  dtype: Element | undefined;
  signal: AbortSignal | undefined;
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
}

export function readOptions(opts: unknown): RawOptions {
  if (typeof opts === 'number') return { alpha: opts, out: undefined, dtype: undefined, signal: undefined };
  if (opts === undefined) return { alpha: DEFAULT_ALPHA, out: undefined, dtype: undefined, signal: undefined };
  if (typeof opts !== 'object' || opts === null) throw optionsType(opts);
  const { alpha, out, dtype, signal } = opts as OptionValues;
  return checkOptionValues(opts, alpha, out, dtype, signal);
}

/** The checks of an options object's values, read from it once by the caller. */
export function checkOptionValues(opts: object, alpha: unknown, out: unknown, dtype: unknown, signal: unknown): RawOptions {
  // A Number object is not a number: taken as an options object it would silently mean
  // the default alpha. (It has no alpha; asked only then, since the check costs ~15 ns.)
  if (alpha === undefined && isBoxedPrimitive(opts)) throw optionsType(opts);
  const checked: RawOptions = { alpha: alphaOfType(alpha), out, dtype: dtypeOf(dtype), signal: undefined };
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw signalType(signal);
  }
  checked.signal = signal as AbortSignal;
  return checked;
}
