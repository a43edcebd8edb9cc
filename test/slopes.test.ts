// Per-channel slopes (PReLU) through the facade, bit for bit against the spec's
// reference (test/tools/slopes-reference.cjs): every element type, both layouts
// (channels-last spatialSize 1, channels-first spatialSize H * W), slope counts and
// spatial sizes on each side of the kernels' and the gradient's regime changes,
// lengths from 0 to several gradient blocks (the heavy projects: more than 64 blocks'
// worth), slopes as Float32Array, Float64Array and Array, and every output placement.
// The slope gradient (alphaGrad) is compared by its bits: +0 is not -0, the last bit
// counts, a NaN sum is the default quiet NaN. Runs in every project: the JS kernels below the
// native crossover, the native ones (or the JS backend's) above it.
import { describe, expect, test } from 'vitest';
import {
  leakyRelu,
  leakyReluAsync,
  leakyReluBackward,
  leakyReluBackwardAsync,
  leakyReluBatch,
} from '../lib/index';
import type { BackwardOptions, FloatArray, Options } from '../lib/index';
import { NATIVE_MIN_LENGTH } from '../lib/dispatch';
import { HALF_SENTINEL, SENTINEL } from './tools/kernel-reference.cjs';
import { CHUNK_BYTES, JS_SLICE } from './helpers/lengths';
import { project } from './helpers/project';
import { copy, garbageGrad, slopeData, slopeForms, slopesOf, slopeTypes } from './helpers/slopes-data';
import type { DataKind, SlopeForm, SlopeType } from './helpers/slopes-data';
import {
  dataDifference,
  expectNone,
  expectSameData,
  expectSameGrad,
  firstGradDifference,
  gradientPlan,
  naiveSlopeGrad,
  referenceSlopeGrad,
  referenceSlopesBackward,
  referenceSlopesForward,
} from './helpers/slopes-reference';
import type { SlopeData } from './helpers/slopes-reference';

type Slopes = Float32Array | Float64Array | number[];

const CHANNELS = [1, 2, 3, 5, 64, 1000];
const SPATIAL = [1, 7, 31, 32, 33, 64, 4096];

/** The options of a call with `slopes`; spatialSize 1 is left out now and then (the default). */
function optsOf(type: SlopeType, slopes: Slopes, spatial: number, extra: Partial<BackwardOptions> = {}, omitUnit = false): BackwardOptions {
  return {
    alpha: slopes,
    ...(spatial === 1 && omitUnit ? {} : { spatialSize: spatial }),
    ...(type.dtype !== undefined ? { dtype: type.dtype } : {}),
    ...extra,
  };
}

const fill = (type: SlopeType): number => (type.half === undefined ? SENTINEL : HALF_SENTINEL);
const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
/** null when `a` still has exactly the bytes of `before`. */
const unchanged = (a: ArrayBufferView, before: ArrayBufferView): string | null =>
  Buffer.compare(bytes(a), bytes(before)) === 0 ? null : 'changed (an input must keep every bit)';

interface Case {
  type: SlopeType;
  channels: number;
  spatial: number;
  length: number;
  kind: DataKind;
  form: SlopeForm;
  seed: number;
  /** Only the paths that compute alphaGrad (backward into dy and into x): for the largest cases. */
  gradOnly?: boolean;
}

const describeCase = (c: Case): string =>
  `${c.type.name} C=${c.channels} S=${c.spatial} N=${c.length} ${c.kind} data, ${c.form} slopes`;

/**
 * Every sync path of one case against the reference: forward in place and into out;
 * backward into dy and into x (out === x) with alphaGrad, into out with and without.
 * Returns the problems found (empty: all bits right).
 */
