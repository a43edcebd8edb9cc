// The built-in getters and methods, captured at load. Reading a typed array's length
// or a signal's state through them runs no user code (a subclass's `length` getter, a
// Proxy's traps, an own `aborted` property), and they check internal slots, so a value
// that only looks like a typed array (a spoofed Symbol.toStringTag, a Proxy, an object
// with Float32Array.prototype) is told apart from one that is. Typed arrays from
// another realm have the slots, so they count as what they are.
import { types } from 'node:util';

type Getter = () => unknown;

function getterOf(proto: object, key: PropertyKey): Getter {
  return Object.getOwnPropertyDescriptor(proto, key)!.get as Getter;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const tagGetter = getterOf(TypedArrayPrototype, Symbol.toStringTag);
const lengthGetter = getterOf(TypedArrayPrototype, 'length');
const byteOffsetGetter = getterOf(TypedArrayPrototype, 'byteOffset');
const byteLengthGetter = getterOf(TypedArrayPrototype, 'byteLength');
const bufferGetter = getterOf(TypedArrayPrototype, 'buffer');
const arrayBufferByteLength = getterOf(ArrayBuffer.prototype, 'byteLength');
const sharedByteLength = getterOf(SharedArrayBuffer.prototype, 'byteLength');

/** 'Float32Array' etc. for a genuine typed array of any realm, else undefined. */
export function typedArrayName(value: unknown): string | undefined {
  return tagGetter.call(value) as string | undefined;
}

// Only for values that typedArrayName has recognised.
export const lengthOf = (view: ArrayBufferView): number => lengthGetter.call(view) as number;
export const byteOffsetOf = (view: ArrayBufferView): number => byteOffsetGetter.call(view) as number;
export const byteLengthOf = (view: ArrayBufferView): number => byteLengthGetter.call(view) as number;
export const bufferOf = (view: ArrayBufferView): ArrayBufferLike => bufferGetter.call(view) as ArrayBufferLike;

export const isArrayBuffer = (value: unknown): value is ArrayBuffer => types.isArrayBuffer(value);
export const isSharedArrayBuffer = (value: unknown): value is SharedArrayBuffer => types.isSharedArrayBuffer(value);
export const isProxy = (value: unknown): boolean => types.isProxy(value);
export const isBoxedPrimitive = (value: unknown): boolean => types.isBoxedPrimitive(value);

/** A genuine ArrayBuffer's or SharedArrayBuffer's byteLength. */
export function bufferByteLength(buffer: ArrayBufferLike): number {
  return (isSharedArrayBuffer(buffer) ? sharedByteLength : arrayBufferByteLength).call(buffer) as number;
}

/** Whether a genuine buffer is detached (Node 20 has no ArrayBuffer.prototype.detached). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (isSharedArrayBuffer(buffer) || bufferByteLength(buffer) !== 0) return false;
  // Constructing a view on a detached buffer throws; on a live empty one it does not.
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

const abortedGetter = getterOf(AbortSignal.prototype, 'aborted');
const reasonGetter = getterOf(AbortSignal.prototype, 'reason');
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;

/** A genuine AbortSignal: the built-in getter accepts it (it throws for anything else). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null || isProxy(value)) return false;
  try {
    abortedGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

export const isAborted = (signal: AbortSignal): boolean => abortedGetter.call(signal) as boolean;

/** The abort reason; undefined if even the built-in getter fails. */
export function reasonOf(signal: AbortSignal | undefined): unknown {
  if (signal === undefined) return undefined;
  try {
    return reasonGetter.call(signal);
  } catch {
    return undefined;
  }
}

export function onAbort(signal: AbortSignal, listener: () => void): void {
  addListener.call(signal, 'abort', listener, { once: true });
}

/** Never throws: it runs where an exception would have no caller to reach. */
export function offAbort(signal: AbortSignal, listener: () => void): void {
  try {
    removeListener.call(signal, 'abort', listener);
  } catch {
    // Nothing to undo: the listener is once-only and calls nothing but cancel().
  }
}
