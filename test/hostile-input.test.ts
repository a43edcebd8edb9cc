// Hostile input to the sync API and the raw binding (issue 9): what counts as what
// (other realms, spoofed tags, Proxies, subclasses with their own getters), boxed
// numbers, huge sparse lists, and list getters that run user code between checks.
import * as vm from 'node:vm';
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluBackward, leakyReluBatch } from '../lib/index';
import { randomData, settle, thrownCode } from './helpers/async-helpers';
import { loadRawBinding } from './helpers/binding';
import { expectSameBits } from './helpers/bits';
import { CROSSOVER_LENGTHS as SIZES } from './helpers/lengths';
import { project } from './helpers/project';
import { referenceBackward, referenceForward } from './helpers/reference';
import { snapshot } from './helpers/snapshot';

/** A list whose element 1 is a getter that detaches `first` (element 0) before returning `second`. */
function detachingList<T extends Float32Array | Float64Array>(first: T, second: T): T[] {
  const xs: T[] = [first];
  Object.defineProperty(xs, 1, {
    get() {
      structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
      return second;
    },
    enumerable: true,
  });
  return xs;
}

describe('a typed array from another realm is that typed array, with its rounding', () => {
  const realm = vm.createContext({});
  for (const n of SIZES) {
    test(`Float32Array of ${n} from vm: forward and backward give float32 bits`, () => {
      const data = randomData(Float32Array, n, n);
      const x = vm.runInContext(`new Float32Array(${n})`, realm) as Float32Array;
      x.set(data);
      expectSameBits(Float32Array.from(leakyRelu(x, 0.3)), referenceForward(data, 0.3));
      const dy = vm.runInContext(`new Float32Array(${n})`, realm) as Float32Array;
      dy.set(randomData(Float32Array, n, n + 1));
      const expected = referenceBackward(Float32Array.from(dy), data, 0.7);
      x.set(data);
      expectSameBits(Float32Array.from(leakyReluBackward(dy, x, { alpha: 0.7 })), expected);
    });
  }

  test('a Float64Array from vm, with out from this realm', () => {
    const x = vm.runInContext('new Float64Array([-1, 2, -3.5, 0.1])', realm) as Float64Array;
    const out = new Float64Array(4);
    leakyRelu(x, { alpha: 0.1, out });
    expectSameBits(out, referenceForward(Float64Array.of(-1, 2, -3.5, 0.1), 0.1));
  });
});

describe('only genuine typed arrays are typed arrays: ERR_INVALID_ARG_TYPE, nothing changed', () => {
  const spoofedInt32 = (): unknown => {
    const a = new Int32Array([-3, 4, -5, 6]);
    Object.defineProperty(a, Symbol.toStringTag, { value: 'Float32Array' });
    return a;
  };
  const cases: [string, () => unknown][] = [
    ['an Int32Array tagged Float32Array', spoofedInt32],
    ['a plain object tagged Float32Array', () => ({ [Symbol.toStringTag]: 'Float32Array', length: 2, 0: -1, 1: -2 })],
    ['an object with Float32Array.prototype', () => Object.setPrototypeOf({ length: 1, 0: -1 }, Float32Array.prototype)],
    ['a Proxy around a Float32Array', () => new Proxy(new Float32Array([-1, -2, -3]), {})],
  ];
  for (const [what, make] of cases) {
    for (const n of [0, ...SIZES]) {
      test(`${what} (facade${n ? `, alpha form ${n}` : ''})`, () => {
        const bad = make();
        const changes = snapshot([bad]);
        expect(thrownCode(() => leakyRelu(bad as Float32Array, n || undefined))).toBe('TypeError ERR_INVALID_ARG_TYPE');
        expect(thrownCode(() => leakyRelu(bad as Float32Array, { alpha: 0.5 }))).toBe('TypeError ERR_INVALID_ARG_TYPE');
        expect(thrownCode(() => leakyRelu(new Float32Array(3), { out: bad as Float32Array }))).toBe('TypeError ERR_INVALID_ARG_TYPE');
        expect(thrownCode(() => leakyReluBackward(bad as Float32Array, new Float32Array(3)))).toBe('TypeError ERR_INVALID_ARG_TYPE');
        expect(changes()).toEqual([]);
      });
    }
  }

  test.runIf(project.native)('the raw binding refuses them too', () => {
    const b = loadRawBinding();
    for (const [, make] of cases) {
      expect(thrownCode(() => b.forward(make() as Float32Array, 0.2))).toBe('TypeError ERR_INVALID_ARG_TYPE');
    }
  });
});