function checkCase(c: Case): string[] {
  const { type, channels: C, spatial: S, length: N, seed } = c;
  const half = type.half;
  const x = slopeData(type, N, seed, c.kind);
  const dy = slopeData(type, N, seed + 1, c.kind);
  const slopes = slopesOf(C, seed, c.form);
  const ey = referenceSlopesForward(x, slopes, S, half);
  const edx = referenceSlopesBackward(dy, x, slopes, S, half);
  const eg = referenceSlopeGrad(dy, x, C, S, half);
  const o = (extra: Partial<BackwardOptions> = {}) => optsOf(type, slopes, S, extra, seed % 2 === 0);
  const problems: string[] = [];
  const note = (what: string, d: string | null) => {
    if (d !== null) problems.push(`${describeCase(c)}, ${what}: ${d}`);
  };
  const same = (what: string, r: unknown, expected: unknown) => {
    if (r !== expected) problems.push(`${describeCase(c)}, ${what}: returned another array`);
  };

  if (c.gradOnly) {
    const dy3 = copy(dy);
    const g3 = garbageGrad(C);
    leakyReluBackward(dy3 as FloatArray, x as FloatArray, o({ alphaGrad: g3 }));
    note('backward into dy', dataDifference(dy3, edx, half));
    note('backward into dy: alphaGrad', firstGradDifference(g3, eg));
    const x4 = copy(x);
    const g4 = garbageGrad(C);
    leakyReluBackward(dy as FloatArray, x4 as FloatArray, o({ out: x4 as FloatArray, alphaGrad: g4 }));
    note('backward into x', dataDifference(x4, edx, half));
    note('backward into x: alphaGrad', firstGradDifference(g4, eg));
    return problems;
  }

  const y1 = copy(x);
  same('forward in place', leakyRelu(y1 as FloatArray, o() as Options), y1);
  note('forward in place', dataDifference(y1, ey, half));

  const x2 = copy(x);
  const out2 = new type.Ctor(N).fill(fill(type));
  same('forward into out', leakyRelu(x2 as FloatArray, o({ out: out2 as FloatArray }) as Options), out2);
  note('forward into out', dataDifference(out2, ey, half));
  note('forward into out: x', unchanged(x2, x));

  const dy3 = copy(dy);
  const x3 = copy(x);
  const g3 = garbageGrad(C);
  same('backward into dy', leakyReluBackward(dy3 as FloatArray, x3 as FloatArray, o({ alphaGrad: g3 })), dy3);
  note('backward into dy', dataDifference(dy3, edx, half));
  note('backward into dy: alphaGrad', firstGradDifference(g3, eg));
  note('backward into dy: x', unchanged(x3, x));

  const dy4 = copy(dy);
  const x4 = copy(x);
  const g4 = garbageGrad(C);
  same('backward into x', leakyReluBackward(dy4 as FloatArray, x4 as FloatArray, o({ out: x4 as FloatArray, alphaGrad: g4 })), x4);
  note('backward into x', dataDifference(x4, edx, half));
  note('backward into x: alphaGrad', firstGradDifference(g4, eg));
  note('backward into x: dy', unchanged(dy4, dy));

  const dy5 = copy(dy);
  const x5 = copy(x);
  const out5 = new type.Ctor(N).fill(fill(type));
  same('backward into out', leakyReluBackward(dy5 as FloatArray, x5 as FloatArray, o({ out: out5 as FloatArray })), out5);
  note('backward into out', dataDifference(out5, edx, half));
  note('backward into out: dy', unchanged(dy5, dy));
  note('backward into out: x', unchanged(x5, x));

  const out6 = new type.Ctor(N).fill(fill(type));
  const g6 = garbageGrad(C);
  leakyReluBackward(dy5 as FloatArray, x5 as FloatArray, o({ out: out6 as FloatArray, alphaGrad: g6 }));
  note('backward into out with alphaGrad', dataDifference(out6, edx, half));
  note('backward into out with alphaGrad: alphaGrad', firstGradDifference(g6, eg));
  note('backward into out with alphaGrad: dy', unchanged(dy5, dy));
  return problems;
}

/** k * C * S for k = 0..3 within `cap` elements, k = 1 up to 300000, and one odd multiple near 5000 for short periods. */
function lengthsFor(C: number, S: number, cap = 25_000): number[] {
  const P = C * S;
  const ks = new Set([0, 1, 2, 3].filter((k) => k * P <= cap));
  if (P <= 300_000) ks.add(1);
  if (P <= 64) ks.add(Math.floor(5003 / P) | 1);
  return [...ks].map((k) => k * P);
}

