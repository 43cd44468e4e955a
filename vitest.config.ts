import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulator seeds are CPU-bound: one fork per core keeps the machine responsive.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
