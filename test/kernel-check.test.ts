// The whole kernel check (test/tools/kernel-check.cjs: every length 0..300 at every
// position in a 64-byte line, special values, guards) on this CPU, once per ISA
// project: the SIMD kernels peel up to the output's first line boundary, and only
// a sweep of positions reaches every head length for certain.
import { describe, expect, test } from 'vitest';
import { expectedIsa, loadRawBinding } from './helpers/binding';
import { kernelCheckHere } from './helpers/qemu';

const native = process.env.LEAKY_RELU_BACKEND !== 'js';

describe.runIf(native)('kernel check on this CPU', () => {
  test(`LEAKY_RELU_ISA=${process.env.LEAKY_RELU_ISA}: every check passes on the capped kernel set`, () => {
    const r = kernelCheckHere();
    expect(r).toMatchObject({ isa: expectedIsa(process.env.LEAKY_RELU_ISA, loadRawBinding().bestIsa()), failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);
});
