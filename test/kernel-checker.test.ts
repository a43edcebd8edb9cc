// checkKernels (test/tools/kernel-check.cjs) is all the NEON kernels get under
// qemu-aarch64, and all the x86 kernels get on emulated CPUs, so the checker itself is
// checked here: each binding below has one fault a kernel could really have, and the
// checker must report it. Out-of-range faults wrap the real binding (its kernels run
// on views widened by one element, as an off-by-one loop would) or, on the js project
// where there is none, a pure-JS binding that the control test proves correct.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluBackward } from '../lib/index';
import type { FloatCtor } from './helpers/arrays';
import { loadRawBinding } from './helpers/binding';
import { project } from './helpers/project';
import type { FloatArray } from './helpers/reference';
import { checkAllPatterns, checkKernels, checkSlopes, SLOPE_BLOCK_SHAPES, SLOPE_SHAPES } from './tools/kernel-check.cjs';
import type { CheckedBinding, CheckedSlopesBinding } from './tools/kernel-check.cjs';
import { gradientPlan, naiveSlopeGrad, referenceSlopeGrad } from './tools/slopes-reference.cjs';
import { decodeHalf, halfAlpha, roundToHalf } from './tools/kernel-reference.cjs';
import type { Half } from './tools/kernel-reference.cjs';

/** What a kernel stores for one element: g is x for forward, dy for backward. */
type Rule = (x: number, g: number, alpha: number, f32: boolean) => number;

const correct: Rule = (x, g, alpha, f32) => (x > 0 ? g : (f32 ? Math.fround(alpha) : alpha) * g);

/**
 * How 16-bit data are computed: the rule on the decoded values with alpha as `slope`
 * gives it, as float32 (the rule's own rounding), then `round` takes it to the type.
 */
interface HalfSteps {
  slope: (alpha: number, half: Half) => number;
  round: (v: number, half: Half) => number;
}
const correct16: HalfSteps = { slope: (alpha, half) => decodeHalf(halfAlpha(alpha, half), half), round: roundToHalf };

function jsBinding(rule: Rule, steps: HalfSteps = correct16): CheckedBinding {
  const apply = (x: FloatArray | Uint16Array, g: FloatArray | Uint16Array, alpha: number, out: FloatArray | Uint16Array, half?: Half) => {
    if (half === undefined) {
      for (let i = 0; i < x.length; i++) out[i] = rule(x[i], g[i], alpha, x instanceof Float32Array);
      return;
    }
    const a = steps.slope(alpha, half);
    for (let i = 0; i < x.length; i++) {
      out[i] = steps.round(Math.fround(rule(decodeHalf(x[i], half), decodeHalf(g[i], half), a, true)), half);
    }
  };
  return {
    forward: (x, alpha, out = x, half) => apply(x, x, alpha, out, half),
    backward: (dy, x, alpha, out = dy, half) => apply(x, dy, alpha, out, half),
    // The checker only needs alignment, and a fresh buffer's own start is as good a
    // line boundary as any for a kernel that does not look at addresses.
    addressOf: (a) => a.byteOffset,
  };
}

const real = project.native ? loadRawBinding() : null;
const base: CheckedBinding = real ?? jsBinding(correct);

type Path = 'forward in place' | 'forward into out' | 'backward into out' | 'backward into dy';
const allPaths: Path[] = ['forward in place', 'forward into out', 'backward into out', 'backward into dy'];

/** `faulty` on the paths named, `good` on the others (as a kernel table with one bad entry). */
function onPaths(paths: Path[], faulty: CheckedBinding, good: CheckedBinding = base): CheckedBinding {
  const pick = (p: Path) => (paths.includes(p) ? faulty : good);
  return {
    forward: (x, alpha, out, half) =>
      out === undefined ? pick('forward in place').forward(x, alpha, undefined, half) : pick('forward into out').forward(x, alpha, out, half),
    backward: (dy, x, alpha, out, half) =>
      out === undefined
        ? pick('backward into dy').backward(dy, x, alpha, undefined, half)
        : pick('backward into out').backward(dy, x, alpha, out, half),
    addressOf: (a) => good.addressOf(a),
  };
}

