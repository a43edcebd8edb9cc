// checkKernels (test/tools/kernel-check.cjs) is all the NEON kernels get under
// qemu-aarch64, and all the x86 kernels get on emulated CPUs, so the checker itself is
// checked here: each binding below has one fault a kernel could really have, and the
// checker must report it. Out-of-range faults wrap the real binding (its kernels run
// on views widened by one element, as an off-by-one loop would) or, on the js project
// where there is none, a pure-JS binding that the control test proves correct.
import { describe, expect, test } from 'vitest';
import { resolveBackend } from '../lib/native';
import type { FloatCtor } from './helpers/arrays';
import type { FloatArray } from './helpers/reference';
import { checkKernels } from './tools/kernel-check.cjs';
import type { CheckedBinding } from './tools/kernel-check.cjs';

/** What a kernel stores for one element: g is x for forward, dy for backward. */
type Rule = (x: number, g: number, alpha: number, f32: boolean) => number;

const correct: Rule = (x, g, alpha, f32) => (x > 0 ? g : (f32 ? Math.fround(alpha) : alpha) * g);

function jsBinding(rule: Rule): CheckedBinding {
  return {
    forward(x, alpha, out = x) {
      for (let i = 0; i < x.length; i++) out[i] = rule(x[i], x[i], alpha, x instanceof Float32Array);
    },
    backward(dy, x, alpha, out = dy) {
      for (let i = 0; i < x.length; i++) out[i] = rule(x[i], dy[i], alpha, x instanceof Float32Array);
    },
    // The checker only needs alignment, and a fresh buffer's own start is as good a
    // line boundary as any for a kernel that does not look at addresses.
    addressOf: (a) => a.byteOffset,
  };
}

const real = resolveBackend().binding;
const base: CheckedBinding = real ?? jsBinding(correct);

type Path = 'forward in place' | 'forward into out' | 'backward into out' | 'backward into dy';
const allPaths: Path[] = ['forward in place', 'forward into out', 'backward into out', 'backward into dy'];

/** `faulty` on the paths named, `good` on the others (as a kernel table with one bad entry). */
function onPaths(paths: Path[], faulty: CheckedBinding, good: CheckedBinding = base): CheckedBinding {
  const pick = (p: Path) => (paths.includes(p) ? faulty : good);
  return {
    forward: (x, alpha, out) =>
      out === undefined ? pick('forward in place').forward(x, alpha) : pick('forward into out').forward(x, alpha, out),
    backward: (dy, x, alpha, out) =>
      out === undefined ? pick('backward into dy').backward(dy, x, alpha) : pick('backward into out').backward(dy, x, alpha, out),
    addressOf: (a) => good.addressOf(a),
  };
}

/** The same memory as `a` and `before` elements before it, `after` elements after it. */
function widened<T extends FloatArray>(a: T, before: number, after: number): T {
  const Ctor = a.constructor as FloatCtor;
  return new Ctor(a.buffer as ArrayBuffer, a.byteOffset - before * a.BYTES_PER_ELEMENT, a.length + before + after) as T;
}

/** `base`'s kernels run over `before` elements too many at the start and `after` at the end, when `when` holds for the output. */
function outOfRange(before: number, after: number, when: (out: FloatArray) => boolean = () => true): CheckedBinding {
  const w = <T extends FloatArray>(a: T, out: FloatArray) => (when(out) ? widened(a, before, after) : a);
  return {
    forward: (x, alpha, out) => (out === undefined ? base.forward(w(x, x), alpha) : base.forward(w(x, out), alpha, w(out, out))),
    backward: (dy, x, alpha, out) =>
      out === undefined
        ? base.backward(w(dy, dy), w(x, dy), alpha)
        : base.backward(w(dy, out), w(x, out), alpha, w(out, out)),
    addressOf: (a) => base.addressOf(a),
  };
}

/** `r` with its float32 rounding done toward zero instead of to nearest. */
function towardZero32(r: number): number {
  const rounded = Math.fround(r);
  if (!(Math.abs(rounded) > Math.abs(r))) return rounded;
  const bits = new Uint32Array(Float32Array.of(rounded).buffer);
  bits[0] -= 1;
  return new Float32Array(bits.buffer)[0];
}

