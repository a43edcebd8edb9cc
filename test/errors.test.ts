// Every row of the contract's error table: the error's class and code, the order of
// the checks (types, then detached buffers, then lengths and overlaps), and that a
// rejected call has changed no byte of any argument.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluAsync, leakyReluBackward } from '../lib/index';
import { loadRawBinding } from './helpers/binding';
import type { Binding } from './helpers/binding';
import { arrayOf, dtypes } from './helpers/arrays';
import type { FloatCtor } from './helpers/arrays';
import { expectSameBits } from './helpers/bits';
import { CROSSOVER_LENGTHS } from './helpers/lengths';
import { project } from './helpers/project';
import { referenceBackward, referenceForward } from './helpers/reference';
import type { FloatArray } from './helpers/reference';
import { snapshot } from './helpers/snapshot';

type ErrorClass = typeof TypeError | typeof RangeError | typeof Error;

/** Calls `call`, which must throw exactly `Class` with `code`, leaving every byte of `touched` as it was. */
function expectRejected(call: () => unknown, Class: ErrorClass, code: string, touched: readonly unknown[]): void {
  const changes = snapshot(touched);
  let thrown: unknown;
  let threw = false;
  try {
    call();
  } catch (error) {
    threw = true;
    thrown = error;
  }
  expect(threw, 'the call threw').toBe(true);
  expect((thrown as Error)?.constructor, String(thrown)).toBe(Class);
  expect((thrown as { code?: unknown }).code, String(thrown)).toBe(code);
  expect(changes(), 'bytes changed by a rejected call').toEqual([]);
}

// Lengths on both sides of the facade's JS/native crossover: rejection must not depend on the path.
const SIZES = CROSSOVER_LENGTHS;

/** Distinct, mostly negative values, so that any transform would show. */
function f32(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i - n + 0.5);
}
function f64(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i - n + 0.25);
}

function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}
/** A typed array whose buffer has been transferred away (its length reads 0). */
function detachedF32(): Float32Array {
  const a = f32(8);
  detach(a.buffer as ArrayBuffer);
  return a;
}
function detachedF64(): Float64Array {
  const a = f64(8);
  detach(a.buffer as ArrayBuffer);
  return a;
}

const badData = (): [string, unknown][] => [
  ['Int32Array', new Int32Array([-3, 4, -5])],
  ['Uint8Array', new Uint8Array([200, 1, 2, 3])],
  ['DataView', new DataView(new Float32Array([-1, -2]).buffer)],
  ['Buffer', Buffer.from(new Float32Array([-1, -2]).buffer)],
  ['number[]', [-1, 2, -3]],
  ['null', null],
  ['undefined', undefined],
  ['a string', '-1,2'],
  ['a plain object', { length: 2, 0: -1, 1: -2 }],
  ['a number', -1],
];

describe('data of the wrong type: TypeError ERR_INVALID_ARG_TYPE', () => {
  test.each(badData())('x: %s', (_, bad) => {
    expectRejected(() => leakyRelu(bad as Float32Array), TypeError, 'ERR_INVALID_ARG_TYPE', [bad]);
    expectRejected(() => leakyRelu(bad as Float32Array, { alpha: 0.5 }), TypeError, 'ERR_INVALID_ARG_TYPE', [bad]);
  });

  test.each(badData())('backward: dy or x is %s', (_, bad) => {
    for (const n of SIZES) {
      const good = f32(n);
      expectRejected(() => leakyReluBackward(bad as Float32Array, good), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, good]);
      expectRejected(() => leakyReluBackward(good, bad as Float32Array), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, good]);
    }
  });

  // `out: undefined` means no out; anything else that is not a float typed array is rejected.
  test.each([...badData().filter(([, v]) => v !== undefined), ['ArrayBuffer', new ArrayBuffer(400)] as [string, unknown]])(
    'out: %s',
    (_, bad) => {
      for (const n of SIZES) {
        const x = f32(n);
        expectRejected(() => leakyRelu(x, { out: bad as Float32Array }), TypeError, 'ERR_INVALID_ARG_TYPE', [x, bad]);
        const dy = f32(n);
        expectRejected(
          () => leakyReluBackward(dy, x, { out: bad as Float32Array }),
          TypeError,
          'ERR_INVALID_ARG_TYPE',
          [dy, x, bad],
        );
      }
    },
  );
});

