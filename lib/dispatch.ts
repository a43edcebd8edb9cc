// Runs a validated call on the fastest path for its size: the native kernels, or the
// JS kernels where a native call costs more than the work.
import * as js from './fallback';
import { select16 } from './fallback16';
import { bufferOf, isSharedArrayBuffer, lengthOf } from './intrinsics';
import { dtypeName, Element, halfOf, isHalf } from './kinds';
import type { Data } from './kinds';
import { resolveBackend } from './native';
import { kernelAlpha } from './options';

export const backend = resolveBackend();
const binding = backend.binding;

/**
 * Below this many elements the JS kernels beat a native call. bench/crossover.js,
 * Node 20 on AVX-512, in place: a native call costs ~65 ns whatever the size up to
 * 128, the JS kernels ~1.1-1.4 ns/element; JS/native time is 0.99 (f32) and 0.80 (f64)
 * at 48 elements, 1.37 and 1.11 at 64.
 */
export const NATIVE_MIN_LENGTH = 56;

/**
 * Two SharedArrayBuffer objects can hold the same memory (one sent to a worker and
 * back, a grown shared WebAssembly.Memory): JS cannot compare their addresses, so an
 * output and an input on two such objects go to the binding, which does, however
 * short the arrays. Asked only when there is an output apart from the input: reading
 * `.buffer` costs ~20 ns, and ~90 ns on a small array V8 keeps on its heap.
 */
function mayAlias(a: Data, b: Data): boolean {
  const aBuffer = bufferOf(a), bBuffer = bufferOf(b);
  return aBuffer !== bBuffer && isSharedArrayBuffer(aBuffer) && isSharedArrayBuffer(bBuffer);
}

/**
 * The sync fast path: a non-empty typed array in place, alpha a number. Returns false,
 * having done nothing, when the general checks must run (empty, maybe detached, or
 * alpha out of range). One function per element type keeps each monomorphic in V8:
 * shared, the float64 calls after float32 ones cost 13 ns more at 16 elements.
 */
export function forwardInPlaceF32(x: Float32Array, alpha: number): boolean {
  const n = lengthOf(x);
  const rounded = Math.fround(alpha);
  if (n === 0 || rounded - rounded !== 0) return false;
  if (binding !== null && n >= NATIVE_MIN_LENGTH) binding.forward(x, alpha);
  else js.forwardF32(x, x, rounded, 0, n);
  return true;
}

export function forwardInPlaceF64(x: Float64Array, alpha: number): boolean {
  const n = lengthOf(x);
  if (n === 0 || alpha - alpha !== 0) return false;
  if (binding !== null && n >= NATIVE_MIN_LENGTH) binding.forward(x, alpha);
  else js.forwardF64(x, x, alpha, 0, n);
  return true;
}

/** The binding's name for 16-bit data (it takes them as Uint16Array bits); undefined for the others. */
export const halfName = (element: Element): 'float16' | 'bfloat16' | undefined =>
  isHalf(element) ? (dtypeName(element) as 'float16' | 'bfloat16') : undefined;

/**
 * The JS kernels over elements [begin, end): out = x > 0 ? value : alpha * value, with
 * value x forward and dy backward; `alpha` as kernelAlpha gives it.
 */
export function runJs(element: Element, backward: boolean, x: Data, value: Data, out: Data, alpha: number, begin: number, end: number): void {
  if (isHalf(element)) {
    select16(x as Uint16Array, value as Uint16Array, out as Uint16Array, alpha, halfOf(element), begin, end);
  } else if (element === Element.F32) {
    if (backward) js.backwardF32(value as Float32Array, x as Float32Array, out as Float32Array, alpha, begin, end);
    else js.forwardF32(x as Float32Array, out as Float32Array, alpha, begin, end);
  } else if (backward) {
    js.backwardF64(value as Float64Array, x as Float64Array, out as Float64Array, alpha, begin, end);
  } else {
    js.forwardF64(x as Float64Array, out as Float64Array, alpha, begin, end);
  }
}

/** y = x > 0 ? x : alpha * x. `alpha` is the raw option; the kernels round it to the element type. */
export function forward(x: Data, y: Data, element: Element, alpha: number): void {
  const n = lengthOf(x);
  if (binding !== null && (n >= NATIVE_MIN_LENGTH || (y !== x && mayAlias(x, y)))) {
    if (isHalf(element)) binding.forward(x, alpha, y, halfName(element));
    else if (y === x) binding.forward(x, alpha);
    else binding.forward(x, alpha, y);
  } else {
    runJs(element, false, x, x, y, kernelAlpha(alpha, element), 0, n);
  }
}

/** dx = x > 0 ? dy : alpha * dy. */
export function backward(dy: Data, x: Data, dx: Data, element: Element, alpha: number): void {
  const n = lengthOf(x);
  if (
    binding !== null &&
    (n >= NATIVE_MIN_LENGTH || (dx !== dy && mayAlias(dx, dy)) || (dx !== x && mayAlias(dx, x)))
  ) {
    binding.backward(dy, x, alpha, dx, halfName(element));
  } else {
    runJs(element, true, x, dy, dx, kernelAlpha(alpha, element), 0, n);
  }
}
