// Calls on overlapping memory take effect in call order, as if each ran alone; a sync
// call on memory an unfinished async call uses is refused with ERR_BUFFER_IN_USE and
// changes nothing, while disjoint memory of the same buffer stays usable.
//
// A pair of alphas whose composition depends on the order is used throughout: with
// a = -2 then b = 0.5 a negative x becomes -2x (positive, kept by b); in the other
// order it becomes -x; two calls racing on the original data give 0.5x or -2x.
import { describe, expect, test } from 'vitest';
import {
  leakyRelu,
  leakyReluAsync,
  leakyReluBackward,
  leakyReluBackwardAsync,
  leakyReluBatch,
} from '../lib/index';
import { dtypeOf, dtypes } from './helpers/arrays';
import type { FloatCtor } from './helpers/arrays';
import { bitDifference, copyOf, randomData, seeded, settle, thrownCode } from './helpers/async-helpers';
import type { FloatArray } from './helpers/async-helpers';
import { NATIVE_MIN_LENGTH, workUnit } from './helpers/lengths';
import { project } from './helpers/project';
import { referenceBackward, referenceForward } from './helpers/reference';

const A = -2;
const B = 0.5;
const IN_USE = 'Error ERR_BUFFER_IN_USE';

/** Applies `f` to elements [begin, end) of `y` in place (the reference of a call on that view). */
function applyForward(y: FloatArray, begin: number, end: number, alpha: number): void {
  y.set(referenceForward(y.subarray(begin, end) as FloatArray, alpha), begin);
}

// Lengths around the JS/native cutoff (NATIVE_MIN_LENGTH) and just past a float32 unit
// of async work (a native chunk: 262144 elements, or a JS slice);
// the small ones repeat more since a race there is a matter of microseconds.
const REPEATS: [number, number][] = [
  [1, 40],
  [7, 40],
  [NATIVE_MIN_LENGTH - 1, 40],
  [NATIVE_MIN_LENGTH, 40],
  [1000, 30],
  [workUnit(Float32Array) + 3, 6],
  [300_001, 3],
];

