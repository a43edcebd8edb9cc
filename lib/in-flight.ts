// The memory that unfinished async calls work on (or wait to work on), by buffer
// object. Async calls that overlap an earlier one wait for it, so calls take effect
// in call order; sync calls on that memory are refused with ERR_BUFFER_IN_USE.
// Memory shared with other threads through a SharedArrayBuffer is not seen here:
// each thread has its own SharedArrayBuffer object (the native side still refuses a
// sync call that would race with the threadpool, by address).
import { bufferInUse } from './errors';
import type { FloatArray } from './validate';

export interface InFlight {
  readonly views: readonly FloatArray[];
  /** Resolves (never rejects) once the call has settled and left the registry. */
  readonly settled: Promise<void>;
}

const byBuffer = new Map<ArrayBufferLike, Set<InFlight>>();
let inFlightCount = 0;

function overlaps(a: FloatArray, b: FloatArray): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

function findOverlapping(view: FloatArray, into: Set<InFlight> | null): InFlight | undefined {
  const jobs = byBuffer.get(view.buffer);
  if (jobs === undefined || view.byteLength === 0) return undefined;
  for (const job of jobs) {
    if (into?.has(job)) continue;
    for (const other of job.views) {
      if (other.buffer === view.buffer && other.byteLength !== 0 && overlaps(view, other)) {
        if (into === null) return job;
        into.add(job);
        break;
      }
    }
  }
  return undefined;
}

/** Throws ERR_BUFFER_IN_USE if `view` overlaps memory an unfinished async call uses. */
export function assertNotInUse(view: FloatArray, name: string): void {
  if (inFlightCount !== 0 && findOverlapping(view, null) !== undefined) throw bufferInUse(name);
}

/**
 * Registers the memory of a new async call and returns it, with the earlier calls it
 * must wait for. `release` removes it and resolves its `settled`.
 */
export function register(views: readonly FloatArray[]): {
  job: InFlight;
  waitFor: InFlight[];
  release: () => void;
} {
  const waitFor = new Set<InFlight>();
  if (inFlightCount !== 0) for (const view of views) findOverlapping(view, waitFor);
  let resolveSettled!: () => void;
  const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
  const job: InFlight = { views, settled };
  for (const view of views) {
    let jobs = byBuffer.get(view.buffer);
    if (jobs === undefined) byBuffer.set(view.buffer, (jobs = new Set()));
    jobs.add(job);
  }
  inFlightCount++;
  const release = (): void => {
    for (const view of views) {
      const jobs = byBuffer.get(view.buffer);
      if (jobs !== undefined && jobs.delete(job) && jobs.size === 0) byBuffer.delete(view.buffer);
    }
    inFlightCount--;
    resolveSettled();
  };
  return { job, waitFor: [...waitFor], release };
}
