// leakyReluAsync, leakyReluBackwardAsync and leakyReluBatch: what they resolve with,
// that their results are the sync results bit for bit at every size that cuts into
// threadpool chunks differently, that the event loop keeps turning, that every bad
// argument rejects (never throws) with nothing touched, and AbortSignal handling.
import { createHook } from 'node:async_hooks';
import { describe, expect, test } from 'vitest';
import { info, leakyRelu, leakyReluAsync, leakyReluBackwardAsync, leakyReluBatch } from '../lib/index';
import { dtypeOf, dtypes } from './helpers/arrays';
import type { FloatCtor } from './helpers/arrays';
import {
  bitDifference,
  byteChange,
  bytesNow,
  callWithoutThrowing,
  copyOf,
  isPending,
  nextTurn,
  randomData,
  seeded,
  settle,
} from './helpers/async-helpers';
import type { FloatArray } from './helpers/async-helpers';
import { describeChild, runScript } from './helpers/child';
import { JS_SLICE, NATIVE_MIN_LENGTH, workUnit } from './helpers/lengths';
import { project } from './helpers/project';
import { referenceBackward, referenceForward } from './helpers/reference';

// The native side cuts work into chunks of CHUNK_BYTES (1 MiB: 131072 float64, 262144
// float32 elements) and gathers small arrays of a batch into one chunk; the JS backend
// works in slices of JS_SLICE elements; below NATIVE_MIN_LENGTH elements the sync path
// takes the JS kernels. These lengths sit on and around each of those edges: one and two
// float64 units of work are a float64 and a float32 chunk, or one and two JS slices.
const N = NATIVE_MIN_LENGTH;
const UNIT = workUnit(Float64Array);
const LENGTHS = [
  0, 1, 3, N - 1, N, N + 1, 1000,
  UNIT - 1, UNIT, UNIT + 1,
  2 * UNIT - 1, 2 * UNIT, 2 * UNIT + 1,
  4 * UNIT + 5, 6 * UNIT + 3,
];

describe('what the promises resolve with', () => {
  test('leakyReluAsync resolves with x itself when in place, and with out itself when given', async () => {
    const x = new Float32Array([-1, 2]);
    await expect(leakyReluAsync(x)).resolves.toBe(x);
    const out = new Float64Array(2);
    const x64 = new Float64Array([-1, 2]);
    await expect(leakyReluAsync(x64, { alpha: 0.5, out })).resolves.toBe(out);
    expect([...x64]).toEqual([-1, 2]);
    expect([...out]).toEqual([-0.5, 2]);
  });

  test('an ArrayBuffer resolves to a view over all of it, read with dtype', async () => {
    const ab = new ArrayBuffer(32);
    new Float64Array(ab).set([-2, 3, -4, 5]);
    const y = await leakyReluAsync(ab, { alpha: 0.5, dtype: 'float64' });
    expect(y).toBeInstanceOf(Float64Array);
    expect(y.buffer).toBe(ab);
    expect([y.byteOffset, y.length]).toEqual([0, 4]);
    expect([...y]).toEqual([-1, 3, -2, 5]);

    const sab = new SharedArrayBuffer(8);
    new Float32Array(sab).set([-4, 1]);
    const z = await leakyReluAsync(sab, 0.25);
    expect(z).toBeInstanceOf(Float32Array);
    expect(z.buffer).toBe(sab);
    expect([...z]).toEqual([-1, 1]);
  });

  test('leakyReluBackwardAsync resolves with dy itself, or with out itself when given', async () => {
    const x = new Float32Array([-1, 1, 0]);
    const dy = new Float32Array([4, 4, 4]);
    await expect(leakyReluBackwardAsync(dy, x, 0.5)).resolves.toBe(dy);
    expect([...dy]).toEqual([2, 4, 2]);
    const out = new Float32Array(3);
    const dy2 = new Float32Array([8, 8, 8]);
    await expect(leakyReluBackwardAsync(dy2, x, { alpha: 0.25, out })).resolves.toBe(out);
    expect([...out]).toEqual([2, 8, 2]);
    expect([...dy2]).toEqual([8, 8, 8]);
  });

  test('leakyReluBatch resolves once with out[i] ?? xs[i], the same objects', async () => {
    const xs = [new Float32Array([-1]), new Float64Array([-2]), new Float32Array([-4])];
    const out1 = new Float64Array(1);
    const result = await leakyReluBatch(xs, { alpha: 0.5, out: [undefined, out1, undefined] as unknown as FloatArray[] });
    expect(result).toHaveLength(3);
    expect(result[0]).toBe(xs[0]);
    expect(result[1]).toBe(out1);
    expect(result[2]).toBe(xs[2]);
    expect([result[0][0], result[1][0], result[2][0], xs[1][0]]).toEqual([-0.5, -1, -2, -2]);
  });

  test('an empty batch resolves with an empty array', async () => {
    await expect(leakyReluBatch([])).resolves.toEqual([]);
    await expect(leakyReluBatch([], { alpha: 3, out: [] })).resolves.toEqual([]);
  });
});

