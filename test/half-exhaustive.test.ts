// Every one of the 65,536 patterns of float16 and of bfloat16, forward and backward, for
// alphas that reach every branch of the rounding (ordinary slopes, 0, negative, > 1,
// the largest float16, a subnormal, ties both ways), compared bit for bit (any NaN
// equal to any NaN) with the reference in test/tools/kernel-reference.cjs, which is
// written for the tests by other means than lib/half.ts and native/half.cc. Through the
// public API, so each project tests its own backend (the ISA projects their kernels,
// the js project the JS fallback), and on the ISA projects through the raw binding too,
// so that the facade cannot hide a kernel's fault (nor the kernels the facade's).
import { describe, expect, test } from 'vitest';
import { info, leakyRelu, leakyReluBackward } from '../lib/index';
import { loadRawBinding } from './helpers/binding';
import { project } from './helpers/project';
import {
  HALF_CASES,
  HALF_SENTINEL,
  allPatterns,
  backwardMixes16,
  decodeHalf,
  halfAlpha,
  halfDifferences,
  referenceBackward16,
  referenceForward16,
  roundToHalf,
  showHalf,
} from './tools/kernel-reference.cjs';
import type { Half } from './tools/kernel-reference.cjs';

const N = 65536;
const ALL = allPatterns();

// The alphas and backward x patterns are HALF_CASES', shared with kernel-check.cjs,
// which checks every pattern on the emulated CPUs too.
interface TypeCase {
  half: Half;
  /** A subnormal of the type (after the float32 rounding too). */
  subnormal: number;
  /** Halfway between 1 and the next value, rounding down to 1 (even). */
  tieDown: number;
  /** Halfway between 1 + ulp and 1 + 2 ulp, rounding up to 1 + 2 ulp (even). */
  tieUp: number;
}

const types: TypeCase[] = [
  { half: 'float16', subnormal: 2 ** -20, tieDown: 1 + 2 ** -11, tieUp: 1 + 3 * 2 ** -11 },
  { half: 'bfloat16', subnormal: 1e-39, tieDown: 1 + 2 ** -8, tieUp: 1 + 3 * 2 ** -8 },
];

/** [title, alpha]: the alpha with the value it rounds to in the type. */
const alphasOf = (t: TypeCase): Array<[string, number]> =>
  HALF_CASES[t.half].alphas.map((a) => [`${a} (alphaT ${decodeHalf(halfAlpha(a, t.half), t.half)})`, a]);

interface Expected {
  forward: Uint16Array;
  /** dy = every pattern, x = either of backwardMixes16's arrays. */
  backward: [Uint16Array, Uint16Array];
}

const mixes = new Map<Half, [Uint16Array, Uint16Array]>();
const mixOf = (t: TypeCase) => {
  let m = mixes.get(t.half);
  if (m === undefined) mixes.set(t.half, (m = backwardMixes16(t.half)));
  return m;
};

// The reference costs ~0.1 us a pattern; the API and the raw binding share it.
const expectedCache = new Map<string, Expected>();
function expectedFor(t: TypeCase, alpha: number): Expected {
  const key = `${t.half} ${alpha}`;
  let e = expectedCache.get(key);
  if (e === undefined) {
    const [x1, x2] = mixOf(t);
    e = {
      forward: referenceForward16(ALL, alpha, t.half),
      backward: [referenceBackward16(ALL, x1, alpha, t.half), referenceBackward16(ALL, x2, alpha, t.half)],
    };
    expectedCache.set(key, e);
  }
  return e;
}

/** [] when `actual` is `expected` (NaNs equal), else the count and the first few differences, with their inputs. */
function differences(actual: Uint16Array, expected: Uint16Array, half: Half, input: (i: number) => string): string[] {
  const at = halfDifferences(actual, expected, half);
  if (at.length === 0) return [];
  return [
    `${at.length} of ${actual.length} differ`,
    ...at.slice(0, 6).map((i) => `${input(i)}: got ${showHalf(actual[i], half)}, expected ${showHalf(expected[i], half)}`),
  ];
}

