// What a data argument is, judged by what it really is (intrinsics.ts), and the
// element type its memory is read as.
import { detached, dyElementMismatch, elementMismatch, notData, notTypedOut, notWholeElements, uint16NeedsDtype } from './errors';
import { Half } from './half';
import {
  bufferByteLength,
  bufferOf,
  byteOffsetOf,
  isArrayBuffer,
  isDetached,
  isSharedArrayBuffer,
  lengthOf,
  typedArrayName,
} from './intrinsics';

/**
 * A Float16Array, where the runtime has one (Node 24, Deno, Bun). Typed by its shape,
 * so that the package's types need no ES2025 lib.
 */
export interface Float16ArrayLike extends ArrayBufferView {
  readonly [Symbol.toStringTag]: 'Float16Array';
  readonly length: number;
  [index: number]: number;
}

/** The arrays the API takes and returns. */
export type FloatArray = Float32Array | Float64Array | Uint16Array | Float16ArrayLike;
/** The arrays the kernels see: 16-bit data as their bits. */
export type Data = Float32Array | Float64Array | Uint16Array;
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16';

/** The element type a call computes in. */
export const enum Element {
  F32 = 1,
  F64 = 2,
  F16 = 3,
  BF16 = 4,
}

export const isHalf = (e: Element): boolean => e >= Element.F16;
export const halfOf = (e: Element): Half => (e === Element.F16 ? Half.F16 : Half.BF16);
export const dtypeName = (e: Element): DType =>
  e === Element.F32 ? 'float32' : e === Element.F64 ? 'float64' : e === Element.F16 ? 'float16' : 'bfloat16';

/** A data argument after the type stage. */
export interface Operand {
  value: FloatArray | ArrayBufferLike;
  /** Raw memory (an ArrayBuffer or SharedArrayBuffer), read as `element`. */
  raw: boolean;
  element: Element;
  /** The kind of typed array the data is (or is viewed as): an `out` must be the same. */
  arrayName: string;
  name: string;
}

/** The array kind data of `element` are viewed as when they come as raw memory. */
const viewName = (e: Element): string => (e === Element.F32 ? 'Float32Array' : e === Element.F64 ? 'Float64Array' : 'Uint16Array');

/** The element type of a genuine float typed array (any realm, subclasses too), else 0. */
function typedElementOf(name: string | undefined): Element | 0 {
  if (name === 'Float32Array') return Element.F32;
  if (name === 'Float64Array') return Element.F64;
  if (name === 'Float16Array') return Element.F16;
  return 0;
}

/** The type stage of a data argument; raw memory is read as `dtype` (float32 by default). */
export function classify(value: unknown, name: string, dtype: Element | undefined): Operand {
  const arrayName = typedArrayName(value);
  const element = typedElementOf(arrayName);
  if (element !== 0) return { value: value as FloatArray, raw: false, element, arrayName: arrayName!, name };
  if (arrayName === 'Uint16Array') {
    if (dtype === undefined || !isHalf(dtype)) throw uint16NeedsDtype(name);
    return { value: value as Uint16Array, raw: false, element: dtype, arrayName, name };
  }
  if (isArrayBuffer(value) || isSharedArrayBuffer(value)) {
    const e = dtype ?? Element.F32;
    return { value, raw: true, element: e, arrayName: viewName(e), name };
  }
  throw notData(name, value);
}

/** The type stage of `out`: the same kind of typed array as the input. */
export function checkOutType(out: unknown, input: Operand, name = 'out'): FloatArray {
  const arrayName = typedArrayName(out);
  if (arrayName !== 'Float32Array' && arrayName !== 'Float64Array' && arrayName !== 'Float16Array' && arrayName !== 'Uint16Array') {
    throw notTypedOut(name, out);
  }
  if (arrayName !== input.arrayName) throw elementMismatch(name, input.arrayName, input.name, arrayName);
  return out as FloatArray;
}

export function checkSameElement(dy: Operand, x: Operand): void {
  if (dy.element !== x.element) throw dyElementMismatch(dy.arrayName, x.arrayName);
}

/** Only an empty view can sit on a detached buffer, so live data pays one comparison. */
export function checkNotDetached(value: FloatArray | ArrayBufferLike, raw: boolean, name: string): void {
  if (raw ? isDetached(value as ArrayBufferLike) : lengthOf(value as FloatArray) === 0 && isDetached(bufferOf(value as FloatArray))) {
    throw detached(name);
  }
}

/**
 * The typed array an operand is read as. Raw memory gets a fixed-length view of all of
 * it, made with the built-in constructor: a length-tracking view of a growable buffer
 * would change length under an async call.
 */
export function viewOf(op: Operand): FloatArray {
  if (!op.raw) return op.value as FloatArray;
  const buffer = op.value as ArrayBufferLike;
  const bytes = bufferByteLength(buffer);
  const size = op.element === Element.F64 ? 8 : op.element === Element.F32 ? 4 : 2;
  if (bytes % size !== 0) throw notWholeElements(op.name, size, dtypeName(op.element), bytes);
  if (op.element === Element.F32) return new Float32Array(buffer, 0, bytes / 4);
  if (op.element === Element.F64) return new Float64Array(buffer, 0, bytes / 8);
  return new Uint16Array(buffer, 0, bytes / 2);
}

/** What the kernels work on: a Float16Array as its bits, any other array as it is. */
export function dataOf(array: FloatArray): Data {
  if (typedArrayName(array) !== 'Float16Array') return array as Data;
  return new Uint16Array(bufferOf(array), byteOffsetOf(array), lengthOf(array));
}
