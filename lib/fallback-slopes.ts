// The pure-JS kernels for per-channel slopes: the scalar-alpha kernels over each
// channel's runs, and the backward pass that also sums the slope gradient, block by
// block in the order of slope-order.ts (the native bits). Slopes come rounded to the
// element type (kernelAlpha). Loops carry the channel and the slot along: no division
// per element.
import { toHalf, valuesOf } from './half';
import { Element, halfOf, isHalf } from './kinds';
import type { Data } from './kinds';
import { runJs } from './run-js';
import { blockLength, patternLength, RUN_SLOTS, RUN_SLOTS_MIN_SPATIAL } from './slope-order';

/** Runs shorter than this go element by element: a kernel call per run would cost more. */
const RUN_MIN = 16;

/**
 * One element: out[i] = x[i] > 0 ? value[i] : slope * value[i], and the gradient's
 * product dy * x for a non-positive x (else 0, which the caller skips). A positive
 * element keeps its bits; a float32/float64 product is rounded once by the store, a
 * 16-bit one to float32 and then to the type (toHalf), as the kernels do. Both factors
 * are read before out[i] is written: out may be dy or x itself.
 */
type Step = (x: Data, value: Data, out: Data, i: number, slope: number) => number;

function stepOf(element: Element): Step {
  if (!isHalf(element)) {
    return (x, value, out, i, slope) => {
      const g = x[i], v = value[i];
      if (g > 0) {
        out[i] = v;
        return 0;
      }
      out[i] = slope * v;
      return v * g;
    };
  }
  const half = halfOf(element);
  const values = valuesOf(half);
  return (x, value, out, i, slope) => {
    const g = values[x[i]], bits = value[i];
    if (g > 0) {
      out[i] = bits;
      return 0;
    }
    const v = values[bits];
    out[i] = toHalf(slope * v, half);
    return v * g;
  };
}

/** out = x > 0 ? value : slope * value over [begin, end), each element with its channel's slope. */
export function runSlopesJs(
  element: Element,
  backward: boolean,
  x: Data,
  value: Data,
  out: Data,
  slopes: Float64Array,
  spatial: number,
  begin: number,
  end: number,
): void {
  const channels = slopes.length;
  let c = Math.floor(begin / spatial) % channels;
  let s = begin % spatial;
  if (spatial >= RUN_MIN || channels === 1) {
    for (let i = begin; i < end; ) {
      const m = Math.min(end - i, spatial - s);
      runJs(element, backward, x, value, out, slopes[c], i, i + m);
      i += m;
      s = 0;
      if (++c === channels) c = 0;
    }
    return;
  }
  const step = stepOf(element);
  for (let i = begin; i < end; i++) {
    step(x, value, out, i, slopes[c]);
    if (++s === spatial) {
      s = 0;
      if (++c === channels) c = 0;
    }
  }
}

/**
 * The slope gradient of data of `length` elements in the fixed order: blocks (`block`
 * elements each, the last maybe shorter) added one after the other, in block order,
 * each block's channel sums to the total (from +0). The JS backend's async slices are
 * these blocks too.
 */
export class GradSum {
  readonly block: number;
  private readonly total: Float64Array;
  private readonly sums: Float64Array;

  constructor(private readonly slopes: Float64Array, private readonly spatial: number, length: number) {
    this.total = new Float64Array(slopes.length);
    this.sums = new Float64Array(slopes.length);
    this.block = blockLength(length, slopes.length, spatial);
  }

  /** dx over the block [begin, end), which must be the next one, and its sums. */
  add(element: Element, dy: Data, x: Data, dx: Data, begin: number, end: number): void {
    gradBlock(element, dy, x, dx, this.slopes, this.spatial, begin, end, this.sums);
    for (let c = 0; c < this.total.length; c++) this.total[c] += this.sums[c];
  }

  /** Writes the total into alphaGrad, NaNs as canonicalNaNs writes them. */
  writeTo(alphaGrad: Float64Array): void {
    alphaGrad.set(canonicalNaNs(this.total));
  }
}

/** dx over the whole data, and alphaGrad in the fixed order (GradSum). */
export function backwardWithGradJs(
  element: Element,
  dy: Data,
  x: Data,
  dx: Data,
  slopes: Float64Array,
  spatial: number,
  length: number,
  alphaGrad: Float64Array,
): void {
  const grad = new GradSum(slopes, spatial, length);
  for (let begin = 0; begin < length; begin += grad.block) {
    grad.add(element, dy, x, dx, begin, Math.min(length, begin + grad.block));
  }
  grad.writeTo(alphaGrad);
}

/**
 * A NaN sum's bits depend on the operand order of its NaN adds (the compiler's, the
 * CPU's): every NaN is written as the NaN literal (0x7FF8000000000000), as the native
 * side writes it, so that the bits agree everywhere.
 */
function canonicalNaNs(values: Float64Array): Float64Array {
  for (let c = 0; c < values.length; c++) if (values[c] !== values[c]) values[c] = NaN;
  return values;
}

/**
 * One block [begin, end) (it starts on a unit of slope-order.ts): dx, and each
 * channel's block sum into sums: +0, then its slots in increasing index (+0 for a
 * channel with no element in the block). A slot starts at +0 and adds its elements'
 * products in index order.
 */
function gradBlock(
  element: Element,
  dy: Data,
  x: Data,
  dx: Data,
  slopes: Float64Array,
  spatial: number,
  begin: number,
  end: number,
  sums: Float64Array,
): void {
  const channels = slopes.length;
  const step = stepOf(element);
  sums.fill(0);
  if (spatial < RUN_SLOTS_MIN_SPATIAL) {
    // Period regime: element i adds to slot i % L; a block starts at a multiple of L.
    const period = channels * spatial;
    const l = patternLength(period);
    const slots = new Float64Array(l);
    let c = 0, s = 0, slot = 0;
    for (let i = begin; i < end; i++) {
      // A positive x's +0 changes no slot: a slot from +0 never becomes -0.
      slots[slot] += step(x, dy, dx, i, slopes[c]);
      if (++slot === l) slot = 0;
      if (++s === spatial) {
        s = 0;
        if (++c === channels) c = 0;
      }
    }
    slot = 0;
    for (let q = 0; q < l / period; q++) {
      for (c = 0; c < channels; c++) {
        for (s = 0; s < spatial; s++) sums[c] += slots[slot++];
      }
    }
    return;
  }
  // Run regime: element s of a run adds to its channel's slot s % 32; a block starts
  // on a run and touches at most C channels, consecutive modulo C.
  const runs = (end - begin) / spatial;
  const touched = Math.min(channels, runs);
  const slots = new Float64Array(touched * RUN_SLOTS);
  const first = Math.floor(begin / spatial) % channels;
  let c = first, t = 0;
  for (let r = 0, i = begin; r < runs; r++) {
    const base = t * RUN_SLOTS;
    for (let s = 0, lane = 0; s < spatial; s++, i++) {
      slots[base + lane] += step(x, dy, dx, i, slopes[c]);
      if (++lane === RUN_SLOTS) lane = 0;
    }
    if (++c === channels) c = 0;
    if (++t === touched) t = 0;
  }
  c = first;
  for (t = 0; t < touched; t++) {
    for (let l = 0; l < RUN_SLOTS; l++) sums[c] += slots[t * RUN_SLOTS + l];
    if (++c === channels) c = 0;
  }
}
