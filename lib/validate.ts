// Argument checks, in the contract's order: types, then detached buffers, then
// lengths and overlaps. Each throws an Error with a Node-style `code` before any
// element is touched. Kept free of allocation on the success path: these run on
// every call, and at 16 elements they cost more than the transform.
import { describe, detached, invalidArgType, invalidArgValue, outOfRange } from './errors';

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** What an argument is: F32/F64 typed arrays, or raw memory read with a dtype. */
export const enum Kind {
  None = 0,
  F32 = 1,
  F64 = 2,
  Buffer = 3,
}

export const DEFAULT_ALPHA = 0.2;

const toStringTag = Object.prototype.toString;

/** The kind of a data argument. Typed arrays from another realm (vm) count by their tag. */
export function dataKind(value: unknown): Kind {
  if (value instanceof Float32Array) return Kind.F32;
  if (value instanceof Float64Array) return Kind.F64;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return Kind.Buffer;
  if (typeof value !== 'object' || value === null) return Kind.None;
  switch (toStringTag.call(value)) {
    case '[object Float32Array]':
      return Kind.F32;
    case '[object Float64Array]':
      return Kind.F64;
    case '[object ArrayBuffer]':
    case '[object SharedArrayBuffer]':
      return Kind.Buffer;
    default:
      return Kind.None;
  }
}

export function dataTypeError(name: string, value: unknown): TypeError {
  return invalidArgType(
    `The "${name}" argument must be a Float32Array, Float64Array, ArrayBuffer or ` +
      `SharedArrayBuffer. Received ${describe(value)}`,
  );
}

/** The kind of an `out` argument: typed arrays only. */
export function outKind(out: unknown): Kind.F32 | Kind.F64 {
  const kind = dataKind(out);
  if (kind === Kind.F32 || kind === Kind.F64) return kind;
  throw invalidArgType(
    `The "out" argument must be a Float32Array or Float64Array. Received ${describe(out)}`,
  );
}

export function checkOutKind(kind: Kind, dataKindOfInput: Kind, input: string): void {
  if (kind !== dataKindOfInput) {
    throw invalidArgType(
      `The "out" argument must be a ${kindName(dataKindOfInput)} like "${input}". ` +
        `Received a ${kindName(kind)}`,
    );
  }
}

export function kindName(kind: Kind): string {
  return kind === Kind.F64 ? 'Float64Array' : 'Float32Array';
}

/** An options argument must be an object (a bare number is handled by the caller). */
export function checkOptionsObject(opts: unknown): void {
  if (typeof opts !== 'object' || opts === null) {
    throw invalidArgType(
      `The "options" argument must be a number (alpha) or an object. Received ${describe(opts)}`,
    );
  }
}

/** alpha's type: undefined means the default; null or a non-number is a type error. */
export function alphaOfType(alpha: unknown): number {
  if (alpha === undefined) return DEFAULT_ALPHA;
  if (typeof alpha !== 'number') {
    throw invalidArgType(`The "alpha" option must be of type number. Received ${describe(alpha)}`);
  }
  return alpha;
}

/** dtype: undefined, 'float32' or 'float64'. Returns the element kind it names, or None. */
export function dtypeKind(dtype: unknown): Kind {
  if (dtype === undefined) return Kind.None;
  if (dtype === 'float32') return Kind.F32;
  if (dtype === 'float64') return Kind.F64;
  throw invalidArgValue(
    `The "dtype" option must be 'float32' or 'float64'. Received ${describe(dtype)}`,
  );
}

/** The element kind of data of `kind`: a typed array's own, else the dtype (float32 by default). */
export function elementKind(kind: Kind, dtype: Kind): Kind.F32 | Kind.F64 {
  if (kind === Kind.F32 || kind === Kind.F64) return kind;
  return dtype === Kind.F64 ? Kind.F64 : Kind.F32;
}

function bufferIsDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0 || !(buffer instanceof ArrayBuffer)) return false;
  // Node 20 has no ArrayBuffer.prototype.detached; constructing a view on a detached
  // buffer throws, on a live empty one it does not.
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Only an empty view can sit on a detached buffer, so live data pays one comparison. */
export function checkNotDetached(value: FloatArray | ArrayBufferLike, kind: Kind, name: string): void {
  if (kind === Kind.Buffer) {
    if (bufferIsDetached(value as ArrayBufferLike)) throw detached(name);
  } else if ((value as FloatArray).length === 0 && bufferIsDetached((value as FloatArray).buffer)) {
    throw detached(name);
  }
}

/** alpha's range, for data of element kind `element`: returns the alpha the kernels use. */
export function alphaInRange(alpha: number, element: Kind): number {
  if (element === Kind.F32) {
    const rounded = Math.fround(alpha);
    if (rounded - rounded !== 0) {
      throw outOfRange(
        `The "alpha" option must be finite once rounded to float32 for float32 data. Received ${alpha}`,
      );
    }
    return rounded;
  }
  if (alpha - alpha !== 0) {
    throw outOfRange(`The "alpha" option must be a finite number. Received ${alpha}`);
  }
  return alpha;
}

/** The typed array that data of `kind` is read as (raw memory gets a whole-buffer view). */
export function asFloatArray(
  value: FloatArray | ArrayBufferLike,
  kind: Kind,
  element: Kind.F32 | Kind.F64,
  name: string,
): FloatArray {
  if (kind !== Kind.Buffer) return value as FloatArray;
  const buffer = value as ArrayBufferLike;
  const size = element === Kind.F64 ? 8 : 4;
  if (buffer.byteLength % size !== 0) {
    throw outOfRange(
      `The "${name}" argument's byteLength must be a multiple of ${size} to be read as ` +
        `${element === Kind.F64 ? 'float64' : 'float32'}. Received ${buffer.byteLength}`,
    );
  }
  return element === Kind.F64 ? new Float64Array(buffer) : new Float32Array(buffer);
}

/**
 * `out` must have the input's length and be either the input's exact memory or none
 * of it. Views on different buffer objects are taken as disjoint here; the native
 * binding compares real addresses too.
 */
export function checkOutRange(out: FloatArray, input: FloatArray, name: string): void {
  if (out.length !== input.length) {
    throw outOfRange(
      `The "out" argument must have the length of "${name}" (${input.length}). Received ${out.length}`,
    );
  }
  if (partlyOverlaps(out, input)) {
    throw outOfRange(
      `The "out" argument partly overlaps "${name}"; only the exact same memory (in place) is allowed`,
    );
  }
}

export function partlyOverlaps(a: FloatArray, b: FloatArray): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  const a0 = a.byteOffset, b0 = b.byteOffset;
  if (a0 === b0 && a.byteLength === b.byteLength) return false;
  return a0 < b0 + b.byteLength && b0 < a0 + a.byteLength;
}

export function checkSameLength(dy: FloatArray, x: FloatArray): void {
  if (dy.length !== x.length) {
    throw outOfRange(
      `The "dy" and "x" arguments must have the same length. Received ${dy.length} and ${x.length}`,
    );
  }
}

export function checkSameElement(dyElement: Kind, xElement: Kind): void {
  if (dyElement !== xElement) {
    throw invalidArgType(
      `The "dy" and "x" arguments must have the same element type. Received a ` +
        `${kindName(dyElement)} and a ${kindName(xElement)}`,
    );
  }
}