/** The same memory as `a` and `before` elements before it, `after` elements after it. */
function widened<T extends FloatArray | Uint16Array>(a: T, before: number, after: number): T {
  const Ctor = a.constructor as FloatCtor;
  return new Ctor(a.buffer as ArrayBuffer, a.byteOffset - before * a.BYTES_PER_ELEMENT, a.length + before + after) as T;
}

/** `base`'s kernels run over `before` elements too many at the start and `after` at the end, when `when` holds for the output. */
function outOfRange(
  before: number,
  after: number,
  when: (out: FloatArray | Uint16Array) => boolean = () => true,
): CheckedBinding {
  const w = <T extends FloatArray | Uint16Array>(a: T, out: FloatArray | Uint16Array) => (when(out) ? widened(a, before, after) : a);
  // The real binding's arity matters (a 16-bit call carries its type last), so each call keeps the caller's form.
  return {
    forward: (x, alpha, out, half) =>
      half !== undefined
        ? base.forward(w(x, out ?? x), alpha, out === undefined ? undefined : w(out, out), half)
        : out === undefined
          ? base.forward(w(x, x), alpha)
          : base.forward(w(x, out), alpha, w(out, out)),
    backward: (dy, x, alpha, out, half) =>
      half !== undefined
        ? base.backward(w(dy, out ?? dy), w(x, out ?? dy), alpha, out === undefined ? undefined : w(out, out), half)
        : out === undefined
          ? base.backward(w(dy, dy), w(x, dy), alpha)
          : base.backward(w(dy, out), w(x, out), alpha, w(out, out)),
    addressOf: (a) => base.addressOf(a),
  };
}

/** `r` with its float32 rounding done toward zero instead of to nearest. */
function towardZero32(r: number): number {
  const rounded = Math.fround(r);
  if (!(Math.abs(rounded) > Math.abs(r))) return rounded;
  const bits = new Uint32Array(Float32Array.of(rounded).buffer);
  bits[0] -= 1;
  return new Float32Array(bits.buffer)[0];
}

/** `v` rounded to `half` toward zero instead of to nearest even. */
function towardZero16(v: number, half: Half): number {
  const bits = roundToHalf(v, half);
  return Math.abs(decodeHalf(bits, half)) > Math.abs(v) ? bits - 1 : bits;
}

const isSubnormal = (r: number, f32: boolean) => r !== 0 && Math.abs(r) < (f32 ? 2 ** -126 : 2 ** -1022);

const elementFaults: Array<[string, Rule]> = [
  ['float32 with the unrounded double alpha', (x, g, alpha) => (x > 0 ? g : alpha * g)],
  ['float32 product rounded toward zero', (x, g, alpha, f32) => (x > 0 ? g : f32 ? towardZero32(Math.fround(alpha) * g) : alpha * g)],
  ['a NaN result turned into 0', (x, g, alpha, f32) => {
    const r = correct(x, g, alpha, f32);
    return Number.isNaN(r) ? 0 : r;
  }],
  ['every zero result written as +0', (x, g, alpha, f32) => correct(x, g, alpha, f32) + 0],
  ['x >= 0 as the test (the slope at 0, signed zeros)', (x, g, alpha, f32) => (x >= 0 ? g : correct(x, g, alpha, f32))],
  ['subnormal results flushed to zero', (x, g, alpha, f32) => {
    const r = f32 ? Math.fround(correct(x, g, alpha, f32)) : correct(x, g, alpha, f32);
    return isSubnormal(r, f32) ? r * 0 : r;
  }],
  ['max(alpha * x, x), wrong for alpha > 1', (x, g, alpha, f32) => Math.max((f32 ? Math.fround(alpha) : alpha) * g, g)],
];

/** 16-bit faults: right for float32 and float64, wrong for float16 and bfloat16 data only. */
const halfFaults: Array<[string, HalfSteps]> = [
  ['16-bit products rounded toward zero', { ...correct16, round: towardZero16 }],
  ['16-bit data multiplied by the float32 alpha, not alphaT (as PyTorch)', { ...correct16, slope: (alpha) => Math.fround(alpha) }],
  ['16-bit subnormal results flushed to zero', {
    ...correct16,
    round: (v, half) => {
      const bits = roundToHalf(v, half);
      const exponentMask = half === 'float16' ? 0x7c00 : 0x7f80;
      return (bits & exponentMask) === 0 ? bits & 0x8000 : bits;
    },
  }],
];

