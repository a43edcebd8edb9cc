// Loads the native binding (a prebuild or a local build, through node-gyp-build) and
// applies the environment switches. Decides the backend once, at first require.
import * as path from 'node:path';
import type { Binding } from '../binding';

export type Isa = 'avx512' | 'avx2' | 'neon' | 'scalar';

export interface Backend {
  binding: Binding | null;
  isa: Isa | 'js';
}

const packageRoot = path.join(__dirname, '..');

function libc(): string {
  if (process.platform !== 'linux') return '';
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? `glibc ${report.header.glibcVersionRuntime}` : 'musl';
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (explicit) return require(path.resolve(explicit)) as Binding;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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
