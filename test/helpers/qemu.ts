// Runs test/tools/kernel-check.cjs, here or on an emulated CPU, and reads its closing lines.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..', '..');
/** Plain CommonJS, for the emulated Nodes that have no vitest. */
export const kernelCheckScript = path.join(root, 'test/tools/kernel-check.cjs');
export const qemuX86 = '/usr/bin/qemu-x86_64-static';
export const qemuArm64 = '/usr/bin/qemu-aarch64-static';
/** Debian's arm64 Node unpacked by .ci/setup-arm64-node.sh. */
export const arm64Root = process.env.LEAKY_RELU_ARM64_ROOT ?? '/opt/arm64-node-root';

export interface KernelCheck {
  isa: string;
  bestIsa: string;
  arch: string;
  passed: number;
  failed: number;
}

function parse(stdout: string): KernelCheck {
  const lines = stdout.trim().split('\n');
  const counts = lines.at(-1)!.match(/^(\d+) passed, (\d+) failed$/);
  if (counts === null) throw new Error(`kernel-check printed no counts:\n${stdout}`);
  return { ...JSON.parse(lines.at(-2)!), passed: Number(counts[1]), failed: Number(counts[2]) };
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['LEAKY_RELU_ISA', 'LEAKY_RELU_BACKEND', 'LD_PRELOAD']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** kernel-check on this machine, in this process's environment (its ISA cap, its binary). */
export function kernelCheckHere(): KernelCheck {
  const stdout = execFileSync(process.execPath, [kernelCheckScript], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(stdout);
}

/** kernel-check under qemu's x86-64 CPU model `cpu`, with this machine's node. */
export function kernelCheckOnX86(cpu: string, extra: Record<string, string> = {}): KernelCheck {
  const stdout = execFileSync(qemuX86, ['-cpu', cpu, process.execPath, kernelCheckScript], {
    env: cleanEnv(extra),
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(stdout);
}

export const canRunArm64 = (): boolean => existsSync(qemuArm64) && existsSync(path.join(arm64Root, 'usr/bin/node'));

/** kernel-check in Debian's arm64 node under qemu-aarch64, loading `binary`. */
export function kernelCheckOnArm64(binary: string, extra: Record<string, string> = {}): KernelCheck {
  const R = arm64Root;
  const envArgs = Object.entries({ LEAKY_RELU_NATIVE_PATH: binary, ...extra }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
  const stdout = execFileSync(
    qemuArm64,
    [
      '-L', R,
      '-E', `LD_LIBRARY_PATH=${R}/usr/lib/aarch64-linux-gnu:${R}/lib/aarch64-linux-gnu`,
      ...envArgs,
      path.join(R, 'usr/bin/node'),
      kernelCheckScript,
    ],
    { env: cleanEnv({}), cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return parse(stdout);
}