const on16 = (failure: string) => / (float16|bfloat16) alpha=/.test(failure);

describe('checkKernels catches a faulty kernel', () => {
  test(`control: the ${real ? 'real' : 'pure-JS'} binding passes every check (float32, float64, float16, bfloat16)`, () => {
    expect(checkKernels(base)).toEqual({ passed: 4 * 4 * 4 * 301, failed: 0, failures: [] });
  });

  test.runIf(real !== null)('control: the pure-JS binding the faults below are built on passes too', () => {
    expect(checkKernels(jsBinding(correct))).toMatchObject({ failed: 0 });
  });

  // On float32 and float64 data, where each of these faults shows: the pure-JS 16-bit
  // path costs ~1 s a check, and the 16-bit faults have their own tests below.
  test.each(elementFaults)('%s', (_, rule) => {
    expect(checkKernels(jsBinding(rule), { types: [Float32Array, Float64Array] }).failed).toBeGreaterThan(0);
  });

  test.each(halfFaults)('%s', (_, steps) => {
    const r = checkKernels(jsBinding(correct, steps), { types: ['float16', 'bfloat16'] });
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !on16(f))).toEqual([]);
    // Both types, not only one of them.
    expect(r.failures.some((f) => f.includes(' float16 '))).toBe(true);
    expect(r.failures.some((f) => f.includes(' bfloat16 '))).toBe(true);
  });

  test(`control: the ${real ? 'real' : 'pure-JS'} binding passes every all-patterns check`, () => {
    expect(checkAllPatterns(base)).toEqual({ passed: 2 * 9 * 4, failed: 0, failures: [] });
  });

  test('all patterns: 16-bit products rounded toward zero fail, on every path', () => {
    const r = checkAllPatterns(jsBinding(correct, { ...correct16, round: towardZero16 }), { halves: ['bfloat16'] });
    expect(r.failed).toBeGreaterThan(0);
    for (const path of allPaths) expect(r.failures.some((f) => f.startsWith(`all patterns, ${path} bfloat16`))).toBe(true);
    expect(r.failures[0]).toMatch(/\d+ patterns differ, first index \d+: got .* expected/);
  });

  test('all patterns: a kernel that writes its input (dx computed, then written over x too) fails', () => {
    const writesX: CheckedBinding = {
      ...base,
      backward: (dy, x, alpha, out, half) => {
        base.backward(dy, x, alpha, out, half);
        (x as Uint16Array).set(out ?? dy);
      },
    };
    const r = checkAllPatterns(writesX, { halves: ['float16'] });
    expect(r.failures.filter((f) => f.includes('an input changed')).length).toBe(2 * 9);
  });

  test('one element written past the end, for 16-bit data only', () => {
    const r = checkKernels(onPaths(allPaths, outOfRange(0, 1, (out) => out instanceof Uint16Array)));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !on16(f))).toEqual([]);
    expect(r.failures[0]).toMatch(/guard element \d+/);
  });

  test.each(allPaths)('one element written past the end, on %s only', (path) => {
    const r = checkKernels(onPaths([path], outOfRange(0, 1)));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !f.startsWith(`${path} `))).toEqual([]);
    expect(r.failures[0]).toMatch(/guard element \d+/);
  });

  test.each(allPaths)('one element written before the start, on %s only', (path) => {
    const r = checkKernels(onPaths([path], outOfRange(1, 0)));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !f.startsWith(`${path} `))).toEqual([]);
    expect(r.failures[0]).toMatch(/guard element -1 /);
  });

  test('past the end only when the output starts 4 bytes before a line boundary (a head-peeling bug)', () => {
    const r = checkKernels(onPaths(allPaths, outOfRange(0, 1, (out) => base.addressOf(out) % 64 === 60)));
    expect(r.failed).toBeGreaterThan(0);
  });

  test('past the end only at length 17 (a tail bug)', () => {
    expect(checkKernels(onPaths(allPaths, outOfRange(0, 1, (out) => out.length === 17))).failed).toBeGreaterThan(0);
  });

  test('out ignored: the result written in place', () => {
    const inPlace: CheckedBinding = {
      forward: (x, alpha) => base.forward(x, alpha),
      backward: (dy, x, alpha) => base.backward(dy, x, alpha),
      addressOf: (a) => base.addressOf(a),
    };
    const r = checkKernels(onPaths(['forward into out', 'backward into out'], inPlace));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !/^(forward|backward) into out /.test(f))).toEqual([]);
  });

  test('a binding that throws is a failure, not a crash of the checker', () => {
    const boom = () => {
      throw new Error('boom');
    };
    const throwing: CheckedBinding = { forward: boom, backward: boom, addressOf: (a) => base.addressOf(a) };
    const r = checkKernels(onPaths(['backward into dy'], throwing), { maxLength: 3 });
    expect(r).toMatchObject({ failed: 4 * 4 * 4, passed: 3 * 4 * 4 * 4 });
    expect(r.failures[0]).toMatch(/threw boom/);
  });
});

