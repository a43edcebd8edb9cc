// The raw native binding, loaded the way lib/native.ts loads it, so that the raw tests
// exercise the very module the facade uses (the sanitizer build under
// LEAKY_RELU_NATIVE_PATH, else the node-gyp-build lookup). null under the js backend.
import * as path from 'node:path';
import type { Binding } from '../../binding';
import { project } from './project';

export type { Binding };

export const packageRoot = path.resolve(__dirname, '..', '..');

export function loadRawBinding(): Binding {
  const explicit = project.nativePath;
  if (explicit) return require(path.resolve(explicit)) as Binding;
  return (require('node-gyp-build') as (dir: string) => Binding)(packageRoot);
}

export type Isa = 'scalar' | 'avx2' | 'avx512' | 'neon';

/** The kernel set the contract promises for a cap: the best the CPU has at or below it. */
export function expectedIsa(cap: string | undefined, best: Isa): Isa {
  if (best === 'neon') return cap === undefined || cap === '' || cap === 'neon' ? 'neon' : 'scalar';
  // On x86 a neon cap is no vector set at all, as cpu_dispatch.cc ranks it.
  if (cap === 'neon') return 'scalar';
  const order: Isa[] = ['scalar', 'avx2', 'avx512'];
  const capRank = cap === undefined || cap === '' ? order.length - 1 : order.indexOf(cap as Isa);
  if (capRank < 0) throw new Error(`no x86 kernel set is named ${cap}`);
  return order[Math.min(capRank, order.indexOf(best))];
}
