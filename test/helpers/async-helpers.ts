// Shared pieces of the async suites: seeded data, bit-exact comparison, promise
// outcomes. Which project runs what is in project.ts, child processes in child.ts.
import type { FloatCtor } from './arrays';
import { firstBitDifference } from './bits';
import { seededRandom } from './random';
import type { FloatArray } from './reference';

export type { FloatArray };

/** The suites' one seeded generator (mulberry32), so a failure reproduces on every run. */
export const seeded = seededRandom;

/**
 * Values of both signs, both zeros, NaN, infinities, subnormals and ordinary
 * magnitudes, so a result computed on stale or half-written memory shows.
 */
export function randomData(Ctor: Float32ArrayConstructor, n: number, seed: number): Float32Array;
export function randomData(Ctor: Float64ArrayConstructor, n: number, seed: number): Float64Array;
export function randomData(Ctor: FloatCtor, n: number, seed: number): FloatArray;
export function randomData(Ctor: FloatCtor, n: number, seed: number): FloatArray {
  const random = seeded(seed);
  const a = new Ctor(n);
  const tiny = a instanceof Float32Array ? 2 ** -140 : 2 ** -1060;
  for (let i = 0; i < n; i++) {
    const r = random();
    const sign = random() < 0.5 ? -1 : 1;
    if (r < 0.03) a[i] = sign * 0;
    else if (r < 0.04) a[i] = NaN;
    else if (r < 0.05) a[i] = sign * Infinity;
    else if (r < 0.1) a[i] = sign * tiny * (1 + random());
    else a[i] = sign * (1 + random()) * 2 ** Math.floor(random() * 20 - 10);
  }
  return a;
}

/** A fresh copy of the same element type, length and bits. */
export function copyOf<T extends FloatArray>(a: T): T {
  return a.slice() as T;
}

/** null when `actual` has `expected`'s bits (any NaN equals any NaN), else the first difference. */
export const bitDifference = firstBitDifference;

/** null when every byte of `bytes` equals `before`'s, else where the first change is. */
export function byteChange(before: Uint8Array, now: Uint8Array): string | null {
  if (before.length !== now.length) return `byteLength ${before.length} -> ${now.length}`;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return `byte ${i} changed`;
  return null;
}

/** The bytes of the whole buffer under `a` (or of `a` itself), copied now. */
export function bytesNow(a: FloatArray | ArrayBufferLike): Uint8Array {
  const buffer = ArrayBuffer.isView(a) ? a.buffer : a;
  return new Uint8Array(buffer).slice();
}

export interface Settled {
  status: 'fulfilled' | 'rejected';
  value?: unknown;
  error?: Error & { code?: string };
}

/** How a promise settled, never throwing. */
export async function settle(p: Promise<unknown>): Promise<Settled> {
  try {
    return { status: 'fulfilled', value: await p };
  } catch (error) {
    return { status: 'rejected', error: error as Error & { code?: string } };
  }
}

/** Calls `fn`, failing if it throws synchronously: the async API must only reject. */
export function callWithoutThrowing<T>(fn: () => Promise<T>): Promise<T> {
  let p: Promise<T>;
  try {
    p = fn();
  } catch (error) {
    throw new Error(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  if (!(p instanceof Promise)) throw new Error('did not return a Promise');
  return p;
}

/** The class and code of what `fn` throws, or 'no throw'. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
    return 'no throw';
  } catch (error) {
    return `${(error as Error)?.constructor?.name} ${(error as { code?: string })?.code}`;
  }
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `p` is still pending after the microtasks queued so far have run. */
export async function isPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([p.then(() => null, () => null), Promise.resolve(marker)]);
  return winner === marker;
}
