// The memory that unfinished async calls work on (or wait to work on). Async calls
// that overlap an earlier one wait for it, so calls take effect in call order; sync
// calls on that memory are refused with ERR_BUFFER_IN_USE.
//
// Memory is compared by address where the native binding can tell one (the same
// SharedArrayBuffer memory can reach a thread through two objects); on the JS backend
// by buffer object and offset. Calls from other threads are not seen here: the native
// binding refuses those that would race with the threadpool, by address, process-wide.
import { bufferInUse } from './errors';
import type { FloatArray } from './validate';

/** Where a view's bytes start: within `key`'s address space. */
interface Place {
  key: unknown;
  begin: number;
}

/** Sorted, disjoint byte ranges of one address space. */
interface Spans {
  begins: number[];
  ends: number[];
}

export interface InFlight {
  readonly groups: Map<unknown, Spans>;
  /** Resolves (never rejects) once the call has settled and left the registry. */
  readonly settled: Promise<void>;
}

const inFlight = new Set<InFlight>();

let locate = (view: FloatArray): Place => ({ key: view.buffer, begin: view.byteOffset });

/** With the native binding, views are placed by their real address. */
export function locateByAddress(addressOf: (view: FloatArray) => number): void {
  locate = (view) => ({ key: null, begin: addressOf(view) });
}

/** Whether no async call is unfinished: the sync calls' usual case, and their fast path. */
export function noneInFlight(): boolean {
  return inFlight.size === 0;
}

function touches(job: InFlight, place: Place, end: number): boolean {
  const spans = job.groups.get(place.key);
  if (spans === undefined) return false;
  const { begins, ends } = spans;
  let lo = 0, hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= place.begin) lo = mid + 1;
    else hi = mid;
  }
  return lo < ends.length && begins[lo] < end;
}

/** Throws ERR_BUFFER_IN_USE if `view` overlaps memory an unfinished async call uses. */
export function assertNotInUse(view: FloatArray, name: string): void {
  if (inFlight.size === 0 || view.byteLength === 0) return;
  const place = locate(view);
  for (const job of inFlight) {
    if (touches(job, place, place.begin + view.byteLength)) throw bufferInUse(name);
  }
}

function groupsOf(views: readonly FloatArray[]): Map<unknown, Spans> {
  const ranges = new Map<unknown, [number, number][]>();
  for (const view of views) {
    if (view.byteLength === 0) continue;
    const place = locate(view);
    let list = ranges.get(place.key);
    if (list === undefined) ranges.set(place.key, (list = []));
    list.push([place.begin, place.begin + view.byteLength]);
  }
  const groups = new Map<unknown, Spans>();
  for (const [key, list] of ranges) {
    list.sort((a, b) => a[0] - b[0]);
    const begins: number[] = [], ends: number[] = [];
    for (const [b, e] of list) {
      if (ends.length > 0 && b <= ends[ends.length - 1]) ends[ends.length - 1] = Math.max(ends[ends.length - 1], e);
      else begins.push(b), ends.push(e);
    }
    groups.set(key, { begins, ends });
  }
  return groups;
}

function intersects(a: InFlight, b: Map<unknown, Spans>): boolean {
  for (const [key, spans] of b) {
    if (!a.groups.has(key)) continue;
    for (let i = 0; i < spans.begins.length; i++) {
      if (touches(a, { key, begin: spans.begins[i] }, spans.ends[i])) return true;
    }
  }
  return false;
}

/**
 * Registers the memory of a new async call, with the earlier calls it must wait for.
 * `release` removes it and resolves its `settled`.
 */
export function register(views: readonly FloatArray[]): { waitFor: InFlight[]; release: () => void } {
  const groups = groupsOf(views);
  const waitFor: InFlight[] = [];
  for (const job of inFlight) if (intersects(job, groups)) waitFor.push(job);
  let resolveSettled!: () => void;
  const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
  const job: InFlight = { groups, settled };
  inFlight.add(job);
  const release = (): void => {
    inFlight.delete(job);
    resolveSettled();
  };
  return { waitFor, release };
}
