// Every bad input of per-channel slopes (the lead's spec, "Errors"), through the facade
// (sync: thrown; async: a rejected promise, never a throw; batch) and through the raw
// binding (forwardSlopes, backwardSlopes, submitForward, submitBackward): the class and
// code, and nothing changed: data, out, alphaGrad and the slopes keep every byte, no
// job or busy range stays registered (stats()), no callback runs. Then the stage order
// (types, detached, values, lengths, overlaps, busy), user code on the options object
// and in slope arrays (run once, what it throws reaches the caller, a getter that
// detaches the data), a huge sparse slope array, and alphaGrad in use by an async call.
import { describe, expect, test } from 'vitest';
import { leakyRelu, leakyReluAsync, leakyReluBackward, leakyReluBackwardAsync, leakyReluBatch } from '../lib/index';
import type { BackwardOptions, BatchOptions, FloatArray, Options } from '../lib/index';
import { nextTurn } from './helpers/async-helpers';
import { loadRawBinding } from './helpers/binding';
import { CHUNK_BYTES, JS_SLICE } from './helpers/lengths';
import { project } from './helpers/project';
import { snapshot } from './helpers/snapshot';
import { expectNone, expectSameGrad, referenceSlopeGrad, referenceSlopesForward } from './helpers/slopes-reference';

const raw = project.native ? loadRawBinding() : null;

type ErrorClass = 'TypeError' | 'RangeError' | 'Error';
interface Expected {
  cls: ErrorClass;
  code: string;
  /** The message must match this too (the stage tests tell errors of one code apart by it). */
  message?: RegExp;
}
const TYPE: Expected = { cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
const RANGE: Expected = { cls: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
const STATE: Expected = { cls: 'TypeError', code: 'ERR_INVALID_STATE' };
const BUSY: Expected = { cls: 'Error', code: 'ERR_BUFFER_IN_USE' };
const withMessage = (e: Expected, message: RegExp): Expected => ({ ...e, message });

/** What went wrong with `error` against `e`, or null. */
function mismatch(error: unknown, e: Expected): string | null {
  if (error === 'no throw') return 'no error';
  const err = error as Error & { code?: string };
  const got = `${err?.constructor?.name} ${err?.code}: ${err?.message}`;
  if (err?.constructor?.name !== e.cls || err.code !== e.code) return `got ${got}, expected ${e.cls} ${e.code}`;
  if (e.message && !e.message.test(err.message)) return `got ${got}, expected a message matching ${e.message}`;
  return null;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return 'no throw';
}

/** The async form's outcome: it must return a promise, which must reject. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch (error) {
    return `threw synchronously instead of rejecting: ${String(error)}`;
  }
  return p.then(
    () => 'no throw',
    (error: unknown) => error,
  );
}

/** Nothing registered once the event loop has turned: no job, no busy range. */
async function expectNothingRegistered(): Promise<void> {
  await nextTurn();
  if (raw !== null) expect(raw.stats()).toEqual({ jobs: 0, ranges: 0 });
}

/** Float32 data, mostly negative (so a transform would show), n elements. */
const f32 = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? i + 0.5 : -(i % 7) - 0.25));
const f64 = (n: number): Float64Array => Float64Array.from(f32(n));

function detachedF32(values: number[] = [0.5, 0.25]): Float32Array {
  const a = Float32Array.from(values);
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}
function detachedF64(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}

/** One call's arguments, built fresh for each call (getters, views into the data). */
interface Built {
  x: FloatArray;
  dy: FloatArray;
  /** A second array for the batch form. */
  x2: FloatArray;
  opts: BackwardOptions;
}

interface FacadeCase {
  name: string;
  expected: Expected;
  build: (n: number) => Built;
  /** alphaGrad cases: forward and batch ignore alphaGrad. */
  backwardOnly?: boolean;
  /** Cases with an out (a batch's out is a list of them): not the batch form. */
  noBatch?: boolean;
  /** Only lengths of which this holds (default: 12 and 120, below and above the native crossover). */
  sizes?: number[];
}

const basic = (opts: BackwardOptions | (() => BackwardOptions)) => (n: number): Built => ({
  x: f32(n),
  dy: f32(n),
  x2: f32(n),
  opts: typeof opts === 'function' ? opts() : opts,
});

/** Runs every form of the facade on a case: each rejects with the expected error and changes nothing. */
async function checkFacade(c: FacadeCase): Promise<string[]> {
  const problems: string[] = [];
  type Form = [string, (b: Built) => unknown, boolean];
  const forms: Form[] = [
    ['leakyRelu', (b) => leakyRelu(b.x, b.opts as Options), false],
    ['leakyReluBackward', (b) => leakyReluBackward(b.dy, b.x, b.opts), false],
    ['leakyReluAsync', (b) => leakyReluAsync(b.x, b.opts as Options), true],
    ['leakyReluBackwardAsync', (b) => leakyReluBackwardAsync(b.dy, b.x, b.opts), true],
    ['leakyReluBatch', (b) => leakyReluBatch([b.x, b.x2], b.opts as BatchOptions), true],
  ];
  for (const n of c.sizes ?? [12, 120]) {
    for (const [form, call, isAsync] of forms) {
      if (c.backwardOnly && !form.includes('Backward')) continue;
      if (c.noBatch && form === 'leakyReluBatch') continue;
      const b = c.build(n);
      const alphaValue = (b.opts as { alpha?: unknown }).alpha;
      const gradValue = (b.opts as { alphaGrad?: unknown }).alphaGrad;
      const changes = snapshot([b.x, b.dy, b.x2, gradValue, alphaValue, b.opts.out]);
      const error = isAsync ? await rejection(() => call(b) as Promise<unknown>) : thrown(() => call(b));
      const wrong = mismatch(error, c.expected);
      if (wrong !== null) problems.push(`${c.name}, ${form}, ${n} elements: ${wrong}`);
      const changed = changes();
      if (changed.length > 0) problems.push(`${c.name}, ${form}, ${n} elements: ${changed.join('; ')}`);
    }
  }
  await expectNothingRegistered();
  return problems;
}