describe.each(dtypes)('results equal the reference bit for bit ($name)', ({ Ctor }) => {
  test.each(LENGTHS)('forward, length %i, in place and into out', async (n) => {
    const alpha = -0.3;
    const x = randomData(Ctor, n, n + 1);
    const expected = referenceForward(x, alpha);
    const input = copyOf(x);
    const out = new Ctor(n);
    const inPlace = copyOf(x);
    await Promise.all([leakyReluAsync(inPlace, alpha), leakyReluAsync(input, { alpha, out })]);
    expect(bitDifference(inPlace, expected), 'in place').toBeNull();
    expect(bitDifference(out, expected), 'into out').toBeNull();
    expect(bitDifference(input, x), 'the input of an out call').toBeNull();
  });

  test.each(LENGTHS)('backward, length %i, into dy and into out', async (n) => {
    const alpha = 1.7;
    const x = randomData(Ctor, n, 2 * n + 3);
    const dy = randomData(Ctor, n, 3 * n + 5);
    const expected = referenceBackward(dy, x, alpha);
    const intoDy = copyOf(dy);
    const out = new Ctor(n);
    const dyKept = copyOf(dy);
    await Promise.all([
      leakyReluBackwardAsync(intoDy, x, alpha),
      leakyReluBackwardAsync(dyKept, x, { alpha, out }),
    ]);
    expect(bitDifference(intoDy, expected), 'into dy').toBeNull();
    expect(bitDifference(out, expected), 'into out').toBeNull();
    expect(bitDifference(dyKept, dy), 'dy of an out call').toBeNull();
  });

  test('backward may write the gradient over x itself (out is exactly x)', async () => {
    const n = 70_001;
    const x = randomData(Ctor, n, 11);
    const dy = randomData(Ctor, n, 12);
    const expected = referenceBackward(dy, x, 0.1);
    await expect(leakyReluBackwardAsync(dy, x, { alpha: 0.1, out: x })).resolves.toBe(x);
    expect(bitDifference(x, expected)).toBeNull();
  });

  test('a view at an odd offset is transformed exactly, and no element around it is touched', async () => {
    // Three JS slices, the last one short.
    const n = 2 * JS_SLICE + 9;
    const whole = randomData(Ctor, n + 40, 77);
    const before = copyOf(whole);
    const view = whole.subarray(17, 17 + n) as FloatArray;
    const expected = referenceForward(view.slice() as FloatArray, 4);
    await leakyReluAsync(view, 4);
    expect(bitDifference(view, expected)).toBeNull();
    expect(bitDifference(whole.subarray(0, 17) as FloatArray, before.subarray(0, 17) as FloatArray), 'head').toBeNull();
    expect(bitDifference(whole.subarray(17 + n) as FloatArray, before.subarray(17 + n) as FloatArray), 'tail').toBeNull();
  });
});

describe('threadpool', () => {
  // Counting the turns of setImmediate while the promise is pending is
  // the evidence that the event loop turned; no durations are compared.
  async function ticksWhilePending(p: Promise<unknown>): Promise<{ immediates: number }> {
    let settled = false;
    let immediates = 0;
    const spin = (): void => {
      if (settled) return;
      immediates++;
      setImmediate(spin);
    };
    setImmediate(spin);
    try {
      await p;
    } finally {
      settled = true;
    }
    return { immediates };
  }

  test.runIf(project.heavyNative)('the event loop keeps turning while 64Mi-element calls run, and the result is right', async () => {
    const n = 64 * 1024 * 1024;
    const x = new Float32Array(n);
    // Values recomputable from the index: no second 256 MB array to compare with.
    for (let i = 0; i < n; i++) x[i] = (i & 1023) - 511.5;
    // One such call takes only ~20 ms of threadpool time here, about what a GC pause on
    // the main thread can take; four calls queued on the same array (they run one after
    // the other) leave the loop room to show it turns.
    const calls = [0, 1, 2, 3].map(() => leakyReluAsync(x, 0.5));
    const { immediates } = await ticksWhilePending(Promise.all(calls));
    expect(immediates).toBeGreaterThan(1);
    let wrong = -1;
    for (let i = 0; i < n; i++) {
      const v = (i & 1023) - 511.5;
      if (x[i] !== (v > 0 ? v : v / 16)) {
        wrong = i;
        break;
      }
    }
    expect(wrong).toBe(-1);
  });

  test.runIf(project.heavyJs)('the JS backend yields to the event loop between slices of a large call', async () => {
    const n = 4 * 1024 * 1024;
    const x = new Float32Array(n).fill(-2);
    const { immediates } = await ticksWhilePending(leakyReluAsync(x, 0.5));
    expect(immediates).toBeGreaterThan(1);
    expect(x.every((v) => v === -1)).toBe(true);
  });

  test('info().threads is the threadpool size: 1 for the js backend, UV_THREADPOOL_SIZE (default 4) for native', () => {
    const expected = project.native ? Number(process.env.UV_THREADPOOL_SIZE ?? 4) : 1;
    expect(info().threads).toBe(expected);
  });

  /**
   * How many threadpool requests a call makes. Which thread runs what is not visible
   * from JS, but every request is an async resource that async_hooks reports (the
   * addon names them 'leaky-relu'), so "spread over several threads" and "small
   * arrays share a request" can be counted.
   */
  async function requestsOf(call: () => Promise<unknown>): Promise<number> {
    let count = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'leaky-relu') count++;
      },
    }).enable();
    try {
      await call();
    } finally {
      hook.disable();
    }
    return count;
  }

  test.runIf(project.native)('one large array is queued on several threadpool threads at once', async () => {
    const threads = info().threads;
    const requests = await requestsOf(() => leakyReluAsync(new Float32Array(4 << 20).fill(-1)));
    expect(requests).toBeGreaterThanOrEqual(Math.min(2, threads));
    expect(requests).toBeLessThanOrEqual(threads);
  });

  test.runIf(project.native)('a batch of large arrays spreads over several threads; 1000 small ones do not take 1000 requests', async () => {
    const threads = info().threads;
    const large = Array.from({ length: 6 }, (_, i) => (i % 2 ? new Float64Array(1 << 18) : new Float32Array(1 << 18)));
    expect(await requestsOf(() => leakyReluBatch(large))).toBeGreaterThanOrEqual(Math.min(2, threads));
    const small = Array.from({ length: 1000 }, () => new Float32Array(64).fill(-1));
    const requests = await requestsOf(() => leakyReluBatch(small, 0.5));
    expect(requests).toBeLessThanOrEqual(threads);
    expect(small.every((a) => a.every((v) => v === -0.5))).toBe(true);
  });

  test.runIf(project.heavyNative)('UV_THREADPOOL_SIZE sets info().threads and bounds the requests of one call', async () => {
    const script = `
      const lr = require(process.env.PKG);
      const { createHook } = require('node:async_hooks');
      let requests = 0;
      createHook({ init(_id, type) { if (type === 'leaky-relu') requests++; } }).enable();
      const x = new Float32Array(8 << 20).fill(-1);
      lr.leakyReluAsync(x, 0.5).then(() => {
        console.log(JSON.stringify({ threads: lr.info().threads, requests, ok: x.every((v) => v === -0.5) }));
      });`;
    for (const size of ['1', '2', '7']) {
      const r = await runScript(script, { UV_THREADPOOL_SIZE: size });
      expect(r.code, describeChild(r)).toBe(0);
      // 32 MiB is far more chunks than threads: the call spreads over every thread.
      expect(r.records[0]).toEqual({ threads: Number(size), requests: Number(size), ok: true });
    }
  });
});