// checkSlopes is all the slope kernels get under qemu too. Its faults wrap a working
// binding: the real one, or on the js project the facade (the JS backend's kernels,
// which the control proves correct), called as the raw binding is called.
type SlopeArg = number | Float32Array | Float64Array;
type Data16 = FloatArray | Uint16Array;
const facadeSlopes: CheckedSlopesBinding = {
  forwardSlopes: (x, slopes, spatial, out, half) => {
    leakyRelu(x as never, { alpha: slopes, spatialSize: spatial, out: out as never, dtype: half });
  },
  backwardSlopes: (dy, x, slopes, spatial, out, half, alphaGrad) => {
    leakyReluBackward(dy as never, x as never, { alpha: slopes, spatialSize: spatial, out: out as never, dtype: half, alphaGrad });
  },
  addressOf: (a) => a.byteOffset,
};
const slopeBase: CheckedSlopesBinding = real ?? facadeSlopes;
const channelsOf = (slopes: SlopeArg) => (typeof slopes === 'number' ? 1 : slopes.length);
const copyOf = (a: Data16) => a.slice() as Data16;

/** The base binding with backwardSlopes' alphaGrad replaced by `grad(dy, x, C, S, half, written)`, computed from the inputs as they were. */
function withGrad(grad: (dy: Data16, x: Data16, C: number, S: number, half: Half | undefined, written: Float64Array) => Float64Array): CheckedSlopesBinding {
  return {
    ...slopeBase,
    backwardSlopes: (dy, x, slopes, spatial, out, half, alphaGrad) => {
      const before = { dy: copyOf(dy), x: copyOf(x) };
      slopeBase.backwardSlopes(dy, x, slopes, spatial, out, half, alphaGrad);
      if (alphaGrad !== undefined) alphaGrad.set(grad(before.dy, before.x, channelsOf(slopes), spatial ?? 1, half, alphaGrad));
    },
  };
}

