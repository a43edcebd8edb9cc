// Async execution: on the libuv threadpool through the native binding, or, on the JS
// backend, in slices on the main thread that yield to the event loop between them.
// Calls on overlapping memory run one after the other, in call order (in-flight.ts).
import { backend } from './dispatch';
import { abortError, detachedWhileInUse } from './errors';
import * as js from './fallback';
import { register } from './in-flight';
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

export function runAsync(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  const views: FloatArray[] = [];
  for (const t of tasks) {
    views.push(t.x);
    if (t.out !== t.x) views.push(t.out);
    if (t.dy !== undefined && t.dy !== t.out) views.push(t.dy);
  }
  const { waitFor, release } = register(views);
  const start = (): Promise<void> => {
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return backend.binding !== null
      ? runNative(tasks, alpha, backward, signal)
      : runJs(tasks, alpha, backward, signal);
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

async function runJs(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  const a32 = Math.fround(alpha);
  let budget = JS_SLICE;
  await nextTurn();
  for (const t of tasks) {
    const n = t.x.length;
    for (let begin = 0; begin < n; ) {
      if (budget <= 0) {
        await nextTurn();
        budget = JS_SLICE;
      }
      if (signal?.aborted) throw abortError(signal.reason);
      if (t.x.length !== n || t.out.length !== n || (t.dy !== undefined && t.dy.length !== n)) {
        throw detachedWhileInUse();
      }
      const end = Math.min(n, begin + budget);
      runSlice(t, begin, end, t.x instanceof Float32Array ? a32 : alpha, backward);
      budget -= end - begin;
      begin = end;
    }
  }
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