describe('batches', () => {
  test('a batch mixing float32, float64, ArrayBuffers (read as the batch dtype) and outs gives each array its reference result', async () => {
    for (const { name: dtype, Ctor: Elem } of dtypes) {
      const alpha = -1.25;
      const f32 = randomData(Float32Array, 100_003, 1);
      const f64 = randomData(Float64Array, 70_001, 2);
      const abData = randomData(Elem, 5_000, 3);
      const ab = abData.buffer;
      const sabData = randomData(Elem, 200, 4);
      const sab = new SharedArrayBuffer(sabData.byteLength);
      new Uint8Array(sab).set(new Uint8Array(sabData.buffer));
      const tiny = randomData(Float64Array, 7, 5);
      const tinyOut = new Float64Array(7);
      const bigOut = new Float32Array(100_003);
      const expected = [
        referenceForward(f32, alpha),
        referenceForward(f64, alpha),
        referenceForward(abData.slice() as FloatArray, alpha),
        referenceForward(sabData, alpha),
        referenceForward(tiny, alpha),
      ];
      const f32Before = copyOf(f32);
      const result = await leakyReluBatch([f32, f64, ab, sab, tiny] as unknown as FloatArray[], {
        alpha,
        dtype,
        out: [bigOut, undefined, undefined, undefined, tinyOut] as unknown as FloatArray[],
      });
      expect(result[0]).toBe(bigOut);
      expect(result[1]).toBe(f64);
      expect(result[2]).toBeInstanceOf(Elem);
      expect(result[2].buffer).toBe(ab);
      expect(result[3].buffer).toBe(sab);
      expect(result[4]).toBe(tinyOut);
      result.forEach((y, i) => expect(bitDifference(y, expected[i]), `${dtype}: array ${i}`).toBeNull());
      expect(bitDifference(f32, f32Before), 'an input written to out').toBeNull();
    }
  });

  test('arrays of a batch may be disjoint views of one buffer, written in place', async () => {
    const buffer = randomData(Float32Array, 300_000, 9);
    const before = copyOf(buffer);
    const a = buffer.subarray(0, 100_000);
    const b = buffer.subarray(100_000, 250_001);
    const c = buffer.subarray(250_001, 250_002);
    const result = await leakyReluBatch([a, b, c], 0.5);
    expect(result[0]).toBe(a);
    expect(result[1]).toBe(b);
    expect(result[2]).toBe(c);
    expect(bitDifference(buffer.subarray(0, 250_002), referenceForward(before.subarray(0, 250_002), 0.5))).toBeNull();
    expect(bitDifference(buffer.subarray(250_002), before.subarray(250_002)), 'the rest of the buffer').toBeNull();
  });

  test('inputs of a batch may overlap each other when every output is elsewhere', async () => {
    const buffer = randomData(Float64Array, 200_000, 10);
    const before = copyOf(buffer);
    const a = buffer.subarray(0, 120_000);
    const c = buffer.subarray(80_000, 200_000);
    const outA = new Float64Array(120_000);
    const outC = new Float64Array(120_000);
    const result = await leakyReluBatch([a, c], { alpha: -3, out: [outA, outC] });
    expect(result[0]).toBe(outA);
    expect(result[1]).toBe(outC);
    expect(bitDifference(outA, referenceForward(before.subarray(0, 120_000), -3))).toBeNull();
    expect(bitDifference(outC, referenceForward(before.subarray(80_000), -3))).toBeNull();
    expect(bitDifference(buffer, before), 'the shared input').toBeNull();
  });

  test('a batch of 2000 small arrays of random lengths, some into outs, matches the reference', async () => {
    const random = seeded(42);
    const xs: FloatArray[] = [];
    const outs: (FloatArray | undefined)[] = [];
    const expected: FloatArray[] = [];
    for (let i = 0; i < 2000; i++) {
      const Ctor: FloatCtor = random() < 0.5 ? Float32Array : Float64Array;
      const x = randomData(Ctor, Math.floor(random() * 300), i);
      xs.push(x);
      expected.push(referenceForward(x, 0.01));
      outs.push(random() < 0.3 ? new Ctor(x.length) : undefined);
    }
    const result = await leakyReluBatch(xs, { alpha: 0.01, out: outs as FloatArray[] });
    for (let i = 0; i < xs.length; i++) {
      expect(result[i]).toBe(outs[i] ?? xs[i]);
      const difference = bitDifference(result[i], expected[i]);
      if (difference !== null) expect.fail(`array ${i}: ${difference}`);
    }
  });
});