/** The four calls, made by the API or by the raw binding. */
interface Runner {
  forwardInPlace(x: Uint16Array, alpha: number, half: Half): void;
  forwardInto(x: Uint16Array, out: Uint16Array, alpha: number, half: Half): void;
  backwardInPlace(dy: Uint16Array, x: Uint16Array, alpha: number, half: Half): void;
  backwardInto(dy: Uint16Array, x: Uint16Array, out: Uint16Array, alpha: number, half: Half): void;
}

const api: Runner = {
  forwardInPlace(x, alpha, dtype) {
    expect(leakyRelu(x, { alpha, dtype })).toBe(x);
  },
  forwardInto(x, out, alpha, dtype) {
    expect(leakyRelu(x, { alpha, dtype, out })).toBe(out);
  },
  backwardInPlace(dy, x, alpha, dtype) {
    expect(leakyReluBackward(dy, x, { alpha, dtype })).toBe(dy);
  },
  backwardInto(dy, x, out, alpha, dtype) {
    expect(leakyReluBackward(dy, x, { alpha, dtype, out })).toBe(out);
  },
};

const raw = project.native ? loadRawBinding() : null;
const binding: Runner | null =
  raw === null
    ? null
    : {
        forwardInPlace: (x, alpha, half) => raw.forward(x, alpha, undefined, half),
        forwardInto: (x, out, alpha, half) => raw.forward(x, alpha, out, half),
        backwardInPlace: (dy, x, alpha, half) => raw.backward(dy, x, alpha, undefined, half),
        backwardInto: (dy, x, out, alpha, half) => raw.backward(dy, x, alpha, out, half),
      };

/** Every call of `run` on every pattern; the problems found, as lines. */
function exhaustive(run: Runner, t: TypeCase, alpha: number): string[] {
  const { half } = t;
  const e = expectedFor(t, alpha);
  const [x1, x2] = mixOf(t);
  const problems: string[] = [];
  const report = (what: string, lines: string[]) => lines.forEach((l) => problems.push(`${what}: ${l}`));
  const showX = (i: number) => `x = ${showHalf(i, half)}`;
  const showDy = (x: Uint16Array) => (i: number) => `dy = ${showHalf(i, half)}, x = ${showHalf(x[i], half)}`;
  const unchanged = (what: string, a: Uint16Array, b: Uint16Array) => {
    const at = a.findIndex((v, i) => v !== b[i]);
    if (at >= 0) problems.push(`${what} changed at ${at}: 0x${b[at].toString(16)} became 0x${a[at].toString(16)}`);
  };

  const inPlace = ALL.slice();
  run.forwardInPlace(inPlace, alpha, half);
  report('forward in place', differences(inPlace, e.forward, half, showX));

  const x = ALL.slice();
  const out = new Uint16Array(N).fill(HALF_SENTINEL);
  run.forwardInto(x, out, alpha, half);
  report('forward into out', differences(out, e.forward, half, showX));
  unchanged('forward into out: x', x, ALL);

  const dy = ALL.slice();
  const x1Copy = x1.slice();
  run.backwardInPlace(dy, x1Copy, alpha, half);
  report('backward into dy', differences(dy, e.backward[0], half, showDy(x1)));
  unchanged('backward into dy: x', x1Copy, x1);

  const dy2 = ALL.slice();
  const x2Copy = x2.slice();
  const dx = new Uint16Array(N).fill(HALF_SENTINEL);
  run.backwardInto(dy2, x2Copy, dx, alpha, half);
  report('backward into out', differences(dx, e.backward[1], half, showDy(x2)));
  unchanged('backward into out: dy', dy2, ALL);
  unchanged('backward into out: x', x2Copy, x2);
  return problems;
}

