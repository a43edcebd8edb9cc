import { defineConfig } from 'vitest/config';

// Every suite in test/ runs once per kernel set this CPU may have (capped through
// LEAKY_RELU_ISA: a cap above what the CPU has gives the best it has) and once on the
// pure-JS backend. The packaging suite runs alone, after them, then the runtimes suite
// (see scripts/test.js).
const main = ['test/*.test.ts'];
export default defineConfig({
  test: {
    projects: [
      ...['scalar', 'avx2', 'avx512'].map((cap) => ({
        extends: true,
        test: { name: `isa-${cap}`, env: { LEAKY_RELU_ISA: cap }, include: main },
      })),
      { extends: true, test: { name: 'js', env: { LEAKY_RELU_BACKEND: 'js' }, include: main } },
      {
        extends: true,
        test: { name: 'packaging', include: ['test/packaging/*.test.ts'], globalSetup: ['test/packaging/setup.ts'] },
      },
      // The prebuilds on Node 18/22/24, Bun, Deno and a Windows Node under wine; after packaging.
      {
        extends: true,
        test: { name: 'runtimes', include: ['test/runtimes/*.test.ts'], globalSetup: ['test/runtimes/setup.ts'] },
      },
    ],
  },
});
