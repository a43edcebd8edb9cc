// The whole kernel check (test/tools/kernel-check.cjs: every length 0..300 at every
// position in a 64-byte line, special values, guards) on this CPU, once per ISA
// project: the SIMD kernels peel up to the output's first line boundary, and only
// a sweep of positions reaches every head length for certain.
import { describe, expect, test } from 'vitest';
import { expectedIsa, loadRawBinding } from './helpers/binding';
import { project } from './helpers/project';
import { kernelCheckHere } from './helpers/qemu';

describe.runIf(project.native)('kernel check on this CPU', () => {
  test(`LEAKY_RELU_ISA=${project.isa}: every check passes on the capped kernel set`, async () => {
    const r = await kernelCheckHere();
    expect(r).toMatchObject({ isa: expectedIsa(project.isa, loadRawBinding().bestIsa()), failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);
});