describe.each(dtypes)('two un-awaited calls on the same memory ($name)', ({ Ctor }) => {
  test.each(REPEATS)('the same alpha twice gives alpha squared on negatives, length %i, %i times', async (n, repeats) => {
    for (let r = 0; r < repeats; r++) {
      const x = new Ctor(n);
      for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? i + 1 : -(i + 1);
      const p1 = leakyReluAsync(x, 0.5);
      const p2 = leakyReluAsync(x, 0.5);
      await Promise.all([p1, p2]);
      for (let i = 0; i < n; i++) {
        const expected = i % 3 === 0 ? i + 1 : -(i + 1) * 0.25;
        if (x[i] !== expected) expect.fail(`repeat ${r}, index ${i}: ${x[i]}, expected ${expected}`);
      }
    }
  });

  test.each(REPEATS)('alpha -2 then 0.5 take effect in call order, length %i, %i times', async (n, repeats) => {
    for (let r = 0; r < repeats; r++) {
      const x = randomData(Ctor, n, n + r);
      const expected = referenceForward(referenceForward(x, A), B);
      const order: string[] = [];
      const p1 = leakyReluAsync(x, A).then(() => order.push('first'));
      const p2 = leakyReluAsync(x, B).then(() => order.push('second'));
      await Promise.all([p1, p2]);
      expect(bitDifference(x, expected), `repeat ${r}`).toBeNull();
      // The later call cannot have finished its effect before the earlier one.
      expect(order).toEqual(['first', 'second']);
    }
  });

  test.each([
    [900, 600, 300],
    [300_000, 200_000, 100_000],
    [70_000, 65_537, 4_000],
  ])('overlapping but not identical ranges: x[0, %i) split at %i and %i, the overlap gets both in order', async (n, endA, beginB) => {
    for (let r = 0; r < 5; r++) {
      const x = randomData(Ctor, n, r);
      const expected = copyOf(x);
      applyForward(expected, 0, endA, A);
      applyForward(expected, beginB, n, B);
      const p1 = leakyReluAsync(x.subarray(0, endA) as FloatArray, A);
      const p2 = leakyReluAsync(x.subarray(beginB) as FloatArray, B);
      await Promise.all([p1, p2]);
      expect(bitDifference(x, expected), `repeat ${r}`).toBeNull();
    }
  });

  test('forward then backward: the gradient reads the transformed x', async () => {
    for (const n of [20, 100, 200_003]) {
      const x = randomData(Ctor, n, 1);
      const dy = randomData(Ctor, n, 2);
      const y = referenceForward(x, -0.5);
      const expectedDx = referenceBackward(dy, y, -0.5);
      const p1 = leakyReluAsync(x, -0.5);
      const p2 = leakyReluBackwardAsync(dy, x, -0.5);
      await Promise.all([p1, p2]);
      expect(bitDifference(x, y), `x, length ${n}`).toBeNull();
      expect(bitDifference(dy, expectedDx), `dx, length ${n}`).toBeNull();
    }
  });

  test('backward then forward: the gradient reads x before the forward call overwrites it', async () => {
    for (const n of [20, 100, 200_003]) {
      const x = randomData(Ctor, n, 3);
      const dy = randomData(Ctor, n, 4);
      const g = new Ctor(n);
      const expectedG = referenceBackward(dy, x, -0.5);
      const expectedX = referenceForward(x, -0.5);
      const p1 = leakyReluBackwardAsync(dy, x, { alpha: -0.5, out: g });
      const p2 = leakyReluAsync(x, -0.5);
      await Promise.all([p1, p2]);
      expect(bitDifference(g, expectedG), `gradient, length ${n}`).toBeNull();
      expect(bitDifference(x, expectedX), `x, length ${n}`).toBeNull();
    }
  });

  test('a call writing into memory an earlier call reads waits for that read', async () => {
    for (const n of [30, 130_001]) {
      const x = randomData(Ctor, n, 5);
      const z = randomData(Ctor, n, 6);
      const y = new Ctor(n);
      const expectedY = referenceForward(x, A);
      const expectedX = referenceForward(z, B);
      const p1 = leakyReluAsync(x, { alpha: A, out: y });
      const p2 = leakyReluAsync(z, { alpha: B, out: x });
      await Promise.all([p1, p2]);
      expect(bitDifference(y, expectedY), `y, length ${n}`).toBeNull();
      expect(bitDifference(x, expectedX), `x, length ${n}`).toBeNull();
    }
  });

  test('two calls writing the same out: the later one wins', async () => {
    const n = 100_000;
    const p = randomData(Ctor, n, 7);
    const q = randomData(Ctor, n, 8);
    const y = new Ctor(n);
    await Promise.all([leakyReluAsync(p, { alpha: A, out: y }), leakyReluAsync(q, { alpha: B, out: y })]);
    expect(bitDifference(y, referenceForward(q, B))).toBeNull();
  });
});

