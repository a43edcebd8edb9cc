// Async execution: on the libuv threadpool through the native binding, or, on the JS
// backend, in slices on the main thread that yield to the event loop between them.
// Calls on overlapping memory run one after the other, in call order (in-flight.ts).
//
// Every step that can throw runs before the work is submitted, and the call's memory
// is released on every path (including a throw between admission and submission), so
// a rejected call has changed nothing and left nothing registered.
import { abortError, detachedWhileInUse } from './errors';
import { admit, locateByAddress } from './in-flight';
import { isAborted, lengthOf, offAbort, onAbort, reasonOf } from './intrinsics';
import { Element, isHalf } from './kinds';
import { backend, halfName, runJs } from './dispatch';
import type { Data } from './kinds';
import { kernelAlpha } from './options';

/** One array's worth of work; `dy` is set for the gradient. */
interface Task {
  x: Data;
  out: Data;
  dy?: Data;
  element: Element;
}

/**
 * Elements the JS backend transforms between two turns of the event loop: at
 * ~1.2 ns/element that is ~80 us of work, short enough to keep timers and I/O
 * responsive and long enough that the turns cost little.
 */
export const JS_SLICE = 65536;

const binding = backend.binding;
if (binding !== null) locateByAddress((view) => binding.addressOf(view));

export function runAsync(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  if (signal !== undefined && isAborted(signal)) return Promise.reject(abortError(reasonOf(signal)));
  const views: Data[] = [];
  for (const t of tasks) {
    views.push(t.x);
    if (t.out !== t.x) views.push(t.out);
    if (t.dy !== undefined && t.dy !== t.out) views.push(t.dy);
  }
  // Taken now: a buffer detached or shrunk before the work starts shows as a shorter array then.
  const lengths = tasks.map((t) => lengthOf(t.x));
  const admission = admit(views);
  const start = (): Promise<void> => {
    if (signal !== undefined && isAborted(signal)) return Promise.reject(abortError(reasonOf(signal)));
    return binding !== null ? runNative(tasks, alpha, backward, signal) : runInSlices(tasks, lengths, alpha, backward, signal);
  };
  let run: Promise<void>;
  try {
    run = admission.after === null ? start() : admission.after.then(start);
  } catch (error) {
    admission.release();
    throw error;
  }
  return run.finally(admission.release);
}

function runNative(tasks: Task[], alpha: number, backward: boolean, signal?: AbortSignal): Promise<void> {
  const b = binding!;
  return new Promise<void>((resolve, reject) => {
    let id = 0;
    const cancel = (): void => {
      if (id !== 0) b.cancel(id);
    };
    // The listener goes on before the work is submitted: if adding it fails, nothing ran.
    if (signal !== undefined) onAbort(signal, cancel);
    // Called once by the binding, with no JS frame above it: it must not throw.
    const done = (error: Error | null, cancelled: boolean): void => {
      if (signal !== undefined) offAbort(signal, cancel);
      if (error !== null) reject(error);
      else if (cancelled) reject(abortError(reasonOf(signal)));
      else resolve();
    };
    const xs = tasks.map((t) => t.x);
    const outs = tasks.map((t) => t.out);
    // 16-bit data are Uint16Array bits to the binding, with their type per task.
    const halves = tasks.some((t) => isHalf(t.element)) ? tasks.map((t) => halfName(t.element)) : undefined;
    try {
      id = backward
        ? b.submitBackward(tasks.map((t) => t.dy!), xs, outs, alpha, done, halves)
        : b.submitForward(xs, outs, alpha, done, halves);
    } catch (error) {
      if (signal !== undefined) offAbort(signal, cancel);
      throw error;
    }
  });
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runInSlices(
  tasks: Task[],
  lengths: number[],
  alpha: number,
  backward: boolean,
  signal?: AbortSignal,
): Promise<void> {
  // The alpha each element type computes with.
  const alphas = tasks.map((t) => kernelAlpha(alpha, t.element));
  // Grown is fine (a length-tracking view of a growable buffer): only the first n
  // elements are touched. Shorter means detached or shrunk.
  const intact = (k: number): boolean => {
    const t = tasks[k], n = lengths[k];
    return lengthOf(t.x) >= n && lengthOf(t.out) >= n && (t.dy === undefined || lengthOf(t.dy) >= n);
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
      if (signal !== undefined && isAborted(signal)) throw abortError(reasonOf(signal));
      const end = Math.min(n, begin + budget);
      runJs(t.element, backward, t.x, backward ? t.dy! : t.x, t.out, alphas[k], begin, end);
      budget -= end - begin;
      begin = end;
    }
  }
  for (let k = 0; k < tasks.length; k++) if (!intact(k)) throw detachedWhileInUse();
}
