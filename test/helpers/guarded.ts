// Views placed inside a larger buffer whose other elements are sentinels, to catch a
// kernel that writes outside the view (tails, misaligned heads).
import type { FloatCtor } from './arrays';
import type { FloatArray } from './reference';

export type { FloatCtor };

/** Negative and not a power of two, so alpha * sentinel differs from it for any alpha != 1. */
export const SENTINEL = -12345.5;
export const GUARD = 16;


export interface Guarded<T extends FloatArray> {
  /** The view under test: element `GUARD + off` of `whole`, `length` elements. */
  view: T;
  /** The whole buffer as elements: GUARD + off sentinels, the view, GUARD sentinels. */
  whole: T;
  start: number;
}

export function guardedView<T extends FloatArray>(Ctor: FloatCtor, off: number, data: ArrayLike<number>): Guarded<T> {
  const start = GUARD + off;
  const whole = new Ctor(start + data.length + GUARD) as T;
  whole.fill(SENTINEL);
  whole.set(data, start);
  const view = new Ctor(whole.buffer as ArrayBuffer, whole.byteOffset + start * whole.BYTES_PER_ELEMENT, data.length) as T;
  return { view, whole, start };
}

/** null if every element outside the view still has the sentinel's bits, else the first that does not. */
export function guardDamage(g: Guarded<FloatArray>): string | null {
  const bits = g.whole instanceof Float32Array
    ? new Uint32Array(g.whole.buffer, g.whole.byteOffset, g.whole.length)
    : new BigUint64Array(g.whole.buffer, g.whole.byteOffset, g.whole.length);
  const sentinel = g.whole instanceof Float32Array
    ? new Uint32Array(Float32Array.of(SENTINEL).buffer)[0]
    : new BigUint64Array(Float64Array.of(SENTINEL).buffer)[0];
  const end = g.start + g.view.length;
  for (const [from, to] of [[0, g.start], [end, bits.length]]) {
    for (let i = from; i < to; i++) {
      if (bits[i] !== sentinel) {
        return `guard element ${i - g.start} (relative to the view start) became ${g.whole[i]}`;
      }
    }
  }
  return null;
}
