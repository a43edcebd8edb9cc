// The public API. Everything else in lib/ is internal.
import { backend } from './dispatch';
import * as dispatch from './dispatch';
import {
  Kind,
  alphaInRange,
  alphaOfType,
  asFloatArray,
  checkNotDetached,
  checkOptionsObject,
  checkOutKind,
  checkOutRange,
  checkSameElement,
  checkSameLength,
  dataKind,
  dataTypeError,
  dtypeKind,
  elementKind,
  outKind,
} from './validate';
import type { DType, FloatArray } from './validate';

export type { DType, FloatArray };

export interface Options {
  /** The slope for x <= 0; any finite number. Default 0.2 (tf.nn.leaky_relu). */
  alpha?: number;
  /** Where to write the result (same type and length as the input); default: in place. */
  out?: FloatArray;
  /** How an ArrayBuffer / SharedArrayBuffer input is read; default 'float32'. */
  dtype?: DType;
}

export interface Info {
  backend: 'native' | 'js';
  isa: 'avx512' | 'avx2' | 'neon' | 'scalar' | 'js';
  version: string;
  threads: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/**
 * Leaky ReLU in place (or into `out`): y = x > 0 ? x : alpha * x.
 * Returns `out` if given, else `x` (for an ArrayBuffer input, a view over all of it).
 */
export function leakyRelu<T extends FloatArray>(x: T, opts?: number | Options): T;
export function leakyRelu(x: ArrayBufferLike, opts?: number | Options): FloatArray;
export function leakyRelu(x: FloatArray | ArrayBufferLike, opts?: number | Options): FloatArray {
  let alpha = 0.2;
  let out: unknown;
  let dtype: unknown;
  if (typeof opts === 'number') {
    alpha = opts;
  } else if (opts !== undefined) {
    checkOptionsObject(opts);
    alpha = alphaOfType(opts.alpha);
    out = opts.out;
    dtype = opts.dtype;
  }
  const kind = dataKind(x);
  if (kind === Kind.None) throw dataTypeError('x', x);
  const element = elementKind(kind, dtypeKind(dtype));
  if (out !== undefined) checkOutKind(outKind(out), element, 'x');

  checkNotDetached(x, kind, 'x');
  if (out !== undefined) checkNotDetached(out as FloatArray, Kind.F32, 'out');

  alphaInRange(alpha, element);
  const data = asFloatArray(x, kind, element, 'x');
  const y = out === undefined ? data : (out as FloatArray);
  if (y !== data) checkOutRange(y, data, 'x');

  dispatch.forward(data, y, alpha);
  return y;
}

/**
 * The gradient of leakyRelu: dx = x > 0 ? dy : alpha * dy (slope alpha at x == 0, as
 * TensorFlow's LeakyReluGrad). Written to `out` if given, else into `dy`; returns it.
 */
export function leakyReluBackward<T extends FloatArray>(dy: T, x: T, opts?: number | Options): T;
export function leakyReluBackward(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | Options,
): FloatArray;
export function leakyReluBackward(
  dy: FloatArray | ArrayBufferLike,
  x: FloatArray | ArrayBufferLike,
  opts?: number | Options,
): FloatArray {
  let alpha = 0.2;
  let out: unknown;
  let dtype: unknown;
  if (typeof opts === 'number') {
    alpha = opts;
  } else if (opts !== undefined) {
    checkOptionsObject(opts);
    alpha = alphaOfType(opts.alpha);
    out = opts.out;
    dtype = opts.dtype;
  }
  const dyKind = dataKind(dy);
  if (dyKind === Kind.None) throw dataTypeError('dy', dy);
  const xKind = dataKind(x);
  if (xKind === Kind.None) throw dataTypeError('x', x);
  const dtypeElement = dtypeKind(dtype);
  const element = elementKind(xKind, dtypeElement);
  checkSameElement(elementKind(dyKind, dtypeElement), element);
  if (out !== undefined) checkOutKind(outKind(out), element, 'x');

  checkNotDetached(dy, dyKind, 'dy');
  checkNotDetached(x, xKind, 'x');
  if (out !== undefined) checkNotDetached(out as FloatArray, Kind.F32, 'out');

  alphaInRange(alpha, element);
  const dyData = asFloatArray(dy, dyKind, element, 'dy');
  const xData = asFloatArray(x, xKind, element, 'x');
  checkSameLength(dyData, xData);
  const dx = out === undefined ? dyData : (out as FloatArray);
  if (dx !== dyData) checkOutRange(dx, dyData, 'dy');
  checkOutRange(dx, xData, 'x');

  dispatch.backward(dyData, xData, dx, alpha);
  return dx;
}

/** Which backend and kernel set run, the package version, and the async thread count. */
export function info(): Info {
  return {
    backend: backend.binding === null ? 'js' : 'native',
    isa: backend.isa,
    version,
    threads: threadpoolSize(),
  };
}

function threadpoolSize(): number {
  const n = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 4;
}
