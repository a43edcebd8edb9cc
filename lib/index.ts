// The public API. Everything else in lib/ is internal.
import { runAsync } from './async';
import * as dispatch from './dispatch';
import { checkBackward, checkBatch, checkForward } from './checks';
import { assertNotInUse, noneInFlight } from './in-flight';
import { typedArrayName } from './intrinsics';
import type { DType, Float16ArrayLike, FloatArray } from './kinds';
import { checkOptionValues, DEFAULT_ALPHA, readOptions } from './options';
import type { OptionValues, RawOptions } from './options';

export type { DType, Float16ArrayLike, FloatArray };

/** One slope per channel (PReLU). */
export type Slopes = Float32Array | Float64Array | readonly number[];

export interface Options {
  /**
   * The slope for x <= 0: any finite number (default 0.2, tf.nn.leaky_relu), or one
   * slope per channel. Element i then has channel floor(i / spatialSize) % C.
   */
  alpha?: number | Slopes;
  /** How many consecutive elements share a channel (default 1: channels-last; H * W for NCHW). */
  spatialSize?: number;
  /** Where to write the result (same type and length as the input); default: in place. */
  out?: FloatArray;
  /**
   * How an ArrayBuffer / SharedArrayBuffer input is read (default 'float32'), and how a
   * Uint16Array is: 'float16' or 'bfloat16', required for one.
   */
  dtype?: DType;
}

export interface BackwardOptions extends Options {
  /** Receives the slope gradient: alphaGrad[c] = sum of dy * x over channel c where x is not > 0. */
  alphaGrad?: Float64Array;
}

export interface AsyncOptions extends Options {
  /** Aborting rejects with an AbortError; chunks not yet started are skipped. */
  signal?: AbortSignal;
}

export interface AsyncBackwardOptions extends BackwardOptions {
  signal?: AbortSignal;
}

export interface BatchOptions {
  /** One set of slopes is shared by every array of the batch. */
  alpha?: number | Slopes;
  spatialSize?: number;
  /** One output per input (an entry may be undefined: that one in place). */
  out?: (FloatArray | undefined)[];
  dtype?: DType;
  signal?: AbortSignal;
}

type Isa = 'avx512' | 'avx2' | 'neon' | 'scalar' | 'js';

export interface Info {
  backend: 'native' | 'js';
  isa: Isa;
  /**
   * The kernels 16-bit data run on: `isa`'s, or 'scalar' (native, without SIMD) where
   * the CPU lacks the conversions (an AVX2 CPU without F16C, for float16), or 'js'.
   */
  float16: Isa;
  bfloat16: Isa;
  version: string;
  threads: number;
}

// Read at run time from the package root, which is not under tsc's rootDir.
const { version } = require('../package.json') as { version: string };

/**
 * Leaky ReLU in place (or into `out`): y = x > 0 ? x : alpha * x.
 * Returns `out` if given, else `x` (for an ArrayBuffer input, a view over all of it).
 */
export function leakyRelu<T extends FloatArray>(x: T, opts?: number | Options): T;
export function leakyRelu(x: ArrayBufferLike, opts?: number | Options): FloatArray;
export function leakyRelu(x: FloatArray | ArrayBufferLike, opts?: number | Options): FloatArray {
  // The common call, a typed array in place with a finite alpha and no out or dtype,
  // takes a fast path: at 16 elements the general checks cost as much as the
  // transform. Whatever it declines (empty or detached arrays, alpha out of range)
  // takes the general path, which gives the errors.
  if (typeof opts !== 'object' || opts === null) {
    if ((opts === undefined || typeof opts === 'number') && noneInFlight() && forwardInPlace(x, opts ?? DEFAULT_ALPHA)) {
      return x as FloatArray;
    }
    return forwardChecked(x, readOptions(opts));
  }
  // Each option is read once, here; the general path takes the values read.
  const { alpha, out, dtype, signal, spatialSize, alphaGrad } = opts as OptionValues;
  if (
    typeof alpha === 'number' &&
    out === undefined &&
    dtype === undefined &&
    signal === undefined &&
    spatialSize === undefined &&
    alphaGrad === undefined &&
    noneInFlight()
  ) {
    if (forwardInPlace(x, alpha)) return x as FloatArray;
  }
  return forwardChecked(x, checkOptionValues(opts, { alpha, out, dtype, signal, spatialSize, alphaGrad }));
}

function forwardChecked(x: unknown, o: RawOptions): FloatArray {
  const call = checkForward(x, o);
  assertNotInUse(call.x, 'x');
  if (call.out !== call.x) assertNotInUse(call.out, 'out');
  if (call.slopes !== undefined) dispatch.forwardSlopes(call.x, call.out, call.element, call.slopes);
  else dispatch.forward(call.x, call.out, call.element, call.alpha);
  return call.result;
}