const TYPE_CASES: FacadeCase[] = [
  ...([
    ['an Int32Array', () => Int32Array.of(1, 2)],
    ['a Uint16Array', () => Uint16Array.of(1, 2)],
    ['a BigInt64Array', () => BigInt64Array.of(1n)],
    ['a plain object', () => ({ 0: 0.5, length: 1 })],
    ['a string', () => '0.5'],
    ['null', () => null],
    ['a Number object', () => new Number(0.5)],
    ['a Proxy around a Float32Array', () => new Proxy(Float32Array.of(0.5, 0.25), {})],
    ['a DataView', () => new DataView(new ArrayBuffer(8))],
  ] as [string, () => unknown][]).map(([what, alpha]): FacadeCase => ({
    name: `alpha ${what}`,
    expected: TYPE,
    build: basic(() => ({ alpha: alpha() as number[] })),
  })),
  ...([
    ['a string', [0.5, '0.25'], 1],
    ['null', [0.5, null], 1],
    ['a hole', [0.5, , 0.25], 1], // eslint-disable-line no-sparse-arrays
    ['undefined', [undefined, 0.5], 0],
    ['a BigInt', [1n, 0.5], 0],
    ['a Number object', [0.5, 0.25, new Number(1)], 2],
    ['an array', [[0.5], 0.25], 0],
  ] as [string, unknown[], number][]).map(([what, alpha, index]): FacadeCase => ({
    name: `a slope that is ${what}`,
    expected: withMessage(TYPE, new RegExp(`slope ${index} must be of type number`)),
    build: basic(() => ({ alpha: alpha.slice() as number[], spatialSize: 1 })),
    // Lengths that every slope count here divides.
    sizes: [12, 120],
  })),
  ...([['a string', '2'], ['null', null], ['an object', {}], ['a BigInt', 2n], ['a Number object', new Number(2)], ['true', true]] as [
    string,
    unknown,
  ][]).flatMap(([what, spatialSize]): FacadeCase[] => [
    { name: `spatialSize ${what} with slopes`, expected: withMessage(TYPE, /spatialSize/), build: basic(() => ({ alpha: [0.5, 0.25], spatialSize: spatialSize as number })) },
    { name: `spatialSize ${what} with a number alpha`, expected: withMessage(TYPE, /spatialSize/), build: basic(() => ({ alpha: 0.5, spatialSize: spatialSize as number })) },
  ]),
  ...([
    ['a Float32Array', () => new Float32Array(2)],
    ['an Array', () => [0, 0]],
    ['an object', () => ({ length: 2 })],
    ['null', () => null],
    ['a BigInt64Array', () => new BigInt64Array(2)],
    ['a Proxy around a Float64Array', () => new Proxy(new Float64Array(2), {})],
    ['a Uint8Array of 16 bytes', () => new Uint8Array(16)],
  ] as [string, () => unknown][]).map(([what, grad]): FacadeCase => ({
    name: `alphaGrad ${what}`,
    expected: withMessage(TYPE, /alphaGrad/),
    backwardOnly: true,
    build: basic(() => ({ alpha: [0.5, 0.25], alphaGrad: grad() as Float64Array })),
  })),
];

