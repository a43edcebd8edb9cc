// Under qemu's emulated x86 CPUs the one binary must pick the kernels that CPU has and
// never raise SIGILL: Nehalem has no AVX at all, Haswell has AVX2 but not AVX-512.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';

const qemu = '/usr/bin/qemu-x86_64-static';
const root = path.resolve(__dirname, '..');
// The emulated runs do not depend on the project's ISA cap: run them once, not per project.
// Not under the sanitizer run either: qemu's emulated node would inherit the ASan preload.
const thisProject = process.env.LEAKY_RELU_ISA === 'scalar' && !process.env.LEAKY_RELU_SANITIZED;
const canRun = process.arch === 'x64' && existsSync(qemu);
if (thisProject && !canRun && process.env.CI) {
  throw new Error(`CI must run the emulated-CPU tests: ${qemu} is missing (apt-get install qemu-user-static)`);
}

function smokeUnder(cpu: string): { backend: string; isa: string; failures: number } {
  const env = { ...process.env };
  delete env.LEAKY_RELU_ISA;
  delete env.LEAKY_RELU_BACKEND;
  const stdout = execFileSync(qemu, ['-cpu', cpu, process.execPath, path.join(root, 'scripts/smoke.js')], {
    env,
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

describe.runIf(thisProject && canRun)('emulated CPUs (qemu)', () => {
  test('Nehalem (no AVX): loads, picks scalar, computes exactly', () => {
    expect(smokeUnder('Nehalem')).toMatchObject({ backend: 'native', isa: 'scalar', failures: 0 });
  }, 60_000);

  test('Haswell (AVX2, no AVX-512): picks avx2, computes exactly', () => {
    expect(smokeUnder('Haswell')).toMatchObject({ backend: 'native', isa: 'avx2', failures: 0 });
  }, 60_000);
});
