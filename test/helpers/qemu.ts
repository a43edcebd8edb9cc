// Runs test/tools/kernel-check.cjs, here or on an emulated CPU, and reads its closing lines.
// Asynchronously: a worker blocked in spawnSync answers none of vitest's RPC calls, and
// several emulated runs in a row (7-22 s each) outlasted its 60 s timeout.
import * as path from 'node:path';
import { packageRoot, runAsync, runNode, succeeded } from './child';
import type { ChildResult } from './child';

export const root = packageRoot;
/** Plain CommonJS, for the emulated Nodes that have no vitest. */
export const kernelCheckScript = path.join(root, 'test/tools/kernel-check.cjs');
export const qemuX86 = '/usr/bin/qemu-x86_64-static';
export const qemuArm64 = '/usr/bin/qemu-aarch64-static';
/** Debian's arm64 Node unpacked by .ci/setup-arm64-node.sh. */
export const arm64Root = process.env.LEAKY_RELU_ARM64_ROOT ?? '/opt/arm64-node-root';

export interface KernelCheck {
  isa: string;
  bestIsa: string;
  float16?: string;
  bfloat16?: string;
  arch: string;
  passed: number;
  failed: number;
}

/** The check's info and counts; a run that failed (a kernel check, or the binding's load) throws with its output. */
function parse(r: ChildResult): KernelCheck {
  const { stdout, records } = succeeded(r, 'kernel-check');
  const counts = stdout.trim().split('\n').at(-1)!.match(/^(\d+) passed, (\d+) failed$/);
  const info = records.at(-1);
  if (counts === null || info === undefined) throw new Error(`kernel-check printed no info and counts:\n${stdout}`);
  return { ...(info as Omit<KernelCheck, 'passed' | 'failed'>), passed: Number(counts[1]), failed: Number(counts[2]) };
}

/** kernel-check on this machine, in this project's environment (its ISA cap, its binary). */
export async function kernelCheckHere(): Promise<KernelCheck> {
  return parse(await runNode([kernelCheckScript], { switches: 'project' }));
}

/** kernel-check under qemu's x86-64 CPU model `cpu`, with this machine's node. */
export async function kernelCheckOnX86(cpu: string, extra: Record<string, string> = {}): Promise<KernelCheck> {
  return parse(await runAsync(qemuX86, ['-cpu', cpu, process.execPath, kernelCheckScript], { switches: 'clean', env: extra }));
}

/** kernel-check in Debian's arm64 node under qemu-aarch64, loading `binary`. */
export async function kernelCheckOnArm64(binary: string, extra: Record<string, string> = {}): Promise<KernelCheck> {
  const R = arm64Root;
  const envArgs = Object.entries({ LEAKY_RELU_NATIVE_PATH: binary, ...extra }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
  const args = [
    '-L', R,
    '-E', `LD_LIBRARY_PATH=${R}/usr/lib/aarch64-linux-gnu:${R}/lib/aarch64-linux-gnu`,
    ...envArgs,
    path.join(R, 'usr/bin/node'),
    kernelCheckScript,
  ];
  return parse(await runAsync(qemuArm64, args, { switches: 'clean', timeoutMs: 120_000 }));
}
