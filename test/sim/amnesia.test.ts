import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/sim/run-seed.js';
import { STEPS, expectSeedsPass, range } from './seed-runner.js';

const SEEDS = range(1, 60);
const SAFETY_INVARIANTS = [
  'one vote per term', 'durable term', 'commit never goes back', 'leader completeness',
  'state machine safety', 'log matching', 'election safety', 'linearizability',
];

/**
 * A node whose data dir is lost must not come back as the member it was: it would vote and
 * count toward quorums with nothing of what it promised. With --amnesia the simulator does
 * what roster serve once did (the node bootstraps again under the same member id); the
 * invariants must catch it, and the same seeds must pass as the code is.
 */
describe('simulator: a lost data dir', () => {
  it('brought back as the same member breaks safety, and the checkers say so', () => {
    const results = SEEDS.map((seed) => runSeed({ seed, nodes: 3, steps: STEPS, amnesia: true }));
    // A safety invariant broke, or the node itself saw that it lost writes it had
    // acknowledged (a leader's heartbeat told it) and stopped.
    const caught = results.filter((result) => !result.ok &&
      (SAFETY_INVARIANTS.includes(result.invariant ?? '') ||
        (result.detail ?? '').includes('synced writes were lost')));
    expect(caught.length, JSON.stringify(results.map((r) => [r.seed, r.invariant])))
      .toBeGreaterThanOrEqual(8);
  });

  it('rejoining under a new member id keeps every invariant on the same seeds', () => {
    const results = expectSeedsPass(SEEDS, 3);
    expect(results.reduce((sum, result) => sum + (result.stats.replaced ?? 0), 0))
      .toBeGreaterThan(0);
  });
});