// ---- Every error row of the contract, through the async functions.

type Args = unknown[];
interface ErrorCase {
  name: string;
  /** Builds fresh arguments, and the data whose bytes must not change. */
  make: () => { args: Args; data: (FloatArray | ArrayBufferLike)[] };
  type: typeof TypeError | typeof RangeError | typeof Error;
  code: string | undefined;
}

function detachedF32(): Float32Array {
  const a = new Float32Array(64);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const f32 = (n = 100, seed = 1): Float32Array => randomData(Float32Array, n, seed);
const f64 = (n = 100, seed = 2): Float64Array => randomData(Float64Array, n, seed);

function forwardCases(): ErrorCase[] {
  const T = TypeError;
  const R = RangeError;
  const type = 'ERR_INVALID_ARG_TYPE';
  const range = 'ERR_OUT_OF_RANGE';
  const one = (name: string, build: () => Args, t: ErrorCase['type'], code: string | undefined): ErrorCase => ({
    name,
    make: () => {
      const args = build();
      const data = args.flatMap((a) => {
        if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer || a instanceof SharedArrayBuffer) return [a as FloatArray];
        if (typeof a === 'object' && a !== null && 'out' in a && ArrayBuffer.isView((a as { out: unknown }).out)) {
          return [(a as { out: FloatArray }).out];
        }
        return [];
      });
      return { args, data };
    },
    type: t,
    code,
  });
  const shared = new Float32Array(300);
  return [
    one('x an Int32Array', () => [new Int32Array(8)], T, type),
    one('x a DataView', () => [new DataView(new ArrayBuffer(8))], T, type),
    one('x a Buffer', () => [Buffer.alloc(8)], T, type),
    one('x a number[]', () => [[1, -1]], T, type),
    one('x null', () => [null], T, type),
    one('x undefined', () => [undefined], T, type),
    one('alpha a string', () => [f32(), '0.1'], T, type),
    one('alpha null', () => [f32(), { alpha: null }], T, type),
    one('alpha a bigint', () => [f64(), { alpha: 1n }], T, type),
    one('options a string', () => [f32(), 'fast'], T, type),
    one('alpha NaN', () => [f32(), NaN], R, range),
    one('alpha Infinity', () => [f64(), Infinity], R, range),
    one('alpha -Infinity', () => [f64(), { alpha: -Infinity }], R, range),
    one('alpha 1e39 for float32 data (Infinity once rounded)', () => [f32(), 1e39], R, range),
    one('out a Float64Array for float32 x', () => [f32(), { out: new Float64Array(100) }], T, type),
    one('out an Int32Array', () => [f32(), { out: new Int32Array(100) }], T, type),
    one('out of another length', () => [f32(), { out: new Float32Array(99) }], R, range),
    one('ArrayBuffer of 10 bytes read as float32', () => [new ArrayBuffer(10)], R, range),
    one('ArrayBuffer of 12 bytes read as float64', () => [new ArrayBuffer(12), { dtype: 'float64' }], R, range),
    one('out a Float32Array for an ArrayBuffer read as float64', () => [new ArrayBuffer(16), { dtype: 'float64', out: new Float32Array(2) }], T, type),
    one(
      'out partly overlapping x',
      () => {
        const b = f32(300, 3);
        return [b.subarray(0, 100), { out: b.subarray(50, 150) }];
      },
      R,
      range,
    ),
    one('x detached', () => [detachedF32()], T, 'ERR_INVALID_STATE'),
    one('out detached', () => [new Float32Array(0), { out: detachedF32() }], T, 'ERR_INVALID_STATE'),
    one(
      'ArrayBuffer detached',
      () => {
        const ab = new ArrayBuffer(16);
        structuredClone(ab, { transfer: [ab] });
        return [ab];
      },
      T,
      'ERR_INVALID_STATE',
    ),
    one('signal a plain object', () => [f32(), { signal: {} }], T, type),
    one('signal a string', () => [f32(), { signal: 'abort' }], T, type),
    one('signal null', () => [f32(), { signal: null }], T, type),
    // Types come before detachment, detachment before ranges.
    one('an Int32Array x with a NaN alpha (types first)', () => [new Int32Array(4), NaN], T, type),
    one('a detached x with a NaN alpha (detached before range)', () => [detachedF32(), NaN], T, 'ERR_INVALID_STATE'),
    one('a Float64Array out for float32 x of another length (types first)', () => [f32(), { out: new Float64Array(3) }], T, type),
    // The contract leaves its code open; a TypeError that rejects is what matters here.
    one('dtype not float32/float64', () => [new ArrayBuffer(8), { dtype: 'int8' }], T, undefined),
    one('out a subarray of the same buffer at another offset of same length', () => [shared.subarray(0, 100), { out: shared.subarray(1, 101) }], R, range),
  ];
}

