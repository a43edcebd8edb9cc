// The lengths where the package changes how it works, read from the code that decides
// them, so that the suites' edge cases follow when a threshold moves.
import { JS_SLICE } from '../../lib/async';
import { NATIVE_MIN_LENGTH } from '../../lib/dispatch';
import type { FloatCtor } from './arrays';
import { loadRawBinding } from './binding';
import { project } from './project';

export { JS_SLICE, NATIVE_MIN_LENGTH };

/**
 * One length on each side of the facade's JS/native crossover and one well past it:
 * the last length the JS kernels take, the first the native ones take, and an odd one,
 * which leaves a SIMD tail for both element types at every vector width.
 */
export const CROSSOVER_LENGTHS: readonly number[] = [NATIVE_MIN_LENGTH - 1, NATIVE_MIN_LENGTH, 2 * NATIVE_MIN_LENGTH + 3];

/** The bytes one threadpool lane takes at a time (the raw binding's chunkBytes(), 1 MiB); null on the JS backend. */
export const CHUNK_BYTES: number | null = project.native ? loadRawBinding().chunkBytes() : null;

/**
 * The elements of `Ctor` in one unit of async work on this project's backend: a
 * native chunk (CHUNK_BYTES of them), or a JS slice (JS_SLICE elements of either type).
 */
export function workUnit(Ctor: FloatCtor): number {
  return CHUNK_BYTES === null ? JS_SLICE : CHUNK_BYTES / Ctor.BYTES_PER_ELEMENT;
}
