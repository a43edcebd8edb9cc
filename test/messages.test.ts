// The native binding and the facade say the same thing for the same error: each raw
// binding message here is compared with the facade's builder for that error
// (lib/errors.ts), whole, or up to the "Received <value>" part that only JS can write.
import { describe, expect, test } from 'vitest';
import { MAX_ARRAYS } from '../lib/checks';
import * as errors from '../lib/errors';
import { leakyReluAsync } from '../lib/index';
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

  test('memory in use, and a buffer detached while a call works on it', async () => {
    const x = f32(1 << 22);
    const pending = leakyReluAsync(x);
    expect(messageOf(() => b.forward(x.subarray(5, 100), 0.2))).toBe(errors.bufferInUse('x').message);
    expect(messageOf(() => b.backward(f32(100), x.subarray(0, 100), 0.2))).toBe(errors.bufferInUse('x').message);
    expect(messageOf(() => b.forward(f32(100), 0.2, x.subarray(0, 100)))).toBe(errors.bufferInUse('out').message);
    await pending;
    const y = f32(1 << 22);
    const running = leakyReluAsync(y);
    const moved = structuredClone(y.buffer, { transfer: [y.buffer as ArrayBuffer] });
    await expect(running).rejects.toThrow(errors.detachedWhileInUse().message);
    expect(moved.byteLength).toBe(4 << 22);
  });
});