function backwardCases(): ErrorCase[] {
  const type = 'ERR_INVALID_ARG_TYPE';
  const range = 'ERR_OUT_OF_RANGE';
  const mk = (name: string, build: () => { args: Args; data: (FloatArray | ArrayBufferLike)[] }, t: ErrorCase['type'], code: string): ErrorCase => ({
    name,
    make: build,
    type: t,
    code,
  });
  return [
    mk('dy an Int32Array', () => { const x = f32(); return { args: [new Int32Array(100), x], data: [x] }; }, TypeError, type),
    mk('x a number[]', () => { const dy = f32(); return { args: [dy, [1, 2]], data: [dy] }; }, TypeError, type),
    mk('dy float32, x float64', () => { const dy = f32(), x = f64(); return { args: [dy, x], data: [dy, x] }; }, TypeError, type),
    mk('out of another element type', () => { const dy = f32(), x = f32(100, 5); return { args: [dy, x, { out: new Float64Array(100) }], data: [dy, x] }; }, TypeError, type),
    mk('dy and x lengths differ', () => { const dy = f32(100), x = f32(101, 5); return { args: [dy, x], data: [dy, x] }; }, RangeError, range),
    mk('out of another length', () => { const dy = f64(), x = f64(100, 6), out = new Float64Array(7); return { args: [dy, x, { out }], data: [dy, x, out] }; }, RangeError, range),
    mk('out partly overlapping dy', () => { const b = f32(300, 7), x = f32(100, 8); return { args: [b.subarray(0, 100), x, { out: b.subarray(10, 110) }], data: [b, x] }; }, RangeError, range),
    mk('out partly overlapping x', () => { const b = f64(300, 7), dy = f64(100, 8); return { args: [dy, b.subarray(0, 100), { out: b.subarray(99, 199) }], data: [b, dy] }; }, RangeError, range),
    mk('dy detached', () => { const x = new Float32Array(0); return { args: [detachedF32(), x], data: [] }; }, TypeError, 'ERR_INVALID_STATE'),
    mk('x detached', () => ({ args: [new Float32Array(0), detachedF32()], data: [] }), TypeError, 'ERR_INVALID_STATE'),
    mk('alpha NaN', () => { const dy = f32(), x = f32(100, 9); return { args: [dy, x, NaN], data: [dy, x] }; }, RangeError, range),
    mk('alpha 1e39 for float32 data', () => { const dy = f32(), x = f32(100, 9); return { args: [dy, x, { alpha: 1e39 }], data: [dy, x] }; }, RangeError, range),
    mk('alpha a string', () => { const dy = f32(), x = f32(100, 9); return { args: [dy, x, { alpha: 'x' }], data: [dy, x] }; }, TypeError, type),
    mk('signal not an AbortSignal', () => { const dy = f32(), x = f32(100, 9); return { args: [dy, x, { signal: { aborted: 'no' } }], data: [dy, x] }; }, TypeError, type),
  ];
}

/** A batch of 1000 valid arrays (large ones among them) with one `bad` thing done to it. */
function batchCase(
  name: string,
  spoil: (xs: unknown[], opts: { alpha?: unknown; out?: unknown[]; signal?: unknown }) => void,
  type: ErrorCase['type'],
  code: string,
): ErrorCase {
  return {
    name,
    make: () => {
      const random = seeded(name.length);
      const xs: unknown[] = [];
      for (let i = 0; i < 1000; i++) {
        const n = i % 100 === 0 ? 70_000 : 1 + Math.floor(random() * 50);
        xs.push(i % 3 === 0 ? f64(n, i) : f32(n, i));
      }
      const opts: { alpha?: unknown; out?: unknown[]; signal?: unknown } = { alpha: 0.5 };
      spoil(xs, opts);
      const data = [...xs, ...(opts.out ?? [])].filter(
        (a): a is FloatArray | ArrayBufferLike =>
          (ArrayBuffer.isView(a) || a instanceof ArrayBuffer || a instanceof SharedArrayBuffer) && !(a instanceof Int32Array),
      );
      return { args: [xs, opts], data };
    },
    type,
    code,
  };
}

