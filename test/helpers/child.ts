// Child processes of the suites: one way to build their environment, one runner (the
// same call in a sync and an async form) and one parser for the JSON records they print.
// A child runs what vitest's workers cannot: flags such as --expose-gc, load-time
// switches of its own, a crash that must not take the worker down, another Node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from './binding';

export { packageRoot };

/**
 * 'project': the child runs as this project does (its ISA cap, backend, sanitizer
 * build and preload pass through), to test what the project tests in a fresh process.
 * 'clean': none of them does; the child gets only the switches `env` sets.
 */
export type Switches = 'project' | 'clean';

/** The package's switches (LEAKY_RELU_*), and the sanitizer run's ASan preload. */
const isSwitch = (name: string): boolean => name.startsWith('LEAKY_RELU_') || name === 'LD_PRELOAD';

/**
 * A child's environment: this process's, with the package's switches kept or removed
 * as `switches` says, PKG set to the package root (a child script requires the built
 * package through `require(process.env.PKG)`), then `env` on top (undefined removes).
 */
export function childEnv(switches: Switches, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env, PKG: packageRoot };
  if (switches === 'clean') for (const name of Object.keys(result)) if (isSwitch(name)) delete result[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

/** The stdout lines that parse as JSON objects, in order: the records a child script prints. */
export function parseRecords(stdout: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not one of the script's records.
    }
  }
  return records;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** parseRecords(stdout). */
  records: Record<string, unknown>[];
}

export interface ChildOptions {
  switches: Switches;
  /** Set on top of the environment childEnv builds; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** The package root unless given. */
  cwd?: string;
  /** Then the child is killed (SIGKILL). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The node arguments that run `code` (`-e`, CommonJS unless `esm`), after a preload and --expose-gc if asked. */
export function evalArgs(code: string, opts: { gc?: boolean; esm?: boolean; preload?: string } = {}): string[] {
  return [
    ...(opts.gc ? ['--expose-gc'] : []),
    ...(opts.preload ? ['-r', opts.preload] : []),
    ...(opts.esm ? ['--input-type=module'] : []),
    '-e',
    code,
  ];
}

/** Every node child loads the built package (dist/), straight or from a packed tarball. */
function requireDist(): void {
  for (const file of ['index.js', 'index.mjs']) {
    if (!existsSync(path.join(packageRoot, 'dist', file))) {
      throw new Error('dist/ is not built: run `npm run build:ts` first (CI builds it)');
    }
  }
}

/** Runs `command` and waits for it, blocking this thread. */
export function runSync(command: string, args: readonly string[], options: ChildOptions): ChildResult {
  const r = spawnSync(command, args, {
    cwd: options.cwd ?? packageRoot,
    env: childEnv(options.switches, options.env),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 256 << 20,
  });
  if (r.error && r.status === null && r.signal === null) throw r.error;
  const stdout = r.stdout ?? '';
  return { code: r.status, signal: r.signal, stdout, stderr: r.stderr ?? '', records: parseRecords(stdout) };
}

/** Runs `command` without blocking this thread's event loop. */
export function runAsync(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? packageRoot,
      env: childEnv(options.switches, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, records: parseRecords(stdout) });
    });
  });
}

/** This Node on `args` (evalArgs, or a script file), blocking. */
export function runNodeSync(args: readonly string[], options: ChildOptions): ChildResult {
  requireDist();
  return runSync(process.execPath, args, options);
}

/** This Node on `args` (evalArgs, or a script file), awaited. */
export function runNode(args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  requireDist();
  return runAsync(process.execPath, args, options);
}

/**
 * Runs `script` (CommonJS) in this Node with --expose-gc, as this project runs: its
 * switches pass through, the built package is at PKG, `env` goes on top.
 */
export function runScript(script: string, env: Record<string, string> = {}, timeoutMs?: number): Promise<ChildResult> {
  return runNode(evalArgs(script, { gc: true }), { switches: 'project', env, timeoutMs });
}

/** A description of how a child ended, for assertion messages. */
export function describeChild(r: ChildResult): string {
  return `exit code ${r.code}, signal ${r.signal}\nstdout:\n${r.stdout.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}`;
}

/** `r`, unless the child failed: then an Error naming `what` and how it ended. */
export function succeeded(r: ChildResult, what: string): ChildResult {
  if (r.code !== 0) throw new Error(`${what} failed: ${describeChild(r)}`);
  return r;
}
