import { defineConfig } from 'vitest/config';

const caps = ['scalar', 'avx2', 'avx512'];
export default defineConfig({
  test: {
    projects: [
      ...caps.map((cap) => ({
        extends: true,
        test: { name: `isa-${cap}`, env: { LEAKY_RELU_ISA: cap }, include: ['test/**/*.test.ts'] },
      })),
      { extends: true, test: { name: 'js', env: { LEAKY_RELU_BACKEND: 'js' }, include: ['test/**/*.test.ts'] } },
    ],
  },
});