describe('the reference itself: its order is the one that counts', () => {
  const f32 = slopeTypes[0];

  test('a naive left-to-right sum differs from it in bits (so a wrong order fails the tests)', () => {
    for (const [C, S, N] of [[1, 1, 4096], [3, 7, 21 * 500], [2, 32, 64 * 40], [5, 31, 155 * 500]] as const) {
      const x = slopeData(f32, N, 11, 'finite');
      const dy = slopeData(f32, N, 12, 'finite');
      const right = referenceSlopeGrad(dy, x, C, S);
      const naive = naiveSlopeGrad(dy, x, C, S);
      expect(firstGradDifference(naive, right), `C=${C} S=${S} N=${N}`).not.toBeNull();
      // The same sum in value, to rounding: the data, products and channels are right.
      for (let c = 0; c < C; c++) expect(Math.abs(naive[c] - right[c])).toBeLessThanOrEqual(1e-9 * Math.abs(right[c]) + 1e-300);
    }
  });

  test('broken orders differ from it: half the block length, slots summed in reverse, another slot count', () => {
    const N = 3 * 70_000;
    const x = slopeData(f32, N, 13, 'finite');
    const dy = slopeData(f32, N, 14, 'finite');
    const plan = gradientPlan(3, 1, N);
    expect(plan).toMatchObject({ regime: 'period', slots: 1152, unit: 1152, block: 1152 * 57 });
    const right = referenceSlopeGrad(dy, x, 3, 1);
    const broken = [
      { ...plan, block: plan.block / 2 },
      { ...plan, channelOfSlot: (a: number) => plan.channelOfSlot(plan.slots - 1 - a) },
      { ...plan, slots: 1024, slotOf: (i: number) => i % 1023 },
    ];
    for (const b of broken) expect(firstGradDifference(referenceSlopeGrad(dy, x, 3, 1, undefined, b), right)).not.toBeNull();
    // The run regime too: slot k of a channel taken as (i % S) % 16.
    const run = gradientPlan(2, 32, 64 * 2000);
    expect(run).toMatchObject({ regime: 'run', slots: 64, unit: 32, block: 65536 });
    const xr = slopeData(f32, 64 * 2000, 15, 'finite');
    const dyr = slopeData(f32, 64 * 2000, 16, 'finite');
    const r = referenceSlopeGrad(dyr, xr, 2, 32);
    const sixteen = { ...run, slotOf: (i: number) => Math.floor(i / 32) % 2 * 32 + ((i % 32) % 16) };
    expect(firstGradDifference(referenceSlopeGrad(dyr, xr, 2, 32, undefined, sixteen), r)).not.toBeNull();
  });

  test("the spec's formulas: slot counts, units and blocks at the regime edges", () => {
    // Period regime: Q = lcm(P, 64) when <= 4096, else P; L = Q * ceil(1024 / Q).
    expect(gradientPlan(1, 1, 0)).toMatchObject({ slots: 1024, block: 65536 });
    expect(gradientPlan(3, 31, 0)).toMatchObject({ regime: 'period', slots: 93 * 12 });
    expect(gradientPlan(64, 1, 0)).toMatchObject({ slots: 1024 });
    expect(gradientPlan(1000, 1, 0)).toMatchObject({ slots: 2000, block: 2000 * 33 });
    expect(gradientPlan(5, 7, 0)).toMatchObject({ slots: 2240 });
    // More than 64 blocks' worth: B grows to ceil(N / 64U) units.
    expect(gradientPlan(1, 1, 1 << 23)).toMatchObject({ block: 1 << 17 });
    // 16 elements per channel at least.
    expect(gradientPlan(10_000, 32, 0)).toMatchObject({ regime: 'run', slots: 320_000, block: 160_000 });
  });

  test('every sum starts at +0: a channel of -0 products only, or none, gives +0', () => {
    const x = Float32Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 5 : -2));
    const dy = Float32Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 7 : i % 3 === 1 ? -1 : -0));
    const g = referenceSlopeGrad(dy, x, 3, 1);
    expect(Array.from(new BigUint64Array(g.buffer))).toEqual([0n, 0n, 0n]);
  });
});

