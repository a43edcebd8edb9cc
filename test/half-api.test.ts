// The API's rules for 16-bit data (design.md, "16-bit floats"): what is float16 or
// bfloat16 data and what is not, raw buffers, `out`, alphas that overflow the type,
// views at odd offsets across the JS/native crossover, async and batch (mixed element
// types, sizes the threadpool splits), backward into out, info(), and Float16Array
// where the runtime has one. Values are checked against test/tools/kernel-reference.cjs;
// half-exhaustive.test.ts checks every pattern.
import { describe, expect, test } from 'vitest';
import {
  info,
  leakyRelu,
  leakyReluAsync,
  leakyReluBackward,
  leakyReluBackwardAsync,
  leakyReluBatch,
} from '../lib/index';
import { NATIVE_MIN_LENGTH } from '../lib/dispatch';
import { loadRawBinding } from './helpers/binding';
import { project } from './helpers/project';
import {
  HALF_SENTINEL,
  decodeHalf,
  firstBitDifference,
  halfAlpha,
  halfDifferences,
  referenceBackward,
  referenceBackward16,
  referenceForward,
  referenceForward16,
  roundToHalf,
  showHalf,
} from './tools/kernel-reference.cjs';
import type { Half } from './tools/kernel-reference.cjs';

const halves: Half[] = ['float16', 'bfloat16'];
const raw = project.native ? loadRawBinding() : null;

/** A small LCG, so that a failure reproduces. Returns [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Patterns of every kind: any bits (NaNs, infinities, subnormals among them) and moderate values of both signs. */
function patterns(half: Half, n: number, seed: number): Uint16Array {
  const random = lcg(seed);
  const a = new Uint16Array(n);
  for (let i = 0; i < n; i++) a[i] = random() < 0.5 ? Math.floor(random() * 65536) : roundToHalf((random() - 0.5) * 8, half);
  return a;
}

/** The problems with `actual` against the reference's `expected` (any NaN equal to any NaN). */
function halfProblems(actual: Uint16Array, expected: Uint16Array, half: Half): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  const at = halfDifferences(actual, expected, half);
  return at.slice(0, 4).map((i) => `${at.length} differ; at ${i}: got ${showHalf(actual[i], half)}, expected ${showHalf(expected[i], half)}`);
}

const bytesOf = (a: ArrayBufferView | ArrayBufferLike): Uint8Array =>
  ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice() : new Uint8Array(a).slice();

/** Every byte of `memory` as it was before `call`. */
function unchangedBy(memory: (ArrayBufferView | ArrayBufferLike)[], call: () => void): void {
  const before = memory.map(bytesOf);
  call();
  memory.forEach((m, i) => expect(Buffer.compare(bytesOf(m), before[i])).toBe(0));
}

/** `call` throws an error of class `Type` with `code`, and leaves `memory` as it was. */
function rejects(memory: (ArrayBufferView | ArrayBufferLike)[], Type: ErrorConstructor, code: string, call: () => unknown): void {
  unchangedBy(memory, () => {
    let caught: unknown = 'nothing thrown';
    try {
      call();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Type);
    expect(caught).toMatchObject({ code });
  });
}

/** The async form rejects (never throws) with an error of class `Type` and `code`, and leaves `memory` as it was. */
async function rejectsAsync(
  memory: (ArrayBufferView | ArrayBufferLike)[],
  Type: ErrorConstructor,
  code: string,
  call: () => Promise<unknown>,
): Promise<void> {
  const before = memory.map(bytesOf);
  let promise: Promise<unknown> | undefined;
  expect(() => (promise = call())).not.toThrow();
  const error = await promise!.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Type);
  expect(error).toMatchObject({ code });
  memory.forEach((m, i) => expect(Buffer.compare(bytesOf(m), before[i])).toBe(0));
}

// 8 elements take the JS kernels, 64 the native ones (where there are): the checks
// must run before either.
const sizes = [8, 64];