describe('alpha', () => {
  test.each([
    ['a string', '0.2'],
    ['null', null],
    ['an object', {}],
    ['a boolean', true],
    ['a bigint', 1n],
    ['a Number object', new Number(0.2)],
    // An Array of numbers is per-channel slopes (slopes.test.ts); one of another type is not.
    ['an array of a string', ['0.2']],
  ])('not a number (%s): TypeError ERR_INVALID_ARG_TYPE', (_, alpha) => {
    for (const n of SIZES) {
      for (const [x, dy] of [[f32(n), f32(n)], [f64(n), f64(n)]]) {
        expectRejected(() => leakyRelu(x, { alpha } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
        expectRejected(() => leakyReluBackward(dy, x, { alpha } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x]);
      }
    }
  });

  test.each([
    ['a string', '0.2'],
    ['a boolean', true],
    ['a bigint', 1n],
  ])('options neither a number nor an object (%s): TypeError ERR_INVALID_ARG_TYPE', (_, opts) => {
    const x = f32(100);
    expectRejected(() => leakyRelu(x, opts as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
    const dy = f32(100);
    expectRejected(() => leakyReluBackward(dy, x, opts as never), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x]);
  });

  test.each([NaN, Infinity, -Infinity])('%d: RangeError ERR_OUT_OF_RANGE, bare or as an option', (alpha) => {
    for (const n of SIZES) {
      for (const [x, dy] of [[f32(n), f32(n)], [f64(n), f64(n)]]) {
        expectRejected(() => leakyRelu(x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [x]);
        expectRejected(() => leakyRelu(x, { alpha }), RangeError, 'ERR_OUT_OF_RANGE', [x]);
        expectRejected(() => leakyReluBackward(dy, x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
        expectRejected(() => leakyReluBackward(dy, x, { alpha }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
      }
    }
  });

  // 3.4028235677973366e38 is float32's largest value plus half an ulp: it rounds (to even) to Infinity.
  test.each([1e39, -1e39, 3.4028235677973366e38, Number.MAX_VALUE])(
    'float32 data, alpha %d rounds to an infinite float32: RangeError; float64 data takes it',
    (alpha) => {
      expect(Number.isFinite(Math.fround(alpha)), 'precondition: alpha overflows float32').toBe(false);
      for (const n of SIZES) {
        const x = f32(n);
        expectRejected(() => leakyRelu(x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [x]);
        const dy = f32(n);
        expectRejected(() => leakyReluBackward(dy, x, { alpha }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
        const buffer = f32(n).buffer;
        expectRejected(() => leakyRelu(buffer, alpha), RangeError, 'ERR_OUT_OF_RANGE', [buffer]);

        const x64 = f64(n);
        expectSameBits(leakyRelu(f64(n), alpha), referenceForward(x64, alpha));
        expectSameBits(leakyReluBackward(f64(n), x64, alpha), referenceBackward(f64(n), x64, alpha));
        expectSameBits(leakyRelu(f64(n).buffer, { alpha, dtype: 'float64' }), referenceForward(x64, alpha));
      }
    },
  );

  test('float32 data takes the largest alpha that rounds to a finite float32', () => {
    const alpha = 3.4028235677973362e38;
    expect(Math.fround(alpha)).toBe(3.4028234663852886e38);
    for (const n of SIZES) {
      const x = Float32Array.from({ length: n }, (_, i) => -(2 ** -130) * (i + 1));
      expectSameBits(leakyRelu(Float32Array.from(x), alpha), referenceForward(x, alpha));
    }
  });
});

describe('element types', () => {
  test.each([
    ['float32 x, float64 out', () => f32(5), (n: number) => f64(n)],
    ['float64 x, float32 out', () => f64(5), (n: number) => f32(n)],
  ])('out of another element type (%s): TypeError ERR_INVALID_ARG_TYPE', (_, makeX, makeOut) => {
    const x = makeX();
    const out = makeOut(x.length);
    expectRejected(() => leakyRelu(x, { out } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x, out]);
    const dy = makeX();
    expectRejected(() => leakyReluBackward(dy, x, { out } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x, out]);
  });

  test('out not of the dtype an ArrayBuffer is read with: TypeError ERR_INVALID_ARG_TYPE', () => {
    const buffer = f64(100).buffer;
    const out32 = f32(200);
    expectRejected(() => leakyRelu(buffer, { dtype: 'float64', out: out32 }), TypeError, 'ERR_INVALID_ARG_TYPE', [buffer, out32]);
    const out64 = f64(50);
    expectRejected(() => leakyRelu(buffer, { out: out64 }), TypeError, 'ERR_INVALID_ARG_TYPE', [buffer, out64]);
  });

  test('dy and x of different element types: TypeError ERR_INVALID_ARG_TYPE', () => {
    for (const n of SIZES) {
      const a = f32(n);
      const b = f64(n);
      expectRejected(() => leakyReluBackward(a, b as never), TypeError, 'ERR_INVALID_ARG_TYPE', [a, b]);
      expectRejected(() => leakyReluBackward(b, a as never), TypeError, 'ERR_INVALID_ARG_TYPE', [a, b]);
      // An ArrayBuffer dy is read as float32 unless told otherwise.
      const dyBuffer = f64(n).buffer;
      expectRejected(() => leakyReluBackward(dyBuffer, b), TypeError, 'ERR_INVALID_ARG_TYPE', [dyBuffer, b]);
    }
  });

  test.each(['float8', 'Float32', 'f64', 32, null])('dtype %s: TypeError ERR_INVALID_ARG_VALUE', (dtype) => {
    const buffer = f32(100).buffer;
    expectRejected(() => leakyRelu(buffer, { dtype } as never), TypeError, 'ERR_INVALID_ARG_VALUE', [buffer]);
    const x = f32(100);
    expectRejected(() => leakyRelu(x, { dtype } as never), TypeError, 'ERR_INVALID_ARG_VALUE', [x]);
    const dy = f32(100);
    expectRejected(() => leakyReluBackward(dy, x, { dtype } as never), TypeError, 'ERR_INVALID_ARG_VALUE', [dy, x]);
  });

  test('options null: TypeError ERR_INVALID_ARG_TYPE', () => {
    const x = f32(100);
    expectRejected(() => leakyRelu(x, null as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
    const dy = f32(100);
    expectRejected(() => leakyReluBackward(dy, x, null as never), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x]);
  });
});

describe('lengths: RangeError ERR_OUT_OF_RANGE', () => {
  test.each([-1, 1])('out longer or shorter by %i', (delta) => {
    for (const n of SIZES) {
      for (const [x, out, dy] of [[f32(n), f32(n + delta), f32(n)], [f64(n), f64(n + delta), f64(n)]]) {
        expectRejected(() => leakyRelu(x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [x, out]);
        expectRejected(() => leakyReluBackward(dy, x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x, out]);
      }
    }
  });

  test.each([
    ['ArrayBuffer', (bytes: number) => new ArrayBuffer(bytes)],
    ['SharedArrayBuffer', (bytes: number) => new SharedArrayBuffer(bytes)],
  ] as const)('%s byteLength not a multiple of the element size', (_, make) => {
    for (const bytes of [6, 402]) {
      const buffer = make(bytes);
      new Uint8Array(buffer).fill(0xbf);
      expectRejected(() => leakyRelu(buffer), RangeError, 'ERR_OUT_OF_RANGE', [buffer]);
      const x = f32(Math.floor(bytes / 4));
      expectRejected(() => leakyReluBackward(buffer, x), RangeError, 'ERR_OUT_OF_RANGE', [buffer, x]);
    }
    for (const bytes of [12, 404]) {
      const buffer = make(bytes);
      new Uint8Array(buffer).fill(0xbf);
      expectRejected(() => leakyRelu(buffer, { dtype: 'float64' }), RangeError, 'ERR_OUT_OF_RANGE', [buffer]);
      // A multiple of 4 is a fine float32 buffer.
      expect(leakyRelu(buffer).length).toBe(bytes / 4);
    }
  });

  test('dy and x lengths differ', () => {
    for (const n of SIZES) {
      for (const [dy, x] of [[f32(n), f32(n + 1)], [f64(n + 1), f64(n)]]) {
        expectRejected(() => leakyReluBackward(dy, x), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
        const out = dy.slice();
        expectRejected(() => leakyReluBackward(dy, x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x, out]);
      }
    }
  });
});

describe('overlaps', () => {
  /** Two views of `n` elements on one buffer, `shift` elements apart. */
  function shifted(Ctor: FloatCtor, n: number, shift: number) {
    const whole = arrayOf<FloatArray>(Ctor, n + Math.abs(shift), (i) => -1 - i);
    const first = new Ctor(whole.buffer as ArrayBuffer, 0, n);
    const second = new Ctor(whole.buffer as ArrayBuffer, Math.abs(shift) * Ctor.BYTES_PER_ELEMENT, n);
    return shift > 0 ? [first, second] : [second, first];
  }

  test.each([1, -1, 4, -4])('out partly overlapping x (shifted by %i elements): RangeError ERR_OUT_OF_RANGE', (shift) => {
    for (const n of SIZES) {
      for (const { Ctor } of dtypes) {
        const [x, out] = shifted(Ctor, n, shift);
        expectRejected(() => leakyRelu(x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [x]);
      }
    }
  });

  test.each([1, -1])('backward: out, or dy written in place, partly overlapping an input (shift %i)', (shift) => {
    for (const n of SIZES) {
      for (const { Ctor } of dtypes) {
        const [dy, out] = shifted(Ctor, n, shift);
        const x = arrayOf<FloatArray>(Ctor, n, (i) => i - n / 2);
        expectRejected(() => leakyReluBackward(dy, x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);

        const [x2, out2] = shifted(Ctor, n, shift);
        const dy2 = arrayOf<FloatArray>(Ctor, n, (i) => i + 1);
        expectRejected(() => leakyReluBackward(dy2, x2, { out: out2 }), RangeError, 'ERR_OUT_OF_RANGE', [dy2, x2]);

        // No out: the result goes into dy, which must then not partly overlap x.
        const [dy3, x3] = shifted(Ctor, n, shift);
        expectRejected(() => leakyReluBackward(dy3, x3), RangeError, 'ERR_OUT_OF_RANGE', [dy3, x3]);
      }
    }
  });

  test('out on exactly the input memory, through a different view object, is in place and works', () => {
    for (const n of SIZES) {
      for (const { Ctor } of dtypes) {
        const source = arrayOf<FloatArray>(Ctor, n + 2, (i) => (i % 3) - 1.5 * i);
        const x = new Ctor(source.buffer as ArrayBuffer, Ctor.BYTES_PER_ELEMENT, n);
        const expected = referenceForward(x, -0.3);
        const out = new Ctor(source.buffer as ArrayBuffer, Ctor.BYTES_PER_ELEMENT, n);
        expect(leakyRelu(x, { alpha: -0.3, out })).toBe(out);
        expectSameBits(out, expected);

        const dy = arrayOf<FloatArray>(Ctor, n, (i) => i - 3);
        const xs = arrayOf<FloatArray>(Ctor, n, (i) => (i % 2 ? 1 : -1));
        const dxExpected = referenceBackward(dy, xs, 0.5);
        const outOnDy = new Ctor(dy.buffer as ArrayBuffer, 0, n);
        expect(leakyReluBackward(dy, xs, { alpha: 0.5, out: outOnDy })).toBe(outOnDy);
        expectSameBits(dy, dxExpected);

        const dy2 = arrayOf<FloatArray>(Ctor, n, (i) => i - 3);
        const outOnX = new Ctor(xs.buffer as ArrayBuffer, 0, n);
        expect(leakyReluBackward(dy2, xs, { alpha: 0.5, out: outOnX })).toBe(outOnX);
        expectSameBits(xs, dxExpected);
      }
    }
  });

  // A SharedArrayBuffer cloned (or a grown shared WebAssembly.Memory's buffer) is another
  // object on the same memory. Only addresses tell: the facade sends such pairs to the
  // native binding whatever their length. The JS backend has no addresses to compare;
  // the README states that limitation.
  test.skipIf(!project.native).each(SIZES)(
    'out partly overlapping x through a second SharedArrayBuffer object on the same memory is rejected (length %i)',
    (n) => {
      const shared = new SharedArrayBuffer((n + 1) * 4);
      const alias = structuredClone(shared);
      expect(alias).not.toBe(shared);
      const x = new Float32Array(shared, 0, n).fill(-1);
      const out = new Float32Array(alias, 4, n);
      expect(out[0], 'the clone shares memory').toBe(-1);
      expectRejected(() => leakyRelu(x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [x]);
      const dy = new Float32Array(n).fill(2);
      expectRejected(() => leakyReluBackward(dy, x, { out }), RangeError, 'ERR_OUT_OF_RANGE', [x, dy]);
    },
  );
});

describe('detached buffers: TypeError ERR_INVALID_STATE', () => {
  test('x', () => {
    expectRejected(() => leakyRelu(detachedF32()), TypeError, 'ERR_INVALID_STATE', []);
    expectRejected(() => leakyRelu(detachedF64(), 0.5), TypeError, 'ERR_INVALID_STATE', []);
  });

  test('out', () => {
    const x = new Float32Array(0);
    expectRejected(() => leakyRelu(x, { out: detachedF32() }), TypeError, 'ERR_INVALID_STATE', [x]);
  });

  test('backward: dy, x, out', () => {
    const empty = new Float64Array(0);
    expectRejected(() => leakyReluBackward(detachedF64(), empty), TypeError, 'ERR_INVALID_STATE', [empty]);
    expectRejected(() => leakyReluBackward(empty, detachedF64()), TypeError, 'ERR_INVALID_STATE', [empty]);
    const dy = new Float64Array(0);
    expectRejected(() => leakyReluBackward(dy, empty, { out: detachedF64() }), TypeError, 'ERR_INVALID_STATE', [dy, empty]);
  });

  test('an ArrayBuffer x, read either way', () => {
    const buffer = f64(16).buffer as ArrayBuffer;
    detach(buffer);
    expectRejected(() => leakyRelu(buffer), TypeError, 'ERR_INVALID_STATE', []);
    expectRejected(() => leakyRelu(buffer, { dtype: 'float64' }), TypeError, 'ERR_INVALID_STATE', []);
    const x = new Float32Array(0);
    expectRejected(() => leakyReluBackward(buffer, x), TypeError, 'ERR_INVALID_STATE', [x]);
  });

  test('an empty array on a live buffer is not detached', () => {
    const x = new Float32Array(new ArrayBuffer(0));
    expect(leakyRelu(x)).toBe(x);
    expect(leakyRelu(new ArrayBuffer(0), { dtype: 'float64' }).length).toBe(0);
  });
});

describe('the order of the checks: types, then detached, then lengths and overlaps', () => {
  test('a type error wins over a detached buffer', () => {
    expectRejected(() => leakyRelu(detachedF32(), { alpha: '0.2' } as never), TypeError, 'ERR_INVALID_ARG_TYPE', []);
    expectRejected(() => leakyRelu(detachedF32(), { out: f64(0) } as never), TypeError, 'ERR_INVALID_ARG_TYPE', []);
    const ints = new Int32Array([-1, -2]);
    expectRejected(() => leakyRelu(ints as never, { out: detachedF32() }), TypeError, 'ERR_INVALID_ARG_TYPE', [ints]);
    expectRejected(() => leakyRelu(detachedF32(), { dtype: 'float8' } as never), TypeError, 'ERR_INVALID_ARG_VALUE', []);
    const x = f64(3);
    expectRejected(() => leakyReluBackward(detachedF32(), x as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
    expectRejected(() => leakyReluBackward(detachedF64(), x, { alpha: null } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
  });

  test('a detached buffer wins over lengths, overlaps and alpha range', () => {
    for (const n of SIZES) {
      const x = f32(n);
      // The detached out has length 0, not n: still a detached-buffer error.
      expectRejected(() => leakyRelu(x, { out: detachedF32() }), TypeError, 'ERR_INVALID_STATE', [x]);
      expectRejected(() => leakyRelu(detachedF32(), NaN), TypeError, 'ERR_INVALID_STATE', []);
      expectRejected(() => leakyRelu(detachedF32(), 1e39), TypeError, 'ERR_INVALID_STATE', []);
      const odd = new ArrayBuffer(n * 4 + 2);
      expectRejected(() => leakyRelu(odd, { out: detachedF32() }), TypeError, 'ERR_INVALID_STATE', [odd]);
      const dy = f32(n);
      expectRejected(() => leakyReluBackward(dy, detachedF32()), TypeError, 'ERR_INVALID_STATE', [dy]);
      expectRejected(() => leakyReluBackward(detachedF32(), x, { alpha: NaN }), TypeError, 'ERR_INVALID_STATE', [x]);
    }
  });

  test('a type error wins over lengths and overlaps', () => {
    for (const n of SIZES) {
      const whole = f32(n + 1);
      const x = whole.subarray(0, n);
      const out = whole.subarray(1);
      expectRejected(() => leakyRelu(x, { alpha: null, out } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [whole]);
      const short = f32(n - 1);
      expectRejected(() => leakyRelu(x, { alpha: 1n, out: short } as never), TypeError, 'ERR_INVALID_ARG_TYPE', [whole, short]);
      const dy = f64(n + 1);
      expectRejected(() => leakyReluBackward(dy, x as never), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, whole]);
    }
  });

  test('alpha range and lengths are the same last stage: a RangeError either way', () => {
    for (const n of SIZES) {
      const x = f32(n);
      const out = f32(n + 1);
      expectRejected(() => leakyRelu(x, { alpha: NaN, out }), RangeError, 'ERR_OUT_OF_RANGE', [x, out]);
      const dy = f32(n + 1);
      expectRejected(() => leakyReluBackward(dy, x, { alpha: Infinity }), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
    }
  });
});

describe('memory an unfinished async call works on: Error ERR_BUFFER_IN_USE', () => {
  test('a sync call whose input or out overlaps it is refused; the async result is one application', async () => {
    // The async call registers its memory before it returns, and releases it only once
    // settled, on a later tick: the sync calls below always meet it in flight.
    for (const n of SIZES) {
      const whole = f32(2 * n);
      const busy = whole.subarray(0, n);
      const expected = referenceForward(busy, 0.5);
      const pending = leakyReluAsync(busy, 0.5);
      const free = f32(n);
      const inFlight = (error: unknown) => (error as { code?: string }).code === 'ERR_BUFFER_IN_USE';
      const calls: [string, () => unknown][] = [
        ['x itself', () => leakyRelu(busy)],
        ['x partly', () => leakyRelu(whole.subarray(n - 1, n + 1))],
        ['out', () => leakyRelu(free, { out: busy })],
        ['backward dy', () => leakyReluBackward(busy, free)],
        ['backward x', () => leakyReluBackward(free, busy)],
      ];
      for (const [what, call] of calls) {
        let thrown: unknown;
        try {
          call();
        } catch (error) {
          thrown = error;
        }
        expect((thrown as Error)?.constructor, `${what}: ${String(thrown)}`).toBe(Error);
        expect(inFlight(thrown), `${what}: ${String(thrown)}`).toBe(true);
      }
      expect(await pending).toBe(busy);
      expectSameBits(busy, expected);
      expectSameBits(free, f32(n));
      expectSameBits(whole.subarray(n), f32(2 * n).subarray(n));
      // Settled: the memory is free again.
      expect(leakyRelu(busy, 0.5)).toBe(busy);
    }
  });
});

describe.runIf(project.native)('the raw native binding checks every argument again', () => {
  const binding = (project.native ? loadRawBinding() : null) as Binding;
  const raw = binding as unknown as Record<'forward' | 'backward', (...args: unknown[]) => void>;

  test('argument counts: TypeError ERR_INVALID_ARG_TYPE', () => {
    const x = f32(10);
    expectRejected(() => raw.forward(), TypeError, 'ERR_INVALID_ARG_TYPE', []);
    expectRejected(() => raw.forward(x), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
    const dy = f32(10);
    expectRejected(() => raw.backward(), TypeError, 'ERR_INVALID_ARG_TYPE', []);
    expectRejected(() => raw.backward(dy, x), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x]);
  });

  test.each([...badData(), ['ArrayBuffer', new ArrayBuffer(16)] as [string, unknown]])(
    'data %s: TypeError ERR_INVALID_ARG_TYPE',
    (_, bad) => {
      const x = f32(10);
      const dy = f32(10);
      expectRejected(() => raw.forward(bad, 0.2), TypeError, 'ERR_INVALID_ARG_TYPE', [bad]);
      expectRejected(() => raw.backward(bad, x, 0.2), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, x]);
      expectRejected(() => raw.backward(dy, bad, 0.2), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, dy]);
      if (bad !== undefined) {
        // An undefined out means none.
        expectRejected(() => raw.forward(x, 0.2, bad), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, x]);
        expectRejected(() => raw.backward(dy, x, 0.2, bad), TypeError, 'ERR_INVALID_ARG_TYPE', [bad, dy, x]);
      }
    },
  );

  test.each([['a string', '0.2'], ['null', null], ['undefined', undefined], ['a boolean', true], ['a bigint', 1n], ['an object', {}]])(
    'alpha %s: TypeError ERR_INVALID_ARG_TYPE',
    (_, alpha) => {
      const x = f64(10);
      const dy = f64(10);
      expectRejected(() => raw.forward(x, alpha), TypeError, 'ERR_INVALID_ARG_TYPE', [x]);
      expectRejected(() => raw.backward(dy, x, alpha), TypeError, 'ERR_INVALID_ARG_TYPE', [dy, x]);
    },
  );

  test('element types that differ: TypeError ERR_INVALID_ARG_TYPE', () => {
    const a = f32(10);
    const b = f64(10);
    expectRejected(() => raw.forward(a, 0.2, b), TypeError, 'ERR_INVALID_ARG_TYPE', [a, b]);
    expectRejected(() => raw.backward(a, b, 0.2), TypeError, 'ERR_INVALID_ARG_TYPE', [a, b]);
    const c = f32(10);
    expectRejected(() => raw.backward(a, c, 0.2, b), TypeError, 'ERR_INVALID_ARG_TYPE', [a, b, c]);
  });

  test('alpha out of range: RangeError ERR_OUT_OF_RANGE; 1e39 is fine for float64', () => {
    for (const alpha of [NaN, Infinity, -Infinity]) {
      for (const x of [f32(10), f64(10)]) {
        expectRejected(() => raw.forward(x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [x]);
        const dy = x.slice();
        expectRejected(() => raw.backward(dy, x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [dy, x]);
      }
    }
    for (const alpha of [1e39, 3.4028235677973366e38]) {
      const x = f32(10);
      expectRejected(() => raw.forward(x, alpha), RangeError, 'ERR_OUT_OF_RANGE', [x]);
      const x64 = f64(10);
      const expected = referenceForward(x64, alpha);
      binding.forward(x64, alpha);
      expectSameBits(x64, expected);
    }
  });

  test('lengths: RangeError ERR_OUT_OF_RANGE', () => {
    const x = f32(10);
    const short = f32(9);
    expectRejected(() => raw.forward(x, 0.2, short), RangeError, 'ERR_OUT_OF_RANGE', [x, short]);
    expectRejected(() => raw.backward(short, x, 0.2), RangeError, 'ERR_OUT_OF_RANGE', [x, short]);
    const dy = f32(10);
    expectRejected(() => raw.backward(dy, x, 0.2, short), RangeError, 'ERR_OUT_OF_RANGE', [dy, x, short]);
  });

  test('partial overlaps, on one buffer object or on two sharing memory: RangeError ERR_OUT_OF_RANGE', () => {
    for (const n of [2, 5, 100]) {
      const whole = f64(n + 1);
      const a = whole.subarray(0, n);
      const b = whole.subarray(1);
      const other = f64(n);
      expectRejected(() => raw.forward(a, 0.2, b), RangeError, 'ERR_OUT_OF_RANGE', [whole]);
      expectRejected(() => raw.forward(b, 0.2, a), RangeError, 'ERR_OUT_OF_RANGE', [whole]);
      expectRejected(() => raw.backward(a, b, 0.2), RangeError, 'ERR_OUT_OF_RANGE', [whole]);
      expectRejected(() => raw.backward(a, other, 0.2, b), RangeError, 'ERR_OUT_OF_RANGE', [whole, other]);
      expectRejected(() => raw.backward(other, a, 0.2, b), RangeError, 'ERR_OUT_OF_RANGE', [whole, other]);

      const shared = new SharedArrayBuffer((n + 1) * 4);
      const x = new Float32Array(shared, 0, n).fill(-1);
      const out = new Float32Array(structuredClone(shared), 4, n);
      expectRejected(() => raw.forward(x, 0.2, out), RangeError, 'ERR_OUT_OF_RANGE', [x]);
    }
  });

  test('detached buffers: TypeError ERR_INVALID_STATE, after the type checks', () => {
    const empty = new Float32Array(0);
    expectRejected(() => raw.forward(detachedF32(), 0.2), TypeError, 'ERR_INVALID_STATE', []);
    expectRejected(() => raw.forward(empty, 0.2, detachedF32()), TypeError, 'ERR_INVALID_STATE', [empty]);
    const x = f32(10);
    expectRejected(() => raw.forward(x, 0.2, detachedF32()), TypeError, 'ERR_INVALID_STATE', [x]);
    expectRejected(() => raw.backward(detachedF32(), empty, 0.2), TypeError, 'ERR_INVALID_STATE', [empty]);
    expectRejected(() => raw.backward(empty, detachedF32(), 0.2), TypeError, 'ERR_INVALID_STATE', [empty]);
    expectRejected(() => raw.backward(empty, empty, 0.2, detachedF32()), TypeError, 'ERR_INVALID_STATE', [empty]);
    expectRejected(() => raw.forward(detachedF32(), NaN), TypeError, 'ERR_INVALID_STATE', []);
    expectRejected(() => raw.forward(detachedF32(), '0.2'), TypeError, 'ERR_INVALID_ARG_TYPE', []);
    expectRejected(() => raw.forward(detachedF32(), 0.2, f64(0)), TypeError, 'ERR_INVALID_ARG_TYPE', []);
  });

  test('an undefined out means in place', () => {
    const x = f32(10);
    const expected = referenceForward(x, 0.5);
    raw.forward(x, 0.5, undefined);
    expectSameBits(x, expected);
  });
});
