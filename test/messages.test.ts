// The native binding and the facade say the same thing for the same error: each raw
// binding message here is compared with the facade's builder for that error
// (lib/errors.ts), whole, or up to the "Received <value>" part that only JS can write.
import { describe, expect, test } from 'vitest';
import { MAX_ARRAYS } from '../lib/checks';
import * as errors from '../lib/errors';
import { leakyReluAsync, leakyReluBackwardAsync } from '../lib/index';
import { project } from './helpers/project';
import { loadRawBinding } from './helpers/binding';

/** The message of what `fn` throws (it must throw an error with a code). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: unknown }).code).toBeTypeOf('string');
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

/** The facade's message without its description of the received JS value. */
const stem = (e: Error): string => e.message.replace(/\. Received [^.]*$/, '');

function detachedF32(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}

describe.runIf(project.native)('native and JS messages agree', () => {
  const b = loadRawBinding();
  const f32 = (n: number): Float32Array => new Float32Array(n).fill(-1);
  const noop = (): void => {};

  test('types', () => {
    expect(messageOf(() => b.forward(f32(8), '1' as never))).toBe(stem(errors.alphaType('1')));
    expect(messageOf(() => b.forward(f32(8), 0.2, new Float64Array(8)))).toBe(
      errors.elementMismatch('out', 'Float32Array', 'x', 'Float64Array').message,
    );
    expect(messageOf(() => b.backward(new Float64Array(8), f32(8), 0.2))).toBe(
      errors.dyElementMismatch('Float64Array', 'Float32Array').message,
    );
  });

  test('detached buffers', () => {
    expect(messageOf(() => b.forward(detachedF32(8), 0.2))).toBe(errors.detached('x').message);
    expect(messageOf(() => b.backward(detachedF32(8), f32(0), 0.2))).toBe(errors.detached('dy').message);
    expect(messageOf(() => b.forward(f32(0), 0.2, detachedF32(8)))).toBe(errors.detached('out').message);
  });

  test('alpha out of range, printed as JS prints it', () => {
    for (const alpha of [1e39, -1e39, 3.5e38, 123456789e31, NaN, Infinity, -Infinity]) {
      expect(messageOf(() => b.forward(f32(8), alpha))).toBe(errors.alphaRange(alpha, 'float32').message);
    }
    for (const alpha of [NaN, Infinity, -Infinity]) {
      expect(messageOf(() => b.forward(new Float64Array(8), alpha))).toBe(errors.alphaRange(alpha).message);
    }
    for (const [half, alpha] of [['float16', 65520], ['float16', -1e5], ['float16', 70000.5], ['float16', 1e300], ['bfloat16', 3.4e38], ['bfloat16', NaN]] as const) {
      expect(messageOf(() => b.forward(new Uint16Array(8), alpha, undefined, half))).toBe(errors.alphaRange(alpha, half).message);
    }
  });

  test('lengths and overlaps', () => {
    expect(messageOf(() => b.forward(f32(8), 0.2, f32(7)))).toBe(errors.outLength('x', 8, 7).message);
    expect(messageOf(() => b.backward(f32(8), f32(8), 0.2, f32(9)))).toBe(errors.outLength('dy', 8, 9).message);
    expect(messageOf(() => b.backward(f32(8), f32(6), 0.2))).toBe(errors.dyLength(8, 6).message);
    const whole = f32(16);
    expect(messageOf(() => b.forward(whole.subarray(0, 8), 0.2, whole.subarray(4, 12)))).toBe(
      errors.partialOverlap('x').message,
    );
    expect(messageOf(() => b.backward(whole.subarray(0, 8), f32(8), 0.2, whole.subarray(2, 10)))).toBe(
      errors.partialOverlap('dy').message,
    );
    expect(messageOf(() => b.backward(whole.subarray(0, 8), whole.subarray(1, 9), 0.2))).toBe(
      errors.partialOverlap('x').message,
    );
  });

  test('batches', () => {
    const many = new Array(MAX_ARRAYS + 1);
    expect(messageOf(() => b.submitForward(many, many, 0.2, noop))).toBe(errors.tooManyArrays(MAX_ARRAYS, MAX_ARRAYS + 1).message);
    const whole = f32(16);
    const xs = [whole.subarray(0, 8), whole.subarray(8, 16)];
    expect(messageOf(() => b.submitForward(xs, [xs[0], whole.subarray(0, 8)], 0.2, noop))).toBe(
      errors.batchOverlap().message,
    );
  });

  test('per-channel slopes: types', () => {
    const s = Float32Array.of(0.5, 0.25);
    expect(messageOf(() => b.forwardSlopes(f32(8), s, '2' as never))).toBe(stem(errors.spatialType('2')));
    expect(messageOf(() => b.backwardSlopes(f32(8), f32(8), s, 1, undefined, undefined, new Float32Array(2) as never))).toBe(
      stem(errors.alphaGradType(new Float32Array(2))),
    );
    expect(messageOf(() => b.submitBackward([f32(8)], [f32(8)], [f32(8)], s, noop, undefined, 1, [[0, 0] as never]))).toBe(
      stem(errors.alphaGradType([0, 0])),
    );
  });

  test('per-channel slopes: detached slopes and alphaGrad', () => {
    const slopes = Float64Array.of(0.5, 0.25);
    structuredClone(slopes.buffer, { transfer: [slopes.buffer as ArrayBuffer] });
    expect(messageOf(() => b.forwardSlopes(f32(8), slopes))).toBe(errors.detached('alpha').message);
    const grad = new Float64Array(2);
    structuredClone(grad.buffer, { transfer: [grad.buffer as ArrayBuffer] });
    expect(messageOf(() => b.backwardSlopes(f32(8), f32(8), Float32Array.of(1, 2), 1, undefined, undefined, grad))).toBe(
      errors.detached('alphaGrad').message,
    );
  });

  test('per-channel slopes: values, printed as JS prints them', () => {
    expect(messageOf(() => b.forwardSlopes(f32(8), new Float32Array(0)))).toBe(errors.slopesEmpty().message);
    for (const v of [NaN, Infinity, -Infinity, 1e39, -3.5e38, 123456789e31]) {
      expect(messageOf(() => b.forwardSlopes(f32(8), Float64Array.of(0.5, v)))).toBe(errors.slopeRange(1, v, 'float32').message);
    }
    for (const v of [NaN, -Infinity]) {
      expect(messageOf(() => b.forwardSlopes(new Float64Array(8), Float64Array.of(v)))).toBe(errors.slopeRange(0, v).message);
    }
    for (const [half, v] of [['float16', 70000], ['float16', 65520], ['bfloat16', 3.4e38]] as const) {
      expect(messageOf(() => b.forwardSlopes(new Uint16Array(8), Float64Array.of(1, 2, v, 4), 1, undefined, half))).toBe(
        errors.slopeRange(2, v, half).message,
      );
    }
    for (const spatial of [0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e21, 2.5e-7]) {
      expect(messageOf(() => b.forwardSlopes(f32(8), Float32Array.of(1), spatial))).toBe(errors.spatialRange(spatial).message);
    }
  });

  test('per-channel slopes: lengths and overlaps', () => {
    const s = Float32Array.of(0.5, 0.25, 2);
    expect(messageOf(() => b.forwardSlopes(f32(8), s))).toBe(errors.notWholePeriods('x', 8, 3, 1).message);
    expect(messageOf(() => b.backwardSlopes(f32(12), f32(12), s, 5))).toBe(errors.notWholePeriods('dy', 12, 3, 5).message);
    expect(messageOf(() => b.forwardSlopes(f32(12), 0.5, 2 ** 53 - 1))).toBe(errors.notWholePeriods('x', 12, 1, 2 ** 53 - 1).message);
    expect(messageOf(() => b.backwardSlopes(f32(12), f32(12), s, 1, undefined, undefined, new Float64Array(2)))).toBe(
      errors.alphaGradLength(3, 2).message,
    );
    const dy = new Float64Array(12);
    const x = new Float64Array(12);
    const out = new Float64Array(12);
    const args = (grad: Float64Array) => () => b.backwardSlopes(dy, x, s, 1, out, undefined, grad);
    expect(messageOf(args(dy.subarray(0, 3)))).toBe(errors.alphaGradOverlap('dy').message);
    expect(messageOf(args(x.subarray(9, 12)))).toBe(errors.alphaGradOverlap('x').message);
    expect(messageOf(args(out.subarray(1, 4)))).toBe(errors.alphaGradOverlap('out').message);
  });

  test('memory in use, and a buffer detached while a call works on it', async () => {
    const x = f32(1 << 22);
    const pending = leakyReluAsync(x);
    expect(messageOf(() => b.forward(x.subarray(5, 100), 0.2))).toBe(errors.bufferInUse('x').message);
    expect(messageOf(() => b.backward(f32(100), x.subarray(0, 100), 0.2))).toBe(errors.bufferInUse('x').message);
    expect(messageOf(() => b.forward(f32(100), 0.2, x.subarray(0, 100)))).toBe(errors.bufferInUse('out').message);
    await pending;
    const grad = new Float64Array(2);
    const gradient = leakyReluBackwardAsync(f32(1 << 22), f32(1 << 22), { alpha: [0.5, 0.25], alphaGrad: grad });
    expect(messageOf(() => b.backwardSlopes(f32(100), f32(100), Float32Array.of(1, 2), 1, undefined, undefined, grad))).toBe(
      errors.bufferInUse('alphaGrad').message,
    );
    await gradient;
    const y = f32(1 << 22);
    const running = leakyReluAsync(y);
    const moved = structuredClone(y.buffer, { transfer: [y.buffer as ArrayBuffer] });
    await expect(running).rejects.toThrow(errors.detachedWhileInUse().message);
    expect(moved.byteLength).toBe(4 << 22);
  });
});
