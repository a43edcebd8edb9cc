// The slope gradient's bits are the same in every configuration: each kernel set this
// CPU has (LEAKY_RELU_ISA, asked of the binding, not assumed), the JS backend, and
// threadpool sizes 1, 2, 4 and 16 (UV_THREADPOOL_SIZE, async calls over many chunks
// and blocks), sync and async, and equal to the spec's reference. One child process
// per configuration (test/tools/slopes-config-child.cjs), started clean: it gets only
// the switches set here. Fresh processes do not depend on the project, so this runs
// once (project.once), as the other cross-configuration tests do.
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectedIsa, loadRawBinding } from './helpers/binding';
import type { Isa } from './helpers/binding';
import { describeChild, runNode } from './helpers/child';
import { project } from './helpers/project';
import { gradHex, referenceSlopeGrad, referenceSlopesBackward } from './helpers/slopes-reference';
import { CASES, hashOf, inputs } from './tools/slopes-config-child.cjs';

const CHILD = path.join(__dirname, 'tools', 'slopes-config-child.cjs');

interface Result {
  case: string;
  sync: { alphaGrad: string[]; dx: string };
  async: { alphaGrad: string[]; dx: string };
}

/** The kernel sets at or below this CPU's best, by the binding's own ranking. */
function isasHere(best: Isa): Isa[] {
  const all: Isa[] = best === 'neon' ? ['scalar', 'neon'] : ['scalar', 'avx2', 'avx512'];
  return all.filter((isa) => expectedIsa(isa, best) === isa);
}

describe.runIf(project.once)('the slope gradient is the same in every configuration (child processes)', () => {
  test('every ISA, the JS backend, threadpool sizes 1, 2, 4, 16: the same alphaGrad and dx bits, sync and async, as the reference', async () => {
    const best = loadRawBinding().bestIsa();
    const configs: { name: string; env: Record<string, string>; isa: string; backend: string; threads?: number }[] = [
      ...isasHere(best).map((isa) => ({ name: `LEAKY_RELU_ISA=${isa}`, env: { LEAKY_RELU_ISA: isa }, isa, backend: 'native' })),
      { name: 'LEAKY_RELU_BACKEND=js', env: { LEAKY_RELU_BACKEND: 'js' }, isa: 'js', backend: 'js' },
      ...[1, 2, 4, 16].map((threads) => ({
        name: `UV_THREADPOOL_SIZE=${threads}`,
        env: { UV_THREADPOOL_SIZE: String(threads) },
        isa: best,
        backend: 'native',
        threads,
      })),
    ];
    expect(configs.length).toBeGreaterThanOrEqual(6);

    // Two at a time (two cores): each child works for a second or two.
    const runs: { name: string; results: Result[] }[] = [];
    for (let i = 0; i < configs.length; i += 2) {
      const batch = configs.slice(i, i + 2);
      const done = await Promise.all(batch.map((c) => runNode([CHILD], { switches: 'clean', env: c.env, timeoutMs: 90_000 })));
      done.forEach((r, j) => {
        const c = batch[j];
        expect(r.code, `${c.name}: ${describeChild(r)}`).toBe(0);
        const info = r.records[0]?.info as { isa: string; backend: string; threads: number } | undefined;
        expect(info, `${c.name}: ${describeChild(r)}`).toMatchObject({ isa: c.isa, backend: c.backend, ...(c.threads ? { threads: c.threads } : {}) });
        runs.push({ name: c.name, results: r.records.slice(1) as unknown as Result[] });
      });
    }

    // The reference, here, from the same inputs.
    const expected = CASES.map((_, k) => {
      const c = inputs(k);
      return {
        alphaGrad: gradHex(referenceSlopeGrad(c.dy, c.x, c.C, c.S, c.half)),
        dx: hashOf(referenceSlopesBackward(c.dy, c.x, c.slopes, c.S, c.half)),
      };
    });
    const problems: string[] = [];
    for (const run of runs) {
      expect(run.results.map((r) => r.case), run.name).toEqual(CASES.map((c) => c.name));
      run.results.forEach((r, k) => {
        for (const mode of ['sync', 'async'] as const) {
          const got = r[mode];
          const where = `${run.name}, ${r.case}, ${mode}`;
          got.alphaGrad.forEach((bits, c) => {
            if (bits !== expected[k].alphaGrad[c]) problems.push(`${where}: alphaGrad[${c}] ${bits}, expected ${expected[k].alphaGrad[c]}`);
          });
          if (got.dx !== expected[k].dx) problems.push(`${where}: dx differs from the reference (sha256 ${got.dx.slice(0, 12)}…)`);
        }
      });
    }
    expect(problems.slice(0, 20)).toEqual([]);
  }, 240_000);
});