describe.each(slopeTypes)('$name: facade against the reference', (type) => {
  test.each(CHANNELS)(`C = %i slopes, every spatialSize of ${SPATIAL.join(', ')}, lengths k * C * S`, (C) => {
    const problems: string[] = [];
    let seed = C * 1000 + type.name.length;
    for (const S of SPATIAL) {
      for (const N of lengthsFor(C, S)) {
        for (const kind of N <= 20_000 ? (['specials', 'finite'] as const) : (['finite'] as const)) {
          seed++;
          problems.push(...checkCase({ type, channels: C, spatial: S, length: N, kind, form: slopeForms[seed % 3], seed }));
        }
      }
    }
    expectNone(problems);
  }, 30_000);

  test('several gradient blocks (N > 65536) in both regimes', () => {
    const problems: string[] = [];
    const combos: [number, number][] = [[1, 1], [3, 7], [5, 31], [2, 32], [3, 33], [64, 64], [1000, 1], [2, 4096]];
    let seed = 77;
    for (const [C, S] of combos) {
      const P = C * S;
      const N = P * Math.ceil(200_003 / P);
      expect(N / gradientPlan(C, S, N).block).toBeGreaterThan(2);
      seed++;
      problems.push(...checkCase({ type, channels: C, spatial: S, length: N, kind: 'finite', form: slopeForms[seed % 3], seed }));
    }
    expectNone(problems);
  }, 30_000);

  // The block length grows with N past 64 blocks of 65536: ~2^22 elements and more.
  test.runIf(project.heavy)('more than 64 blocks of 65536 (N > 2^22): block length N / 64', () => {
    const problems: string[] = [];
    // One combination per type, each regime twice over the four types.
    const combos = { float32: [3, 1], float64: [64, 4096], float16: [5, 7], bfloat16: [2, 32] }[type.name];
    let seed = 99;
    for (const [C, S] of [combos]) {
      const P = C * S;
      const N = P * Math.ceil(4_300_000 / P);
      const plan = gradientPlan(C, S, N);
      expect(plan.block).toBeGreaterThan(65536);
      seed++;
      problems.push(...checkCase({ type, channels: C, spatial: S, length: N, kind: 'finite', form: slopeForms[seed % 3], seed, gradOnly: true }));
    }
    expectNone(problems);
  }, 60_000);

  test('C = 1 is the scalar alpha, bit for bit: [a], Float64Array [a], and a number with spatialSize', () => {
    for (const S of [1, 7, 64, 4096]) {
      for (const k of [1, 3, 17]) {
        const N = k * S;
        const x = slopeData(type, N, N + S, 'specials');
        const dy = slopeData(type, N, N + S + 1, 'specials');
        for (const a of [0.2, -0.5, 0, -0, 1.5, 1 + 2 ** -11, 2 ** -20]) {
          const scalar = { alpha: a, ...(type.dtype ? { dtype: type.dtype } : {}) };
          const y = leakyRelu(copy(x) as FloatArray, scalar) as SlopeData;
          const dx = leakyReluBackward(copy(dy) as FloatArray, x as FloatArray, scalar) as SlopeData;
          // The scalar path itself first, so that a failure says which side is wrong.
          const scalarContext = `S=${S} N=${N} the scalar alpha ${Object.is(a, -0) ? '-0' : a} itself`;
          expectSameData(y, referenceSlopesForward(x, [a], 1, type.half), type.half, `${scalarContext}, forward`);
          expectSameData(dx, referenceSlopesBackward(dy, x, [a], 1, type.half), type.half, `${scalarContext}, backward`);
          for (const alpha of [[a], Float64Array.of(a), a]) {
            const o = optsOf(type, alpha as Slopes, S);
            const context = `S=${S} N=${N} alpha ${Object.is(a, -0) ? '-0' : a} as ${alpha.constructor.name}`;
            expectSameData(leakyRelu(copy(x) as FloatArray, o) as SlopeData, y, type.half, `${context}, forward`);
            const g = garbageGrad(1);
            expectSameData(leakyReluBackward(copy(dy) as FloatArray, x as FloatArray, { ...o, alphaGrad: g }) as SlopeData, dx, type.half, `${context}, backward`);
            expectSameGrad(g, referenceSlopeGrad(dy, x, 1, S, type.half), `${context}, alphaGrad`);
          }
        }
      }
    }
  });

  test('alphaGrad is overwritten, not added to: garbage before, the sum after; only -0 products or none give +0', () => {
    const N = 3 * 700;
    const C = 3;
    const x = slopeData(type, N, 5, 'finite');
    const dy = slopeData(type, N, 6, 'finite');
    const o = optsOf(type, [0.1, 0.2, 0.3], 1);
    const expected = referenceSlopeGrad(dy, x, C, 1, type.half);
    for (const before of [garbageGrad(C), Float64Array.of(1, 2, 3), Float64Array.of(-0, -0, -0)]) {
      leakyReluBackward(copy(dy) as FloatArray, x as FloatArray, { ...o, out: new type.Ctor(N) as FloatArray, alphaGrad: before });
      expectSameGrad(before, expected);
    }
    // Channel 0 has only positive x (no product), channel 1 only x = -0 with finite dy (±0
    // products), channel 2 only x = +0: every alphaGrad entry is +0, whatever it held.
    const zero = type.half === undefined ? -0 : 0x8000;
    const pos = type.half === undefined ? 2 : type.half === 'float16' ? 0x4000 : 0x4000;
    const xs = new type.Ctor(N).map((_, i) => (i % 3 === 0 ? pos : i % 3 === 1 ? zero : 0));
    const g = garbageGrad(C);
    leakyReluBackward(copy(dy) as FloatArray, xs as FloatArray, { ...o, alphaGrad: g });
    expect(Array.from(new BigUint64Array(g.buffer))).toEqual([0n, 0n, 0n]);
    // Length 0: alphaGrad is C entries of +0.
    const g0 = garbageGrad(C);
    leakyReluBackward(new type.Ctor(0) as FloatArray, new type.Ctor(0) as FloatArray, { ...o, alphaGrad: g0 });
    expect(Array.from(new BigUint64Array(g0.buffer))).toEqual([0n, 0n, 0n]);
  });

  test('0 and -0 are two slopes, whatever ran before (long arrays, scalar alpha and slopes)', () => {
    const N = 2 * 40_000;
    const minusOne = type.half === undefined ? -1 : type.half === 'float16' ? 0xbc00 : 0xbf80;
    const x = new type.Ctor(N).fill(minusOne);
    const problems: string[] = [];
    for (const order of [[0, -0], [-0, 0]]) {
      for (const a of order) {
        const y = leakyRelu(copy(x) as FloatArray, { alpha: a, ...(type.dtype ? { dtype: type.dtype } : {}) }) as SlopeData;
        const d = dataDifference(y, referenceSlopesForward(x, [a], 1, type.half), type.half);
        if (d !== null) problems.push(`scalar alpha ${Object.is(a, -0) ? '-0' : a} ${Object.is(order[0], a) ? 'first in its order' : 'after the other zero'}: ${d}`);
      }
      const y = leakyRelu(copy(x) as FloatArray, optsOf(type, order, N / 2) as Options) as SlopeData;
      const d = dataDifference(y, referenceSlopesForward(x, order, N / 2, type.half), type.half);
      if (d !== null) problems.push(`slopes [${order.map((v) => (Object.is(v, -0) ? '-0' : v))}]: ${d}`);
    }
    expectNone(problems);
  });

  test('forward ignores alphaGrad (it is left as it was)', () => {
    const N = 4 * 64;
    const x = slopeData(type, N, 7, 'specials');
    const g = garbageGrad(4);
    const before = g.slice();
    const y = leakyRelu(copy(x) as FloatArray, optsOf(type, [0.5, -1, 2, 0], 16, { alphaGrad: g }) as Options) as SlopeData;
    expectSameData(y, referenceSlopesForward(x, [0.5, -1, 2, 0], 16, type.half), type.half);
    expect(Buffer.compare(bytes(g), bytes(before))).toBe(0);
  });

  test('the element rule with the slope rounded to the type: slopes that round differently per type', () => {
    // 0.1 (not a float32), 1 + 2^-11 (a float16 tie, to 1), 1 + 2^-8 + 2^-20 (bfloat16 rounds it to 1 + 2^-7),
    // a float32 subnormal, 65504 (the largest float16).
    const slopes = [0.1, 1 + 2 ** -11, 1 + 2 ** -8 + 2 ** -20, 2 ** -140, 65504];
    const N = 5 * 2 * 61;
    const x = slopeData(type, N, 8, 'specials');
    for (const spatial of [1, 2]) {
      const y = leakyRelu(copy(x) as FloatArray, optsOf(type, slopes, spatial) as Options) as SlopeData;
      expectSameData(y, referenceSlopesForward(x, slopes, spatial, type.half), type.half, `spatialSize ${spatial}`);
    }
  });
});

