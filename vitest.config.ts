import { defineConfig } from 'vitest/config';

/**
 * Two groups: unit and simulator tests run in parallel (one fork per core); integration tests
 * (real processes, real elections) run afterwards, one file at a time, so two clusters never
 * compete for this 2-core machine's CPU during an election.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
