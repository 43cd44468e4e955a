import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeMessage } from '../../src/raft/index.js';
import { runSeed } from '../../src/sim/run-seed.js';
import { messageProblem } from '../../src/transport/index.js';
import { arbitraryMessage } from '../support/arbitrary-messages.js';
import { STEPS } from './seed-runner.js';

/** Ids no simulated node ever has (the simulator numbers its nodes from 1, one at a time). */
const STRANGERS = [1_000, 1_001, 4_242_424_242];

/**
 * Anything stepped into live nodes from outside the cluster: malformed messages from anyone,
 * and well-formed ones from nodes that are no member (forged heartbeats, appends, snapshots
 * naming one voter, absurd terms). The checks at the boundary drop them: no seed may fail,
 * on safety or liveness, with them on.
 */
describe('simulator: forged messages stepped into live nodes', () => {
  const forged = fc.tuple(arbitraryMessage([1, 2, 3, 4, 5]), fc.constantFrom(...STRANGERS),
    fc.boolean())
    .map(([message, stranger, spoof]) => (spoof || messageProblem(message) !== undefined
      ? message : makeMessage({ ...message, from: stranger })))
    // A well-formed message claiming to be a member is a lying member: Raft does not survive
    // those (mutual TLS keeps them out); everything else must be harmless.
    .filter((message) => messageProblem(message) !== undefined ||
      STRANGERS.includes(message.from));
  const injection = fc.record({ atMs: fc.nat(4_000), message: forged });

  it('no assertion fails and every invariant holds', () => {
    let dropped = 0;
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }),
      fc.array(injection, { minLength: 50, maxLength: 400 }), (seed, injections) => {
        const result = runSeed({ seed, nodes: 3, steps: STEPS / 2, forged: injections });
        expect(result.ok, `seed ${seed}: ${result.invariant}: ${result.detail}`).toBe(true);
        dropped += result.stats.gateDropped ?? 0;
      }), { numRuns: 25 });
    expect(dropped).toBeGreaterThan(100); // most reach a live node and are dropped there
  });
});
