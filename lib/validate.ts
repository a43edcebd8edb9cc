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

// ---- Whole calls: each returns the checked arguments or throws, touching nothing.

interface RawOptions {
  alpha: number;
  out: unknown;
  dtype: Kind;
  signal: AbortSignal | undefined;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    value instanceof AbortSignal ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as AbortSignal).aborted === 'boolean' &&
      typeof (value as AbortSignal).addEventListener === 'function')
  );
}

/** The type stage of an options argument (a bare number is alpha). */
function readOptions(opts: unknown): RawOptions {
  if (typeof opts === 'number') return { alpha: opts, out: undefined, dtype: Kind.None, signal: undefined };
  if (opts === undefined) return { alpha: DEFAULT_ALPHA, out: undefined, dtype: Kind.None, signal: undefined };
  checkOptionsObject(opts);
  const o = opts as { alpha?: unknown; out?: unknown; dtype?: unknown; signal?: unknown };
  const alpha = alphaOfType(o.alpha);
  const dtype = dtypeKind(o.dtype);
  const signal = o.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidArgType(`The "signal" option must be an AbortSignal. Received ${describe(signal)}`);
  }
  return { alpha, out: o.out, dtype, signal };
}

export interface ForwardCall {
  x: FloatArray;
  out: FloatArray;
  alpha: number;
  signal: AbortSignal | undefined;
}

export function checkForward(x: unknown, opts: unknown): ForwardCall {
  const o = readOptions(opts);
  const kind = dataKind(x);
  if (kind === Kind.None) throw dataTypeError('x', x);
  const element = elementKind(kind, o.dtype);
  const out = o.out;
  if (out !== undefined) checkOutKind(outKind(out), element, 'x');

  checkNotDetached(x as FloatArray, kind, 'x');
  if (out !== undefined) checkNotDetached(out as FloatArray, Kind.F32, 'out');

  alphaInRange(o.alpha, element);
  const data = asFloatArray(x as FloatArray, kind, element, 'x');
  const y = out === undefined ? data : (out as FloatArray);
  if (y !== data) checkOutRange(y, data, 'x');
  return { x: data, out: y, alpha: o.alpha, signal: o.signal };
}

export interface BackwardCall {
  dy: FloatArray;
  x: FloatArray;
  out: FloatArray;
  alpha: number;
  signal: AbortSignal | undefined;
}

export function checkBackward(dy: unknown, x: unknown, opts: unknown): BackwardCall {
  const o = readOptions(opts);
  const dyKind = dataKind(dy);
  if (dyKind === Kind.None) throw dataTypeError('dy', dy);
  const xKind = dataKind(x);
  if (xKind === Kind.None) throw dataTypeError('x', x);
  const element = elementKind(xKind, o.dtype);
  checkSameElement(elementKind(dyKind, o.dtype), element);
  const out = o.out;
  if (out !== undefined) checkOutKind(outKind(out), element, 'x');

  checkNotDetached(dy as FloatArray, dyKind, 'dy');
  checkNotDetached(x as FloatArray, xKind, 'x');
  if (out !== undefined) checkNotDetached(out as FloatArray, Kind.F32, 'out');

  alphaInRange(o.alpha, element);
  const dyData = asFloatArray(dy as FloatArray, dyKind, element, 'dy');
  const xData = asFloatArray(x as FloatArray, xKind, element, 'x');
  checkSameLength(dyData, xData);
  const dx = out === undefined ? dyData : (out as FloatArray);
  if (dx !== dyData) checkOutRange(dx, dyData, 'dy');
  checkOutRange(dx, xData, 'x');
  return { dy: dyData, x: xData, out: dx, alpha: o.alpha, signal: o.signal };
}

export interface BatchCall {
  xs: FloatArray[];
  outs: FloatArray[];
  alpha: number;
  signal: AbortSignal | undefined;
}

/**
 * A batch is checked whole, stage by stage over all its arrays, so a bad element
 * anywhere rejects the batch before any array is touched. Arrays may mix float32 and
 * float64; raw buffers are read with the batch's dtype.
 */