describe('random programs of overlapping calls equal running them one by one', () => {
  type Op = (buf: FloatArray) => { run: () => Promise<unknown>; simulate: (sim: FloatArray) => void };

  /** A random call on views of `buf` (whose element type is `Ctor`), with its reference. */
  function randomOp(random: () => number, n: number, Ctor: FloatCtor): Op {
    const range = (): [number, number] => {
      const len = random() < 0.5 ? Math.floor(random() * 80) : Math.floor(random() * n);
      const begin = Math.floor(random() * (n - len + 1));
      return [begin, begin + len];
    };
    const alpha = [A, B, 3, 0.1, -0.25, 0][Math.floor(random() * 6)];
    const kind = Math.floor(random() * 5);
    const [b, e] = range();
    const len = e - b;
    if (kind === 0) {
      return (buf) => ({
        run: () => leakyReluAsync(buf.subarray(b, e) as FloatArray, alpha),
        simulate: (sim) => applyForward(sim, b, e, alpha),
      });
    }
    if (kind === 1) {
      // Into an out elsewhere in the same buffer, when a disjoint place of that length exists.
      if (n - e - len < 0) return randomOp(random, n, Ctor);
      const to = e + Math.floor(random() * (n - e - len + 1));
      return (buf) => ({
        run: () => leakyReluAsync(buf.subarray(b, e) as FloatArray, { alpha, out: buf.subarray(to, to + len) as FloatArray }),
        simulate: (sim) => sim.set(referenceForward(sim.subarray(b, e) as FloatArray, alpha), to),
      });
    }
    if (kind === 2) {
      // The gradient over dy in place, with x a disjoint range of the same length.
      if (n - e - len < 0) return randomOp(random, n, Ctor);
      const xAt = e + Math.floor(random() * (n - e - len + 1));
      return (buf) => ({
        run: () => leakyReluBackwardAsync(buf.subarray(b, e) as FloatArray, buf.subarray(xAt, xAt + len) as FloatArray, alpha),
        simulate: (sim) =>
          sim.set(referenceBackward(sim.subarray(b, e) as FloatArray, sim.subarray(xAt, xAt + len) as FloatArray, alpha), b),
      });
    }
    if (kind === 3) {
      // A batch of two disjoint ranges, in place.
      const [c, d] = range();
      const disjoint = d <= b || e <= c;
      if (!disjoint) return randomOp(random, n, Ctor);
      return (buf) => ({
        run: () => leakyReluBatch([buf.subarray(b, e) as FloatArray, buf.subarray(c, d) as FloatArray], alpha),
        simulate: (sim) => {
          applyForward(sim, b, e, alpha);
          applyForward(sim, c, d, alpha);
        },
      });
    }
    // The whole buffer as raw memory, read with its element type.
    return (buf) => ({
      run: () => leakyReluAsync(buf.buffer, { alpha, dtype: dtypeOf(Ctor) }),
      simulate: (sim) => applyForward(sim, 0, n, alpha),
    });
  }

  test.each(dtypes)('$name: 12 programs of 25 calls on one buffer', async ({ Ctor }) => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seeded(seed * 7919);
      const n = seed % 3 === 0 ? 150_000 : 400;
      const buf = randomData(Ctor, n, seed);
      const sim = copyOf(buf);
      const ops = Array.from({ length: 25 }, () => randomOp(random, n, Ctor)(buf));
      const pending = ops.map((op) => op.run());
      for (const op of ops) op.simulate(sim);
      await Promise.all(pending);
      expect(bitDifference(buf, sim), `program ${seed}`).toBeNull();
    }
  });
});

