import { describe, it } from 'vitest';
import { chunks, expectSeedsPass, range } from './seed-runner.js';

// A fixed set of seeds, different from the regression ones; `npm run sim` runs thousands more.
describe('simulator, 3 nodes: fixed seeds', () => {
  it.each(chunks(range(10_001, 500), 50))('seeds %s..', (...seeds) => {
    expectSeedsPass(seeds, 3);
  });
});
