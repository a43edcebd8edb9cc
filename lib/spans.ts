// Memory geometry of checked views: whether an output partly overlaps an input, and
// whether any output of a batch overlaps another array of it. Views of different
// buffer objects count as disjoint here; the native binding compares real addresses.
import { batchOverlap, outLength, partialOverlap } from './errors';
import { bufferOf, byteLengthOf, byteOffsetOf, lengthOf } from './intrinsics';
import type { FloatArray } from './kinds';

/** Whether a and b share bytes without being exactly the same range. */
function partlyOverlaps(a: FloatArray, b: FloatArray): boolean {
  if (bufferOf(a) !== bufferOf(b)) return false;
  const aBytes = byteLengthOf(a), bBytes = byteLengthOf(b);
  if (aBytes === 0 || bBytes === 0) return false;
  const a0 = byteOffsetOf(a), b0 = byteOffsetOf(b);
  if (a0 === b0 && aBytes === bBytes) return false;
  return a0 < b0 + bBytes && b0 < a0 + aBytes;
}

/** `out` must have the input's length (the lengths stage)... */
export function checkOutLength(out: FloatArray, input: FloatArray, name: string): void {
  const n = lengthOf(input), m = lengthOf(out);
  if (m !== n) throw outLength(name, n, m);
}

/** ... and be either the input's exact memory or none of it (the overlaps stage). */
export function checkNoPartialOverlap(out: FloatArray, input: FloatArray, name: string): void {
  if (partlyOverlaps(out, input)) throw partialOverlap(name);
}

interface Span {
  begin: number;
  end: number;
  task: number;
  write: boolean;
}

/**
 * The arrays of a batch run in parallel, so an output must not overlap any other
 * array of the batch (its own input, exactly, is fine). Sorted by offset within each
 * buffer: O(n log n) for large batches.
 */
export function checkBatchDisjoint(xs: readonly FloatArray[], outs: readonly FloatArray[]): void {
  const byBuffer = new Map<ArrayBufferLike, Span[]>();
  const add = (v: FloatArray, task: number, write: boolean): void => {
    const bytes = byteLengthOf(v);
    if (bytes === 0) return;
    const buffer = bufferOf(v);
    let spans = byBuffer.get(buffer);
    if (spans === undefined) byBuffer.set(buffer, (spans = []));
    const begin = byteOffsetOf(v);
    spans.push({ begin, end: begin + bytes, task, write });
  };
  for (let i = 0; i < xs.length; i++) {
    add(xs[i], i, outs[i] === xs[i]);
    if (outs[i] !== xs[i]) add(outs[i], i, true);
  }
  for (const spans of byBuffer.values()) {
    if (spans.length < 2) continue;
    spans.sort((a, b) => a.begin - b.begin);
    // Sweep in order of begin: a span collides with an earlier span of another task
    // that ends after it begins, where either of the two is written.
    const anySpan = new FurthestEnd();
    const writeSpan = new FurthestEnd();
    for (const s of spans) {
      const limit = s.write ? anySpan.excluding(s.task) : writeSpan.excluding(s.task);
      if (limit > s.begin) {
        throw batchOverlap();
      }
      anySpan.add(s.end, s.task);
      if (s.write) writeSpan.add(s.end, s.task);
    }
  }
}

/** The furthest end seen, and the furthest among the other tasks than that one's. */
class FurthestEnd {
  private end = -1;
  private task = -1;
  private otherEnd = -1;

  add(end: number, task: number): void {
    if (task === this.task) {
      if (end > this.end) this.end = end;
    } else if (end > this.end) {
      this.otherEnd = this.end;
      this.end = end;
      this.task = task;
    } else if (end > this.otherEnd) {
      this.otherEnd = end;
    }
  }

  /** The furthest end among spans of tasks other than `task`. */
  excluding(task: number): number {
    return task === this.task ? this.otherEnd : this.end;
  }
}
