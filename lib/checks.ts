// The three call checks, each running the contract's stages in order over all its
// arguments: types, detached buffers, alpha's range, lengths, overlaps. Each returns
// the checked views or throws a Node-style error, having touched nothing. Once the
// options are read (options.ts) and a batch's lists copied, no user code runs.
import { dyLength, notArray, outListLength, tooManyArrays } from './errors';
import { lengthOf } from './intrinsics';
import { checkNotDetached, checkOutType, checkSameElement, classify, Element, viewOf } from './kinds';
import type { FloatArray, Operand } from './kinds';
import { alphaInRange, readOptions } from './options';
import type { RawOptions } from './options';
import { checkBatchDisjoint, checkOutRange } from './spans';

/** The most arrays one call takes, as the native binding (native/call_args.h, kMaxTasks). */
export const MAX_ARRAYS = 2 ** 20;

export interface ForwardCall {
  x: FloatArray;
  out: FloatArray;
  element: Element;
  alpha: number;
  signal: AbortSignal | undefined;
}

export function checkForward(xValue: unknown, o: RawOptions): ForwardCall {
  const x = classify(xValue, 'x', o.dtype);
  const out = o.out === undefined ? undefined : checkOutType(o.out, x);
  checkNotDetached(x.value, x.raw, 'x');
  if (out !== undefined) checkNotDetached(out, false, 'out');
  alphaInRange(o.alpha, x.element);
  const data = viewOf(x);
  const y = out ?? data;
  if (y !== data) checkOutRange(y, data, 'x');
  return { x: data, out: y, element: x.element, alpha: o.alpha, signal: o.signal };
}

export interface BackwardCall extends ForwardCall {
  dy: FloatArray;
}

export function checkBackward(dyValue: unknown, xValue: unknown, o: RawOptions): BackwardCall {
  const dy = classify(dyValue, 'dy', o.dtype);
  const x = classify(xValue, 'x', o.dtype);
  checkSameElement(dy, x);
  const out = o.out === undefined ? undefined : checkOutType(o.out, x);
  checkNotDetached(dy.value, dy.raw, 'dy');
  checkNotDetached(x.value, x.raw, 'x');
  if (out !== undefined) checkNotDetached(out, false, 'out');
  alphaInRange(o.alpha, x.element);
  const dyData = viewOf(dy);
  const xData = viewOf(x);
  if (lengthOf(dyData) !== lengthOf(xData)) throw dyLength(lengthOf(dyData), lengthOf(xData));
  const dx = out ?? dyData;
  if (dx !== dyData) checkOutRange(dx, dyData, 'dy');
  checkOutRange(dx, xData, 'x');
  return { dy: dyData, x: xData, out: dx, element: x.element, alpha: o.alpha, signal: o.signal };
}

export interface BatchCall {
  xs: FloatArray[];
  outs: FloatArray[];
  elements: Element[];
  alpha: number;
  signal: AbortSignal | undefined;
}

/**
 * A copy of a list's elements, read once each: a getter on an element (or a Proxy's
 * trap) runs here, before any check, and cannot change what was checked.
 */
function copyList(list: unknown, subject: string): unknown[] {
  if (!Array.isArray(list)) throw notArray(subject, list);
  const n = list.length;
  if (n > MAX_ARRAYS) throw tooManyArrays(MAX_ARRAYS, n);
  const copy = new Array<unknown>(n);
  for (let i = 0; i < n; i++) copy[i] = list[i];
  return copy;
}

/**
 * A batch is checked whole, stage by stage over all its arrays, so a bad element
 * anywhere rejects the batch before any array is touched. Arrays may mix float32 and
 * float64; raw buffers are read with the batch's dtype.
 */
export function checkBatch(xsValue: unknown, opts: unknown): BatchCall {
  const list = copyList(xsValue, 'The "xs" argument');
  const o = readOptions(opts);
  const outList = o.out === undefined ? undefined : copyList(o.out, 'The "out" option of a batch');
  const n = list.length;
  const ops: Operand[] = new Array(n);
  const outs: (FloatArray | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    ops[i] = classify(list[i], `xs[${i}]`, o.dtype);
    const out = outList?.[i];
    outs[i] = out === undefined ? undefined : checkOutType(out, ops[i], `out[${i}]`);
  }
  for (let i = 0; i < n; i++) {
    checkNotDetached(ops[i].value, ops[i].raw, ops[i].name);
    const out = outs[i];
    if (out !== undefined) checkNotDetached(out, false, `out[${i}]`);
  }
  if (outList !== undefined && outList.length !== n) {
    throw outListLength(n, outList.length);
  }
  const elements: Element[] = new Array(n);
  let hasF32 = false, hasF64 = false;
  for (let i = 0; i < n; i++) {
    elements[i] = ops[i].element;
    if (elements[i] === Element.F32) hasF32 = true;
    else hasF64 = true;
  }
  if (hasF32) alphaInRange(o.alpha, Element.F32);
  if (hasF64 || n === 0) alphaInRange(o.alpha, Element.F64);
  const xs: FloatArray[] = new Array(n);
  const targets: FloatArray[] = new Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = viewOf(ops[i]);
    targets[i] = outs[i] ?? xs[i];
    if (targets[i] !== xs[i]) checkOutRange(targets[i], xs[i], ops[i].name);
  }
  checkBatchDisjoint(xs, targets);
  return { xs, outs: targets, elements, alpha: o.alpha, signal: o.signal };
}