const slopeFaults: Array<[string, CheckedSlopesBinding, (failure: string) => boolean]> = [
  [
    'forwardSlopes with channel i % C (spatialSize ignored)',
    { ...slopeBase, forwardSlopes: (x, slopes, spatial, out, half) => slopeBase.forwardSlopes(x, slopes, 1, out, half) },
    (f) => f.startsWith('forwardSlopes ') && !/ S=1 /.test(f) && !/ C=1 /.test(f),
  ],
  [
    "every channel with channel 0's slope",
    {
      ...slopeBase,
      forwardSlopes: (x, slopes, spatial, out, half) => slopeBase.forwardSlopes(x, typeof slopes === 'number' ? slopes : slopes[0], spatial, out, half),
      backwardSlopes: (dy, x, slopes, spatial, out, half, g) =>
        // (alphaGrad then has one entry: a C > 1 call's own is left as it was.)
        slopeBase.backwardSlopes(dy, x, typeof slopes === 'number' ? slopes : slopes[0], spatial, out, half, g === undefined || g.length === 1 ? g : new Float64Array(1)),
    },
    (f) => !/ C=1 /.test(f),
  ],
  [
    'float64 data multiplied by its slopes rounded to float32',
    {
      ...slopeBase,
      forwardSlopes: (x, slopes, spatial, out, half) =>
        slopeBase.forwardSlopes(x, x instanceof Float64Array && typeof slopes !== 'number' ? Float32Array.from(slopes) : slopes, spatial, out, half),
    },
    (f) => f.startsWith('forwardSlopes ') && f.includes(' Float64Array '),
  ],
  [
    'the slope gradient summed left to right over each channel (dx right)',
    withGrad((dy, x, C, S, half) => naiveSlopeGrad(dy, x, C, S, half)),
    (f) => f.includes(' with alphaGrad '),
  ],
  [
    'alphaGrad added to, not overwritten',
    {
      ...slopeBase,
      backwardSlopes: (dy, x, slopes, spatial, out, half, g) => {
        const before = g?.slice();
        slopeBase.backwardSlopes(dy, x, slopes, spatial, out, half, g);
        if (g !== undefined) for (let c = 0; c < g.length; c++) g[c] += before![c];
      },
    },
    (f) => f.includes(' with alphaGrad '),
  ],
  [
    'a -0 block sum kept (blocks summed from their first slot, not from +0)',
    withGrad((dy, x, C, S, half) => {
      // The right sums, except that an all -0 channel sum stays -0 (seen as a sign bit).
      const g = referenceSlopeGrad(dy, x, C, S, half);
      for (let c = 0; c < C; c++) if (g[c] === 0) g[c] = -0;
      return g;
    }),
    (f) => f.includes(' with alphaGrad '),
  ],
  [
    'the gradient, as alphaGrad one entry past its end',
    {
      ...slopeBase,
      backwardSlopes: (dy, x, slopes, spatial, out, half, g) => {
        slopeBase.backwardSlopes(dy, x, slopes, spatial, out, half, g);
        if (g !== undefined) new Float64Array(g.buffer, g.byteOffset, g.length + 1)[g.length] = g[0];
      },
    },
    (f) => f.includes(' with alphaGrad ') && /alphaGrad: guard element/.test(f),
  ],
];

describe('checkSlopes catches a faulty slope kernel', () => {
  test(`control: the ${real ? 'real binding' : 'facade on the JS backend'} passes every slope check`, () => {
    const r = checkSlopes(slopeBase);
    expect(r.failures.slice(0, 5)).toEqual([]);
    const lengths = (shapes: typeof SLOPE_SHAPES) => shapes.reduce((sum, s) => sum + s.ks.length, 0);
    expect(r.passed).toBe(4 * 8 * lengths(SLOPE_SHAPES) + 2 * 2 * lengths(SLOPE_BLOCK_SHAPES));
  });

  test.each(slopeFaults)('%s', (_, faulty, expectedWhere) => {
    const r = checkSlopes(faulty, { types: [Float32Array, Float64Array, 'bfloat16'], blockShapes: [] });
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !expectedWhere(f))).toEqual([]);
  });

  test('gradient blocks of half the length: caught by the two-block shapes only', () => {
    const halfBlocks = withGrad((dy, x, C, S, half) => {
      const plan = gradientPlan(C, S, x.length);
      return referenceSlopeGrad(dy, x, C, S, half, { ...plan, block: plan.block / 2 });
    });
    expect(checkSlopes(halfBlocks, { types: [Float32Array], blockShapes: [] }).failed).toBe(0);
    const r = checkSlopes(halfBlocks, { types: [], blockTypes: [Float32Array] });
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures[0]).toMatch(/^backwardSlopes into (dy|x) with alphaGrad Float32Array C=(3|2) S=(1|32) n=\d+ .*alphaGrad\[\d\]: got/);
  });

  test('a binding that throws is a failure, not a crash of the checker', () => {
    const boom = () => {
      throw new Error('boom');
    };
    const r = checkSlopes({ ...slopeBase, backwardSlopes: boom }, { types: [Float32Array], shapes: [{ C: 2, S: 3, ks: [1] }], blockShapes: [] });
    expect(r).toMatchObject({ passed: 2, failed: 6 });
    expect(r.failures[0]).toMatch(/threw boom/);
  });
});
