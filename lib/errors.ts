// Every error the package throws: one builder and one message each, with Node-style
// codes as Node core throws them. The native binding builds the same messages
// (native/errors.cc) for the errors it shares with the facade; a test compares them.
import { describe } from './describe';

type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_INVALID_STATE'
  | 'ERR_BUFFER_IN_USE';

type WithCode<E extends Error> = E & { code: ErrorCode };

function withCode<E extends Error>(error: E, code: ErrorCode): WithCode<E> {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error as WithCode<E>;
}

const typeError = (message: string): WithCode<TypeError> => withCode(new TypeError(message), 'ERR_INVALID_ARG_TYPE');
const rangeError = (message: string): WithCode<RangeError> => withCode(new RangeError(message), 'ERR_OUT_OF_RANGE');

// ---- Types

export function notData(name: string, value: unknown): TypeError {
  return typeError(
    `The "${name}" argument must be a Float32Array, Float64Array, Float16Array, Uint16Array (with a ` +
      `16-bit dtype), ArrayBuffer or SharedArrayBuffer. Received ${describe(value)}`,
  );
}

export function notTypedOut(name: string, value: unknown): TypeError {
  return typeError(
    `The "${name}" argument must be a Float32Array, Float64Array, Float16Array or Uint16Array. Received ${describe(value)}`,
  );
}

export function uint16NeedsDtype(name: string): TypeError {
  return typeError(
    `The "${name}" argument is a Uint16Array: pass dtype 'float16' or 'bfloat16' to read it as 16-bit floats`,
  );
}

export function notArray(subject: string, value: unknown): TypeError {
  return typeError(`${subject} must be an Array. Received ${describe(value)}`);
}

export function optionsType(value: unknown): TypeError {
  return typeError(`The "options" argument must be a number (alpha) or an object. Received ${describe(value)}`);
}

export function alphaType(value: unknown): TypeError {
  return typeError(
    'The "alpha" argument must be a number or an array of slopes (Float32Array, Float64Array or Array of ' +
      `numbers). Received ${describe(value)}`,
  );
}

export function slopeType(index: number, value: unknown): TypeError {
  return typeError(`The "alpha" argument's slope ${index} must be of type number. Received ${describe(value)}`);
}

export function spatialType(value: unknown): TypeError {
  return typeError(`The "spatialSize" option must be of type number. Received ${describe(value)}`);
}

export function alphaGradType(value: unknown): TypeError {
  return typeError(`The "alphaGrad" option must be a Float64Array. Received ${describe(value)}`);
}

export function signalType(value: unknown): TypeError {
  return typeError(`The "signal" option must be an AbortSignal. Received ${describe(value)}`);
}

export function dtypeValue(value: unknown): TypeError {
  return withCode(
    new TypeError(`The "dtype" option must be 'float32', 'float64', 'float16' or 'bfloat16'. Received ${describe(value)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

/** `name` (out) must have the element type `expected` of `like`; it has `actual`. */
export function elementMismatch(name: string, expected: string, like: string, actual: string): TypeError {
  return typeError(`The "${name}" argument must be a ${expected} like "${like}". Received a ${actual}`);
}

export function dyElementMismatch(dy: string, x: string): TypeError {
  return typeError(`The "dy" and "x" arguments must have the same element type. Received a ${dy} and a ${x}`);
}

// ---- State

export function detached(name: string): TypeError {
  return withCode(new TypeError(`The "${name}" argument's buffer is detached`), 'ERR_INVALID_STATE');
}

export function detachedWhileInUse(): TypeError {
  return withCode(
    new TypeError(
      "An array's buffer was detached or shrunk while an async leaky-relu call worked on it; " +
        'its memory may be partly transformed',
    ),
    'ERR_INVALID_STATE',
  );
}

export function bufferInUse(name: string): Error {
  return withCode(
    new Error(
      `The "${name}" argument overlaps memory that an unfinished leakyReluAsync/leakyReluBatch ` +
        'call is working on; await it first',
    ),
    'ERR_BUFFER_IN_USE',
  );
}

// ---- Values, lengths and overlaps

/** `dtype`: the element type alpha is rounded to (undefined for float64, where it is not). */
export function alphaRange(alpha: number, dtype?: string): RangeError {
  return rangeError(
    dtype !== undefined
      ? `The "alpha" argument must be finite once rounded to ${dtype} for ${dtype} data. Received ${alpha}`
      : `The "alpha" argument must be a finite number. Received ${alpha}`,
  );
}

export function slopesEmpty(): RangeError {
  return rangeError('The "alpha" argument must hold at least one slope');
}

/** As alphaRange, for slope `index` of per-channel slopes. */
export function slopeRange(index: number, slope: number, dtype?: string): RangeError {
  const which = `The "alpha" argument's slope ${index}`;
  return rangeError(
    dtype !== undefined
      ? `${which} must be finite once rounded to ${dtype} for ${dtype} data. Received ${slope}`
      : `${which} must be a finite number. Received ${slope}`,
  );
}

export function spatialRange(spatial: number): RangeError {
  return rangeError(`The "spatialSize" option must be a positive integer. Received ${spatial}`);
}

export function notWholePeriods(name: string, length: number, channels: number, spatial: number): RangeError {
  return rangeError(
    `The "${name}" argument's length must be a multiple of ${channels} slopes times spatialSize ${spatial}. ` +
      `Received ${length}`,
  );
}

export function alphaGradLength(channels: number, actual: number): RangeError {
  return rangeError(`The "alphaGrad" option must have one entry per slope (${channels}). Received ${actual}`);
}

export function alphaGradOverlap(like: string): RangeError {
  return rangeError(`The "alphaGrad" option overlaps "${like}"; it needs memory of its own`);
}

export function notWholeElements(name: string, size: number, dtype: string, bytes: number): RangeError {
  return rangeError(
    `The "${name}" argument's byteLength must be a multiple of ${size} to be read as ${dtype}. Received ${bytes}`,
  );
}

export function outLength(like: string, expected: number, actual: number): RangeError {
  return rangeError(`The "out" argument must have the length of "${like}" (${expected}). Received ${actual}`);
}

export function dyLength(dy: number, x: number): RangeError {
  return rangeError(`The "dy" and "x" arguments must have the same length. Received ${dy} and ${x}`);
}

export function outListLength(expected: number, actual: number): RangeError {
  return rangeError(`The "out" option must have one entry per array (${expected}). Received ${actual}`);
}

export function tooManyArrays(max: number, actual: number): RangeError {
  return rangeError(`A call takes at most ${max} arrays. Received ${actual}`);
}

export function partialOverlap(like: string): RangeError {
  return rangeError(`The "out" argument partly overlaps "${like}"; only the exact same memory (in place) is allowed`);
}

export function batchOverlap(): RangeError {
  return rangeError('An output of the batch overlaps another array of the batch');
}

/** What the async functions reject with when their signal aborts, like Node core's AbortError. */
export function abortError(reason: unknown): Error & { code: 'ABORT_ERR' } {
  const error = new Error('The operation was aborted', { cause: reason }) as Error & { code: 'ABORT_ERR' };
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
}