const isSubnormal = (r: number, f32: boolean) => r !== 0 && Math.abs(r) < (f32 ? 2 ** -126 : 2 ** -1022);

const elementFaults: Array<[string, Rule]> = [
  ['float32 with the unrounded double alpha', (x, g, alpha) => (x > 0 ? g : alpha * g)],
  ['float32 product rounded toward zero', (x, g, alpha, f32) => (x > 0 ? g : f32 ? towardZero32(Math.fround(alpha) * g) : alpha * g)],
  ['a NaN result turned into 0', (x, g, alpha, f32) => {
    const r = correct(x, g, alpha, f32);
    return Number.isNaN(r) ? 0 : r;
  }],
  ['every zero result written as +0', (x, g, alpha, f32) => correct(x, g, alpha, f32) + 0],
  ['x >= 0 as the test (the slope at 0, signed zeros)', (x, g, alpha, f32) => (x >= 0 ? g : correct(x, g, alpha, f32))],
  ['subnormal results flushed to zero', (x, g, alpha, f32) => {
    const r = f32 ? Math.fround(correct(x, g, alpha, f32)) : correct(x, g, alpha, f32);
    return isSubnormal(r, f32) ? r * 0 : r;
  }],
  ['max(alpha * x, x), wrong for alpha > 1', (x, g, alpha, f32) => Math.max((f32 ? Math.fround(alpha) : alpha) * g, g)],
];

describe('checkKernels catches a faulty kernel', () => {
  test(`control: the ${real ? 'real' : 'pure-JS'} binding passes every check`, () => {
    expect(checkKernels(base)).toEqual({ passed: 4 * 2 * 4 * 301, failed: 0, failures: [] });
  });

  test.runIf(real !== null)('control: the pure-JS binding the faults below are built on passes too', () => {
    expect(checkKernels(jsBinding(correct))).toMatchObject({ failed: 0 });
  });

  test.each(elementFaults)('%s', (_, rule) => {
    expect(checkKernels(jsBinding(rule)).failed).toBeGreaterThan(0);
  });

  test.each(allPaths)('one element written past the end, on %s only', (path) => {
    const r = checkKernels(onPaths([path], outOfRange(0, 1)));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !f.startsWith(`${path} `))).toEqual([]);
    expect(r.failures[0]).toMatch(/guard element \d+/);
  });

  test.each(allPaths)('one element written before the start, on %s only', (path) => {
    const r = checkKernels(onPaths([path], outOfRange(1, 0)));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !f.startsWith(`${path} `))).toEqual([]);
    expect(r.failures[0]).toMatch(/guard element -1 /);
  });

  test('past the end only when the output starts 4 bytes before a line boundary (a head-peeling bug)', () => {
    const r = checkKernels(onPaths(allPaths, outOfRange(0, 1, (out) => base.addressOf(out) % 64 === 60)));
    expect(r.failed).toBeGreaterThan(0);
  });

  test('past the end only at length 17 (a tail bug)', () => {
    expect(checkKernels(onPaths(allPaths, outOfRange(0, 1, (out) => out.length === 17))).failed).toBeGreaterThan(0);
  });

  test('out ignored: the result written in place', () => {
    const inPlace: CheckedBinding = {
      forward: (x, alpha) => base.forward(x, alpha),
      backward: (dy, x, alpha) => base.backward(dy, x, alpha),
      addressOf: (a) => base.addressOf(a),
    };
    const r = checkKernels(onPaths(['forward into out', 'backward into out'], inPlace));
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failures.filter((f) => !/^(forward|backward) into out /.test(f))).toEqual([]);
  });

  test('a binding that throws is a failure, not a crash of the checker', () => {
    const boom = () => {
      throw new Error('boom');
    };
    const throwing: CheckedBinding = { forward: boom, backward: boom, addressOf: (a) => base.addressOf(a) };
    const r = checkKernels(onPaths(['backward into dy'], throwing), { maxLength: 3 });
    expect(r).toMatchObject({ failed: 2 * 4 * 4, passed: 3 * 2 * 4 * 4 });
    expect(r.failures[0]).toMatch(/threw boom/);
  });
});
