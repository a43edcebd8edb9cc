// Runs a validated call on the fastest path for its size: the native kernels, or the
// JS kernels where a native call costs more than the work.
import { bufferOf, isSharedArrayBuffer, lengthOf } from './intrinsics';
import { dtypeName, Element, isHalf } from './kinds';
import type { Data } from './kinds';
import { resolveBackend } from './native';
import { kernelAlpha } from './options';
import type { Slopes } from './options';
import { backwardWithGradJs, runSlopesJs } from './fallback-slopes';
import { roundedSlopes } from './slopes';
import * as js from './fallback';
import { runJs } from './run-js';

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
    // Into dy with two arguments fewer: the binding's quickest path.
    if (dx === dy && !isHalf(element)) binding.backward(dy, x, alpha);
    else binding.backward(dy, x, alpha, dx, halfName(element));
  } else {
    runJs(element, true, x, dy, dx, kernelAlpha(alpha, element), 0, n);
  }
}

/** y = x > 0 ? x : slope * x, with each element's channel slope. */
export function forwardSlopes(x: Data, y: Data, element: Element, slopes: Slopes): void {
  const n = lengthOf(x);
  if (binding !== null && (n >= NATIVE_MIN_LENGTH || (y !== x && mayAlias(x, y)))) {
    binding.forwardSlopes(x, slopes.values, slopes.spatial, y === x ? undefined : y, halfName(element));
  } else {
    runSlopesJs(element, false, x, x, y, roundedSlopes(slopes, element), slopes.spatial, 0, n);
  }
}

/** dx = x > 0 ? dy : slope * dy, and the slope gradient into alphaGrad if given. */
export function backwardSlopes(dy: Data, x: Data, dx: Data, element: Element, slopes: Slopes, alphaGrad?: Float64Array): void {
  const n = lengthOf(x);
  const aliased = (a: Data): boolean => mayAlias(dx, a) || (alphaGrad !== undefined && mayAlias(alphaGrad, a));
  if (binding !== null && (n >= NATIVE_MIN_LENGTH || aliased(dy) || aliased(x))) {
    binding.backwardSlopes(dy, x, slopes.values, slopes.spatial, dx, halfName(element), alphaGrad);
  } else if (alphaGrad !== undefined) {
    backwardWithGradJs(element, dy, x, dx, roundedSlopes(slopes, element), slopes.spatial, n, alphaGrad);
  } else {
    runSlopesJs(element, true, x, dy, dx, roundedSlopes(slopes, element), slopes.spatial, 0, n);
  }
}
