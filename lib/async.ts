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
import { backend, halfName } from './dispatch';
import { runJs } from './run-js';
import type { Data } from './kinds';
import { kernelAlpha } from './options';
import type { Slopes } from './options';
import { GradSum, runSlopesJs } from './fallback-slopes';
import { roundedSlopes } from './slopes';

/** One array's worth of work; `dy` is set for the gradient, `alphaGrad` for the slopes' (with slopes). */
interface Task {
  x: Data;
  out: Data;
  dy?: Data;
  alphaGrad?: Float64Array;
  element: Element;
}

/** What every task of a call does: alpha or slopes, forward or backward. */
interface Work {
  alpha: number;
  slopes: Slopes | undefined;
  backward: boolean;
}

/**
 * Elements the JS backend transforms between two turns of the event loop: at
 * ~1.2 ns/element that is ~80 us of work, short enough to keep timers and I/O
 * responsive and long enough that the turns cost little.
 */
export const JS_SLICE = 65536;

const binding = backend.binding;
if (binding !== null) locateByAddress((view) => binding.addressOf(view));

export function runAsync(tasks: Task[], work: Work, signal?: AbortSignal): Promise<void> {
  if (signal !== undefined && isAborted(signal)) return Promise.reject(abortError(reasonOf(signal)));
  const views: Data[] = [];
  for (const t of tasks) {
    views.push(t.x);
    if (t.out !== t.x) views.push(t.out);
    if (t.dy !== undefined && t.dy !== t.out) views.push(t.dy);
    if (t.alphaGrad !== undefined) views.push(t.alphaGrad);
  }
  // Taken now: a buffer detached or shrunk before the work starts shows as a shorter array then.
  const lengths = tasks.map((t) => lengthOf(t.x));
  const admission = admit(views);
  const start = (): Promise<void> => {
    if (signal !== undefined && isAborted(signal)) return Promise.reject(abortError(reasonOf(signal)));
    return binding !== null ? runNative(tasks, work, signal) : runInSlices(tasks, lengths, work, signal);
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

function runNative(tasks: Task[], work: Work, signal?: AbortSignal): Promise<void> {
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
    // Slopes go as their copy, with spatialSize (which makes the binding read them so).
    const { slopes, backward } = work;
    const alpha = slopes === undefined ? work.alpha : slopes.values;
    const spatial = slopes?.spatial;
    const grads = tasks.some((t) => t.alphaGrad !== undefined) ? tasks.map((t) => t.alphaGrad) : undefined;
    try {
      id = backward
        ? b.submitBackward(tasks.map((t) => t.dy!), xs, outs, alpha, done, halves, spatial, grads)
        : b.submitForward(xs, outs, alpha, done, halves, spatial);
    } catch (error) {
      if (signal !== undefined) offAbort(signal, cancel);
      throw error;
    }
  });
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runInSlices(tasks: Task[], lengths: number[], work: Work, signal?: AbortSignal): Promise<void> {
  const { slopes, backward } = work;
  // The alpha or slopes each element type computes with.
  const alphas = tasks.map((t) => kernelAlpha(work.alpha, t.element));
  const rounded = tasks.map((t) => (slopes === undefined ? undefined : roundedSlopes(slopes, t.element)));
  // Grown is fine (a length-tracking view of a growable buffer): only the first n
  // elements are touched. Shorter means detached or shrunk.
  const intact = (k: number): boolean => {
    const t = tasks[k], n = lengths[k];
    return (
      lengthOf(t.x) >= n &&
      lengthOf(t.out) >= n &&
      (t.dy === undefined || lengthOf(t.dy) >= n) &&
      (t.alphaGrad === undefined || lengthOf(t.alphaGrad) === slopes!.values.length)
    );
  };
  let budget = JS_SLICE;
  await nextTurn();
  for (let k = 0; k < tasks.length; k++) {
    const t = tasks[k];
    const n = lengths[k];
    const value = backward ? t.dy! : t.x;
    // With a slope gradient, a slice is one of its blocks, summed in block order.
    const grad = t.alphaGrad === undefined ? undefined : new GradSum(rounded[k]!, slopes!.spatial, n);
    // A detached array is skipped, the others done, and the call rejected at the end,
    // as on the native side.
    for (let begin = 0; begin < n && intact(k); ) {
      if (budget <= 0) {
        await nextTurn();
        budget = JS_SLICE;
        continue;
      }
      if (signal !== undefined && isAborted(signal)) throw abortError(reasonOf(signal));
      const end = Math.min(n, begin + (grad?.block ?? budget));
      if (grad !== undefined) grad.add(t.element, t.dy!, t.x, t.out, begin, end);
      else if (slopes !== undefined) runSlopesJs(t.element, backward, t.x, value, t.out, rounded[k]!, slopes.spatial, begin, end);
      else runJs(t.element, backward, t.x, value, t.out, alphas[k], begin, end);
      budget -= end - begin;
      begin = end;
    }
    if (grad !== undefined && intact(k)) grad.writeTo(t.alphaGrad!);
  }
  for (let k = 0; k < tasks.length; k++) if (!intact(k)) throw detachedWhileInUse();
}