describe.each(types)('$half: all 65,536 patterns', (t) => {
  test('the cases are the issue\'s: alphas 0.2, 0.01, 0, -0.5, 1.5, 65504, a subnormal, ties; x of both branches for every dy', () => {
    const c = HALF_CASES[t.half];
    expect(c.alphas).toEqual(expect.arrayContaining([0.2, 0.01, 0, -0.5, 1.5, 65504, t.subnormal, t.tieDown, t.tieUp]));
    expect(c.positive.every((b) => decodeHalf(b, t.half) > 0)).toBe(true);
    expect(c.notPositive.some((b) => decodeHalf(b, t.half) > 0)).toBe(false);
    const [x1, x2] = mixOf(t);
    expect(x1.every((b, i) => decodeHalf(b, t.half) > 0 !== decodeHalf(x2[i], t.half) > 0)).toBe(true);
  });

  test('the reference rounds alpha as design.md says', () => {
    const value = (alpha: number) => decodeHalf(halfAlpha(alpha, t.half), t.half);
    expect(value(0.2)).toBe(t.half === 'float16' ? 0.199951171875 : 0.2001953125);
    expect(value(t.tieDown)).toBe(1);
    expect(value(t.tieUp)).toBe(t.half === 'float16' ? 1 + 2 ** -9 : 1 + 2 ** -6);
    // float16: 65504 is the largest value, 65520 the first that rounds to Infinity.
    if (t.half === 'float16') {
      expect([value(65504), value(65519.99), value(65520), value(-70000)]).toEqual([65504, 65504, Infinity, -Infinity]);
    } else {
      // bfloat16: the largest value is 255 * 2^120, and 3.4e38 is past the midpoint to 2^128.
      expect([value(65504), value(3.39e38), value(3.4e38)]).toEqual([65536, 255 * 2 ** 120, Infinity]);
    }
    const sub = value(t.subnormal);
    expect(sub > 0 && sub < (t.half === 'float16' ? 2 ** -14 : 2 ** -126)).toBe(true);
  });

  test.each(alphasOf(t))(`public API (${project.backend}, ${t.half} kernels: ${info()[t.half]}), alpha %s`, (_, alpha) => {
    expect(exhaustive(api, t, alpha)).toEqual([]);
  });

  test.runIf(binding !== null).each(alphasOf(t))(`raw binding (${project.isa ?? 'as loaded'}), alpha %s`, (_, alpha) => {
    expect(exhaustive(binding!, t, alpha)).toEqual([]);
  });
});

describe.each(types)('$half: alpha is rounded to float32, then to the type, to nearest even', (t) => {
  const minusOne = roundToHalf(-1, t.half);
  const alphaT = t.half === 'float16' ? 0.199951171875 : 0.2001953125;
  // 1 element takes the JS kernels on every project, 64 the native ones where there are.
  test.each([1, 64])(`${t.half}(0.2) = ${alphaT}, seen as the result for x = -1 (%i elements)`, (n) => {
    const x = new Uint16Array(n).fill(minusOne);
    leakyRelu(x, { alpha: 0.2, dtype: t.half });
    expect(Array.from(x, (b) => decodeHalf(b, t.half))).toEqual(new Array(n).fill(-alphaT));
    const dx = leakyReluBackward(new Uint16Array(n).fill(minusOne), new Uint16Array(n), { alpha: 0.2, dtype: t.half });
    expect(Array.from(dx, (b) => decodeHalf(b, t.half))).toEqual(new Array(n).fill(-alphaT));
  });

  test.runIf(raw !== null)(`${t.half}(0.2) = ${alphaT} in the raw binding`, () => {
    for (const n of [1, 64]) {
      const x = new Uint16Array(n).fill(minusOne);
      raw!.forward(x, 0.2, undefined, t.half);
      expect(Array.from(x, (b) => decodeHalf(b, t.half))).toEqual(new Array(n).fill(-alphaT));
    }
  });
});