function batchCases(): ErrorCase[] {
  const type = 'ERR_INVALID_ARG_TYPE';
  const range = 'ERR_OUT_OF_RANGE';
  const outsFor = (xs: unknown[]): unknown[] => xs.map(() => undefined);
  const notArrays: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a Float32Array', new Float32Array(4)],
    ['a string', 'abc'],
    ['an array-like object', { length: 1, 0: new Float32Array(1) }],
  ];
  return [
    ...notArrays.map(([name, xs]): ErrorCase => ({ name: `xs ${name}`, make: () => ({ args: [xs], data: [] }), type: TypeError, code: type })),
    batchCase('xs[500] an Int32Array', (xs) => (xs[500] = new Int32Array(10)), TypeError, type),
    batchCase('xs[999] null', (xs) => (xs[999] = null), TypeError, type),
    batchCase('xs[3] a DataView', (xs) => (xs[3] = new DataView(new ArrayBuffer(8))), TypeError, type),
    batchCase('xs[700] detached', (xs) => (xs[700] = detachedF32()), TypeError, 'ERR_INVALID_STATE'),
    batchCase('out[200] detached', (xs, o) => {
      o.out = outsFor(xs);
      xs[200] = new Float32Array(0);
      o.out[200] = detachedF32();
    }, TypeError, 'ERR_INVALID_STATE'),
    batchCase('out[400] of another length', (xs, o) => {
      o.out = outsFor(xs);
      const x = xs[400] as FloatArray;
      o.out[400] = x instanceof Float32Array ? new Float32Array(x.length + 1) : new Float64Array(x.length + 1);
    }, RangeError, range),
    batchCase('out[401] of another element type', (xs, o) => {
      o.out = outsFor(xs);
      const x = xs[401] as FloatArray;
      o.out[401] = x instanceof Float32Array ? new Float64Array(x.length) : new Float32Array(x.length);
    }, TypeError, type),
    batchCase('out not an Array', (_xs, o) => ((o as { out: unknown }).out = new Float32Array(1000)), TypeError, type),
    batchCase('out with fewer entries than xs', (xs, o) => (o.out = outsFor(xs).slice(1)), RangeError, range),
    batchCase('two arrays partly overlapping in one buffer, both written', (xs) => {
      const b = f32(5000, 77);
      xs[10] = b.subarray(0, 3000);
      xs[900] = b.subarray(2000, 5000);
    }, RangeError, range),
    batchCase('the same array twice', (xs) => (xs[600] = xs[0]), RangeError, range),
    batchCase('an ArrayBuffer and a view of it', (xs) => {
      const b = f32(64, 78);
      xs[20] = b.buffer;
      xs[21] = b.subarray(5, 10);
    }, RangeError, range),
    batchCase('out[5] overlapping xs[6]', (xs, o) => {
      const b = f32(200, 79);
      xs[5] = f32(100, 80);
      xs[6] = b.subarray(0, 100);
      o.out = outsFor(xs);
      o.out[5] = b.subarray(50, 150);
    }, RangeError, range),
    batchCase('an ArrayBuffer of 6 bytes', (xs) => (xs[333] = new ArrayBuffer(6)), RangeError, range),
    batchCase('alpha NaN', (_xs, o) => (o.alpha = NaN), RangeError, range),
    batchCase('alpha 1e39 with float32 arrays among float64 ones', (_xs, o) => (o.alpha = 1e39), RangeError, range),
    batchCase('alpha null', (_xs, o) => (o.alpha = null), TypeError, type),
    batchCase('signal not an AbortSignal', (_xs, o) => (o.signal = { aborted: false }), TypeError, type),
    batchCase('an Int32Array at 900 and a detached array at 10 (types first)', (xs) => {
      xs[900] = new Int32Array(3);
      xs[10] = detachedF32();
    }, TypeError, type),
  ];
}

/** Copies the bytes of every reachable, live buffer of `data`. */
function snapshotBytes(data: (FloatArray | ArrayBufferLike)[]): { check: () => string | null } {
  const live = data.filter((d) => (ArrayBuffer.isView(d) ? d.buffer : d).byteLength !== 0);
  const before = live.map(bytesNow);
  return {
    check: () => {
      for (let k = 0; k < live.length; k++) {
        const change = byteChange(before[k], new Uint8Array(ArrayBuffer.isView(live[k]) ? (live[k] as FloatArray).buffer : (live[k] as ArrayBufferLike)));
        if (change !== null) return `data ${k}: ${change}`;
      }
      return null;
    },
  };
}

async function expectRejectsUntouched(c: ErrorCase, call: (args: Args) => Promise<unknown>): Promise<void> {
  const { args, data } = c.make();
  const bytes = snapshotBytes(data);
  const outcome = await settle(callWithoutThrowing(() => call(args)));
  expect(outcome.status).toBe('rejected');
  expect(outcome.error).toBeInstanceOf(c.type);
  if (c.code !== undefined) expect(outcome.error?.code).toBe(c.code);
  // Let any work that was wrongly queued finish before looking at the bytes.
  await nextTurn();
  expect(bytes.check()).toBeNull();
}

describe('bad arguments reject, never throw, and touch nothing', () => {
  test.each(forwardCases())('leakyReluAsync: $name', async (c) => {
    await expectRejectsUntouched(c, (args) => (leakyReluAsync as (...a: Args) => Promise<unknown>)(...args));
  });

  test.each(backwardCases())('leakyReluBackwardAsync: $name', async (c) => {
    await expectRejectsUntouched(c, (args) => (leakyReluBackwardAsync as (...a: Args) => Promise<unknown>)(...args));
  });

  test.each(batchCases())('leakyReluBatch: $name', async (c) => {
    await expectRejectsUntouched(c, (args) => (leakyReluBatch as (...a: Args) => Promise<unknown>)(...args));
  });

  test('an options getter that throws rejects with its error instead of throwing', async () => {
    const boom = new Error('boom');
    const opts = Object.defineProperty({}, 'alpha', { get: () => { throw boom; } });
    const x = new Float32Array([-1]);
    const calls: (() => Promise<unknown>)[] = [
      () => leakyReluAsync(x, opts),
      () => leakyReluBackwardAsync(x, x, opts),
      () => leakyReluBatch([x], opts),
    ];
    for (const call of calls) {
      const outcome = await settle(callWithoutThrowing(call));
      expect(outcome.error).toBe(boom);
    }
    expect(x[0]).toBe(-1);
  });

  test('alpha 1e39 is accepted for a batch of float64 arrays only, and for float64 calls', async () => {
    const a = new Float64Array([-1, 2]);
    const b = new Float64Array([-2]);
    await leakyReluBatch([a, b], 1e39);
    expect([...a, ...b]).toEqual([-1e39, 2, -2e39]);
    await expect(leakyReluAsync(new Float64Array([-1]), 1e39)).resolves.toEqual(new Float64Array([-1e39]));
  });
});

