// Views at every element offset and length: the kernels must respect byteOffset and
// length exactly (heads, SIMD main loops, masked tails), never write a byte outside
// the view, and give the reference's bits.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluBackward } from '../lib/index';
import { firstBitDifference } from './helpers/bits';
import { guardDamage, guardedView } from './helpers/guarded';
import type { FloatCtor } from './helpers/arrays';
import type { Guarded } from './helpers/guarded';
import { mixedData } from './helpers/random';
import { referenceBackward, referenceForward } from './helpers/reference';
import type { FloatArray } from './helpers/reference';

const OFFSETS = Array.from({ length: 18 }, (_, i) => i);
const SMALL_LENGTHS = Array.from({ length: 301 }, (_, i) => i);
// Large arrays cost tens of milliseconds per call to check: a few offsets suffice there.
const LARGE = [
  { n: 65536 + 7, offsets: [0, 3, 17] },
  { n: (1 << 20) + 3, offsets: [1] },
];
// Never 1: a kernel that rewrote a guard would then leave it unchanged.
const ALPHAS = [0.2, -0.75, 3, 0, 1e-3, -2.5, 0.1];

/** The offset of a second or third array: varies its alignment relative to the first. */
const otherOffset = (off: number, k: number) => (off * 7 + 5 * k) % 18;

interface Case {
  n: number;
  alpha: number;
  x: FloatArray;
  dy: FloatArray;
  y: FloatArray;
  dx: FloatArray;
}

const dtypes = [
  { name: 'float32', Ctor: Float32Array as FloatCtor },
  { name: 'float64', Ctor: Float64Array as FloatCtor },
];

// The data and expected results per length, made once and shared by every offset and operation.
const caseCache = new Map<string, Case>();
function caseOf(Ctor: FloatCtor, n: number): Case {
  const key = `${Ctor.name}:${n}`;
  let c = caseCache.get(key);
  if (c === undefined) {
    const seed = n * 2 + (Ctor === Float32Array ? 0 : 1);
    const x = mixedData<FloatArray>(Ctor, n, 1000 + seed);
    const dy = mixedData<FloatArray>(Ctor, n, 5000 + seed);
    const alpha = ALPHAS[n % ALPHAS.length];
    c = { n, alpha, x, dy, y: referenceForward(x, alpha), dx: referenceBackward(dy, x, alpha) };
    caseCache.set(key, c);
  }
  return c;
}

/** Every problem with a guarded array after a call: wrong contents, damaged guards. */
function problems(label: string, g: Guarded<FloatArray>, expected: FloatArray): string[] {
  const found: string[] = [];
  const difference = firstBitDifference(g.view, expected);
  if (difference !== null) found.push(`${label}: ${difference}`);
  const damage = guardDamage(g);
  if (damage !== null) found.push(`${label}: ${damage}`);
  return found;
}

type Operation = (Ctor: FloatCtor, c: Case, off: number) => string[];

const operations: Record<string, Operation> = {
  'forward in place': (Ctor, c, off) => {
    const x = guardedView(Ctor, off, c.x);
    const result = leakyRelu(x.view, c.alpha);
    return [...(result === x.view ? [] : ['did not return x']), ...problems('x', x, c.y)];
  },
  'forward into out': (Ctor, c, off) => {
    const x = guardedView(Ctor, off, c.x);
    const out = guardedView(Ctor, otherOffset(off, 1), c.dy);
    const result = leakyRelu(x.view, { alpha: c.alpha, out: out.view });
    return [
      ...(result === out.view ? [] : ['did not return out']),
      ...problems('out', out, c.y),
      ...problems('x (unchanged)', x, c.x),
    ];
  },
  'backward into dy': (Ctor, c, off) => {
    const dy = guardedView(Ctor, off, c.dy);
    const x = guardedView(Ctor, otherOffset(off, 1), c.x);
    const result = leakyReluBackward(dy.view, x.view, c.alpha);
    return [
      ...(result === dy.view ? [] : ['did not return dy']),
      ...problems('dy', dy, c.dx),
      ...problems('x (unchanged)', x, c.x),
    ];
  },
  'backward into out': (Ctor, c, off) => {
    const dy = guardedView(Ctor, otherOffset(off, 1), c.dy);
    const x = guardedView(Ctor, otherOffset(off, 2), c.x);
    const out = guardedView(Ctor, off, c.y);
    const result = leakyReluBackward(dy.view, x.view, { alpha: c.alpha, out: out.view });
    return [
      ...(result === out.view ? [] : ['did not return out']),
      ...problems('out', out, c.dx),
      ...problems('dy (unchanged)', dy, c.dy),
      ...problems('x (unchanged)', x, c.x),
    ];
  },
  'backward in place onto x (out === x)': (Ctor, c, off) => {
    const dy = guardedView(Ctor, otherOffset(off, 1), c.dy);
    const x = guardedView(Ctor, off, c.x);
    const result = leakyReluBackward(dy.view, x.view, { alpha: c.alpha, out: x.view });
    return [
      ...(result === x.view ? [] : ['did not return x']),
      ...problems('x', x, c.dx),
      ...problems('dy (unchanged)', dy, c.dy),
    ];
  },
};

describe.each(dtypes)('$name', ({ Ctor }) => {
  describe.each(Object.entries(operations))('%s', (_, operation) => {
    test.each(OFFSETS)('view at element offset %i, lengths 0..300', (off) => {
      const failures: string[] = [];
      for (const n of SMALL_LENGTHS) {
        const c = caseOf(Ctor, n);
        for (const p of operation(Ctor, c, off)) failures.push(`length ${n} (alpha ${c.alpha}): ${p}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    test.each(LARGE)('length $n', ({ n, offsets }) => {
      const c = caseOf(Ctor, n);
      const failures = offsets.flatMap((off) => operation(Ctor, c, off).map((p) => `offset ${off}: ${p}`));
      expect(failures).toEqual([]);
    });
  });
});
