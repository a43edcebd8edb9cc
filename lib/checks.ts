// The three call checks, each running the contract's stages in order over all its
// arguments: types, detached buffers, alpha's range, lengths, overlaps. Each returns
// the checked views or throws a Node-style error, having touched nothing. Once the
// options are read (options.ts) and a batch's lists copied, no user code runs.
import { dyLength, notArray, outListLength, tooManyArrays } from './errors';
import { lengthOf } from './intrinsics';
import { checkNotDetached, checkOutType, checkSameElement, classify, dataOf, Element, viewOf } from './kinds';
import type { Data, FloatArray, Operand } from './kinds';
import { alphaInRange, readOptions } from './options';
import type { RawOptions, Slopes } from './options';
import { checkAlphaGradApart, checkAlphaGradType, checkPeriods, checkSlopesNotDetached, checkSlopeValues } from './slopes';
import { checkBatchDisjoint, checkNoPartialOverlap, checkOutLength } from './spans';

/** The most arrays one call takes, as the native binding (native/call_args.h, kMaxTasks). */
export const MAX_ARRAYS = 2 ** 20;

/** What the kernels see (16-bit data as bits), and what the call returns. */
export interface ForwardCall {
  x: Data;
  out: Data;
  result: FloatArray;
  element: Element;
  alpha: number;
  /** Per-channel slopes, which replace alpha. */
  slopes: Slopes | undefined;
  signal: AbortSignal | undefined;
}

/** alpha's range, or the slopes' values (stage 3), for data of `element`. */
function checkAlphaValue(o: RawOptions, element: Element): void {
  if (o.slopes === undefined) alphaInRange(o.alpha, element);
  else checkSlopeValues(o.slopes, [element]);
}

export function checkForward(xValue: unknown, o: RawOptions): ForwardCall {
  const x = classify(xValue, 'x', o.dtype);
  const out = o.out === undefined ? undefined : checkOutType(o.out, x);
  checkNotDetached(x.value, x.raw, 'x');
  if (out !== undefined) checkNotDetached(out, false, 'out');
  if (o.slopes !== undefined) checkSlopesNotDetached(o.slopes, undefined);
  checkAlphaValue(o, x.element);
  const data = viewOf(x);
  const y = out ?? data;
  if (y !== data) checkOutLength(y, data, 'x');
  if (o.slopes !== undefined) checkPeriods(o.slopes, lengthOf(data), 'x');
  if (y !== data) checkNoPartialOverlap(y, data, 'x');
  const xBits = dataOf(data);
  return {
    x: xBits,
    out: y === data ? xBits : dataOf(y),
    result: y,
    element: x.element,
    alpha: o.alpha,
    slopes: o.slopes,
    signal: o.signal,
  };
}

export interface BackwardCall extends ForwardCall {
  dy: Data;
  /** Where the slope gradient goes (with slopes only). */
  alphaGrad: Float64Array | undefined;
}

export function checkBackward(dyValue: unknown, xValue: unknown, o: RawOptions): BackwardCall {
  const dy = classify(dyValue, 'dy', o.dtype);
  const x = classify(xValue, 'x', o.dtype);
  checkSameElement(dy, x);
  const out = o.out === undefined ? undefined : checkOutType(o.out, x);
  const alphaGrad = o.alphaGrad === undefined ? undefined : checkAlphaGradType(o.alphaGrad);
  checkNotDetached(dy.value, dy.raw, 'dy');
  checkNotDetached(x.value, x.raw, 'x');
  if (out !== undefined) checkNotDetached(out, false, 'out');
  if (o.slopes !== undefined) checkSlopesNotDetached(o.slopes, alphaGrad);
  checkAlphaValue(o, x.element);
  const dyData = viewOf(dy);
  const xData = viewOf(x);
  if (lengthOf(dyData) !== lengthOf(xData)) throw dyLength(lengthOf(dyData), lengthOf(xData));
  const dx = out ?? dyData;
  checkOutLength(dx, xData, 'dy');
  if (o.slopes !== undefined) checkPeriods(o.slopes, lengthOf(dyData), 'dy', alphaGrad);
  if (dx !== dyData) checkNoPartialOverlap(dx, dyData, 'dy');
  checkNoPartialOverlap(dx, xData, 'x');
  if (alphaGrad !== undefined) checkAlphaGradApart(alphaGrad, [['dy', dyData], ['x', xData], ['out', dx]]);
  const dyBits = dataOf(dyData);
  const xBits = xData === dyData ? dyBits : dataOf(xData);
  const dxBits = dx === dyData ? dyBits : dx === xData ? xBits : dataOf(dx);
  return {
    dy: dyBits,
    x: xBits,
    out: dxBits,
    result: dx,
    element: x.element,
    alpha: o.alpha,
    slopes: o.slopes,
    alphaGrad,
    signal: o.signal,
  };
}

export interface BatchCall {
  xs: Data[];
  outs: Data[];
  results: FloatArray[];
  elements: Element[];
  alpha: number;
  slopes: Slopes | undefined;
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
  if (o.slopes !== undefined) checkSlopesNotDetached(o.slopes, undefined);
  const elements: Element[] = new Array(n);
  const seen = new Set<Element>();
  for (let i = 0; i < n; i++) seen.add((elements[i] = ops[i].element));
  if (n === 0) seen.add(Element.F64);
  if (o.slopes === undefined) for (const element of seen) alphaInRange(o.alpha, element);
  else checkSlopeValues(o.slopes, seen);
  const views: FloatArray[] = new Array(n);
  const targets: FloatArray[] = new Array(n);
  for (let i = 0; i < n; i++) {
    views[i] = viewOf(ops[i]);
    targets[i] = outs[i] ?? views[i];
    if (targets[i] !== views[i]) checkOutLength(targets[i], views[i], ops[i].name);
    if (o.slopes !== undefined) checkPeriods(o.slopes, lengthOf(views[i]), ops[i].name);
    if (targets[i] !== views[i]) checkNoPartialOverlap(targets[i], views[i], ops[i].name);
  }
  checkBatchDisjoint(views, targets);
  const xs = views.map(dataOf);
  const outBits = targets.map((t, i) => (t === views[i] ? xs[i] : dataOf(t)));
  return { xs, outs: outBits, results: targets, elements, alpha: o.alpha, slopes: o.slopes, signal: o.signal };
}
