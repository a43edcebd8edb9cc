// The JS kernels by element type: one dispatch for the sync general path, the JS
// backend's async slices and the per-channel slopes' runs.
import * as js from './fallback';
import { select16 } from './fallback16';
import { Element, halfOf, isHalf } from './kinds';
import type { Data } from './kinds';

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

