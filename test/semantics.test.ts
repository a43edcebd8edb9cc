// Exact values the contract promises, element by element, on both element types.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluBackward } from '../lib/index';
import { referenceBackward, referenceForward } from './helpers/reference';
import type { FloatArray } from './helpers/reference';
import { seededRandom } from './helpers/random';
import { arrayOf, dtypes } from './helpers/arrays';
import { expectSameBits } from './helpers/bits';
import type { FloatCtor } from './helpers/arrays';

// Short arrays take the JS kernels even when the native part is loaded (a native call
// costs more than that little work); long ones take the native kernels and reach
// their SIMD main loops and tails. Every case runs at each length, in every element.
const LENGTHS = [1, 5, 61, 203];

function show(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** test.each rows with a title that keeps -0 apart from 0. */
function titled(rows: number[][], names: string[]): { args: number[]; title: string }[] {
  return rows.map((args) => ({ args, title: args.map((v, i) => `${names[i]} ${show(v)}`).join(', ') }));
}

/** The first element of `y` that is not `expected` (Object.is: -0 is not +0, NaN is NaN), or null. */
function firstOther(y: ArrayLike<number>, expected: number): string | null {
  for (let i = 0; i < y.length; i++) {
    if (!Object.is(y[i], expected)) return `[${i}] = ${show(y[i])}, expected ${show(expected)}`;
  }
  return null;
}

/** Checks leakyRelu(x) === expected in place and into `out`, at every length. */
function expectForward(Ctor: FloatCtor, x: number, alpha: number, expected: number): void {
  for (const n of LENGTHS) {
    const inPlace = new Ctor(n).fill(x);
    expect(firstOther(leakyRelu(inPlace, alpha), expected), `in place, length ${n}`).toBeNull();
    const input = new Ctor(n).fill(x);
    const out = new Ctor(n);
    expect(firstOther(leakyRelu(input, { alpha, out }), expected), `into out, length ${n}`).toBeNull();
  }
}

/** Checks leakyReluBackward(dy, x) === expected into dy and into `out`, at every length. */
function expectBackward(Ctor: FloatCtor, dy: number, x: number, alpha: number, expected: number): void {
  for (const n of LENGTHS) {
    const xs = new Ctor(n).fill(x);
    const intoDy = new Ctor(n).fill(dy);
    expect(firstOther(leakyReluBackward(intoDy, xs, alpha), expected), `into dy, length ${n}`).toBeNull();
    const out = new Ctor(n);
    const dys = new Ctor(n).fill(dy);
    expect(firstOther(leakyReluBackward(dys, xs, { alpha, out }), expected), `into out, length ${n}`).toBeNull();
  }
}

describe.each(dtypes)('$name', ({ Ctor, round }) => {
  test("TensorFlow's example: [-1, 2, -3, 4] with the default alpha", () => {
    const y = leakyRelu(Ctor.of(-1, 2, -3, 4));
    if (Ctor === Float32Array) {
      // One float32 multiply by fround(0.2); both products round to the float32 nearest the decimal.
      expect(Array.from(y)).toEqual([Math.fround(-0.2), 2, Math.fround(-0.6), 4]);
      expect(Array.from(y)).toEqual([-0.20000000298023224, 2, -0.6000000238418579, 4]);
    } else {
      // 0.2 * -3 is -0.6000000000000001 in double arithmetic, as in TensorFlow's float64 kernel.
      expect(Array.from(y)).toEqual([-0.2, 2, -0.6000000000000001, 4]);
    }
  });

  test('the default alpha is 0.2: no options, {}, { alpha: undefined }', () => {
    const expected = round(round(0.2) * -5);
    for (const opts of [undefined, {}, { alpha: undefined }]) {
      for (const n of LENGTHS) {
        const y = opts === undefined ? leakyRelu(new Ctor(n).fill(-5)) : leakyRelu(new Ctor(n).fill(-5), opts);
        expect(firstOther(y, expected), `opts ${JSON.stringify(opts)}, length ${n}`).toBeNull();
      }
    }
    const dx = leakyReluBackward(new Ctor(100).fill(-5), new Ctor(100).fill(-1));
    expect(firstOther(dx, expected)).toBeNull();
  });

  // [alpha, x, y]. All values are exact in float32, so one table serves both types.
  test.each(titled([
    [0.25, 0, 0],
    [0.25, -0, -0],
    [0.25, NaN, NaN],
    [0.25, Infinity, Infinity],
    [0.25, -Infinity, -Infinity],
    [0.25, -2, -0.5],
    [0.25, 2, 2],
    [-0.5, 0, -0],
    [-0.5, -0, 0],
    [-0.5, NaN, NaN],
    [-0.5, Infinity, Infinity],
    [-0.5, -Infinity, Infinity],
    [-0.5, -2, 1],
    [0, -Infinity, NaN],
    [0, -3, -0],
    [0, 0, 0],
    [0, -0, -0],
    [0, Infinity, Infinity],
    [-0, -3, 0],
    [-0, 0, -0],
    [-0, -Infinity, NaN],
    [3, -2, -6],
    [3, 2, 2],
    [3, -Infinity, -Infinity],
  ], ['alpha', 'x', '->']))('forward: $title', ({ args: [alpha, x, y] }) => {
    expectForward(Ctor, x, alpha, y);
  });

  // [alpha, dy, x, dx]: x > 0 passes dy through untouched; x <= 0, NaN x and -Inf take alpha * dy.
  test.each(titled([
    [0.5, 4, 1, 4],
    [0.5, 4, Infinity, 4],
    [0.5, -0, 1, -0],
    [0.5, NaN, 1, NaN],
    [0.5, -Infinity, 1, -Infinity],
    [-0.5, 0, 1, 0],
    [0.5, 4, 0, 2],
    [0.5, 4, -0, 2],
    [0.5, 4, NaN, 2],
    [0.5, 4, -Infinity, 2],
    [0.5, 4, -1, 2],
    [0.5, -0, -1, -0],
    [-0.5, 0, -1, -0],
    [-0.5, -0, -1, 0],
    [-0.5, 4, 0, -2],
    [0.5, NaN, -1, NaN],
    [0, Infinity, -1, NaN],
    [0.5, -Infinity, -1, -Infinity],
    [-0.5, -Infinity, -1, Infinity],
    [3, 1, -2, 3],
  ], ['alpha', 'dy', 'x', '->']))('backward: $title', ({ args: [alpha, dy, x, dx] }) => {
    expectBackward(Ctor, dy, x, alpha, dx);
  });

  test('backward: the slope at a subnormal x is still that of its sign', () => {
    const tiny = Ctor === Float32Array ? 2 ** -149 : Number.MIN_VALUE;
    expectBackward(Ctor, 4, tiny, 0.5, 4);
    expectBackward(Ctor, 4, -tiny, 0.5, 2);
  });

  test('any finite alpha: a large one, select semantics', () => {
    const big = Ctor === Float32Array ? 3.4028234663852886e38 : 1e300;
    expectForward(Ctor, -0.5, big, round(big * -0.5));
    expectForward(Ctor, 1e-30, big, round(1e-30));
    // Overflow of alpha * x is IEEE's -Infinity, not an error.
    expectForward(Ctor, Ctor === Float32Array ? -4 : -1e10, big, -Infinity);
  });
});

describe('subnormals are exact IEEE results (no flush-to-zero, no denormals-are-zero)', () => {
  // [alpha, x], float32. Each expected value is one float32 multiply, round to nearest even.
  const f32Cases: [number, number][] = [
    [4, -(2 ** -149)],
    [0.5, -(2 ** -149)],
    [0.5, -3 * 2 ** -149],
    [0.75, -3 * 2 ** -149],
    [0.5, -(2 ** -126)],
    [2, -(2 ** -140)],
    [0.1, -(2 ** -120)],
    [2 ** -140, -2],
  ];
  test.each(titled(f32Cases, ['alpha', 'x']))('float32: $title', ({ args: [alpha, x] }) => {
    expectForward(Float32Array, x, alpha, Math.fround(Math.fround(alpha) * x));
    expectBackward(Float32Array, x, -1, alpha, Math.fround(Math.fround(alpha) * x));
  });

  test('float32: cases with an unambiguous literal answer', () => {
    expectForward(Float32Array, -(2 ** -149), 4, -(2 ** -147));
    // -2^-150 lies halfway between -0 and -2^-149; the even neighbour is -0.
    expectForward(Float32Array, -(2 ** -149), 0.5, -0);
    // -1.5 * 2^-149: halfway between 1 and 2 units, the even one is 2.
    expectForward(Float32Array, -3 * 2 ** -149, 0.5, -(2 ** -148));
    // A normal input whose product is subnormal: flush-to-zero would give -0.
    expectForward(Float32Array, -(2 ** -126), 0.5, -(2 ** -127));
    // A subnormal input: denormals-are-zero would give -0.
    expectForward(Float32Array, -(2 ** -140), 2, -(2 ** -139));
    // A subnormal alpha is kept as such once rounded to float32.
    expectForward(Float32Array, -2, 2 ** -140, -(2 ** -139));
  });

  test('float64: literal answers', () => {
    expectForward(Float64Array, -Number.MIN_VALUE * 2, 0.5, -Number.MIN_VALUE);
    expectForward(Float64Array, -Number.MIN_VALUE, 2, -Number.MIN_VALUE * 2);
    // -2^-1075 is halfway between -0 and -2^-1074: the even neighbour is -0.
    expectForward(Float64Array, -Number.MIN_VALUE, 0.5, -0);
    expectForward(Float64Array, -(2 ** -1022), 0.5, -(2 ** -1023));
    expectForward(Float64Array, -(2 ** -1060), 2 ** -10, -(2 ** -1070));
    expectBackward(Float64Array, -Number.MIN_VALUE * 2, -1, 0.5, -Number.MIN_VALUE);
  });
});

describe('alpha precision', () => {
  test('float32 data uses Math.fround(alpha) and one float32 multiply', () => {
    // Find inputs where rounding the double product differs from the float32 product:
    // there the test tells the two apart.
    const candidates = Array.from({ length: 400 }, (_, i) => Math.fround(-(i + 1) / 7));
    const telling = candidates.filter(
      (x) => Math.fround(Math.fround(0.1) * x) !== Math.fround(0.1 * x),
    );
    expect(telling.length).toBeGreaterThan(0);
    for (const x of telling.slice(0, 10)) {
      expectForward(Float32Array, x, 0.1, Math.fround(Math.fround(0.1) * x));
    }
  });

  test('an alpha below float32 range is 0 for float32 data, itself for float64', () => {
    expectForward(Float32Array, -2, 1e-46, -0);
    expectForward(Float64Array, -2, 1e-46, -2e-46);
  });

  test('float64 data uses the double alpha', () => {
    expectForward(Float64Array, -3, 0.1, -0.30000000000000004);
    expect(Math.fround(0.1) * -3).not.toBe(-0.30000000000000004);
    expectForward(Float64Array, -2, 1e39, -2e39);
  });
});

describe('not the formulas that circulate', () => {
  function smoothFormula(round: (v: number) => number, a: number, x: number): number {
    // 0.5*(1+a)*x + 0.5*(1-a)*|x|, each operation rounded as the element type would.
    const left = round(round(0.5 * round(1 + a)) * x);
    const right = round(round(0.5 * round(1 - a)) * Math.abs(x));
    return round(left + right);
  }

  test.each(dtypes)('$name: 0.5*(1+a)*x + 0.5*(1-a)*|x| rounds differently', ({ Ctor, round }) => {
    const random = seededRandom(7);
    const a = round(0.2);
    let found: number | undefined;
    for (let i = 0; i < 1000 && found === undefined; i++) {
      const x = round((random() - 0.5) * 2 ** Math.floor(random() * 20 - 10));
      if (!Object.is(smoothFormula(round, a, x), referenceForward(Ctor.of(x), 0.2)[0])) found = x;
    }
    expect(found, 'a value on which the formulas differ (seeded search)').toBeDefined();
    const x = found as number;
    const y = leakyRelu(new Ctor(LENGTHS[3]).fill(x), 0.2);
    expectSameBits(y, referenceForward(new Ctor(LENGTHS[3]).fill(x), 0.2));
    expect(y[0]).not.toBe(smoothFormula(round, a, x));
    expect(leakyRelu(Ctor.of(x), 0.2)[0]).not.toBe(smoothFormula(round, a, x));
  });

  test.each(dtypes)('$name: max(a*x, x) differs for alpha > 1 and on signed zeros for alpha < 0', ({ Ctor }) => {
    const maxFormula = (a: number, x: number) => Math.max(a * x, x);
    for (const n of LENGTHS) {
      expect(leakyRelu(new Ctor(n).fill(-1), 2)[n - 1]).toBe(-2);
      expect(maxFormula(2, -1)).toBe(-1);
      expect(leakyRelu(new Ctor(n).fill(1), 2)[n - 1]).toBe(1);
      expect(maxFormula(2, 1)).toBe(2);
      expect(leakyRelu(new Ctor(n).fill(0), -0.5)[n - 1]).toBe(-0);
      expect(maxFormula(-0.5, 0)).toBe(0);
    }
  });
});

describe('return values', () => {
  test.each(dtypes)('$name: in place returns x itself; with out returns out', ({ Ctor }) => {
    for (const n of LENGTHS) {
      const x = new Ctor(n).fill(-1);
      expect(leakyRelu(x)).toBe(x);
      expect(leakyRelu(x, 0.5)).toBe(x);
      expect(leakyRelu(x, { alpha: 0.5 })).toBe(x);
      const out = new Ctor(n);
      const input = new Ctor(n).fill(-1);
      expect(leakyRelu(input, { out })).toBe(out);
      expect(input[0]).toBe(-1);
      const dy = new Ctor(n).fill(1);
      expect(leakyReluBackward(dy, x)).toBe(dy);
      expect(leakyReluBackward(dy, x, { out })).toBe(out);
      expect(leakyReluBackward(dy, x, { out: x })).toBe(x);
    }
  });

  test.each([
    ['ArrayBuffer', (bytes: number) => new ArrayBuffer(bytes)],
    ['SharedArrayBuffer', (bytes: number) => new SharedArrayBuffer(bytes)],
  ] as const)('%s input: a view over the whole buffer, whose bytes are transformed', (_, make) => {
    for (const n of LENGTHS) {
      const buffer = make(n * 8);
      new Float32Array(buffer).fill(-4);
      const y = leakyRelu(buffer, 0.5);
      expect(y).toBeInstanceOf(Float32Array);
      expect(y.buffer).toBe(buffer);
      expect([y.byteOffset, y.length]).toEqual([0, n * 2]);
      expect(firstOther(new Float32Array(buffer), -2)).toBeNull();

      const buffer64 = make(n * 8);
      new Float64Array(buffer64).fill(-4);
      const y64 = leakyRelu(buffer64, { alpha: 0.1, dtype: 'float64' });
      expect(y64).toBeInstanceOf(Float64Array);
      expect(y64.buffer).toBe(buffer64);
      expect([y64.byteOffset, y64.length]).toEqual([0, n]);
      expect(firstOther(new Float64Array(buffer64), 0.1 * -4)).toBeNull();

      const dyBuffer = make(n * 4);
      new Float32Array(dyBuffer).fill(3);
      const dx = leakyReluBackward(dyBuffer, new Float32Array(n).fill(-1), 0.5);
      expect(dx).toBeInstanceOf(Float32Array);
      expect(dx.buffer).toBe(dyBuffer);
      expect(firstOther(new Float32Array(dyBuffer), 1.5)).toBeNull();

      const out = new Float32Array(n * 2);
      const source = make(n * 8);
      new Float32Array(source).fill(-4);
      expect(leakyRelu(source, { alpha: 0.5, out })).toBe(out);
      expect(firstOther(out, -2)).toBeNull();
      expect(firstOther(new Float32Array(source), -4)).toBeNull();
    }
  });

  test('an empty input is fine and returned as is', () => {
    const x = new Float32Array(0);
    expect(leakyRelu(x)).toBe(x);
    const b = new ArrayBuffer(0);
    expect(leakyRelu(b).length).toBe(0);
    const dy = new Float64Array(0);
    expect(leakyReluBackward(dy, new Float64Array(0))).toBe(dy);
  });
});

test('backward equals the reference on mixed values (both element types, both paths)', () => {
  for (const { Ctor } of dtypes) {
    for (const n of LENGTHS) {
      const x = arrayOf<FloatArray>(Ctor, n, (i) => [-0, 0, NaN, -Infinity, Infinity, -3, 2.5][i % 7]);
      const dy = arrayOf<FloatArray>(Ctor, n, (i) => [1.5, -0, NaN, -Infinity, 7, 0, -2][(i * 3) % 7]);
      const expected = referenceBackward(dy, x, -0.3);
      expectSameBits(leakyReluBackward(dy.slice(), x, -0.3), expected, `length ${n}`);
    }
  }
});
