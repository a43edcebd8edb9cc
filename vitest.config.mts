import { defineConfig } from 'vitest/config';

// Every suite in test/ runs once per kernel set this CPU may have (capped through
// LEAKY_RELU_ISA: a cap above what the CPU has gives the best it has) and once on the
// pure-JS backend. The packaging suite runs alone, after them (see scripts/test.js).
const main = ['test/*.test.ts'];
export default defineConfig({
  test: {
    projects: [
      ...['scalar', 'avx2', 'avx512'].map((cap) => ({
        extends: true,
        test: { name: `isa-${cap}`, env: { LEAKY_RELU_ISA: cap }, include: main },
      })),
      { extends: true, test: { name: 'js', env: { LEAKY_RELU_BACKEND: 'js' }, include: main } },
      { extends: true, test: { name: 'packaging', include: ['test/packaging/*.test.ts'] } },
    ],
  },
});