const RANGE_CASES: FacadeCase[] = [
  ...([['[]', () => []], ['an empty Float32Array', () => new Float32Array(0)], ['an empty Float64Array', () => new Float64Array(0)]] as [
    string,
    () => unknown,
  ][]).map(([what, alpha]): FacadeCase => ({
    name: `alpha ${what}`,
    expected: withMessage(RANGE, /at least one slope/),
    build: basic(() => ({ alpha: alpha() as number[] })),
  })),
  ...([
    ['NaN', [NaN], 0],
    ['Infinity', [0.5, Infinity], 1],
    ['-Infinity', Float64Array.of(0.5, 0.25, -Infinity), 2],
    ['a NaN in a Float32Array', Float32Array.of(0.5, NaN), 1],
    ['1e39 (Infinity in float32)', Float64Array.of(1e39, 0.5), 0],
    ['-1e39 in an Array', [0.5, -1e39], 1],
  ] as [string, ArrayLike<number>, number][]).map(([what, alpha, index]): FacadeCase => ({
    name: `a slope ${what} for float32 data`,
    expected: withMessage(RANGE, new RegExp(`slope ${index}`)),
    build: basic(() => ({ alpha: Array.isArray(alpha) ? alpha.slice() : (alpha as Float32Array).slice() })),
  })),
  ...([0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0, 2 ** 64, 1e-300] as number[]).map((spatialSize): FacadeCase => ({
    name: `spatialSize ${Object.is(spatialSize, -0) ? '-0' : spatialSize}`,
    expected: withMessage(RANGE, /spatialSize.*positive integer/),
    build: basic(() => ({ alpha: [0.5, 0.25], spatialSize })),
  })),
  {
    name: 'a length that is no multiple of C (5 slopes, 12 elements)',
    expected: withMessage(RANGE, /multiple of 5 slopes times spatialSize 1/),
    build: basic(() => ({ alpha: [0.1, 0.2, 0.3, 0.4, 0.5] })),
    sizes: [12],
  },
  {
    name: 'a length not a multiple of C * spatialSize (2 * 7)',
    expected: withMessage(RANGE, /multiple of 2 slopes times spatialSize 7/),
    build: basic(() => ({ alpha: Float32Array.of(0.5, 0.25), spatialSize: 7 })),
  },
  {
    name: 'a number alpha with a spatialSize the length is no multiple of (C = 1)',
    expected: withMessage(RANGE, /multiple of 1 slopes times spatialSize 9/),
    build: basic(() => ({ alpha: 0.5, spatialSize: 9 })),
  },
  {
    name: 'the default alpha with a spatialSize the length is no multiple of',
    expected: withMessage(RANGE, /multiple of 1 slopes times spatialSize 7/),
    build: basic(() => ({ spatialSize: 7 })),
  },
  {
    name: 'a spatialSize longer than the data (2^53 - 1)',
    expected: withMessage(RANGE, /multiple of 2 slopes/),
    build: basic(() => ({ alpha: [0.5, 0.25], spatialSize: 2 ** 53 - 1 })),
  },
  ...([['1 for 2 slopes', 2, 1], ['3 for 2 slopes', 2, 3], ['0 for 1 slope', 1, 0]] as [string, number, number][]).map(
    ([what, C, length]): FacadeCase => ({
      name: `alphaGrad of length ${what}`,
      expected: withMessage(RANGE, new RegExp(`alphaGrad.*one entry per slope \\(${C}\\)`)),
      backwardOnly: true,
      build: basic(() => ({ alpha: C === 1 ? 0.5 : [0.5, 0.25], alphaGrad: new Float64Array(length) })),
    }),
  ),
  ...(['dy', 'x'] as const).map((like): FacadeCase => ({
    name: `alphaGrad sharing bytes with ${like} (float64 data)`,
    expected: withMessage(RANGE, new RegExp(`alphaGrad" option overlaps "${like}"`)),
    backwardOnly: true,
    build: (n) => {
      const dy = f64(n);
      const x = f64(n);
      const shared = like === 'dy' ? dy : x;
      return { x, dy, x2: x, opts: { alpha: [0.5, 0.25], alphaGrad: shared.subarray(n - 2, n) } };
    },
  })),
  {
    name: 'alphaGrad sharing 4 bytes with float32 x (a Float64Array over the same buffer)',
    expected: withMessage(RANGE, /alphaGrad" option overlaps "x"/),
    backwardOnly: true,
    build: (n) => {
      const buffer = new ArrayBuffer(4 + 4 * n + 12);
      const x = new Float32Array(buffer, 4, n);
      x.set(f32(n));
      // Bytes [4n - 4, 4n + 12): x's last element and 12 bytes after it.
      const alphaGrad = new Float64Array(buffer, 4 * n, 2);
      return { x, dy: f32(n), x2: f32(n), opts: { alpha: [0.5, 0.25], alphaGrad } };
    },
  },
  {
    name: 'alphaGrad sharing bytes with out',
    expected: withMessage(RANGE, /alphaGrad" option overlaps "out"/),
    backwardOnly: true,
    build: (n) => {
      const out = new Float64Array(n);
      return { x: f64(n), dy: f64(n), x2: f64(n), opts: { alpha: [0.5, 0.25], out, alphaGrad: out.subarray(0, 2) } };
    },
  },
  {
    name: 'alphaGrad inside dy used as out too (in place)',
    expected: withMessage(RANGE, /alphaGrad" option overlaps "dy"/),
    backwardOnly: true,
    build: (n) => {
      const dy = f64(n);
      return { x: f64(n), dy, x2: dy, opts: { alpha: [0.5, 0.25], out: dy, alphaGrad: dy.subarray(4, 6) } };
    },
  },
];

const STATE_CASES: FacadeCase[] = [
  { name: 'a detached Float32Array of slopes', expected: withMessage(STATE, /"alpha"/), build: basic(() => ({ alpha: detachedF32() })) },
  {
    name: 'a detached Float64Array of slopes (with spatialSize)',
    expected: withMessage(STATE, /"alpha"/),
    build: basic(() => ({ alpha: detachedF64(2), spatialSize: 2 })),
  },
  {
    name: 'a detached alphaGrad',
    expected: withMessage(STATE, /"alphaGrad"/),
    backwardOnly: true,
    build: basic(() => ({ alpha: [0.5, 0.25], alphaGrad: detachedF64(2) })),
  },
];

describe('facade: every bad input, sync, async and batch: class and code, nothing changed', () => {
  test.each(TYPE_CASES.map((c) => [c.name, c] as const))('TypeError ERR_INVALID_ARG_TYPE: %s', async (_, c) => {
    expectNone(await checkFacade(c));
  });
  test.each(RANGE_CASES.map((c) => [c.name, c] as const))('RangeError ERR_OUT_OF_RANGE: %s', async (_, c) => {
    expectNone(await checkFacade(c));
  });
  test.each(STATE_CASES.map((c) => [c.name, c] as const))('TypeError ERR_INVALID_STATE: %s', async (_, c) => {
    expectNone(await checkFacade(c));
  });

  test.each([
    ['float16', [0.5, 70000], 1],
    ['float16', Float32Array.of(65520), 0],
    ['bfloat16', [3.4e38], 0],
    ['bfloat16', Float64Array.of(0.1, 0.2, -3.4e38), 2],
  ] as const)('a slope that rounds to ±Infinity in %s: ERR_OUT_OF_RANGE, also in a batch with float32 data', async (half, alpha, index) => {
    const C = alpha.length;
    const u = () => new Uint16Array(12 * C).fill(0xbc00);
    const problems = await checkFacade({
      name: `${half} slopes ${Array.from(alpha)}`,
      expected: withMessage(RANGE, new RegExp(`slope ${index} must be finite once rounded to ${half}`)),
      build: () => ({ x: u(), dy: u(), x2: f32(12 * C), opts: { alpha: Array.isArray(alpha) ? [...alpha] : (alpha as Float32Array).slice(), dtype: half } }),
      sizes: [0],
    });
    expectNone(problems);
  });

  test('a slope finite in the element type is taken: 1e39 for float64 data, 65504 for float16, 3.3e38 for bfloat16', () => {
    const x = f64(12);
    leakyRelu(x, { alpha: [1e39, 0.5] });
    expect(x[2]).toBe(1e39 * -2.25);
    const u = new Uint16Array(2).fill(0xbc00);
    leakyRelu(u, { alpha: [65504, 0.5], dtype: 'float16' });
    expect(u[0]).toBe(0xfbff);
    const b = new Uint16Array(2).fill(0xbf80);
    leakyRelu(b, { alpha: [3.3e38, 1], dtype: 'bfloat16' });
    expect(Array.from(b)).toEqual(Array.from(referenceSlopesForward(new Uint16Array(2).fill(0xbf80), [3.3e38, 1], 1, 'bfloat16')));
    expect(b[0] & 0x7f80).not.toBe(0x7f80);
  });

  test('a Proxy around an Array is an Array (as a batch list is): its traps run once per slope', () => {
    let gets = 0;
    const alpha = new Proxy([0.5, -2], { get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && gets++, Reflect.get(t, k, r)) });
    const x = f32(12);
    leakyRelu(x, { alpha });
    expect(gets).toBe(2);
    expect(Array.from(x)).toEqual(Array.from(referenceSlopesForward(f32(12), [0.5, -2])));
  });

  test('a batch whose arrays are not all multiples: ERR_OUT_OF_RANGE naming the array, none touched', async () => {
    const a = f32(12);
    const b = f32(13);
    const c = f64(12);
    const changes = snapshot([a, b, c]);
    const error = await rejection(() => leakyReluBatch([a, c, b], { alpha: [0.5, 0.25, 2], spatialSize: 2 }));
    expect(mismatch(error, withMessage(RANGE, /"xs\[2\]" argument's length must be a multiple of 3 slopes times spatialSize 2/))).toBeNull();
    expect(changes()).toEqual([]);
    await expectNothingRegistered();
  });
});

describe('stage order: types, detached, values, lengths, overlaps, busy', () => {
  const cases: FacadeCase[] = [
    {
      name: 'a slope of the wrong type beats a length that is no multiple',
      expected: withMessage(TYPE, /slope 1/),
      build: basic(() => ({ alpha: [0.5, 'x' as never, 0.25, 0.2, 0.1] })),
      sizes: [12],
    },
    {
      name: 'a spatialSize of the wrong type beats a NaN slope',
      expected: withMessage(TYPE, /spatialSize/),
      build: basic(() => ({ alpha: [NaN], spatialSize: '2' as never })),
    },
    {
      name: 'an alphaGrad of the wrong type beats a detached dy',
      expected: withMessage(TYPE, /alphaGrad/),
      backwardOnly: true,
      build: (n) => ({ x: f32(n), dy: detachedF32(Array.from(f32(n))), x2: f32(n), opts: { alpha: [0.5, 0.25], alphaGrad: new Float32Array(2) as never } }),
    },
    {
      name: 'a slope type error beats a detached x',
      expected: TYPE,
      build: (n) => {
        const x = detachedF32(Array.from(f32(n)));
        return { x, dy: f32(n), x2: x, opts: { alpha: Int32Array.of(1) as never } };
      },
    },
    {
      name: 'a detached x beats a NaN slope',
      expected: withMessage(STATE, /"(x|xs\[0\])"/),
      build: (n) => {
        const x = detachedF32(Array.from(f32(n)));
        return { x, dy: f32(n), x2: x, opts: { alpha: [NaN, 0.5] } };
      },
    },
    {
      name: 'detached slopes beat spatialSize 0 (and are not "empty")',
      expected: withMessage(STATE, /"alpha"/),
      build: basic(() => ({ alpha: detachedF32(), spatialSize: 0 })),
    },
    {
      name: 'a detached alphaGrad beats a NaN slope',
      expected: withMessage(STATE, /"alphaGrad"/),
      backwardOnly: true,
      build: basic(() => ({ alpha: [0.5, NaN], alphaGrad: detachedF64(2) })),
    },
    {
      name: 'a NaN slope beats a length that is no multiple',
      expected: withMessage(RANGE, /slope 2/),
      build: basic(() => ({ alpha: [0.5, 0.25, NaN, 1, 2] })),
      sizes: [12],
    },
    {
      name: 'spatialSize 1.5 beats dy and x of different lengths',
      expected: withMessage(RANGE, /spatialSize/),
      backwardOnly: true,
      build: (n) => ({ x: f32(n), dy: f32(n + 1), x2: f32(n), opts: { alpha: [0.5, 0.25], spatialSize: 1.5 } }),
    },
    {
      name: 'no slopes beats an alphaGrad of the wrong length',
      expected: withMessage(RANGE, /at least one slope/),
      backwardOnly: true,
      build: basic(() => ({ alpha: [], alphaGrad: new Float64Array(3) })),
    },
    {
      name: 'dy and x lengths beat a length that is no multiple',
      expected: withMessage(RANGE, /"dy" and "x" arguments must have the same length/),
      backwardOnly: true,
      build: (n) => ({ x: f32(n), dy: f32(n + 1), x2: f32(n), opts: { alpha: [0.5, 0.25, 2, 3, 4] } }),
      sizes: [12],
    },
    {
      name: "out's length beats a length that is no multiple",
      expected: withMessage(RANGE, /"out" argument must have the length/),
      build: (n) => ({ x: f32(n), dy: f32(n), x2: f32(n), opts: { alpha: [0.5, 0.25, 2, 3, 4], out: new Float32Array(n + 1) } }),
      sizes: [12],
      noBatch: true,
    },
    {
      name: "a length that is no multiple beats alphaGrad's length",
      expected: withMessage(RANGE, /multiple of 5 slopes/),
      backwardOnly: true,
      build: basic(() => ({ alpha: [0.5, 0.25, 2, 3, 4], alphaGrad: new Float64Array(1) })),
      sizes: [12],
    },
    {
      name: "alphaGrad's length beats its overlap with x",
      expected: withMessage(RANGE, /one entry per slope/),
      backwardOnly: true,
      build: (n) => {
        const x = f64(n);
        return { x, dy: f64(n), x2: x, opts: { alpha: [0.5, 0.25], alphaGrad: x.subarray(0, 3) } };
      },
    },
    {
      name: 'a length that is no multiple beats an out partly overlapping x',
      expected: withMessage(RANGE, /multiple of 5 slopes/),
      build: (n) => {
        const whole = f32(n + 1);
        return { x: whole.subarray(0, n), dy: f32(n), x2: f32(n), opts: { alpha: [1, 2, 3, 4, 5], out: whole.subarray(1, n + 1) } };
      },
      sizes: [12],
      noBatch: true,
    },
    {
      name: 'out partly overlapping dy beats alphaGrad overlapping x (out first)',
      expected: withMessage(RANGE, /"out" argument partly overlaps "dy"/),
      backwardOnly: true,
      build: (n) => {
        const whole = f64(n + 1);
        const x = f64(n);
        return { x, dy: whole.subarray(0, n), x2: x, opts: { alpha: [0.5, 0.25], out: whole.subarray(1, n + 1), alphaGrad: x.subarray(0, 2) } };
      },
    },
    {
      name: 'alphaGrad overlapping dy and x is reported for dy (then x, then out)',
      expected: withMessage(RANGE, /alphaGrad" option overlaps "dy"/),
      backwardOnly: true,
      build: (n) => {
        const whole = f64(2 * n);
        const dy = whole.subarray(0, n);
        const x = whole.subarray(n, 2 * n);
        return { x, dy, x2: x, opts: { alpha: [0.5, 0.25], alphaGrad: whole.subarray(n - 1, n + 1) } };
      },
    },
    {
      name: 'alphaGrad overlapping x and out is reported for x',
      expected: withMessage(RANGE, /alphaGrad" option overlaps "x"/),
      backwardOnly: true,
      build: (n) => {
        const whole = f64(2 * n);
        const x = whole.subarray(0, n);
        const out = whole.subarray(n, 2 * n);
        return { x, dy: f64(n), x2: x, opts: { alpha: [0.5, 0.25], out, alphaGrad: whole.subarray(n - 1, n + 1) } };
      },
    },
  ];
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    expectNone(await checkFacade(c));
  });

  test('overlaps and lengths beat busy memory: with an async call on x unfinished', async () => {
    const n = 120;
    const x = f64(n);
    const pending = leakyReluAsync(x, 0.5);
    const problems: string[] = [];
    const check = (what: string, e: Expected, fn: () => unknown) => {
      const wrong = mismatch(thrown(fn), e);
      if (wrong !== null) problems.push(`${what}: ${wrong}`);
    };
    const dy = f64(n);
    const before = dy.slice();
    check('alphaGrad overlapping dy', withMessage(RANGE, /overlaps "dy"/), () => leakyReluBackward(dy, x, { alpha: [0.5, 0.25], alphaGrad: dy.subarray(0, 2) }));
    check('a length that is no multiple', withMessage(RANGE, /multiple of 7/), () => leakyReluBackward(dy, x, { alpha: [1, 2, 3, 4, 5, 6, 7] }));
    check('a NaN slope', withMessage(RANGE, /slope 0/), () => leakyRelu(x, { alpha: [NaN] }));
    check('then busy', withMessage(BUSY, /"x"/), () => leakyReluBackward(dy, x, { alpha: [0.5, 0.25], alphaGrad: new Float64Array(2) }));
    await pending;
    expectNone(problems);
    expect(Buffer.compare(Buffer.from(dy.buffer), Buffer.from(before.buffer))).toBe(0);
    await expectNothingRegistered();
  });
});

describe('user code in the options and in slope arrays', () => {
  type Call = [string, (opts: BackwardOptions) => unknown];
  const n = 120;
  const calls: Call[] = [
    ['leakyRelu', (o) => leakyRelu(f32(n), o as Options)],
    ['leakyReluBackward', (o) => leakyReluBackward(f32(n), f32(n), o)],
    ['leakyReluAsync', (o) => leakyReluAsync(f32(n), o as Options)],
    ['leakyReluBackwardAsync', (o) => leakyReluBackwardAsync(f32(n), f32(n), o)],
    ['leakyReluBatch', (o) => leakyReluBatch([f32(n), f64(n)], o as BatchOptions)],
  ];

  test.each(calls)('%s: each option getter (alpha, spatialSize, alphaGrad) runs once', async (_, call) => {
    const count = { alpha: 0, spatialSize: 0, alphaGrad: 0 };
    const opts = {
      get alpha() {
        count.alpha++;
        return [0.5, 0.25];
      },
      get spatialSize() {
        count.spatialSize++;
        return 3;
      },
      get alphaGrad() {
        count.alphaGrad++;
        return new Float64Array(2);
      },
    };
    await call(opts);
    expect(count).toEqual({ alpha: 1, spatialSize: 1, alphaGrad: 1 });
    await expectNothingRegistered();
  });

  test.each(calls)('%s: what an option getter or a slope getter throws reaches the caller as is, nothing changed', async (name, call) => {
    for (const where of ['alpha', 'spatialSize', 'alphaGrad', 'slope 1'] as const) {
      const boom = new Error(`boom from ${where}`);
      const opts: Record<string, unknown> = { alpha: [0.5, 0.25], spatialSize: 2 };
      if (where === 'slope 1') {
        const alpha = [0.5];
        Object.defineProperty(alpha, 1, { get: () => { throw boom; }, enumerable: true });
        opts.alpha = alpha;
      } else {
        Object.defineProperty(opts, where, { get: () => { throw boom; }, enumerable: true });
      }
      let error: unknown;
      if (name.includes('Async') || name.includes('Batch')) error = await rejection(() => call(opts as BackwardOptions) as Promise<unknown>);
      else error = thrown(() => call(opts as BackwardOptions));
      expect(error, where).toBe(boom);
    }
    await expectNothingRegistered();
  });

  test.each(calls)('%s: a slope getter runs once per call', async (_, call) => {
    let reads = 0;
    const alpha = [0.5, 0.25];
    Object.defineProperty(alpha, 2, { get: () => (reads++, -1), enumerable: true });
    await call({ alpha, spatialSize: 1 });
    expect(reads).toBe(1);
  });

  /** Slopes whose element 1 is a getter that detaches `victim` (and returns 0.25). */
  function detaching(victim: ArrayBufferView): { alpha: number[]; moved: () => ArrayBuffer | undefined } {
    let moved: ArrayBuffer | undefined;
    const alpha = [0.5];
    Object.defineProperty(alpha, 1, {
      get: () => {
        moved = structuredClone(victim.buffer as ArrayBuffer, { transfer: [victim.buffer as ArrayBuffer] });
        return 0.25;
      },
      enumerable: true,
    });
    return { alpha, moved: () => moved };
  }

  test('a slope getter that detaches the data: ERR_INVALID_STATE naming it, the moved memory untouched (sync, async, batch)', async () => {
    const problems: string[] = [];
    const run = async (what: string, name: string, victimOf: (a: { x: FloatArray; dy: FloatArray; g: Float64Array }) => ArrayBufferView, call: (a: { x: FloatArray; dy: FloatArray; g: Float64Array; alpha: number[] }) => unknown, isAsync: boolean) => {
      const arrays = { x: f32(n), dy: f32(n), g: new Float64Array(2).fill(7) };
      const victim = victimOf(arrays);
      const bytesBefore = new Uint8Array(victim.buffer.slice(0));
      const others = [arrays.x, arrays.dy, arrays.g].filter((a) => a !== victim);
      const changes = snapshot(others);
      const { alpha, moved } = detaching(victim);
      const error = isAsync ? await rejection(() => call({ ...arrays, alpha }) as Promise<unknown>) : thrown(() => call({ ...arrays, alpha }));
      const wrong = mismatch(error, withMessage(STATE, new RegExp(`"${name.replace(/[[\]]/g, '\\$&')}"`)));
      if (wrong !== null) problems.push(`${what}: ${wrong}`);
      const m = moved();
      if (m === undefined) problems.push(`${what}: the getter did not run`);
      else if (Buffer.compare(Buffer.from(m), Buffer.from(bytesBefore.buffer)) !== 0) problems.push(`${what}: the moved memory changed`);
      problems.push(...changes().map((c) => `${what}: ${c}`));
    };
    await run('leakyRelu, x', 'x', (a) => a.x, (a) => leakyRelu(a.x, { alpha: a.alpha, spatialSize: 2 }), false);
    await run('leakyReluBackward, dy', 'dy', (a) => a.dy, (a) => leakyReluBackward(a.dy, a.x, { alpha: a.alpha, alphaGrad: a.g }), false);
    await run('leakyReluBackward, x', 'x', (a) => a.x, (a) => leakyReluBackward(a.dy, a.x, { alpha: a.alpha, alphaGrad: a.g }), false);
    await run('leakyReluBackward, alphaGrad', 'alphaGrad', (a) => a.g, (a) => leakyReluBackward(a.dy, a.x, { alpha: a.alpha, alphaGrad: a.g }), false);
    await run('leakyReluAsync, x', 'x', (a) => a.x, (a) => leakyReluAsync(a.x, { alpha: a.alpha }), true);
    await run('leakyReluBackwardAsync, alphaGrad', 'alphaGrad', (a) => a.g, (a) => leakyReluBackwardAsync(a.dy, a.x, { alpha: a.alpha, alphaGrad: a.g }), true);
    await run('leakyReluBatch, xs[1]', 'xs[1]', (a) => a.dy, (a) => leakyReluBatch([a.x, a.dy], { alpha: a.alpha }), true);
    expectNone(problems);
    await expectNothingRegistered();
  });

  test('a huge sparse Array as alpha (2^32 - 1 holes) is refused at once, naming the first hole', async () => {
    for (const [make, index] of [[() => new Array(2 ** 32 - 1), 0], [() => Object.assign(new Array(2 ** 32 - 1), { 0: 0.5 }), 1]] as const) {
      const started = performance.now();
      for (const [name, call] of calls) {
        const opts = { alpha: make() as number[] };
        const error = name.includes('Async') || name.includes('Batch') ? await rejection(() => call(opts) as Promise<unknown>) : thrown(() => call(opts));
        expect(mismatch(error, withMessage(TYPE, new RegExp(`slope ${index} must be of type number`))), name).toBeNull();
      }
      expect(performance.now() - started).toBeLessThan(1000);
    }
    await expectNothingRegistered();
  });
});

/** Elements over several async work units on this backend, a multiple of 2 * 3. */
const busyLength = (bytes: number): number => 6 * Math.ceil((4 * (CHUNK_BYTES === null ? JS_SLICE : CHUNK_BYTES / bytes)) / 6);

describe('alphaGrad in use by an unfinished async call', () => {
  test('ERR_BUFFER_IN_USE for a sync call that would write it or read it, nothing changed; fine once the call is done', async () => {
    const N = busyLength(4);
    const dyBig = f32(N);
    const xBig = f32(N);
    const g = new Float64Array(4).fill(NaN);
    const alpha = [0.5, 0.25];
    const pending = leakyReluBackwardAsync(dyBig, xBig, { alpha, spatialSize: 3, alphaGrad: g.subarray(1, 3) });
    const problems: string[] = [];
    const dy = f32(120);
    const x = f32(120);
    const changes = snapshot([dy, x]);
    const check = (what: string, e: Expected, fn: () => unknown) => {
      const wrong = mismatch(thrown(fn), e);
      if (wrong !== null) problems.push(`${what}: ${wrong}`);
    };
    check('the same alphaGrad', withMessage(BUSY, /"alphaGrad"/), () => leakyReluBackward(dy, x, { alpha, alphaGrad: g.subarray(1, 3) }));
    check('an alphaGrad sharing one element with it', withMessage(BUSY, /"alphaGrad"/), () => leakyReluBackward(dy, x, { alpha, alphaGrad: g.subarray(2, 4) }));
    check('its memory as x of a forward call', withMessage(BUSY, /"x"/), () => leakyRelu(g.subarray(0, 2), { alpha }));
    check('its memory as dy', withMessage(BUSY, /"dy"/), () => leakyReluBackward(g.subarray(1, 3), new Float64Array(2), { alpha: 0.5 }));
    // Beside it is free.
    expect(thrown(() => leakyReluBackward(f32(120), f32(120), { alpha, alphaGrad: new Float64Array(2) }))).toBe('no throw');
    expect(thrown(() => leakyRelu(g.subarray(3, 4), { alpha: [0.5] }))).toBe('no throw');
    expect(changes()).toEqual([]);
    await pending;
    expectNone(problems);
    expect(Number.isNaN(g[0])).toBe(true);
    expectSameGrad(g.subarray(1, 3), referenceSlopeGrad(f32(N), f32(N), 2, 3));
    const again = new Float64Array(2);
    leakyReluBackward(dy, x, { alpha, alphaGrad: again });
    expectSameGrad(again, referenceSlopeGrad(f32(120), f32(120), 2, 1));
    await expectNothingRegistered();
  });

  test('an async call on the same alphaGrad waits for the first, and both give their own sums', async () => {
    const N = busyLength(8);
    const a = { dy: f64(N), x: f64(N) };
    const b = { dy: f64(600).map((v) => -v), x: f64(600) };
    const g = new Float64Array(3);
    const first = leakyReluBackwardAsync(a.dy, a.x, { alpha: [1, 2, 3], alphaGrad: g });
    const seen: Float64Array[] = [];
    void first.then(() => seen.push(g.slice()));
    const second = leakyReluBackwardAsync(b.dy, b.x, { alpha: [1, 2, 3], alphaGrad: g });
    await second;
    expect(seen.length).toBe(1);
    expectSameGrad(seen[0], referenceSlopeGrad(f64(N), f64(N), 3, 1));
    expectSameGrad(g, referenceSlopeGrad(f64(600).map((v) => -v), f64(600), 3, 1));
  });
});

describe.runIf(project.native)('the raw binding: the same errors, nothing changed, nothing registered, no callback', () => {
  const b = raw!;
  let called = 0;
  const cb = () => {
    called++;
  };

  interface RawCase {
    name: string;
    expected: Expected;
    /** Fresh arguments per call: data (x, dy, out), slopes, spatialSize, alphaGrad. */
    args: () => { x: FloatArray; dy: FloatArray; out?: FloatArray; slopes: unknown; spatial?: unknown; grad?: unknown; half?: string };
    backwardOnly?: boolean;
  }
  const f = (n = 64) => ({ x: f32(n), dy: f32(n) });
  const cases: RawCase[] = [
    ...([
      ['an Array (the facade copies one; the binding takes typed arrays)', [0.5, 0.25]],
      ['an Int32Array', Int32Array.of(1, 2)],
      ['an object', {}],
      ['a string', '0.5'],
      ['null', null],
      ['a Number object', new Number(0.5)],
      ['a Proxy around a Float32Array', new Proxy(Float32Array.of(0.5, 0.25), {})],
      ['a BigInt', 2n],
    ] as [string, unknown][]).map(([what, slopes]): RawCase => ({ name: `slopes ${what}`, expected: TYPE, args: () => ({ ...f(), slopes }) })),
    ...(['2', null, {}, 2n, true] as unknown[]).map((spatial): RawCase => ({
      name: `spatialSize ${typeof spatial === 'bigint' ? '2n' : JSON.stringify(spatial)}`,
      expected: withMessage(TYPE, /spatialSize/),
      args: () => ({ ...f(), slopes: Float32Array.of(0.5, 0.25), spatial }),
    })),
    ...([new Float32Array(2), [0, 0], {}, null, new BigInt64Array(2)] as unknown[]).map((grad, k): RawCase => ({
      name: `alphaGrad of another type (${k})`,
      expected: withMessage(TYPE, /alphaGrad/),
      backwardOnly: true,
      args: () => ({ ...f(), slopes: Float32Array.of(0.5, 0.25), grad }),
    })),
    { name: 'no slopes', expected: withMessage(RANGE, /at least one slope/), args: () => ({ ...f(), slopes: new Float64Array(0) }) },
    ...([NaN, Infinity, -Infinity, 1e39] as number[]).map((v): RawCase => ({
      name: `a slope ${v} for float32 data`,
      expected: withMessage(RANGE, /slope 1/),
      args: () => ({ ...f(), slopes: Float64Array.of(0.5, v) }),
    })),
    { name: 'a slope 70000 for float16 data', expected: withMessage(RANGE, /slope 0.*float16/), args: () => ({ x: new Uint16Array(64), dy: new Uint16Array(64), slopes: Float64Array.of(70000), half: 'float16' }) },
    { name: 'a number slope NaN with a spatialSize', expected: withMessage(RANGE, /slope 0/), args: () => ({ ...f(), slopes: NaN, spatial: 2 }) },
    ...([0, -1, 1.5, NaN, Infinity, 2 ** 53] as number[]).map((spatial): RawCase => ({
      name: `spatialSize ${spatial}`,
      expected: withMessage(RANGE, /spatialSize/),
      args: () => ({ ...f(), slopes: Float32Array.of(0.5, 0.25), spatial }),
    })),
    { name: 'a length that is no multiple', expected: withMessage(RANGE, /multiple of 3 slopes times spatialSize 1/), args: () => ({ ...f(), slopes: Float32Array.of(1, 2, 3) }) },
    { name: 'a spatialSize past the length', expected: withMessage(RANGE, /multiple/), args: () => ({ ...f(), slopes: Float32Array.of(1, 2), spatial: 2 ** 53 - 1 }) },
    { name: 'alphaGrad of the wrong length', expected: withMessage(RANGE, /one entry per slope \(2\)/), backwardOnly: true, args: () => ({ ...f(), slopes: Float32Array.of(1, 2), grad: new Float64Array(3) }) },
    {
      name: 'alphaGrad overlapping x (a Float64Array over its buffer)',
      expected: withMessage(RANGE, /overlaps "x"/),
      backwardOnly: true,
      args: () => {
        const x = f32(64);
        return { x, dy: f32(64), slopes: Float32Array.of(1, 2), grad: new Float64Array(x.buffer, 8, 2) };
      },
    },
    {
      name: 'alphaGrad overlapping dy',
      expected: withMessage(RANGE, /overlaps "dy"/),
      backwardOnly: true,
      args: () => {
        const dy = f64(64);
        return { x: f64(64), dy, slopes: Float32Array.of(1, 2), grad: dy.subarray(62, 64) };
      },
    },
    {
      name: 'alphaGrad overlapping out',
      expected: withMessage(RANGE, /overlaps "out"/),
      backwardOnly: true,
      args: () => {
        const out = new Float64Array(64);
        return { x: f64(64), dy: f64(64), out, slopes: Float32Array.of(1, 2), grad: out.subarray(0, 2) };
      },
    },
    {
      name: 'alphaGrad over the same memory as x through another SharedArrayBuffer object',
      expected: withMessage(RANGE, /overlaps "x"/),
      backwardOnly: true,
      args: () => {
        const sab = new SharedArrayBuffer(64 * 8);
        const x = new Float64Array(sab);
        x.set(f64(64));
        const other = structuredClone(sab);
        return { x, dy: f64(64), slopes: Float32Array.of(1, 2), grad: new Float64Array(other, 16, 2) };
      },
    },
    { name: 'detached slopes', expected: withMessage(STATE, /"alpha"/), args: () => ({ ...f(), slopes: detachedF32() }) },
    { name: 'a detached alphaGrad', expected: withMessage(STATE, /"alphaGrad"/), backwardOnly: true, args: () => ({ ...f(), slopes: Float32Array.of(1, 2), grad: detachedF64(2) }) },
  ];

  type RawForm = [string, (a: ReturnType<RawCase['args']>) => unknown, boolean];
  const forms: RawForm[] = [
    ['forwardSlopes', (a) => b.forwardSlopes(a.x as never, a.slopes as never, a.spatial as never, a.out as never, a.half as never), false],
    ['backwardSlopes', (a) => b.backwardSlopes(a.dy as never, a.x as never, a.slopes as never, a.spatial as never, a.out as never, a.half as never, a.grad as never), true],
    ['submitForward', (a) => b.submitForward([a.x] as never, [a.out ?? a.x] as never, a.slopes as never, cb, a.half ? [a.half as never] : undefined, a.spatial as never), false],
    [
      'submitBackward',
      (a) =>
        b.submitBackward([a.dy] as never, [a.x] as never, [a.out ?? a.dy] as never, a.slopes as never, cb, a.half ? [a.half as never] : undefined, a.spatial as never, a.grad === undefined ? undefined : [a.grad as never]),
      true,
    ],
  ];

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const problems: string[] = [];
    for (const [form, call, backward] of forms) {
      if (c.backwardOnly && !backward) continue;
      const a = c.args();
      const changes = snapshot([a.x, a.dy, a.out, a.slopes, a.grad]);
      const wrong = mismatch(thrown(() => call(a)), c.expected);
      if (wrong !== null) problems.push(`${form}: ${wrong}`);
      problems.push(...changes().map((d) => `${form}: ${d}`));
    }
    await nextTurn();
    expectNone(problems);
    expect([called, b.stats()]).toEqual([0, { jobs: 0, ranges: 0 }]);
  });

  test('submitBackward: alphaGrads that is not a list, of another length, or shared by two tasks', async () => {
    const dys = [f32(64), f32(64)];
    const xs = [f32(64), f32(64)];
    const slopes = Float32Array.of(1, 2);
    const changes = snapshot([...dys, ...xs]);
    const g = new Float64Array(2);
    expect(mismatch(thrown(() => b.submitBackward(dys, xs, dys, slopes, cb, undefined, 1, g as never)), TYPE)).toBeNull();
    expect(mismatch(thrown(() => b.submitBackward(dys, xs, dys, slopes, cb, undefined, 1, [g])), RANGE)).toBeNull();
    expect(mismatch(thrown(() => b.submitBackward(dys, xs, dys, slopes, cb, undefined, 1, [g, g])), withMessage(RANGE, /overlaps another/))).toBeNull();
    expect(mismatch(thrown(() => b.submitBackward(dys, xs, dys, slopes, cb, undefined, 1, [g, g.subarray(1)])), RANGE)).toBeNull();
    expect(mismatch(thrown(() => b.submitBackward(dys, xs, dys, slopes, cb, undefined, 1, new Array(2 ** 32 - 1))), RANGE)).toBeNull();
    // One task's alphaGrad over memory another task writes (its dy, in place).
    const data = f64(64);
    const dys2 = [f64(64), data];
    expect(
      mismatch(thrown(() => b.submitBackward(dys2, [f64(64), f64(64)], dys2, slopes, cb, undefined, 1, [data.subarray(0, 2), undefined])), withMessage(RANGE, /overlaps another/)),
    ).toBeNull();
    expect(changes()).toEqual([]);
    await nextTurn();
    expect([called, b.stats()]).toEqual([0, { jobs: 0, ranges: 0 }]);
  });

  test('alphaGrad of an unfinished job: ERR_BUFFER_IN_USE for sync calls and a second job on its memory', async () => {
    const N = busyLength(4);
    const g = new Float64Array(2);
    const done = new Promise<unknown>((resolve) =>
      b.submitBackward([f32(N)], [f32(N)], [new Float32Array(N)], Float32Array.of(0.5, 0.25), (e) => resolve(e), undefined, 3, [g]),
    );
    const dy = f32(60);
    const x = f32(60);
    const changes = snapshot([dy, x]);
    expect(mismatch(thrown(() => b.backwardSlopes(dy, x, Float32Array.of(0.5, 0.25), 1, undefined, undefined, g)), withMessage(BUSY, /"alphaGrad"/))).toBeNull();
    expect(mismatch(thrown(() => b.forwardSlopes(g, Float32Array.of(0.5))), withMessage(BUSY, /"x"/))).toBeNull();
    expect(mismatch(thrown(() => b.submitBackward([dy], [x], [dy], Float32Array.of(0.5, 0.25), cb, undefined, 1, [g])), BUSY)).toBeNull();
    expect(changes()).toEqual([]);
    expect(await done).toBe(null);
    expectSameGrad(g, referenceSlopeGrad(f32(N), f32(N), 2, 3));
    await nextTurn();
    expect(b.stats()).toEqual({ jobs: 0, ranges: 0 });
  });

  test('the facade: alphaGrad over the memory of x through another SharedArrayBuffer object (the binding compares addresses)', () => {
    const sab = new SharedArrayBuffer(12 * 8);
    const x = new Float64Array(sab);
    x.set(f64(12));
    const g = new Float64Array(structuredClone(sab), 8, 2);
    const dy = f64(12);
    const changes = snapshot([x, dy]);
    expect(mismatch(thrown(() => leakyReluBackward(dy, x, { alpha: [0.5, 0.25], alphaGrad: g })), withMessage(RANGE, /overlaps "x"/))).toBeNull();
    expect(changes()).toEqual([]);
  });

  test('accepted raw calls: forwardSlopes without spatialSize, a number as one slope, a submit with slopes', async () => {
    const x = f32(64);
    b.forwardSlopes(x, Float32Array.of(0.5, 0.25));
    expect(Array.from(x)).toEqual(Array.from(referenceSlopesForward(f32(64), [0.5, 0.25])));
    const y = f32(64);
    b.forwardSlopes(y, 0.5, 8);
    expect(Array.from(y)).toEqual(Array.from(referenceSlopesForward(f32(64), [0.5], 8)));
    const z = f32(64);
    await new Promise<void>((resolve) => b.submitForward([z], [z], Float64Array.of(1, 2, 3, 4), () => resolve(), undefined, 4));
    expect(Array.from(z)).toEqual(Array.from(referenceSlopesForward(f32(64), [1, 2, 3, 4], 4)));
  });
});