/** Elements of `Ctor` over 2.5 async work units of this backend (native chunks or JS slices), a multiple of `period`. */
function asyncLength(type: SlopeType, period: number): number {
  const unit = CHUNK_BYTES === null ? JS_SLICE : CHUNK_BYTES / type.Ctor.BYTES_PER_ELEMENT;
  return period * Math.ceil((2.5 * unit) / period);
}

describe.each(slopeTypes)('$name: async and batch give the sync results', (type) => {
  const combos: [number, number][] = [[3, 7], [2, 32], [1000, 1], [5, 4096]];

  test.each(combos)('leakyReluAsync and leakyReluBackwardAsync, C = %i, spatialSize %i: data and alphaGrad bits', async (C, S) => {
    const N = asyncLength(type, C * S);
    const x = slopeData(type, N, C + S, 'finite');
    const dy = slopeData(type, N, C + S + 1, 'finite');
    const slopes = slopesOf(C, C * S, slopeForms[(C + S) % 3]);
    const o = (extra: Partial<BackwardOptions> = {}) => optsOf(type, slopes, S, extra);
    const syncY = leakyRelu(copy(x) as FloatArray, o() as Options) as SlopeData;
    const syncG = garbageGrad(C);
    const syncDx = leakyReluBackward(copy(dy) as FloatArray, x as FloatArray, o({ alphaGrad: syncG })) as SlopeData;
    expectSameData(syncY, referenceSlopesForward(x, slopes, S, type.half), type.half, 'sync forward');
    expectSameData(syncDx, referenceSlopesBackward(dy, x, slopes, S, type.half), type.half, 'sync backward');
    expectSameGrad(syncG, referenceSlopeGrad(dy, x, C, S, type.half), 'sync alphaGrad');

    const y = copy(x);
    expect(await leakyReluAsync(y as FloatArray, o() as Options)).toBe(y);
    expectSameData(y, syncY, type.half, 'async forward in place');
    const yOut = new type.Ctor(N);
    const x1 = copy(x);
    expect(await leakyReluAsync(x1 as FloatArray, o({ out: yOut as FloatArray }) as Options)).toBe(yOut);
    expectSameData(yOut, syncY, type.half, 'async forward into out');
    expect(Buffer.compare(bytes(x1), bytes(x))).toBe(0);

    // Backward into dy, into x and into out, each with alphaGrad, at once (different memory).
    const dyA = copy(dy);
    const xA = copy(x);
    const gA = garbageGrad(C);
    const dyB = copy(dy);
    const xB = copy(x);
    const gB = garbageGrad(C);
    const dyC = copy(dy);
    const xC = copy(x);
    const gC = garbageGrad(C);
    const outC = new type.Ctor(N);
    const [rA, rB, rC] = await Promise.all([
      leakyReluBackwardAsync(dyA as FloatArray, xA as FloatArray, o({ alphaGrad: gA })),
      leakyReluBackwardAsync(dyB as FloatArray, xB as FloatArray, o({ out: xB as FloatArray, alphaGrad: gB })),
      leakyReluBackwardAsync(dyC as FloatArray, xC as FloatArray, o({ out: outC as FloatArray, alphaGrad: gC })),
    ]);
    expect([rA === dyA, rB === xB, rC === outC]).toEqual([true, true, true]);
    expectSameData(dyA, syncDx, type.half, 'async backward into dy');
    expectSameData(xB, syncDx, type.half, 'async backward into x');
    expectSameData(outC, syncDx, type.half, 'async backward into out');
    for (const [g, where] of [[gA, 'dy'], [gB, 'x'], [gC, 'out']] as const) expectSameGrad(g, syncG, `async alphaGrad, into ${where}`);
    expect(Buffer.compare(bytes(dyC), bytes(dy)) + Buffer.compare(bytes(xC), bytes(x)) + Buffer.compare(bytes(xA), bytes(x))).toBe(0);
  }, 30_000);

  test('small async calls (below the native crossover) too, and without alphaGrad', async () => {
    for (const N of [0, 8, NATIVE_MIN_LENGTH - 4, NATIVE_MIN_LENGTH + 4]) {
      const x = slopeData(type, N, N, 'specials');
      const dy = slopeData(type, N, N + 1, 'specials');
      const o = optsOf(type, [0.5, -2], 2);
      const y = copy(x);
      await leakyReluAsync(y as FloatArray, o as Options);
      expectSameData(y, referenceSlopesForward(x, [0.5, -2], 2, type.half), type.half, `N=${N} forward`);
      const d = copy(dy);
      await leakyReluBackwardAsync(d as FloatArray, x as FloatArray, o);
      expectSameData(d, referenceSlopesBackward(dy, x, [0.5, -2], 2, type.half), type.half, `N=${N} backward`);
      const g = garbageGrad(2);
      await leakyReluBackwardAsync(copy(dy) as FloatArray, x as FloatArray, { ...o, alphaGrad: g });
      expectSameGrad(g, referenceSlopeGrad(dy, x, 2, 2, type.half), `N=${N} alphaGrad`);
    }
  });
});

