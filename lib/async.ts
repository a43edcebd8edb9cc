// Async execution: on the libuv threadpool through the native binding, or, on the JS
// backend, in slices on the main thread that yield to the event loop between them.
// Calls on overlapping memory run one after the other, in call order (in-flight.ts).
import { backend } from './dispatch';
import { abortError, detachedWhileInUse } from './errors';
import * as js from './fallback';
import { locateByAddress, register } from './in-flight';
import type { FloatArray } from './validate';

/** One array's worth of work; `dy` is set for the gradient. */
export interface Task {
  x: FloatArray;
  out: FloatArray;
  dy?: FloatArray;
}

/**
 * Elements the JS backend transforms between two turns of the event loop: at
 * ~1.2 ns/element that is ~80 us of work, short enough to keep timers and I/O
 * responsive and long enough that the turns cost little.
 */
const JS_SLICE = 65536;

if (backend.binding !== null) {
  const binding = backend.binding;
  locateByAddress((view) => binding.addressOf(view));
}

export function runAsync(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  const views: FloatArray[] = [];
  for (const t of tasks) {
    views.push(t.x);
    if (t.out !== t.x) views.push(t.out);
    if (t.dy !== undefined && t.dy !== t.out) views.push(t.dy);
  }
  const { waitFor, release } = register(views);
  // Taken now: a buffer detached before the work starts shows as a shorter array then.
  const lengths = tasks.map((t) => t.x.length);
  const start = (): Promise<void> => {
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return backend.binding !== null
      ? runNative(tasks, alpha, backward, signal)
      : runJs(tasks, lengths, alpha, backward, signal);
  };
  const run = waitFor.length === 0 ? start() : Promise.all(waitFor.map((j) => j.settled)).then(start);
  return run.finally(release);
}

function runNative(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  const binding = backend.binding!;
  return new Promise<void>((resolve, reject) => {
    let id = 0;
    const onAbort = (): void => binding.cancel(id);
    const done = (error: Error | null, cancelled: boolean): void => {
      signal?.removeEventListener('abort', onAbort);
      if (error !== null) reject(error);
      else if (cancelled) reject(abortError(signal?.reason));
      else resolve();
    };
    const xs = tasks.map((t) => t.x);
    const outs = tasks.map((t) => t.out);
    id = backward
      ? binding.submitBackward(tasks.map((t) => t.dy!), xs, outs, alpha, done)
      : binding.submitForward(xs, outs, alpha, done);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runJs(
  tasks: Task[],
  lengths: number[],
  alpha: number,
  backward: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const a32 = Math.fround(alpha);
  const intact = (k: number): boolean => {
    const t = tasks[k], n = lengths[k];
    return t.x.length === n && t.out.length === n && (t.dy === undefined || t.dy.length === n);
  };
  let budget = JS_SLICE;
  await nextTurn();
  for (let k = 0; k < tasks.length; k++) {
    const t = tasks[k];
    const n = lengths[k];
    // A detached array is skipped, the others done, and the call rejected at the end,
    // as on the native side.
    for (let begin = 0; begin < n && intact(k); ) {
      if (budget <= 0) {
        await nextTurn();
        budget = JS_SLICE;
        continue;
      }
      if (signal?.aborted) throw abortError(signal.reason);
      const end = Math.min(n, begin + budget);
      runSlice(t, begin, end, t.x instanceof Float32Array ? a32 : alpha, backward);
      budget -= end - begin;
      begin = end;
    }
  }
  for (let k = 0; k < tasks.length; k++) if (!intact(k)) throw detachedWhileInUse();
}

function runSlice(t: Task, begin: number, end: number, alpha: number, backward: boolean): void {
  const whole = begin === 0 && end === t.x.length;
  const x = whole ? t.x : t.x.subarray(begin, end);
  const out = whole ? t.out : t.out.subarray(begin, end);
  if (backward) {
    const dy = whole ? t.dy! : t.dy!.subarray(begin, end);
    if (x instanceof Float32Array) js.backwardF32(dy as Float32Array, x, out as Float32Array, alpha);
    else js.backwardF64(dy as Float64Array, x, out as Float64Array, alpha);
  } else if (x instanceof Float32Array) {
    js.forwardF32(x, out as Float32Array, alpha);
  } else {
    js.forwardF64(x, out as Float64Array, alpha);
  }
}