/** The fast path's element dispatch, by the built-in tag getter (no Proxy, no spoofed tag). */
function forwardInPlace(x: unknown, alpha: number): boolean {
  const name = typedArrayName(x);
  if (name === 'Float32Array') return dispatch.forwardInPlaceF32(x as Float32Array, alpha);
  if (name === 'Float64Array') return dispatch.forwardInPlaceF64(x as Float64Array, alpha);
  return false;
}

/**
 * The gradient of leakyRelu: dx = x > 0 ? dy : alpha * dy (slope alpha at x == 0, as
 * TensorFlow's LeakyReluGrad). Written to `out` if given, else into `dy`; returns it.
 */
export function leakyReluBackward<T extends FloatArray>(dy: T, x: T, opts?: number | BackwardOptions): T;
export function leakyReluBackward(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | BackwardOptions,
): FloatArray;
export function leakyReluBackward(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | BackwardOptions,
): FloatArray {
  const call = checkBackward(dy, x, readOptions(opts));
  assertNotInUse(call.dy, 'dy');
  assertNotInUse(call.x, 'x');
  if (call.out !== call.dy) assertNotInUse(call.out, 'out');
  if (call.alphaGrad !== undefined) assertNotInUse(call.alphaGrad, 'alphaGrad');
  if (call.slopes !== undefined) {
    dispatch.backwardSlopes(call.dy, call.x, call.out, call.element, call.slopes, call.alphaGrad);
  } else {
    dispatch.backward(call.dy, call.x, call.out, call.element, call.alpha);
  }
  return call.result;
}

/**
 * leakyRelu on the libuv threadpool; a large array is split over several threads.
 * Never throws: bad arguments give a rejected promise. Resolves with `out ?? x`.
 */
export function leakyReluAsync<T extends FloatArray>(x: T, opts?: number | AsyncOptions): Promise<T>;
export function leakyReluAsync(x: ArrayBufferLike, opts?: number | AsyncOptions): Promise<FloatArray>;
export function leakyReluAsync(x: FloatArray | ArrayBufferLike, opts?: number | AsyncOptions): Promise<FloatArray> {
  try {
    const call = checkForward(x, readOptions(opts));
    const task = { x: call.x, out: call.out, element: call.element };
    return runAsync([task], { alpha: call.alpha, slopes: call.slopes, backward: false }, call.signal).then(() => call.result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** leakyReluBackward on the libuv threadpool. Resolves with `out ?? dy`. */
export function leakyReluBackwardAsync<T extends FloatArray>(dy: T, x: T, opts?: number | AsyncBackwardOptions): Promise<T>;
export function leakyReluBackwardAsync(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | AsyncBackwardOptions,
): Promise<FloatArray>;
export function leakyReluBackwardAsync(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | AsyncBackwardOptions,
): Promise<FloatArray> {
  try {
    const call = checkBackward(dy, x, readOptions(opts));
    const task = { x: call.x, out: call.out, dy: call.dy, element: call.element, alphaGrad: call.alphaGrad };
    return runAsync([task], { alpha: call.alpha, slopes: call.slopes, backward: true }, call.signal).then(
      () => call.result,
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * leakyRelu on many arrays at once, spread over the threadpool (small arrays share a
 * thread's turn, large ones are split). The arrays may mix float32 and float64. A bad
 * array anywhere rejects the whole batch before any is touched. Resolves once, with
 * the arrays written (`out[i] ?? xs[i]`, the same objects).
 */
export function leakyReluBatch<T extends FloatArray>(xs: readonly T[], opts?: number | BatchOptions): Promise<T[]>;
export function leakyReluBatch(
  xs: readonly (FloatArray | ArrayBufferLike)[],
  opts?: number | BatchOptions,
): Promise<FloatArray[]>;
export function leakyReluBatch(
  xs: readonly (FloatArray | ArrayBufferLike)[],
  opts?: number | BatchOptions,
): Promise<FloatArray[]> {
  try {
    const call = checkBatch(xs, opts);
    const tasks = call.xs.map((x, i) => ({ x, out: call.outs[i], element: call.elements[i] }));
    return runAsync(tasks, { alpha: call.alpha, slopes: call.slopes, backward: false }, call.signal).then(() => call.results);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Which backend and kernel set run, the package version, and the async thread count. */
export function info(): Info {
  const binding = dispatch.backend.binding;
  return {
    backend: binding === null ? 'js' : 'native',
    isa: dispatch.backend.isa,
    float16: binding === null ? 'js' : binding.isaOf('float16'),
    bfloat16: binding === null ? 'js' : binding.isaOf('bfloat16'),
    version,
    threads: binding === null ? 1 : binding.threads(),
  };
}
