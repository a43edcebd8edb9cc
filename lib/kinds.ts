// What a data argument is, judged by what it really is (intrinsics.ts), and the
// element type its memory is read as.
import { detached, dyElementMismatch, elementMismatch, notData, notFloatArray, notWholeElements } from './errors';
import {
  bufferByteLength,
  bufferOf,
  isArrayBuffer,
  isDetached,
  isSharedArrayBuffer,
  lengthOf,
  typedArrayName,
} from './intrinsics';

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** The element type a call computes in. */
export const enum Element {
  F32 = 1,
  F64 = 2,
}

/** A data argument after the type stage. */
export interface Operand {
  value: FloatArray | ArrayBufferLike;
  /** Raw memory (an ArrayBuffer or SharedArrayBuffer), read as `element`. */
  raw: boolean;
  element: Element;
  name: string;
}

/** Element type of a genuine Float32Array / Float64Array (any realm, subclasses too), else 0. */
export function floatElementOf(value: unknown): Element | 0 {
  const name = typedArrayName(value);
  return name === 'Float32Array' ? Element.F32 : name === 'Float64Array' ? Element.F64 : 0;
}

function elementName(element: Element): string {
  return element === Element.F64 ? 'Float64Array' : 'Float32Array';
}

/** The type stage of a data argument; raw memory is read as `dtype` (float32 by default). */
export function classify(value: unknown, name: string, dtype: Element | undefined): Operand {
  const element = floatElementOf(value);
  if (element !== 0) return { value: value as FloatArray, raw: false, element, name };
  if (isArrayBuffer(value) || isSharedArrayBuffer(value)) {
    return { value, raw: true, element: dtype ?? Element.F32, name };
  }
  throw notData(name, value);
}

/** The type stage of `out`: a typed array of the input's element type. */
export function checkOutType(out: unknown, input: Operand, name = 'out'): FloatArray {
  const element = floatElementOf(out);
  if (element === 0) throw notFloatArray(name, out);
  if (element !== input.element) throw elementMismatch(name, elementName(input.element), input.name, elementName(element));
  return out as FloatArray;
}

export function checkSameElement(dy: Operand, x: Operand): void {
  if (dy.element !== x.element) throw dyElementMismatch(elementName(dy.element), elementName(x.element));
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
  const f64 = op.element === Element.F64;
  const size = f64 ? 8 : 4;
  if (bytes % size !== 0) throw notWholeElements(op.name, size, f64 ? 'float64' : 'float32', bytes);
  return f64 ? new Float64Array(buffer, 0, bytes / 8) : new Float32Array(buffer, 0, bytes / 4);
}
