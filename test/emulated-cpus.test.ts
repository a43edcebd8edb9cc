// Under qemu's emulated x86 CPUs the one binary must pick the kernels that CPU has and
// never raise SIGILL: Nehalem has no AVX at all, Haswell has AVX2 but not AVX-512.
// test/tools/kernel-check.cjs runs the whole kernel check there (vitest would be too slow).
import { describe, expect, test } from 'vitest';
import { project } from './helpers/project';
import { kernelCheckOnX86 } from './helpers/qemu';
import { skipUnless } from './helpers/tools';

// Independent of the project's ISA cap (the emulated node gets none of its switches), so run once.
const title = 'emulated CPUs (qemu), the binary node-gyp-build finds';

describe.runIf(project.once && process.arch === 'x64' && skipUnless(title, 'qemu-x86_64-static'))(title, () => {
  test('Nehalem (no AVX): loads, picks scalar, every kernel check passes', async () => {
    const r = await kernelCheckOnX86('Nehalem');
    expect(r).toMatchObject({ isa: 'scalar', bestIsa: 'scalar', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);

  test('Haswell (AVX2, no AVX-512): picks avx2, every kernel check passes', async () => {
    const r = await kernelCheckOnX86('Haswell');
    expect(r).toMatchObject({ isa: 'avx2', bestIsa: 'avx2', failed: 0 });
    expect(r.passed).toBeGreaterThan(9000);
  }, 60_000);
});