describe('leakyReluBatch with slopes: one set for every array, each a multiple of C * spatialSize', () => {
  test.each(['float16', 'bfloat16'] as const)(
    'float32, float64, Uint16Array and raw-buffer data read as %s, with outs, over several chunks',
    async (half) => {
      const C = 3;
      const S = 7;
      const slopes = Float64Array.of(0.5, -0.25, 3);
      const types = { f32: slopeTypes[0], f64: slopeTypes[1], h: slopeTypes.find((t) => t.half === half)! };
      const f32 = slopeData(types.f32, asyncLength(types.f32, C * S), 1, 'specials') as Float32Array;
      const f64 = slopeData(types.f64, C * S * 333, 2, 'specials') as Float64Array;
      const u = slopeData(types.h, asyncLength(types.h, C * S), 3, 'specials') as Uint16Array;
      const rawBits = slopeData(types.h, C * S * 10, 4, 'specials') as Uint16Array;
      const raw = new ArrayBuffer(rawBits.byteLength);
      new Uint16Array(raw).set(rawBits);
      const small = slopeData(types.f32, C * S, 5, 'specials') as Float32Array;
      const before = { f32: f32.slice(), f64: f64.slice(), u: u.slice(), small: small.slice() };
      const outU = new Uint16Array(u.length);
      const outs = [undefined, new Float64Array(f64.length), outU, undefined, undefined] as unknown as FloatArray[];
      const results = await leakyReluBatch([f32, f64, u, raw, small], { alpha: slopes, spatialSize: S, dtype: half, out: outs });
      expect(results[0]).toBe(f32);
      expect(results[1]).toBe(outs[1]);
      expect(results[2]).toBe(outU);
      expect(results[3]).toBeInstanceOf(Uint16Array);
      expect(results[3].buffer).toBe(raw);
      expect(results[4]).toBe(small);
      expectSameData(f32, referenceSlopesForward(before.f32, slopes, S), undefined, 'float32');
      expectSameData(results[1] as Float64Array, referenceSlopesForward(before.f64, slopes, S), undefined, 'float64');
      expectSameData(outU, referenceSlopesForward(before.u, slopes, S, half), half, 'Uint16Array');
      expectSameData(new Uint16Array(raw), referenceSlopesForward(rawBits, slopes, S, half), half, 'raw buffer');
      expectSameData(small, referenceSlopesForward(before.small, slopes, S), undefined, 'small float32');
      expect(Buffer.compare(bytes(f64), bytes(before.f64)) + Buffer.compare(bytes(u), bytes(before.u))).toBe(0);
      // And the sync results, array by array.
      expectSameData(f32, leakyRelu(before.f32.slice(), { alpha: slopes, spatialSize: S }), undefined, 'float32 vs sync');
    },
    30_000,
  );

  test('a batch with a plain Array of slopes and spatialSize 1 (channels last), and an empty array in it', async () => {
    const slopes = [0.1, -1, 2, 0, 1.5];
    const a = slopeData(slopeTypes[0], 5 * 1000, 9, 'specials') as Float32Array;
    const b = slopeData(slopeTypes[1], 5 * 13, 10, 'specials') as Float64Array;
    const e = new Float32Array(0);
    const expected = [referenceSlopesForward(a, slopes), referenceSlopesForward(b, slopes)];
    await leakyReluBatch([a, e, b], { alpha: slopes });
    expectSameData(a, expected[0]);
    expectSameData(b, expected[1]);
  });
});

