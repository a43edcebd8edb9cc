// Shared pieces of the async suites: which project runs the heavy tests, seeded data,
// bit-exact comparison, promise outcomes, and child processes that load the built
// package (dist/) with flags vitest's own workers cannot have (--expose-gc).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { info } from '../../lib/index';
import { firstBitDifference } from './bits';
import { seededRandom } from './random';
import type { FloatArray } from './reference';

export type { FloatArray };
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Both element types, for describe.each. */
export const dtypes = [
  { name: 'float32', Ctor: Float32Array as FloatCtor },
  { name: 'float64', Ctor: Float64Array as FloatCtor },
] as const;

export const packageRoot = path.resolve(__dirname, '..', '..');

export const isNative = info().backend === 'native';

/**
 * The heavy tests (256 MB arrays, child processes that loop gc(), workers, soak) test
 * the async machinery, not the kernels, so one native project (avx512) and the js
 * project run them; a run outside the project matrix (no switch set) runs them too.
 */
const isaCap = process.env.LEAKY_RELU_ISA;
const backendSwitch = process.env.LEAKY_RELU_BACKEND;
export const heavyNative = isNative && (isaCap === 'avx512' || (isaCap === undefined && backendSwitch === undefined));
export const heavyJs = !isNative && backendSwitch === 'js';
export const heavyProject = heavyNative || heavyJs;

/** The suites' one seeded generator (mulberry32), so a failure reproduces on every run. */
export const seeded = seededRandom;

/**
 * Values of both signs, both zeros, NaN, infinities, subnormals and ordinary
 * magnitudes, so a result computed on stale or half-written memory shows.
 */
export function randomData(Ctor: Float32ArrayConstructor, n: number, seed: number): Float32Array;
export function randomData(Ctor: Float64ArrayConstructor, n: number, seed: number): Float64Array;
export function randomData(Ctor: FloatCtor, n: number, seed: number): FloatArray;
export function randomData(Ctor: FloatCtor, n: number, seed: number): FloatArray {
  const random = seeded(seed);
  const a = new Ctor(n);
  const tiny = a instanceof Float32Array ? 2 ** -140 : 2 ** -1060;
  for (let i = 0; i < n; i++) {
    const r = random();
    const sign = random() < 0.5 ? -1 : 1;
    if (r < 0.03) a[i] = sign * 0;
    else if (r < 0.04) a[i] = NaN;
    else if (r < 0.05) a[i] = sign * Infinity;
    else if (r < 0.1) a[i] = sign * tiny * (1 + random());
    else a[i] = sign * (1 + random()) * 2 ** Math.floor(random() * 20 - 10);
  }
  return a;
}

/** A fresh copy of the same element type, length and bits. */
export function copyOf<T extends FloatArray>(a: T): T {
  return a.slice() as T;
}

/** null when `actual` has `expected`'s bits (any NaN equals any NaN), else the first difference. */
export const bitDifference = firstBitDifference;

/** null when every byte of `bytes` equals `before`'s, else where the first change is. */
export function byteChange(before: Uint8Array, now: Uint8Array): string | null {
  if (before.length !== now.length) return `byteLength ${before.length} -> ${now.length}`;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return `byte ${i} changed`;
  return null;
}

/** The bytes of the whole buffer under `a` (or of `a` itself), copied now. */
export function bytesNow(a: FloatArray | ArrayBufferLike): Uint8Array {
  const buffer = ArrayBuffer.isView(a) ? a.buffer : a;
  return new Uint8Array(buffer).slice();
}

export interface Settled {
  status: 'fulfilled' | 'rejected';
  value?: unknown;
  error?: Error & { code?: string };
}

/** How a promise settled, never throwing. */
export async function settle(p: Promise<unknown>): Promise<Settled> {
  try {
    return { status: 'fulfilled', value: await p };
  } catch (error) {
    return { status: 'rejected', error: error as Error & { code?: string } };
  }
}

/** Calls `fn`, failing if it throws synchronously: the async API must only reject. */
export function callWithoutThrowing<T>(fn: () => Promise<T>): Promise<T> {
  let p: Promise<T>;
  try {
    p = fn();
  } catch (error) {
    throw new Error(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  if (!(p instanceof Promise)) throw new Error('did not return a Promise');
  return p;
}

/** The code of what `fn` throws, or 'no throw'. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
    return 'no throw';
  } catch (error) {
    return `${(error as Error).constructor.name} ${(error as { code?: string }).code}`;
  }
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `p` is still pending after the microtasks queued so far have run. */
export async function isPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([p.then(() => null, () => null), Promise.resolve(marker)]);
  return winner === marker;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The stdout lines that parse as JSON objects, in order. */
  records: Record<string, unknown>[];
}

/**
 * Runs `script` in a fresh node with --expose-gc (which vitest's workers lack), with
 * this project's environment switches, `PKG` set to the package root (it requires
 * the built dist/ through package.json's main), and `extraEnv` on top.
 */
export function runChild(script: string, extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<ChildResult> {
  if (!existsSync(path.join(packageRoot, 'dist', 'index.js'))) {
    throw new Error('dist/ is not built: run `npm run build:ts` first (CI builds it)');
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '-e', script], {
      cwd: packageRoot,
      env: { ...process.env, PKG: packageRoot, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const records: Record<string, unknown>[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          records.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // Not one of the script's records.
        }
      }
      resolve({ code, signal, stdout, stderr, records });
    });
  });
}

/** A one-line description of how a child ended, for assertion messages. */
export function describeChild(r: ChildResult): string {
  return `exit code ${r.code}, signal ${r.signal}\nstdout:\n${r.stdout.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}`;
}