describe('a Uint16Array is 16-bit data only with a 16-bit dtype', () => {
  describe.each(sizes)('%i elements', (n) => {
    const u = () => patterns('float16', n, n);
    const f32 = () => Float32Array.from({ length: n }, (_, i) => i - n / 2);

    test.each([
      ['no options', undefined],
      ['a bare alpha (the fast path)', 0.5],
      ['{ alpha } only', { alpha: 0.3 }],
      ["dtype 'float32'", { dtype: 'float32' as const }],
      ["dtype 'float64'", { dtype: 'float64' as const }],
    ])('%s: TypeError ERR_INVALID_ARG_TYPE from every function, nothing changed', async (_, opts) => {
      const x = u();
      const dy = u();
      rejects([x], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(x, opts));
      rejects([dy, x], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBackward(dy, x, opts));
      const out = new Uint16Array(n);
      rejects([x, out], TypeError, 'ERR_INVALID_ARG_TYPE', () =>
        leakyRelu(x, { ...(typeof opts === 'number' ? { alpha: opts } : opts), out }),
      );
      await rejectsAsync([x], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluAsync(x, opts));
      await rejectsAsync([dy, x], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBackwardAsync(dy, x, opts));
      const other = f32();
      await rejectsAsync([other, x], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBatch([other, x], opts));
    });

    test.each(halves)('with dtype %s it is transformed, in place, as the reference says', (half) => {
      const x = patterns(half, n, 7);
      const expected = referenceForward16(x, 0.2, half);
      expect(leakyRelu(x, { dtype: half })).toBe(x);
      expect(halfProblems(x, expected, half)).toEqual([]);
    });
  });
});

