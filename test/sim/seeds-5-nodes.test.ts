import { describe, it } from 'vitest';
import { chunks, expectSeedsPass, range } from './seed-runner.js';

describe('simulator, 5 nodes: fixed seeds', () => {
  it.each(chunks(range(20_001, 500), 50))('seeds %s..', (...seeds) => {
    expectSeedsPass(seeds, 5);
  });
});
