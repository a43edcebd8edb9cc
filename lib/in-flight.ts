// The memory that unfinished async calls work on (or wait to work on). A new call
// waits for the calls that last touched its bytes, which wait for theirs: calls on
// overlapping memory take effect in call order, a chain of calls on one array keeps
// O(1) state per call, and admitting a call costs O(log n) (span-tree.ts). Sync calls
// on that memory are refused with ERR_BUFFER_IN_USE.
//
// Memory is compared by address where the native binding can tell one (the same
// SharedArrayBuffer memory can reach a thread through two objects); on the JS backend
// by buffer object and offset. Calls from other threads are not seen here: the native
// binding refuses those that would race with the threadpool, by address, process-wide.
import { bufferInUse } from './errors';
import { bufferOf, byteLengthOf, byteOffsetOf } from './intrinsics';
import type { Data } from './kinds';
import { SpanTree } from './span-tree';
import type { SpanNode, SpanOwner } from './span-tree';

/** Where a view's bytes start: within `key`'s address space. */
interface Place {
  key: unknown;
  begin: number;
}

let locate = (view: Data): Place => ({ key: bufferOf(view), begin: byteOffsetOf(view) });

/** With the native binding, views are placed by their real address. */
export function locateByAddress(addressOf: (view: Data) => number): void {
  locate = (view) => ({ key: null, begin: addressOf(view) });
}

const trees = new Map<unknown, SpanTree>();
let unfinished = 0;

/** Whether no async call is unfinished: the sync calls' usual case, and their fast path. */
export function noneInFlight(): boolean {
  return unfinished === 0;
}

/** Throws ERR_BUFFER_IN_USE if `view` overlaps memory an unfinished async call uses. */
export function assertNotInUse(view: Data, name: string): void {
  if (unfinished === 0) return;
  const bytes = byteLengthOf(view);
  if (bytes === 0) return;
  const place = locate(view);
  if (trees.get(place.key)?.touches(place.begin, place.begin + bytes)) throw bufferInUse(name);
}

export interface Admission {
  /** Settles once every earlier call on the same memory has; null when there is none. */
  after: Promise<unknown> | null;
  /** Forgets the call's memory and lets the calls waiting on it go. Idempotent. */
  release(): void;
}

interface Call extends SpanOwner {
  settled: Promise<void>;
}

export function admit(views: readonly Data[]): Admission {
  let resolveSettled!: () => void;
  const call: Call = { nodes: [], settled: new Promise<void>((resolve) => (resolveSettled = resolve)) };
  const previous = new Set<SpanOwner>();
  for (const view of views) {
    const bytes = byteLengthOf(view);
    if (bytes === 0) continue;
    const place = locate(view);
    let tree = trees.get(place.key);
    if (tree === undefined) trees.set(place.key, (tree = new SpanTree(place.key)));
    tree.claim(place.begin, place.begin + bytes, call, previous);
  }
  previous.delete(call);
  unfinished++;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    unfinished--;
    for (const n of call.nodes) removeNode(n);
    resolveSettled();
  };
  const waits = [...previous].map((p) => (p as Call).settled);
  const after = waits.length === 0 ? null : waits.length === 1 ? waits[0] : Promise.all(waits);
  return { after, release };
}

function removeNode(n: SpanNode): void {
  n.tree.remove(n);
  if (n.tree.empty && trees.get(n.tree.key) === n.tree) trees.delete(n.tree.key);
}
