// Under qemu's emulated x86 CPUs the one binary must pick the kernels that CPU has and
// never raise SIGILL: Nehalem has no AVX at all, Haswell has AVX2 but not AVX-512.
// scripts/kernel-check.js runs the whole kernel check there (vitest would be too slow).
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { kernelCheckOnX86, qemuX86 } from './helpers/qemu';

// Independent of the project's ISA cap, so run once; not under the sanitizer run,
// whose ASan preload the emulated node must not inherit.
const thisProject = process.env.LEAKY_RELU_ISA === 'scalar' && !process.env.LEAKY_RELU_SANITIZED;
const canRun = process.arch === 'x64' && existsSync(qemuX86);
if (thisProject && !canRun && process.env.CI) {
  throw new Error(`CI must run the emulated-CPU tests: ${qemuX86} is missing (apt-get install qemu-user-static)`);
}

describe.runIf(thisProject && canRun)('emulated CPUs (qemu), the binary node-gyp-build finds', () => {
  test('Nehalem (no AVX): loads, picks scalar, every kernel check passes', () => {
    const r = kernelCheckOnX86('Nehalem');
    expect(r).toMatchObject({ isa: 'scalar', bestIsa: 'scalar', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);

  test('Haswell (AVX2, no AVX-512): picks avx2, every kernel check passes', () => {
    const r = kernelCheckOnX86('Haswell');
    expect(r).toMatchObject({ isa: 'avx2', bestIsa: 'avx2', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);
});