describe.each(halves)('%s: raw memory', (half) => {
  test.each([
    ['ArrayBuffer', (bytes: number) => new ArrayBuffer(bytes)],
    ['SharedArrayBuffer', (bytes: number) => new SharedArrayBuffer(bytes)],
  ])('an %s with the dtype: a Uint16Array over all of it, sync and async, forward and backward', async (_, make) => {
    for (const n of [0, 1, NATIVE_MIN_LENGTH - 1, NATIVE_MIN_LENGTH, 301]) {
      const data = patterns(half, n, n + 1);
      const buffer = make(2 * n);
      new Uint16Array(buffer).set(data);
      const y = leakyRelu(buffer, { alpha: -0.3, dtype: half });
      expect(y).toBeInstanceOf(Uint16Array);
      expect([y.buffer, y.byteOffset, y.length]).toEqual([buffer, 0, n]);
      expect(halfProblems(y as Uint16Array, referenceForward16(data, -0.3, half), half)).toEqual([]);

      const again = make(2 * n);
      new Uint16Array(again).set(data);
      const z = await leakyReluAsync(again, { alpha: -0.3, dtype: half });
      expect(z).toBeInstanceOf(Uint16Array);
      expect([z.buffer, z.byteOffset, z.length]).toEqual([again, 0, n]);
      expect(halfProblems(z as Uint16Array, referenceForward16(data, -0.3, half), half)).toEqual([]);

      const dyBuffer = make(2 * n);
      new Uint16Array(dyBuffer).set(data);
      const xs = patterns(half, n, n + 2);
      const xBuffer = make(2 * n);
      new Uint16Array(xBuffer).set(xs);
      const dx = leakyReluBackward(dyBuffer, xBuffer, { alpha: 1.5, dtype: half });
      expect([dx.constructor, dx.buffer, dx.length]).toEqual([Uint16Array, dyBuffer, n]);
      expect(halfProblems(dx as Uint16Array, referenceBackward16(data, xs, 1.5, half), half)).toEqual([]);
    }
  });

  test('an odd byteLength: RangeError ERR_OUT_OF_RANGE, nothing changed', async () => {
    for (const buffer of [new ArrayBuffer(7), new SharedArrayBuffer(129)]) {
      new Uint8Array(buffer).fill(0xbc);
      rejects([buffer], RangeError, 'ERR_OUT_OF_RANGE', () => leakyRelu(buffer, { dtype: half }));
      const x = new ArrayBuffer(buffer.byteLength);
      rejects([buffer, x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBackward(buffer, x, { dtype: half }));
      await rejectsAsync([buffer], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluAsync(buffer, { dtype: half }));
      await rejectsAsync([buffer], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBatch([buffer], { dtype: half }));
    }
  });

  test('out for a raw buffer read as 16-bit must be a Uint16Array', () => {
    const buffer = new ArrayBuffer(128);
    new Uint16Array(buffer).set(patterns(half, 64, 3));
    for (const out of [new Float32Array(64), new Float64Array(64), new Int16Array(64)]) {
      rejects([buffer, out], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(buffer, { dtype: half, out: out as never }));
    }
    const out = new Uint16Array(64);
    expect(leakyRelu(buffer, { dtype: half, out })).toBe(out);
    expect(halfProblems(out, referenceForward16(new Uint16Array(buffer), 0.2, half), half)).toEqual([]);
  });
});

describe.each(halves)('%s: out', (half) => {
  test.each(sizes)('%i elements: a Float32Array (or any other non-Uint16Array) out for Uint16Array data is ERR_INVALID_ARG_TYPE', (n) => {
    const x = patterns(half, n, 11);
    const dy = patterns(half, n, 12);
    for (const out of [new Float32Array(n), new Float64Array(n), new Int16Array(n), new Uint8Array(2 * n)]) {
      rejects([x, out], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(x, { dtype: half, out: out as never }));
      rejects([dy, x, out], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBackward(dy, x, { dtype: half, out: out as never }));
    }
  });

  test.each(sizes)('%i elements: dy and x of different element types are ERR_INVALID_ARG_TYPE', (n) => {
    const u = patterns(half, n, 13);
    const f = new Float32Array(n).fill(-1);
    rejects([u, f], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBackward(u, f, { dtype: half }));
    rejects([u, f], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBackward(f, u, { dtype: half }));
    // A Float32Array is float32 whatever the dtype, so a Uint16Array out does not fit it.
    const out = new Uint16Array(n);
    rejects([f, out], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(f, { dtype: half, out }));
  });

  test.each(sizes)('%i elements: an out of another length, or partly overlapping x, is ERR_OUT_OF_RANGE', (n) => {
    const x = patterns(half, n, 14);
    for (const out of [new Uint16Array(n - 1), new Uint16Array(n + 1)]) {
      rejects([x, out], RangeError, 'ERR_OUT_OF_RANGE', () => leakyRelu(x, { dtype: half, out }));
    }
    const whole = patterns(half, n + 1, 15);
    const a = whole.subarray(0, n);
    const b = whole.subarray(1, n + 1);
    rejects([whole], RangeError, 'ERR_OUT_OF_RANGE', () => leakyRelu(a, { dtype: half, out: b }));
    rejects([whole], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBackward(a, patterns(half, n, 16), { dtype: half, out: b }));
  });

  test.each(sizes)('%i elements: backward into out writes dx there and leaves dy and x as they were', async (n) => {
    const dy = patterns(half, n, 17);
    const x = patterns(half, n, 18);
    const expected = referenceBackward16(dy, x, -0.5, half);
    const out = new Uint16Array(n).fill(HALF_SENTINEL);
    unchangedBy([dy, x], () => expect(leakyReluBackward(dy, x, { alpha: -0.5, dtype: half, out })).toBe(out));
    expect(halfProblems(out, expected, half)).toEqual([]);
    const out2 = new Uint16Array(n).fill(HALF_SENTINEL);
    expect(await leakyReluBackwardAsync(dy, x, { alpha: -0.5, dtype: half, out: out2 })).toBe(out2);
    expect(halfProblems(out2, expected, half)).toEqual([]);
    // dx into x itself is the exact same range as an input: allowed.
    const x2 = x.slice();
    expect(leakyReluBackward(dy, x2, { alpha: -0.5, dtype: half, out: x2 })).toBe(x2);
    expect(halfProblems(x2, expected, half)).toEqual([]);
  });
});

describe('an alpha that rounds to ±Infinity in the type is ERR_OUT_OF_RANGE', () => {
  const cases: Array<[Half, number]> = [
    ['float16', 65520],
    ['float16', -70000],
    ['float16', 1e39],
    ['bfloat16', 3.4e38],
    ['bfloat16', -3.4e38],
  ];
  test.each(cases)('%s, alpha %d: RangeError from every function, nothing changed', async (half, alpha) => {
    expect(Math.abs(decodeHalf(halfAlpha(alpha, half), half))).toBe(Infinity);
    for (const n of sizes) {
      const x = patterns(half, n, 21);
      const dy = patterns(half, n, 22);
      rejects([x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyRelu(x, { alpha, dtype: half }));
      rejects([dy, x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBackward(dy, x, { alpha, dtype: half }));
      const buffer = x.slice().buffer;
      rejects([buffer], RangeError, 'ERR_OUT_OF_RANGE', () => leakyRelu(buffer, { alpha, dtype: half }));
      await rejectsAsync([x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluAsync(x, { alpha, dtype: half }));
      await rejectsAsync([dy, x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBackwardAsync(dy, x, { alpha, dtype: half }));
      // A float32 array alone takes this alpha (below 3.4028235e38); the 16-bit array in the batch does not.
      const f32 = new Float32Array(n).fill(-1);
      const f64 = new Float64Array(n).fill(-1);
      await rejectsAsync([f32, f64, x], RangeError, 'ERR_OUT_OF_RANGE', () => leakyReluBatch([f32, f64, x], { alpha, dtype: half }));
    }
  });

  test('the largest alphas that stay finite are taken: float16 65519.99 is 65504, bfloat16 3.39e38 its largest value', () => {
    const x = Uint16Array.of(roundToHalf(-1, 'float16'));
    leakyRelu(x, { alpha: 65519.99, dtype: 'float16' });
    expect(decodeHalf(x[0], 'float16')).toBe(-65504);
    const b = Uint16Array.of(roundToHalf(-1, 'bfloat16'));
    leakyRelu(b, { alpha: 3.39e38, dtype: 'bfloat16' });
    expect(decodeHalf(b[0], 'bfloat16')).toBe(-255 * 2 ** 120);
  });
});

/** A view `byteOffset` bytes into a buffer of sentinels, GUARD elements of them after it. */
function guarded(byteOffset: number, data: Uint16Array): { view: Uint16Array; whole: Uint16Array; start: number } {
  const GUARD = 16;
  const start = byteOffset / 2;
  const whole = new Uint16Array(start + data.length + GUARD).fill(HALF_SENTINEL);
  const view = new Uint16Array(whole.buffer, byteOffset, data.length);
  view.set(data);
  return { view, whole, start };
}

function guardProblem(g: { view: Uint16Array; whole: Uint16Array; start: number }): string | null {
  const end = g.start + g.view.length;
  for (let i = 0; i < g.whole.length; i++) {
    if ((i < g.start || i >= end) && g.whole[i] !== HALF_SENTINEL) return `guard ${i - g.start} became 0x${g.whole[i].toString(16)}`;
  }
  return null;
}

describe.each(halves)('%s: views at byte offsets 2 and 6, lengths 0..300 across the JS/native crossover', (half) => {
  test(`the guards (HALF_SENTINEL) would show a stray write for the alphas used`, () => {
    for (const alpha of [0.2, -0.3]) {
      const s = Uint16Array.of(HALF_SENTINEL);
      expect(referenceForward16(s, alpha, half)[0]).not.toBe(HALF_SENTINEL);
    }
    expect(NATIVE_MIN_LENGTH).toBeLessThan(300);
  });

  test.each([
    [2, 6],
    [6, 2],
  ])('x at byte offset %i, out at %i: forward and backward, in place and into out, guards intact', (xOffset, outOffset) => {
    const problems: string[] = [];
    const check = (what: string, n: number, g: ReturnType<typeof guarded>, expected: Uint16Array | null, original?: Uint16Array) => {
      const p = guardProblem(g);
      if (p !== null) problems.push(`${what} n=${n}: ${p}`);
      if (expected !== null) halfProblems(g.view, expected, half).forEach((l) => problems.push(`${what} n=${n}: ${l}`));
      if (original !== undefined && g.view.some((v, i) => v !== original[i])) problems.push(`${what} n=${n}: an input changed`);
    };
    for (let n = 0; n <= 300; n++) {
      for (const alpha of [0.2, -0.3]) {
        const xs = patterns(half, n, 1000 + n);
        const dys = patterns(half, n, 2000 + n);
        const fwd = referenceForward16(xs, alpha, half);
        const bwd = referenceBackward16(dys, xs, alpha, half);

        const a = guarded(xOffset, xs);
        expect(leakyRelu(a.view, { alpha, dtype: half })).toBe(a.view);
        check('forward in place', n, a, fwd);

        const x = guarded(xOffset, xs);
        const out = guarded(outOffset, new Uint16Array(n).fill(HALF_SENTINEL));
        expect(leakyRelu(x.view, { alpha, dtype: half, out: out.view })).toBe(out.view);
        check('forward into out', n, out, fwd);
        check('forward into out: x', n, x, null, xs);

        const dy = guarded(outOffset, dys);
        const x1 = guarded(xOffset, xs);
        expect(leakyReluBackward(dy.view, x1.view, { alpha, dtype: half })).toBe(dy.view);
        check('backward into dy', n, dy, bwd);
        check('backward into dy: x', n, x1, null, xs);

        const dy2 = guarded(xOffset, dys);
        const x2 = guarded(outOffset, xs);
        const dx = guarded(xOffset, new Uint16Array(n).fill(HALF_SENTINEL));
        expect(leakyReluBackward(dy2.view, x2.view, { alpha, dtype: half, out: dx.view })).toBe(dx.view);
        check('backward into out', n, dx, bwd);
        check('backward into out: dy', n, dy2, null, dys);
        check('backward into out: x', n, x2, null, xs);
      }
    }
    expect(problems.slice(0, 12)).toEqual([]);
  });
});

/** Elements of `bytes`-byte elements over 2.5 of the threadpool's chunks (at least `floor`), so a call is split. */
function splitSize(bytes: number, floor: number): number {
  const chunk = raw === null ? 0 : raw.chunkBytes();
  return Math.max(floor, Math.ceil((2.5 * chunk) / bytes));
}

describe('async and batch: large arrays split over the threadpool give the sync results, bit for bit', () => {
  const n16 = splitSize(2, 600_000);
  const n32 = splitSize(4, 300_000);
  const n64 = splitSize(8, 150_000);

  function floats<T extends Float32Array | Float64Array>(Ctor: { new (n: number): T }, n: number, seed: number): T {
    const random = lcg(seed);
    const a = new Ctor(n);
    for (let i = 0; i < n; i++) a[i] = random() < 0.02 ? [0, -0, NaN, Infinity, -Infinity, 1e-40][i % 6] : (random() - 0.5) * 8;
    return a;
  }

  test.each(halves)('%s: leakyReluAsync and leakyReluBackwardAsync (into out) on one large array', async (half) => {
    const x = patterns(half, n16, 31);
    const dy = patterns(half, n16, 32);
    const syncY = leakyRelu(x.slice(), { alpha: -0.3, dtype: half }) as Uint16Array;
    const syncDx = leakyReluBackward(dy.slice(), x, { alpha: -0.3, dtype: half }) as Uint16Array;
    expect(halfProblems(syncY, referenceForward16(x, -0.3, half), half)).toEqual([]);
    expect(halfProblems(syncDx, referenceBackward16(dy, x, -0.3, half), half)).toEqual([]);

    const y = x.slice();
    expect(await leakyReluAsync(y, { alpha: -0.3, dtype: half })).toBe(y);
    expect(halfProblems(y, syncY, half)).toEqual([]);
    const out = new Uint16Array(n16);
    expect(await leakyReluBackwardAsync(dy, x, { alpha: -0.3, dtype: half, out })).toBe(out);
    expect(halfProblems(out, syncDx, half)).toEqual([]);
  });

  test.each(halves)(
    `a batch of float32, float64, Uint16Array and raw-buffer data read as %s (Node 20 has no Float16Array, so float16 and bfloat16 are one batch dtype each)`,
    async (half) => {
      const f32 = floats(Float32Array, n32, 41);
      const f64 = floats(Float64Array, n64, 42);
      const u = patterns(half, n16, 43);
      const data = patterns(half, n16 + 5, 44);
      const buffer = half === 'float16' ? new ArrayBuffer(data.byteLength) : new SharedArrayBuffer(data.byteLength);
      new Uint16Array(buffer).set(data);
      const small = patterns(half, 7, 45);
      const alpha = 1.5;
      const sync = {
        f32: leakyRelu(f32.slice(), alpha),
        f64: leakyRelu(f64.slice(), alpha),
        u: leakyRelu(u.slice(), { alpha, dtype: half }) as Uint16Array,
        buffer: leakyRelu(data.slice(), { alpha, dtype: half }) as Uint16Array,
        small: leakyRelu(small.slice(), { alpha, dtype: half }) as Uint16Array,
      };
      expect(firstBitDifference(sync.f32, referenceForward(f32, alpha))).toBeNull();
      expect(firstBitDifference(sync.f64, referenceForward(f64, alpha))).toBeNull();
      expect(halfProblems(sync.u, referenceForward16(u, alpha, half), half)).toEqual([]);

      const outU = new Uint16Array(n16);
      // BatchOptions types out as FloatArray[], though an entry may be undefined (in place).
      const outs = [undefined, undefined, outU, undefined, undefined] as unknown as Uint16Array[];
      const results = await leakyReluBatch([f32, f64, u, buffer, small], { alpha, dtype: half, out: outs });
      expect(results[0]).toBe(f32);
      expect(results[1]).toBe(f64);
      expect(results[2]).toBe(outU);
      expect(results[3]).toBeInstanceOf(Uint16Array);
      expect([results[3].buffer, results[3].length]).toEqual([buffer, n16 + 5]);
      expect(results[4]).toBe(small);
      expect(firstBitDifference(f32, sync.f32)).toBeNull();
      expect(firstBitDifference(f64, sync.f64)).toBeNull();
      expect(halfProblems(outU, sync.u, half)).toEqual([]);
      expect(halfProblems(results[3] as Uint16Array, sync.buffer, half)).toEqual([]);
      expect(halfProblems(small, sync.small, half)).toEqual([]);
      // The batch wrote u's result to out and left u alone, every bit.
      expect(Buffer.compare(bytesOf(u), bytesOf(patterns(half, n16, 43)))).toBe(0);
    },
    30_000,
  );

  test('a batch of Uint16Array data needs a 16-bit dtype like the sync call (a float32 batch rejects it, nothing changed)', async () => {
    const f = new Float32Array(64).fill(-2);
    const u = patterns('bfloat16', 64, 46);
    await rejectsAsync([f, u], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyReluBatch([f, u], { dtype: 'float32' }));
    // and its out must be a Uint16Array too
    const out = new Float32Array(64);
    await rejectsAsync([f, u, out], TypeError, 'ERR_INVALID_ARG_TYPE', () =>
      leakyReluBatch([f, u], { dtype: 'bfloat16', out: [undefined, out] as never }),
    );
  });
});

describe('info() names the kernels 16-bit data run on', () => {
  test(`float16 and bfloat16 (${project.backend}${project.isa ? `, cap ${project.isa}` : ''})`, () => {
    const i = info();
    if (!project.native) {
      expect(i).toMatchObject({ backend: 'js', isa: 'js', float16: 'js', bfloat16: 'js' });
      return;
    }
    const rank = ['scalar', 'avx2', 'avx512', 'neon'];
    for (const half of halves) {
      expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(i[half]);
      expect(i[half]).toBe(raw!.isaOf(half));
      // The 16-bit kernels are the call's set, or scalar where the CPU lacks the conversions.
      expect([i.isa, 'scalar']).toContain(i[half]);
      expect(rank.indexOf(i[half])).toBeLessThanOrEqual(rank.indexOf(i.isa));
    }
  });
});

// Node 24 (and Deno, Bun) have Float16Array; this Node may not.
const F16 = (globalThis as { Float16Array?: new (n: number | ArrayLike<number> | ArrayBufferLike, offset?: number, length?: number) => Float16ArrayShape })
  .Float16Array;
interface Float16ArrayShape extends ArrayBufferView {
  length: number;
  [i: number]: number;
}
const bitsOf16 = (a: Float16ArrayShape) => new Uint16Array(a.buffer, a.byteOffset, a.length);

describe('Float16Array data', () => {
  test.runIf(typeof F16 === 'function')(
    `read as float16 without a dtype, out a Float16Array, a batch of all four types (runs only where the runtime has Float16Array, Node >= 24: skipped on Node 20, this is ${process.version})`,
    async () => {
      const Ctor = F16!;
      for (const n of [7, 100]) {
        const bits = patterns('float16', n, 51);
        const make = () => {
          const a = new Ctor(n);
          bitsOf16(a).set(bits);
          return a;
        };
        const expected = referenceForward16(bits, 0.2, 'float16');

        const a = make();
        expect(leakyRelu(a as never)).toBe(a);
        expect(halfProblems(bitsOf16(a), expected, 'float16')).toEqual([]);

        const b = make();
        const out = new Ctor(n);
        expect(leakyRelu(b as never, { out: out as never })).toBe(out);
        expect(halfProblems(bitsOf16(out), expected, 'float16')).toEqual([]);

        // out must be the same kind of array as the data, both ways round.
        const c = make();
        const u = bits.slice();
        rejects([bitsOf16(c)], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(c as never, { out: new Uint16Array(n) }));
        rejects([u], TypeError, 'ERR_INVALID_ARG_TYPE', () => leakyRelu(u, { dtype: 'float16', out: new Ctor(n) as never }));

        // A view at byte offset 2 of a larger buffer.
        const whole = new Ctor(n + 2);
        const view = new Ctor(whole.buffer, 2, n);
        bitsOf16(view).set(bits);
        bitsOf16(whole)[0] = HALF_SENTINEL;
        bitsOf16(whole)[n + 1] = HALF_SENTINEL;
        leakyRelu(view as never, -0.3);
        expect(halfProblems(bitsOf16(view), referenceForward16(bits, -0.3, 'float16'), 'float16')).toEqual([]);
        expect([bitsOf16(whole)[0], bitsOf16(whole)[n + 1]]).toEqual([HALF_SENTINEL, HALF_SENTINEL]);

        const dy = make();
        const x = new Ctor(n);
        bitsOf16(x).set(patterns('float16', n, 52));
        const dx = leakyReluBackward(dy as never, x as never, 1.5);
        expect(dx).toBe(dy);
        expect(halfProblems(bitsOf16(dy), referenceBackward16(bits, bitsOf16(x), 1.5, 'float16'), 'float16')).toEqual([]);

        const d = make();
        expect(await leakyReluAsync(d as never)).toBe(d);
        expect(halfProblems(bitsOf16(d), expected, 'float16')).toEqual([]);

        // All four element types in one batch: the Uint16Array is read with the batch's dtype.
        const f32 = Float32Array.from({ length: n }, (_, i) => i - n / 2);
        const f64 = Float64Array.from({ length: n }, (_, i) => i - n / 2);
        const e = make();
        const bf = patterns('bfloat16', n, 53);
        const bfBefore = bf.slice();
        const results = await leakyReluBatch([f32, f64, e as never, bf], { alpha: 0.2, dtype: 'bfloat16' });
        expect(results[2]).toBe(e);
        expect(firstBitDifference(f32, referenceForward(Float32Array.from({ length: n }, (_, i) => i - n / 2), 0.2))).toBeNull();
        expect(firstBitDifference(f64, referenceBackward(
          Float64Array.from({ length: n }, (_, i) => i - n / 2),
          Float64Array.from({ length: n }, (_, i) => i - n / 2),
          0.2,
        ))).toBeNull();
        expect(halfProblems(bitsOf16(e), expected, 'float16')).toEqual([]);
        expect(halfProblems(bf, referenceForward16(bfBefore, 0.2, 'bfloat16'), 'bfloat16')).toEqual([]);
      }
    },
  );
});

describe.each(halves)('%s: alpha 0 and -0 are two alphas', (half) => {
  // The JS fallback keeps tables per (type, alpha) from 32Ki elements: String(-0) is
  // '0', so a table made for one zero once served the other.
  test('after a long call with one zero, short and long calls with the other get its signs', () => {
    const one = half === 'float16' ? 0xbc00 : 0xbf80; // -1
    for (const [first, second] of [[0, -0], [-0, 0]]) {
      expect(leakyRelu(new Uint16Array(32768).fill(one), { alpha: first, dtype: half })[0]).toBe(Object.is(first, -0) ? 0 : 0x8000);
      for (const n of [100, 32768]) {
        expect(leakyRelu(new Uint16Array(n).fill(one), { alpha: second, dtype: half })[0]).toBe(Object.is(second, -0) ? 0 : 0x8000);
      }
    }
  });
});