// ---- AbortSignal.

const isAbortError = (e: (Error & { code?: string }) | undefined): boolean =>
  e instanceof Error && e.name === 'AbortError' && e.code === 'ABORT_ERR';

describe('signal', () => {
  test('aborted before the call: every function rejects with an AbortError and touches nothing', async () => {
    for (const reason of [undefined, new Error('why'), 'a string reason']) {
      const signal = AbortSignal.abort(reason);
      const x = randomData(Float32Array, 100_000, 1);
      const dy = randomData(Float32Array, 100_000, 2);
      const ab = randomData(Float64Array, 1000, 3).buffer;
      const batch = [randomData(Float64Array, 70_000, 4), randomData(Float32Array, 5, 5)];
      const bytes = snapshotBytes([x, dy, ab, ...batch]);
      const outcomes = await Promise.all([
        settle(callWithoutThrowing(() => leakyReluAsync(x, { signal }))),
        settle(callWithoutThrowing(() => leakyReluAsync(ab, { dtype: 'float64', signal }))),
        settle(callWithoutThrowing(() => leakyReluBackwardAsync(dy, x, { signal }))),
        settle(callWithoutThrowing(() => leakyReluBatch(batch, { signal }))),
      ]);
      for (const o of outcomes) expect(isAbortError(o.error), String(o.error)).toBe(true);
      await nextTurn();
      expect(bytes.check()).toBeNull();
    }
  });

  /** The first element of `now` that is neither `original[i]` nor `transformed[i]`, or null. */
  function firstNeither(now: FloatArray, original: FloatArray, transformed: FloatArray): string | null {
    for (let i = 0; i < now.length; i++) {
      const v = now[i];
      if (!Object.is(v, original[i]) && !Object.is(v, transformed[i]) && !(Number.isNaN(v) && Number.isNaN(original[i]))) {
        return `index ${i}: ${v}, neither ${original[i]} nor ${transformed[i]}`;
      }
    }
    return null;
  }

  test.each(dtypes)('aborted right after a large $name call starts: AbortError, each element original or transformed', async ({ Ctor }) => {
    const n = 1 << 20;
    const x = randomData(Ctor, n, 21);
    const original = copyOf(x);
    const transformed = referenceForward(x, -0.5);
    const controller = new AbortController();
    const p = leakyReluAsync(x, { alpha: -0.5, signal: controller.signal });
    controller.abort();
    const outcome = await settle(p);
    expect(isAbortError(outcome.error), String(outcome.error)).toBe(true);
    expect(firstNeither(x, original, transformed)).toBeNull();
  });

  test('aborted a turn after a large call starts: either done (all transformed) or AbortError (each element original or transformed)', async () => {
    const n = 2 << 20;
    const x = randomData(Float32Array, n, 22);
    const original = copyOf(x);
    const transformed = referenceForward(x, 3);
    const controller = new AbortController();
    const p = leakyReluAsync(x, { alpha: 3, signal: controller.signal });
    await nextTurn();
    controller.abort();
    const outcome = await settle(p);
    if (outcome.status === 'fulfilled') expect(bitDifference(x, transformed)).toBeNull();
    else expect(isAbortError(outcome.error), String(outcome.error)).toBe(true);
    expect(firstNeither(x, original, transformed)).toBeNull();
  });

  test('aborting a batch and a backward call during the work rejects both; outputs hold old or new values only', async () => {
    const xs = Array.from({ length: 8 }, (_, i) => randomData(i % 2 ? Float64Array : Float32Array, 1 << 17, 30 + i) as FloatArray);
    const originals = xs.map((a) => copyOf(a));
    const transformed = xs.map((a) => referenceForward(a, 0.125));
    const dy = randomData(Float64Array, 1 << 19, 40);
    const bx = randomData(Float64Array, 1 << 19, 41);
    const out = randomData(Float64Array, 1 << 19, 42);
    const outBefore = copyOf(out);
    const grad = referenceBackward(dy, bx, 0.125);
    const controller = new AbortController();
    const pb = leakyReluBatch(xs, { alpha: 0.125, signal: controller.signal });
    const pg = leakyReluBackwardAsync(dy, bx, { alpha: 0.125, out, signal: controller.signal });
    controller.abort();
    const [b, g] = await Promise.all([settle(pb), settle(pg)]);
    expect(isAbortError(b.error), String(b.error)).toBe(true);
    expect(isAbortError(g.error), String(g.error)).toBe(true);
    xs.forEach((a, i) => expect(firstNeither(a, originals[i], transformed[i]), `array ${i}`).toBeNull());
    expect(firstNeither(out, outBefore, grad)).toBeNull();
  });

  test('aborting after the promise settled changes nothing and raises nothing', async () => {
    const controller = new AbortController();
    const x = new Float64Array(100_000).fill(-4);
    await expect(leakyReluAsync(x, { alpha: 0.5, signal: controller.signal })).resolves.toBe(x);
    controller.abort();
    await nextTurn();
    expect(x.every((v) => v === -2)).toBe(true);
  });

  test('a signal that never aborts does not stop the work', async () => {
    const x = new Float32Array(300_000).fill(-8);
    await leakyReluBatch([x], { alpha: 0.5, signal: new AbortController().signal });
    expect(x.every((v) => v === -4)).toBe(true);
  });
});

