// The pure-JS kernels for 16-bit floats, on their bits (Uint16Array): the same bits as
// the native kernels. The scaled value of every input, S[b] = T(alphaT * b), is either
// computed per element or, for long arrays, looked up in tables of all 65,536 inputs
// made once per (type, alpha) and kept for the next calls: the scaled values, for
// backward, and the forward results themselves (select included), so that forward is
// one lookup per element. The select is branch-free: on random signs a branch
// mispredicts half the time.
import { Half, positiveLimit, toHalf, valuesOf } from './half';

/**
 * From this many elements a call makes the table (~65,536 conversions, ~0.3 ms) rather
 * than converting each element, whose cost it then saves on every element.
 */
const TABLE_MIN = 32768;
const TABLES_KEPT = 4;
interface Tables {
  scaled: Uint16Array;
  forward: Uint16Array;
}
const tables = new Map<string, Tables>();

function tablesOf(half: Half, alpha: number, n: number): Tables | undefined {
  // String(-0) is '0': the two zeros give different results (-1 * 0 = -0, -1 * -0 = +0).
  const key = `${half}:${Object.is(alpha, -0) ? '-0' : alpha}`;
  const kept = tables.get(key);
  if (kept !== undefined || n < TABLE_MIN) return kept;
  const values = valuesOf(half);
  const limit = positiveLimit(half);
  const scaled = new Uint16Array(65536);
  const forward = new Uint16Array(65536);
  for (let b = 0; b < 65536; b++) {
    scaled[b] = toHalf(alpha * values[b], half);
    forward[b] = (b - 1) >>> 0 < limit ? b : scaled[b];
  }
  if (tables.size >= TABLES_KEPT) tables.delete(tables.keys().next().value as string);
  const made = { scaled, forward };
  tables.set(key, made);
  return made;
}

/** out[i] = gate[i] > 0 ? value[i] : T(alpha * value[i]) over [begin, end); forward passes x twice. */
export function select16(
  gate: Uint16Array,
  value: Uint16Array,
  out: Uint16Array,
  alpha: number,
  half: Half,
  begin: number,
  end: number,
): void {
  const limit = positiveLimit(half);
  const made = tablesOf(half, alpha, end - begin);
  if (made !== undefined && gate === value) {
    const forward = made.forward;
    for (let i = begin; i < end; i++) out[i] = forward[value[i]];
    return;
  }
  if (made !== undefined) {
    const table = made.scaled;
    for (let i = begin; i < end; i++) {
      const v = value[i];
      // All ones where gate > 0: bits 1 .. +Infinity are exactly the values > 0.
      const keep = -((gate[i] - 1) >>> 0 < limit);
      out[i] = (v & keep) | (table[v] & ~keep);
    }
    return;
  }
  const values = valuesOf(half);
  for (let i = begin; i < end; i++) {
    const v = value[i];
    const keep = -((gate[i] - 1) >>> 0 < limit);
    out[i] = (v & keep) | (toHalf(alpha * values[v], half) & ~keep);
  }
}