describe('a subclass is its base type, and none of its code runs', () => {
  class Lying extends Float32Array {
    override get length(): number {
      throw new Error('length getter ran');
    }
    static override get [Symbol.species](): never {
      throw new Error('species ran');
    }
  }
  for (const n of SIZES) {
    test(`a subclass overriding length and species, ${n} elements, sync forward and backward`, () => {
      const data = randomData(Float32Array, n, 7);
      const x = new Lying(n);
      x.set(data);
      expect(leakyRelu(x, 0.25)).toBe(x);
      expectSameBits(Float32Array.from(x), referenceForward(data, 0.25));
      const dy = new Lying(n);
      dy.set(data);
      const x2 = Float32Array.from(data);
      leakyReluBackward(dy, x2, 0.5);
      expectSameBits(Float32Array.from(dy), referenceBackward(data, data, 0.5));
    });
  }
});

describe('numbers are numbers', () => {
  test('a Number object as the options argument is a type error, not the default alpha', () => {
    const x = Float32Array.of(-1, -2);
    expect(thrownCode(() => leakyRelu(x, new Number(0.5) as unknown as number))).toBe('TypeError ERR_INVALID_ARG_TYPE');
    expect(thrownCode(() => leakyRelu(x, { alpha: new Number(0.5) as unknown as number }))).toBe('TypeError ERR_INVALID_ARG_TYPE');
    expect([...x]).toEqual([-1, -2]);
  });

  test.runIf(project.native)('the raw binding refuses a Number object alpha', () => {
    expect(thrownCode(() => loadRawBinding().forward(new Float32Array(64), new Number(0.5) as unknown as number))).toBe(
      'TypeError ERR_INVALID_ARG_TYPE',
    );
  });
});

describe('lists: no allocation from an unchecked count, no user code between check and use', () => {
  test.runIf(project.native)('raw submit with lists of 2^32 - 1 holes throws ERR_OUT_OF_RANGE', () => {
    const b = loadRawBinding();
    const huge = new Array(2 ** 32 - 1);
    expect(thrownCode(() => b.submitForward(huge, huge, 0.2, () => {}))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(thrownCode(() => b.submitBackward(huge, huge, huge, 0.2, () => {}))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(b.stats()).toEqual({ jobs: 0, ranges: 0 });
  });

  test('leakyReluBatch on 2^32 - 1 holes and on 10^7 holes rejects with a code', async () => {
    for (const list of [new Array(2 ** 32 - 1), new Array(1e7)]) {
      const r = await settle(leakyReluBatch(list));
      expect(r.status).toBe('rejected');
      expect(['ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_TYPE']).toContain(r.error?.code);
    }
  });

  test.runIf(project.native)('raw submit: a getter on xs[1] that detaches xs[0] is seen before anything runs', () => {
    const b = loadRawBinding();
    const first = new Float32Array(1000).fill(-1);
    const second = new Float32Array(1000).fill(-1);
    const xs = detachingList(first, second);
    const outs = [first, second];
    let called = false;
    expect(thrownCode(() => b.submitForward(xs, outs, 0.2, () => (called = true)))).toBe('TypeError ERR_INVALID_STATE');
    expect([second[0], called, b.stats()]).toEqual([-1, false, { jobs: 0, ranges: 0 }]);
  });

  test.runIf(project.native)('raw submit: a getter that shrinks a resizable buffer already read gets the length now', async () => {
    const b = loadRawBinding();
    const rab = new ArrayBuffer(4000, { maxByteLength: 4000 });
    const first = new Float32Array(rab).fill(-1);
    const second = new Float32Array(1000).fill(-1);
    const xs: Float32Array[] = [first];
    Object.defineProperty(xs, 1, { get: () => (rab.resize(400), second), enumerable: true });
    const done = new Promise<unknown>((resolve) => b.submitForward(xs, [first, second], 0.5, (e) => resolve(e)));
    expect(await done).toBe(null);
    expect([first.length, first[99], second[999]]).toEqual([100, -0.5, -0.5]);
  });

  test('leakyReluBatch: a getter on xs[1] that detaches xs[0] rejects with ERR_INVALID_STATE, nothing changed', async () => {
    const first = new Float64Array(100).fill(-1);
    const second = new Float64Array(100).fill(-1);
    const xs = detachingList(first, second);
    const r = await settle(leakyReluBatch(xs));
    expect([r.status, r.error?.code, second[0]]).toEqual(['rejected', 'ERR_INVALID_STATE', -1]);
  });
});