// ---- Many concurrent calls at once, against the reference computed on copies.

describe('many concurrent calls', () => {
  test('80 un-awaited calls of every kind, random sizes up to 200k, each equals the reference', async () => {
    const random = seeded(2024);
    const size = (): number => (random() < 0.5 ? Math.floor(random() * 1000) : Math.floor(random() * 200_001));
    const ctor = (): FloatCtor => (random() < 0.5 ? Float32Array : Float64Array);
    const alpha = (): number => [0.2, -0.7, 0, 3.5, 1e-3, -12, Math.fround(random() * 4 - 2)][Math.floor(random() * 7)];
    const checks: (() => void)[] = [];
    const pending: Promise<unknown>[] = [];
    for (let k = 0; k < 80; k++) {
      const kind = Math.floor(random() * 6);
      const a = alpha();
      const Ctor = ctor();
      const label = `call ${k} (kind ${kind}, alpha ${a})`;
      if (kind === 0 || kind === 1) {
        const x = randomData(Ctor, size(), k);
        const expected = referenceForward(x, a);
        const out = kind === 1 ? new Ctor(x.length) : undefined;
        const p = leakyReluAsync(x, { alpha: a, out });
        pending.push(p.then((y) => checks.push(() => {
          expect(y, label).toBe(out ?? x);
          expect(bitDifference(y, expected), label).toBeNull();
        })));
      } else if (kind === 2) {
        const x = randomData(Ctor, size(), k);
        const expected = referenceForward(x, a);
        const dtype = dtypeOf(Ctor);
        const buffer = random() < 0.5 ? x.buffer : (() => {
          const sab = new SharedArrayBuffer(x.byteLength);
          new Uint8Array(sab).set(new Uint8Array(x.buffer));
          return sab;
        })();
        const p = leakyReluAsync(buffer, { alpha: a, dtype });
        pending.push(p.then((y) => checks.push(() => {
          expect(y.buffer, label).toBe(buffer);
          expect(bitDifference(y, expected), label).toBeNull();
        })));
      } else if (kind === 3 || kind === 4) {
        const n = size();
        const x = randomData(Ctor, n, k);
        const dy = randomData(Ctor, n, k + 1000);
        const expected = referenceBackward(dy, x, a);
        const out = kind === 4 ? new Ctor(n) : undefined;
        const p = leakyReluBackwardAsync(dy, x, { alpha: a, out });
        pending.push(p.then((y) => checks.push(() => {
          expect(y, label).toBe(out ?? dy);
          expect(bitDifference(y, expected), label).toBeNull();
        })));
      } else {
        const count = Math.floor(random() * 8);
        const xs: FloatArray[] = [];
        const outs: (FloatArray | undefined)[] = [];
        const expected: FloatArray[] = [];
        for (let i = 0; i < count; i++) {
          const C = ctor();
          const x = randomData(C, random() < 0.7 ? Math.floor(random() * 2000) : size(), k * 100 + i);
          xs.push(x);
          expected.push(referenceForward(x, a));
          outs.push(random() < 0.4 ? new C(x.length) : undefined);
        }
        const p = leakyReluBatch(xs, { alpha: a, out: outs as FloatArray[] });
        pending.push(p.then((ys) => checks.push(() => {
          expect(ys, label).toHaveLength(count);
          ys.forEach((y, i) => {
            expect(y, `${label}, array ${i}`).toBe(outs[i] ?? xs[i]);
            expect(bitDifference(y, expected[i]), `${label}, array ${i}`).toBeNull();
          });
        })));
      }
    }
    await Promise.all(pending);
    expect(checks).toHaveLength(80);
    for (const check of checks) check();
  });

  test('concurrent calls on disjoint views of one buffer all give the reference', async () => {
    const whole = randomData(Float32Array, 1_000_000, 5);
    const before = copyOf(whole);
    const cuts = [0, 1, NATIVE_MIN_LENGTH, 1000, JS_SLICE, JS_SLICE + 1, 300_001, 700_000, 999_999, 1_000_000];
    const alphas = [0.5, -2, 3, 0, 0.2, -0.1, 7, 0.01, 1.5];
    await Promise.all(cuts.slice(1).map((end, i) => leakyReluAsync(whole.subarray(cuts[i], end), alphas[i])));
    for (let i = 0; i + 1 < cuts.length; i++) {
      const expected = referenceForward(before.subarray(cuts[i], cuts[i + 1]), alphas[i]);
      expect(bitDifference(whole.subarray(cuts[i], cuts[i + 1]), expected), `piece ${i}`).toBeNull();
    }
  });
});

test('a pending call is really pending until the work is done (sanity for the ordering tests)', async () => {
  const x = new Float32Array(1 << 20).fill(-1);
  const p = leakyReluAsync(x, 0.5);
  expect(await isPending(p)).toBe(true);
  await p;
  expect(x[0]).toBe(-0.5);
  // A sync call now works again on that memory.
  expect(leakyRelu(x, 2)[0]).toBe(-1);
});