export function checkBatch(xs: unknown, opts: unknown): BatchCall {
  if (!Array.isArray(xs)) {
    throw invalidArgType(`The "xs" argument must be an Array. Received ${describe(xs)}`);
  }
  const o = readOptions(opts);
  const outs = o.out;
  if (outs !== undefined && !Array.isArray(outs)) {
    throw invalidArgType(`The "out" option of a batch must be an Array. Received ${describe(outs)}`);
  }
  const n = xs.length;
  const kinds: Kind[] = new Array(n);
  const elements: (Kind.F32 | Kind.F64)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = dataKind(xs[i]);
    if (kind === Kind.None) throw dataTypeError(`xs[${i}]`, xs[i]);
    kinds[i] = kind;
    elements[i] = elementKind(kind, o.dtype);
    if (outs !== undefined && outs[i] !== undefined) checkOutKind(outKind(outs[i]), elements[i], `xs[${i}]`);
  }
  for (let i = 0; i < n; i++) {
    checkNotDetached(xs[i], kinds[i], `xs[${i}]`);
    if (outs !== undefined && outs[i] !== undefined) checkNotDetached(outs[i], Kind.F32, `out[${i}]`);
  }
  if (outs !== undefined && outs.length !== n) {
    throw outOfRange(`The "out" option must have one entry per array (${n}). Received ${outs.length}`);
  }
  let hasF32 = false, hasF64 = false;
  for (let i = 0; i < n; i++) {
    if (elements[i] === Kind.F32) hasF32 = true;
    else hasF64 = true;
  }
  if (hasF32) alphaInRange(o.alpha, Kind.F32);
  if (hasF64 || n === 0) alphaInRange(o.alpha, Kind.F64);
  const data: FloatArray[] = new Array(n);
  const targets: FloatArray[] = new Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = asFloatArray(xs[i], kinds[i], elements[i], `xs[${i}]`);
    const out = outs === undefined ? undefined : (outs[i] as FloatArray | undefined);
    targets[i] = out === undefined ? data[i] : out;
    if (targets[i] !== data[i]) checkOutRange(targets[i], data[i], `xs[${i}]`);
  }
  checkBatchDisjoint(data, targets);
  return { xs: data, outs: targets, alpha: o.alpha, signal: o.signal };
}

/**
 * The arrays of a batch run in parallel, so an output must not overlap any other
 * array of the batch (its own input, exactly, is fine). Sorted by offset within each
 * buffer: O(n log n) for large batches.
 */
function checkBatchDisjoint(xs: FloatArray[], outs: FloatArray[]): void {
  interface Span {
    begin: number;
    end: number;
    task: number;
    write: boolean;
  }
  const byBuffer = new Map<ArrayBufferLike, Span[]>();
  const add = (v: FloatArray, task: number, write: boolean): void => {
    if (v.byteLength === 0) return;
    let spans = byBuffer.get(v.buffer);
    if (spans === undefined) byBuffer.set(v.buffer, (spans = []));
    spans.push({ begin: v.byteOffset, end: v.byteOffset + v.byteLength, task, write });
  };
  for (let i = 0; i < xs.length; i++) {
    add(xs[i], i, outs[i] === xs[i]);
    if (outs[i] !== xs[i]) add(outs[i], i, true);
  }
  for (const spans of byBuffer.values()) {
    if (spans.length < 2) continue;
    spans.sort((a, b) => a.begin - b.begin);
    // Sweep in order of begin: a span collides with an earlier span of another task
    // that ends after it begins, where either of the two is written.
    const anySpan = new FurthestEnd();
    const writeSpan = new FurthestEnd();
    for (const s of spans) {
      const limit = s.write ? anySpan.excluding(s.task) : writeSpan.excluding(s.task);
      if (limit > s.begin) {
        throw outOfRange(
          `xs[${s.task}] of the batch overlaps another array of the batch that is written to`,
        );
      }
      anySpan.add(s.end, s.task);
      if (s.write) writeSpan.add(s.end, s.task);
    }
  }
}

/** The furthest end seen, and the furthest among the other tasks than that one's. */
class FurthestEnd {
  private end = -1;
  private task = -1;
  private otherEnd = -1;

  add(end: number, task: number): void {
    if (task === this.task) {
      if (end > this.end) this.end = end;
    } else if (end > this.end) {
      this.otherEnd = this.end;
      this.end = end;
      this.task = task;
    } else if (end > this.otherEnd) {
      this.otherEnd = end;
    }
  }

  /** The furthest end among spans of tasks other than `task`. */
  excluding(task: number): number {
    return task === this.task ? this.otherEnd : this.end;
  }
}