// Node 24 (and Deno, Bun) have Float16Array; this Node may not.
const F16 = (globalThis as { Float16Array?: new (n: number) => ArrayBufferView & { length: number } }).Float16Array;

test.runIf(typeof F16 === 'function')(
  `Float16Array data with slopes, sync and async, alphaGrad (runs only where the runtime has Float16Array; this is ${process.version})`,
  async () => {
    const Ctor = F16!;
    const type = slopeTypes[2];
    for (const [C, S, k] of [[3, 7, 5], [2, 64, 700]] as const) {
      const N = C * S * k;
      const bits = slopeData(type, N, N, 'specials') as Uint16Array;
      const dyBits = slopeData(type, N, N + 1, 'finite') as Uint16Array;
      const make = (from: Uint16Array) => {
        const a = new Ctor(N);
        new Uint16Array(a.buffer, a.byteOffset, N).set(from);
        return a;
      };
      const view = (a: ArrayBufferView) => new Uint16Array(a.buffer, a.byteOffset, a.byteLength / 2);
      const slopes = Float32Array.of(...Array.from({ length: C }, (_, c) => (c - 1) * 0.75));
      const x = make(bits);
      expect(leakyRelu(x as never, { alpha: slopes, spatialSize: S })).toBe(x);
      expectSameData(view(x), referenceSlopesForward(bits, slopes, S, 'float16'), 'float16');
      const dy = make(dyBits);
      const g = garbageGrad(C);
      expect(leakyReluBackward(dy as never, make(bits) as never, { alpha: slopes, spatialSize: S, alphaGrad: g })).toBe(dy);
      expectSameData(view(dy), referenceSlopesBackward(dyBits, bits, slopes, S, 'float16'), 'float16');
      expectSameGrad(g, referenceSlopeGrad(dyBits, bits, C, S, 'float16'));
      const g2 = garbageGrad(C);
      const dy2 = make(dyBits);
      await leakyReluBackwardAsync(dy2 as never, make(bits) as never, { alpha: slopes, spatialSize: S, alphaGrad: g2 });
      expectSameData(view(dy2), view(dy), 'float16');
      expectSameGrad(g2, g);
    }
  },
);
