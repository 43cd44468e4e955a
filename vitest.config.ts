import { defineConfig } from 'vitest/config';

/**
 * Two groups: unit and simulator tests run in parallel (one fork per core); integration tests
 * (real processes, real elections) run afterwards, one file at a time, so two clusters never
 * compete for a 2-core machine's CPU during an election. `npm run test:unit`, `test:sim` and
 * `test:integration` run one project each.
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
          exclude: ['test/integration/**', 'test/sim/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'sim',
          include: ['test/sim/**/*.test.ts'],
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