describe('aborts and rejections in a queue', () => {
  test('a call queued behind an overlapping call and aborted while waiting rejects and touches nothing', async () => {
    const n = 400_000;
    const x = randomData(Float32Array, n, 1);
    const expected = copyOf(x);
    applyForward(expected, 0, n / 2, A);
    const controller = new AbortController();
    const first = leakyReluAsync(x.subarray(0, n / 2), A);
    const queued = leakyReluAsync(x.subarray(n / 4), { alpha: B, signal: controller.signal });
    controller.abort();
    const [f, q] = await Promise.all([settle(first), settle(queued)]);
    expect(f.status).toBe('fulfilled');
    expect(q.error?.name).toBe('AbortError');
    expect(q.error?.code).toBe('ABORT_ERR');
    expect(bitDifference(x, expected)).toBeNull();
  });

  test('a call queued behind an aborted queued call still runs, after the first', async () => {
    const n = 300_000;
    const x = randomData(Float64Array, n, 2);
    const expected = referenceForward(referenceForward(x, A), B);
    const controller = new AbortController();
    const first = leakyReluAsync(x, A);
    const aborted = leakyReluAsync(x.subarray(10), { alpha: 3, signal: controller.signal });
    const third = leakyReluAsync(x, B);
    controller.abort();
    const outcomes = await Promise.all([settle(first), settle(aborted), settle(third)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(bitDifference(x, expected)).toBeNull();
  });

  test('a call that waits behind one aborted during its work runs after it, on what it left', async () => {
    const n = 1 << 20;
    const x = new Float32Array(n).fill(-8);
    const controller = new AbortController();
    const first = leakyReluAsync(x, { alpha: 0.5, signal: controller.signal });
    const second = leakyReluAsync(x, -1);
    controller.abort();
    const [f, s] = await Promise.all([settle(first), settle(second)]);
    expect(f.error?.name).toBe('AbortError');
    expect(s.status).toBe('fulfilled');
    // Each element got the second call on top of the original or of the first's value.
    const bad = x.findIndex((v) => v !== 8 && v !== 4);
    expect(bad).toBe(-1);
  });

  test('a call rejected for its arguments holds no memory: sync calls work at once', () => {
    const x = new Float32Array(1000).fill(-1);
    const rejected = [
      leakyReluAsync(x, NaN),
      leakyReluAsync(x, { out: new Float32Array(3) }),
      leakyReluBatch([x, x]),
      leakyReluBackwardAsync(x, x, { signal: 'no' as unknown as AbortSignal }),
      leakyReluAsync(x, { signal: AbortSignal.abort() }),
    ];
    for (const p of rejected) p.catch(() => undefined);
    expect(thrownCode(() => leakyRelu(x, 0.5))).toBe('no throw');
    expect(x[0]).toBe(-0.5);
    return Promise.all(rejected.map((p) => settle(p))).then((outcomes) =>
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true),
    );
  });
});

describe('sync calls on memory an unfinished async call uses', () => {
  // The async call covers elements [0, HALF) of a buffer of 2 * HALF; it cannot settle
  // before the test yields, so every sync call below runs while it is unfinished.
  const HALF = 1 << 19;

  function setup(Ctor: FloatCtor = Float32Array): {
    whole: FloatArray;
    original: FloatArray;
    pending: Promise<unknown>;
    busy: FloatArray;
  } {
    const whole = randomData(Ctor, 2 * HALF, 3);
    // Copied before the call: threadpool threads start on the busy half at once.
    const original = copyOf(whole);
    const busy = whole.subarray(0, HALF) as FloatArray;
    return { whole, original, pending: leakyReluAsync(busy, 0.5), busy };
  }

  test.each([10, NATIVE_MIN_LENGTH - 1, NATIVE_MIN_LENGTH, 5000])('an overlapping sync call of %i elements throws ERR_BUFFER_IN_USE and changes nothing', async (len) => {
    const { whole, pending } = setup();
    // The view straddles the busy range's end, so its part outside must stay as it was.
    const view = whole.subarray(HALF - len / 2, HALF + len / 2) as FloatArray;
    const outside = whole.slice(HALF, HALF + len / 2) as FloatArray;
    const err = (() => {
      try {
        leakyRelu(view, 3);
      } catch (e) {
        return e as Error & { code?: string };
      }
      return null;
    })();
    expect(err).toBeInstanceOf(Error);
    expect(err?.code).toBe('ERR_BUFFER_IN_USE');
    expect(bitDifference(whole.subarray(HALF, HALF + len / 2) as FloatArray, outside)).toBeNull();
    await pending;
  });

  test('every argument position is checked: x, out, dy, the gradient x, ArrayBuffers, and reading only', async () => {
    const { whole, pending, busy } = setup();
    const free = whole.subarray(HALF) as FloatArray;
    const freeBefore = copyOf(free);
    const other = new Float32Array(100);
    const cases: [string, () => unknown][] = [
      ['the very same array', () => leakyRelu(busy)],
      ['a tiny view inside', () => leakyRelu(busy.subarray(5, 8) as FloatArray)],
      ['x busy, out free', () => leakyRelu(busy.subarray(0, 100) as FloatArray, { out: free.subarray(0, 100) as FloatArray })],
      ['out busy, x free', () => leakyRelu(free.subarray(0, 100) as FloatArray, { out: busy.subarray(0, 100) as FloatArray })],
      ['out busy, x elsewhere', () => leakyRelu(other, { out: busy.subarray(200, 300) as FloatArray })],
      ['the whole ArrayBuffer', () => leakyRelu(whole.buffer)],
      ['backward, dy busy', () => leakyReluBackward(busy.subarray(0, 100) as FloatArray, free.subarray(0, 100) as FloatArray)],
      ['backward, x busy', () => leakyReluBackward(free.subarray(0, 100) as FloatArray, busy.subarray(0, 100) as FloatArray)],
      ['backward, x busy and tiny', () => leakyReluBackward(free.subarray(0, 4) as FloatArray, busy.subarray(0, 4) as FloatArray)],
      ['backward, out busy', () => leakyReluBackward(free.subarray(0, 100) as FloatArray, free.subarray(100, 200) as FloatArray, { out: busy.subarray(0, 100) as FloatArray })],
    ];
    for (const [name, call] of cases) expect(thrownCode(call), name).toBe(IN_USE);
    expect(bitDifference(free, freeBefore), 'the free half').toBeNull();
    expect(other.every((v) => v === 0)).toBe(true);
    await pending;
  });

  test('memory that an async call only reads is also refused to sync writers and readers', async () => {
    const x = randomData(Float64Array, 300_000, 4);
    const y = new Float64Array(300_000);
    const pending = leakyReluAsync(x, { alpha: 0.5, out: y });
    const elsewhere = new Float64Array(10);
    expect(thrownCode(() => leakyRelu(x.subarray(0, 10) as FloatArray, { out: elsewhere }))).toBe(IN_USE);
    expect(thrownCode(() => leakyRelu(x.subarray(0, 100) as FloatArray))).toBe(IN_USE);
    expect(elsewhere.every((v) => v === 0)).toBe(true);
    await pending;
  });

  test('memory of a call still waiting behind another is refused too', async () => {
    const x = randomData(Float32Array, 400_000, 5);
    const first = leakyReluAsync(x.subarray(0, 200_000), A);
    const waiting = leakyReluAsync(x.subarray(100_000, 300_000), B);
    const tail = x.slice(250_000, 260_000);
    // Only the waiting call covers [200k, 300k): a sync call there would overtake it.
    expect(thrownCode(() => leakyRelu(x.subarray(250_000, 260_000) as FloatArray))).toBe(IN_USE);
    expect(thrownCode(() => leakyRelu(x.subarray(250_000, 250_010) as FloatArray))).toBe(IN_USE);
    expect(bitDifference(x.subarray(250_000, 260_000) as FloatArray, tail)).toBeNull();
    await Promise.all([first, waiting]);
  });

  test('every array of a pending batch is refused', async () => {
    const xs = [new Float32Array(200_000), new Float64Array(30), new Float32Array(100)];
    const pending = leakyReluBatch(xs);
    for (const x of xs) expect(thrownCode(() => leakyRelu(x))).toBe(IN_USE);
    await pending;
  });

  test.each(dtypes)('$name: sync calls on disjoint memory of the same buffer work meanwhile', async ({ Ctor }) => {
    const { whole, original, pending } = setup(Ctor);
    for (const [b, e] of [[HALF, HALF + 10], [HALF + 10, HALF + 200], [HALF + 200, 2 * HALF]]) {
      leakyRelu(whole.subarray(b, e) as FloatArray, A);
    }
    leakyReluBackward(whole.subarray(HALF, HALF + 50) as FloatArray, whole.subarray(HALF + 50, HALF + 100) as FloatArray, B);
    const expected = copyOf(original);
    applyForward(expected, 0, HALF, 0.5);
    applyForward(expected, HALF, 2 * HALF, A);
    expected.set(referenceBackward(expected.subarray(HALF, HALF + 50) as FloatArray, expected.subarray(HALF + 50, HALF + 100) as FloatArray, B), HALF);
    await pending;
    expect(bitDifference(whole, expected)).toBeNull();
  });

  test('after the promise settles (fulfilled or aborted) sync calls work again', async () => {
    const { busy, pending } = setup();
    expect(thrownCode(() => leakyRelu(busy))).toBe(IN_USE);
    await pending;
    expect(thrownCode(() => leakyRelu(busy))).toBe('no throw');

    const controller = new AbortController();
    const x = new Float32Array(1 << 20).fill(-1);
    const aborted = leakyReluAsync(x, { signal: controller.signal });
    controller.abort();
    expect(thrownCode(() => leakyRelu(x))).toBe(IN_USE);
    await settle(aborted);
    expect(thrownCode(() => leakyRelu(x))).toBe('no throw');
  });

  test('the busy check costs nothing to unrelated arrays: sync calls on other buffers work meanwhile', async () => {
    const { pending } = setup();
    const other = new Float32Array([-4, 4]);
    expect(leakyRelu(other, 0.25)).toBe(other);
    expect([...other]).toEqual([-1, 4]);
    const big = new Float64Array(1000).fill(-2);
    leakyRelu(big, 0.5);
    expect(big[999]).toBe(-1);
    await pending;
  });
});

// One SharedArrayBuffer's memory reaches a thread through several SharedArrayBuffer
// objects when it is posted around (a MessageChannel round trip gives a second object
// in the same thread, as a worker receives one). The contract speaks of memory, not
// objects.
describe('the same shared memory through two SharedArrayBuffer objects', () => {
  async function alias(sab: SharedArrayBuffer): Promise<SharedArrayBuffer> {
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<SharedArrayBuffer>((resolve) => port2.once('message', resolve));
    port1.postMessage(sab);
    const copy = await received;
    port1.close();
    port2.close();
    return copy;
  }

  test('(sanity) the round trip gives another object over the same memory', async () => {
    const sab = new SharedArrayBuffer(16);
    const other = await alias(sab);
    expect(other).not.toBe(sab);
    new Float32Array(sab)[0] = 5;
    expect(new Float32Array(other)[0]).toBe(5);
  });

  test('a second async call on the same memory through the other object takes effect after the first', async () => {
    const sab = new SharedArrayBuffer(4 * (1 << 20));
    const other = await alias(sab);
    const x = new Float32Array(sab);
    x.set(randomData(Float32Array, 1 << 20, 6));
    const expected = referenceForward(referenceForward(x.slice(), A), B);
    const outcomes = await Promise.all([settle(leakyReluAsync(x, A)), settle(leakyReluAsync(new Float32Array(other), B))]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? `rejected ${o.error?.code}` : o.status))).toEqual(['fulfilled', 'fulfilled']);
    expect(bitDifference(x, expected)).toBeNull();
  });

  // Only addresses tell that two objects hold the same memory: the pure-JS backend has
  // none and treats them as different memory (a limitation the README states).
  test.skipIf(!project.native).each([16, NATIVE_MIN_LENGTH - 1, NATIVE_MIN_LENGTH, 1000])(
    'a sync call of %i elements through the other object throws ERR_BUFFER_IN_USE while an async call works',
    async (len) => {
      const sab = new SharedArrayBuffer(4 * (1 << 20));
      const other = await alias(sab);
      const x = new Float32Array(sab).fill(-1);
      const pending = leakyReluAsync(x, 0.5);
      const view = new Float32Array(other, 0, len);
      expect(thrownCode(() => leakyRelu(view, 3))).toBe(IN_USE);
      await pending;
    },
  );
});
