// Hostile input to the async API (issue 9): signals that are not AbortSignals or whose
// own properties throw, option getters that throw, growable buffers, subclasses whose
// constructors the package must never call, and many un-awaited calls on one array.
// After each, nothing may stay registered: a sync call on the same memory works.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluAsync, leakyReluBackwardAsync, leakyReluBatch } from '../lib/index';
import { randomData, settle } from './helpers/async-helpers';
import { loadRawBinding } from './helpers/binding';
import { expectSameBits } from './helpers/bits';
import { describeChild, runScript } from './helpers/child';
import { workUnit } from './helpers/lengths';
import { project } from './helpers/project';
import { referenceForward } from './helpers/reference';

/** Nothing stays registered: a sync call on `x` works, and the binding holds no job. */
function expectNothingHeld(x: Float32Array | Float64Array): void {
  expect(() => leakyRelu(x, 1)).not.toThrow();
  if (project.native) expect(loadRawBinding().stats()).toEqual({ jobs: 0, ranges: 0 });
}

// Past one unit of async work (a native chunk, a JS slice) for either element type.
const N = workUnit(Float32Array) + 1000;

describe('signal must be a genuine AbortSignal', () => {
  const fakes: [string, unknown][] = [
    ['an object with aborted and addEventListener only', { aborted: false, addEventListener() {} }],
    ['an object with the whole EventTarget surface', { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} }],
    ['an object with AbortSignal.prototype', Object.create(AbortSignal.prototype)],
    ['a Proxy around a real signal', new Proxy(new AbortController().signal, {})],
  ];
  for (const [what, signal] of fakes) {
    test(`${what}: rejects with ERR_INVALID_ARG_TYPE, nothing changed`, async () => {
      const x = new Float32Array(100).fill(-1);
      const r = await settle(leakyReluAsync(x, { signal: signal as AbortSignal }));
      expect([r.status, r.error?.code, x[0]]).toEqual(['rejected', 'ERR_INVALID_ARG_TYPE', -1]);
      expectNothingHeld(x);
    });
  }
});

describe("a genuine signal's own properties never run", () => {
  function trapped(): { signal: AbortSignal; abort: () => void; reads: () => number } {
    const controller = new AbortController();
    const signal = controller.signal;
    let reads = 0;
    for (const key of ['aborted', 'reason', 'addEventListener', 'removeEventListener']) {
      Object.defineProperty(signal, key, {
        get() {
          reads++;
          throw new Error(`${key} read`);
        },
      });
    }
    return { signal, abort: () => controller.abort(new Error('stop')), reads: () => reads };
  }

  test('not aborted: the call completes, in order with the next one on the same memory', async () => {
    const { signal, reads } = trapped();
    const data = randomData(Float32Array, N, 1);
    const x = Float32Array.from(data);
    const first = leakyReluAsync(x, { alpha: 0.5, signal });
    const second = leakyReluAsync(x, { alpha: 0.5 });
    await Promise.all([first, second]);
    expectSameBits(x, referenceForward(referenceForward(data, 0.5), 0.5));
    expect(reads()).toBe(0);
    expectNothingHeld(x);
  });

  test('aborted during the call: an AbortError with the reason, and nothing escapes', async () => {
    const { signal, abort, reads } = trapped();
    const x = new Float64Array(4 * N).fill(-1);
    const p = leakyReluBackwardAsync(x, new Float64Array(4 * N).fill(-1), { signal });
    abort();
    const r = await settle(p);
    if (r.status === 'rejected') expect([r.error?.name, (r.error?.cause as Error)?.message]).toEqual(['AbortError', 'stop']);
    expect(reads()).toBe(0);
    expectNothingHeld(x);
  });
});

describe('a throwing option getter reaches the caller as is, and nothing stays registered', () => {
  for (const key of ['alpha', 'out', 'dtype', 'signal']) {
    test(`a getter on ${key}`, async () => {
      const x = new Float32Array(100).fill(-1);
      const boom = new Error(`${key} getter`);
      const opts = Object.defineProperty({}, key, { get: () => { throw boom; } });
      expect((await settle(leakyReluAsync(x, opts))).error).toBe(boom);
      expect((await settle(leakyReluBatch([x], opts))).error).toBe(boom);
      expect(x[0]).toBe(-1);
      expectNothingHeld(x);
    });
  }
});

describe('buffers that change size', () => {
  test('a length-tracking view of a growable SharedArrayBuffer grown during the call resolves', async () => {
    const sab = new SharedArrayBuffer(4 * N, { maxByteLength: 8 * N });
    const x = new Float32Array(sab).fill(-1);
    const p = leakyReluAsync(x, 0.5);
    sab.grow(8 * N);
    await expect(p).resolves.toBe(x);
    expect([x[0], x[N - 1], x[N]]).toEqual([-0.5, -0.5, 0]);
  });

  test('a growable SharedArrayBuffer passed raw is read at its length then', async () => {
    const sab = new SharedArrayBuffer(4 * N, { maxByteLength: 8 * N });
    new Float32Array(sab).fill(-1);
    const p = leakyReluAsync(sab, 0.5);
    sab.grow(8 * N);
    const y = await p;
    expect([y.length, y[N - 1]]).toEqual([N, -0.5]);
  });
});

describe('the package never calls a user constructor', () => {
  class Tagged extends Float32Array {
    constructor(tag: string, n: number) {
      super(n);
      if (typeof tag !== 'string') throw new Error('constructed by someone else');
    }
  }
  test('a batch of subclass arrays larger than a JS slice: every one transformed', async () => {
    const xs = [new Tagged('a', N).fill(-1), new Tagged('b', 10).fill(-2), new Tagged('c', N + 3).fill(-4)];
    await expect(leakyReluBatch(xs, 0.5)).resolves.toEqual(xs);
    expect(xs.map((x) => [x[0], x[x.length - 1]])).toEqual([[-0.5, -0.5], [-1, -1], [-2, -2]]);
  });
});

describe('many un-awaited calls', () => {
  test.runIf(project.heavy)('10,000 calls on one array, mixed alphas: each sees the one before, bounded memory', async () => {
    // Each call's own then() reads the array after that call, while the next one may
    // already be writing on the threadpool (it cannot have settled): the prefix product
    // of the alphas up to that call or the next, which differ for any other order.
    const r = await runScript(`
      const { leakyReluAsync } = require(process.env.PKG);
      const alphas = [0.5, 2, 4, 0.25];
      const x = new Float64Array(64).fill(-1);
      const prefix = [-1];
      for (let i = 0; i < 10000; i++) prefix.push(prefix[i] * alphas[(i * 7 + (i >> 3)) % alphas.length]);
      let wrong = 0;
      const calls = [];
      for (let i = 1; i <= 10000; i++) {
        const seen = () => { if (x[0] !== prefix[i] && x[0] !== prefix[i + 1]) wrong++; };
        calls.push(leakyReluAsync(x, prefix[i] / prefix[i - 1]).then(seen));
      }
      Promise.all(calls).then(() => {
        if (x[63] !== prefix[10000]) wrong++;
        globalThis.gc();
        console.log(JSON.stringify({ wrong, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 }));
      });`, { NODE_OPTIONS: '--max-old-space-size=128' });
    expect(r.code, describeChild(r)).toBe(0);
    const { wrong, heapMiB } = r.records[0] as { wrong: number; heapMiB: number };
    expect(wrong).toBe(0);
    expect(heapMiB).toBeLessThan(64);
  });
});
