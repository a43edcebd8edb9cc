// Views at every element offset and length: the kernels must respect byteOffset and
// length exactly (heads, SIMD main loops, masked tails), never write a byte outside
// the view, and give the reference's bits.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluBackward } from '../lib/index';
import { firstBitDifference } from './helpers/bits';
import { guardDamage, guardedView } from './helpers/guarded';
import { dtypes } from './helpers/arrays';
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

type Name = 'x' | 'dy' | 'out';

/** One call path: the arrays it takes, where they sit and what they hold before, the call, and what it writes. */
interface Operation {
  /** Each array's offset (0: the test's offset, k: otherOffset(off, k)) and what it holds before the call. */
  arrays: Partial<Record<Name, { at: number; holds: 'x' | 'dy' | 'y' }>>;
  call: (v: Record<Name, FloatArray>, alpha: number) => FloatArray;
  /** The array the call writes and must return, and the result it must then hold. */
  into: Name;
  expected: 'y' | 'dx';
}

const operations: Record<string, Operation> = {
  'forward in place': {
    arrays: { x: { at: 0, holds: 'x' } },
    call: (v, alpha) => leakyRelu(v.x, alpha),
    into: 'x',
    expected: 'y',
  },
  'forward into out': {
    arrays: { x: { at: 0, holds: 'x' }, out: { at: 1, holds: 'dy' } },
    call: (v, alpha) => leakyRelu(v.x, { alpha, out: v.out }),
    into: 'out',
    expected: 'y',
  },
  'backward into dy': {
    arrays: { dy: { at: 0, holds: 'dy' }, x: { at: 1, holds: 'x' } },
    call: (v, alpha) => leakyReluBackward(v.dy, v.x, alpha),
    into: 'dy',
    expected: 'dx',
  },
  'backward into out': {
    arrays: { dy: { at: 1, holds: 'dy' }, x: { at: 2, holds: 'x' }, out: { at: 0, holds: 'y' } },
    call: (v, alpha) => leakyReluBackward(v.dy, v.x, { alpha, out: v.out }),
    into: 'out',
    expected: 'dx',
  },
  'backward in place onto x (out === x)': {
    arrays: { dy: { at: 1, holds: 'dy' }, x: { at: 0, holds: 'x' } },
    call: (v, alpha) => leakyReluBackward(v.dy, v.x, { alpha, out: v.x }),
    into: 'x',
    expected: 'dx',
  },
};

/** Runs `op` on guarded views of case `c` at offset `off`: what it returned, wrote and damaged, if wrong. */
function runOperation(op: Operation, Ctor: FloatCtor, c: Case, off: number): string[] {
  const entries = Object.entries(op.arrays) as [Name, { at: number; holds: 'x' | 'dy' | 'y' }][];
  const guarded = {} as Record<Name, Guarded<FloatArray>>;
  const views = {} as Record<Name, FloatArray>;
  for (const [name, { at, holds }] of entries) {
    guarded[name] = guardedView(Ctor, at === 0 ? off : otherOffset(off, at), c[holds]);
    views[name] = guarded[name].view;
  }
  const result = op.call(views, c.alpha);
  return [
    ...(result === views[op.into] ? [] : [`did not return ${op.into}`]),
    ...problems(op.into, guarded[op.into], c[op.expected]),
    ...entries
      .filter(([name]) => name !== op.into)
      .flatMap(([name, { holds }]) => problems(`${name} (unchanged)`, guarded[name], c[holds])),
  ];
}

describe.each(dtypes)('$name', ({ Ctor }) => {
  describe.each(Object.entries(operations))('%s', (_, operation) => {
    test.each(OFFSETS)('view at element offset %i, lengths 0..300', (off) => {
      const failures: string[] = [];
      for (const n of SMALL_LENGTHS) {
        const c = caseOf(Ctor, n);
        for (const p of runOperation(operation, Ctor, c, off)) failures.push(`length ${n} (alpha ${c.alpha}): ${p}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    test.each(LARGE)('length $n', ({ n, offsets }) => {
      const c = caseOf(Ctor, n);
      const failures = offsets.flatMap((off) => runOperation(operation, Ctor, c, off).map((p) => `offset ${off}: ${p}`));
      expect(failures).toEqual([]);
    });
  });
});
