// Loads the native binding (a prebuild or a local build, through node-gyp-build) and
// applies the environment switches. Decides the backend once, at first require.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Binding } from '../binding';

export type Isa = 'avx512' | 'avx2' | 'neon' | 'scalar';

export interface Backend {
  binding: Binding | null;
  isa: Isa | 'js';
}

const packageRoot = path.join(__dirname, '..');

/**
 * Whether this Linux process runs on musl. The process's own mappings say it exactly
 * (musl's loader is ld-musl-<arch>.so.1, glibc's libc is libc.so.6); where they cannot
 * be read (a sandbox, Deno without read access to /proc), process.report's header,
 * which names a glibc version only on glibc; then the system's ldd, as detect-libc does.
 */
function isMusl(): boolean {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    if (/\/ld-musl-[^/\s]*\.so/.test(maps)) return true;
    if (/\/libc\.so\.6$/m.test(maps)) return false;
  } catch {
    // not readable here: ask the next witness
  }
  try {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    if (header) return !header.glibcVersionRuntime;
  } catch {
    // no usable process.report (some runtimes stub it)
  }
  try {
    return readFileSync('/usr/bin/ldd', 'latin1').includes('musl');
  } catch {
    return false;
  }
}

/** node-gyp-build's own musl test (false where the file cannot be looked at). */
function isAlpine(): boolean {
  try {
    return existsSync('/etc/alpine-release');
  } catch {
    return false;
  }
}

function libc(): string {
  if (process.platform !== 'linux') return '';
  if (isMusl()) return 'musl';
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    if (report?.header?.glibcVersionRuntime) return `glibc ${report.header.glibcVersionRuntime}`;
  } catch {
    // Deno without --allow-sys: the version is only for the message
  }
  return 'glibc';
}

function loadFailureMessage(cause: unknown): string {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  const target = [process.platform, process.arch, libc()].filter(Boolean).join('-');
  return (
    `leaky-relu: the native binding could not be loaded for ${target} ` +
    `(Node ${process.version}, Node-API ${process.versions.napi}). ` +
    `Looked in ${path.join(packageRoot, 'build', 'Release')} and ` +
    `${path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`)}: ${reason}. ` +
    'To fix it, build it from source with a C++17 compiler and CMake installed: ' +
    '`npm rebuild leaky-relu` (or reinstall on a platform with a prebuilt binary).'
  );
}

function loadBinding(): Binding {
  // For the project's own tests (the sanitizer build, a given prebuild): load this file.
  const explicit = process.env.LEAKY_RELU_NATIVE_PATH;
  if (explicit) return require(path.resolve(explicit)) as Binding;
  // node-gyp-build takes a system for musl only when it has /etc/alpine-release (or
  // LIBC=musl is set): on any other musl system (Void, Chimera, a distroless image) it
  // would pick the glibc prebuild, which cannot load there. A local build still wins,
  // as node-gyp-build would have it.
  if (process.platform === 'linux' && !process.env.LIBC && !isAlpine() && isMusl()) {
    const local = path.join(packageRoot, 'build', 'Release', 'leaky_relu.node');
    const musl = path.join(packageRoot, 'prebuilds', `linux-${process.arch}`, 'leaky-relu.musl.node');
    const file = existsSync(local) ? local : musl;
    if (existsSync(file)) return require(file) as Binding;
  }
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  return nodeGypBuild(packageRoot) as Binding;
}

function chooseIsa(binding: Binding): Isa {
  const cap = process.env.LEAKY_RELU_ISA;
  if (cap === undefined || cap === '') return binding.configure() as Isa;
  const chosen = binding.configure(cap);
  if (chosen !== null) return chosen;
  process.emitWarning(
    `LEAKY_RELU_ISA=${cap} names no kernel set (expected scalar, avx2, avx512 or neon); ignored`,
    { type: 'LeakyReluWarning', code: 'LEAKY_RELU_BAD_ISA' },
  );
  return binding.configure() as Isa;
}

export function resolveBackend(): Backend {
  const wanted = process.env.LEAKY_RELU_BACKEND;
  if (wanted === 'js') return { binding: null, isa: 'js' };
  if (wanted !== undefined && wanted !== '' && wanted !== 'native') {
    process.emitWarning(`LEAKY_RELU_BACKEND=${wanted} is neither js nor native; ignored`, {
      type: 'LeakyReluWarning',
      code: 'LEAKY_RELU_BAD_BACKEND',
    });
  }
  let binding: Binding;
  try {
    binding = loadBinding();
  } catch (cause) {
    const message = loadFailureMessage(cause);
    if (wanted === 'native') throw new Error(message, { cause });
    process.emitWarning(`${message} Using the pure-JS fallback meanwhile.`, {
      type: 'LeakyReluWarning',
      code: 'LEAKY_RELU_NATIVE_UNAVAILABLE',
    });
    return { binding: null, isa: 'js' };
  }
  return { binding, isa: chooseIsa(binding) };
}
