// The three call checks, each running the contract's stages in order over all its
// arguments: types, detached buffers, alpha's range, lengths, overlaps. Each returns
// the checked views or throws a Node-style error, having touched nothing. Once the
// options are read (options.ts) and a batch's lists copied, no user code runs.
import { dyLength, notArray, outListLength, tooManyArrays } from './errors';
import { lengthOf } from './intrinsics';
import { checkNotDetached, checkOutType, checkSameElement, classify, dataOf, Element, viewOf } from './kinds';
import type { Data, FloatArray, Operand } from './kinds';
import { alphaInRange, readOptions } from './options';
import type { RawOptions } from './options';
import { checkBatchDisjoint, checkOutRange } from './spans';

/** The most arrays one call takes, as the native binding (native/call_args.h, kMaxTasks). */
export const MAX_ARRAYS = 2 ** 20;

/** What the kernels see (16-bit data as bits), and what the call returns. */
export interface ForwardCall {
  x: Data;
  out: Data;
  result: FloatArray;
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
  const xBits = dataOf(data);
  return { x: xBits, out: y === data ? xBits : dataOf(y), result: y, element: x.element, alpha: o.alpha, signal: o.signal };
}

export interface BackwardCall extends ForwardCall {
  dy: Data;
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
  const dyBits = dataOf(dyData);
  const xBits = xData === dyData ? dyBits : dataOf(xData);
  const dxBits = dx === dyData ? dyBits : dx === xData ? xBits : dataOf(dx);
  return { dy: dyBits, x: xBits, out: dxBits, result: dx, element: x.element, alpha: o.alpha, signal: o.signal };
}

export interface BatchCall {
  xs: Data[];
  outs: Data[];
  results: FloatArray[];
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
  const seen = new Set<Element>();
  for (let i = 0; i < n; i++) seen.add((elements[i] = ops[i].element));
  if (n === 0) seen.add(Element.F64);
  for (const element of seen) alphaInRange(o.alpha, element);
  const views: FloatArray[] = new Array(n);
  const targets: FloatArray[] = new Array(n);
  for (let i = 0; i < n; i++) {
    views[i] = viewOf(ops[i]);
    targets[i] = outs[i] ?? views[i];
    if (targets[i] !== views[i]) checkOutRange(targets[i], views[i], ops[i].name);
  }
  checkBatchDisjoint(views, targets);
  const xs = views.map(dataOf);
  const outBits = targets.map((t, i) => (t === views[i] ? xs[i] : dataOf(t)));
  return { xs, outs: outBits, results: targets, elements, alpha: o.alpha, signal: o.signal };
}
