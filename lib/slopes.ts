// The checks of per-channel slopes (PReLU, read by options.ts) and of alphaGrad, in the
// contract's stages, with the rest of a call.
import { alphaGradLength, alphaGradOverlap, alphaGradType, detached, notWholePeriods, slopeRange, slopesEmpty, spatialRange } from './errors';
import { bufferOf, byteLengthOf, byteOffsetOf, isDetached, lengthOf, typedArrayName } from './intrinsics';
import { dtypeName, Element } from './kinds';
import type { Data, FloatArray } from './kinds';
import { kernelAlpha } from './options';
import type { Slopes } from './options';

/** Stage 1 for alphaGrad: a genuine Float64Array. */
export function checkAlphaGradType(alphaGrad: unknown): Float64Array {
  if (typedArrayName(alphaGrad) !== 'Float64Array') throw alphaGradType(alphaGrad);
  return alphaGrad as Float64Array;
}

/** Stage 2, after the data's own. */
export function checkSlopesNotDetached(slopes: Slopes, alphaGrad: Float64Array | undefined): void {
  if (slopes.detached) throw detached('alpha');
  if (alphaGrad !== undefined && lengthOf(alphaGrad) === 0 && isDetached(bufferOf(alphaGrad))) throw detached('alphaGrad');
}

// The slopes copy last found in range, and for which element types (bit 1 << Element):
// options.ts reuses its copy while the slopes stay the same, and a copy never changes.
let inRange: Float64Array | null = null;
let inRangeFor = 0;

/**
 * Stage 3: at least one slope, each finite once rounded for every element type of the
 * call, spatialSize a positive integer.
 */
export function checkSlopeValues(slopes: Slopes, elements: Iterable<Element>): void {
  const { values, spatial } = slopes;
  if (values.length === 0) throw slopesEmpty();
  for (const element of elements) {
    if (values === inRange && (inRangeFor & (1 << element)) !== 0) continue;
    for (let c = 0; c < values.length; c++) {
      const r = kernelAlpha(values[c], element);
      if (r - r !== 0) throw slopeRange(c, values[c], element === Element.F64 ? undefined : dtypeName(element));
    }
    if (values !== inRange) inRangeFor = 0;
    inRange = values;
    inRangeFor |= 1 << element;
  }
  if (!(Number.isInteger(spatial) && spatial >= 1 && spatial <= Number.MAX_SAFE_INTEGER)) throw spatialRange(spatial);
}

/** The slopes as the kernels of `element` multiply by them (kernelAlpha). */
export function roundedSlopes(slopes: Slopes, element: Element): Float64Array {
  return slopes.values.map((v) => kernelAlpha(v, element));
}

/** Stage 4: the data's length a multiple of C * spatialSize, alphaGrad's length C. */
export function checkPeriods(slopes: Slopes, length: number, name: string, alphaGrad?: Float64Array): void {
  const channels = slopes.values.length;
  if (length % (channels * slopes.spatial) !== 0) throw notWholePeriods(name, length, channels, slopes.spatial);
  if (alphaGrad !== undefined && lengthOf(alphaGrad) !== channels) throw alphaGradLength(channels, lengthOf(alphaGrad));
}

/** Stage 5: alphaGrad shares no byte with the call's arrays (views of another buffer object are left to the binding). */
export function checkAlphaGradApart(alphaGrad: Float64Array, arrays: readonly [string, FloatArray | Data][]): void {
  const bytes = byteLengthOf(alphaGrad);
  if (bytes === 0) return;
  const begin = byteOffsetOf(alphaGrad), buffer = bufferOf(alphaGrad);
  for (const [like, array] of arrays) {
    if (bufferOf(array) !== buffer) continue;
    const b = byteOffsetOf(array), e = b + byteLengthOf(array);
    if (e > b && begin < e && b < begin + bytes) throw alphaGradOverlap(like);
  }
}
