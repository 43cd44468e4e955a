import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/core/prng.js';
import { chiSquare, harness, ids, instance, shuffled, tally, weighted } from './fixtures.js';

// Pearson's chi-square critical value for p = 0.001 with 2 degrees of freedom (three cells
// with a non-zero expectation, less one): a fair balancer exceeds it once in a thousand runs.
const CHI_SQUARE_P001_DF2 = 13.816;

/** nginx's smooth weighted round robin as written in ngx_http_upstream_round_robin.c. */
function nginxSequence(weights: readonly number[], count: number): string[] {
  const current = weights.map(() => 0);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const sequence: string[] = [];
  for (let pick = 0; pick < count; pick++) {
    let best = -1;
    weights.forEach((weight, i) => {
      if (weight === 0) return;
      current[i] = (current[i] ?? 0) + weight;
      if (best === -1 || (current[i] ?? 0) > (current[best] ?? 0)) best = i;
    });
    if (best === -1) {
      sequence.push('(none)');
      continue;
    }
    current[best] = (current[best] ?? 0) - total;
    sequence.push(`i${best}`);
  }
  return sequence;
}

describe('weighted-round-robin', () => {
  it('gives nginx\'s smooth sequence for weights 5/1/1', () => {
    const { balancer } = harness();
    const set = [weighted('a', 5), weighted('b', 1), weighted('c', 1)];
    const picks = Array.from({ length: 14 }, () => balancer.pick('weighted-round-robin', set));
    expect(ids(picks).join(' ')).toBe('a a b a c a a a a b a c a a');
  });

  it('gives the same sequence whatever order the instances are listed in', () => {
    const { balancer } = harness();
    const set = [weighted('a', 5), weighted('b', 1), weighted('c', 1)];
    const picks = Array.from({ length: 7 },
      (_, i) => balancer.pick('weighted-round-robin', shuffled(set, i)));
    expect(ids(picks).join(' ')).toBe('a a b a c a a');
  });

  it('never picks weight 0, and gives an instance without a weight 100', () => {
    const { balancer } = harness();
    const set = [weighted('zero', 0), instance('unset'), weighted('fifty', 50)];
    const counts = tally(300, () => balancer.pick('weighted-round-robin', set));
    expect(counts.get('zero')).toBeUndefined();
    expect(counts.get('unset')).toBe(200);
    expect(counts.get('fifty')).toBe(100);
  });

  it('returns undefined when every instance has weight 0', () => {
    const { balancer } = harness();
    expect(balancer.pick('weighted-round-robin', [weighted('a', 0), weighted('b', 0)]))
      .toBeUndefined();
  });

  it('skips draining and critical instances', () => {
    const { balancer } = harness();
    const set = [instance('a', { status: 'DRAINING' }), instance('b', { health: 'CRITICAL' }),
      instance('c', { health: 'WARNING' }), instance('d', { status: 'SERVING_STATUS_UNSPECIFIED',
        health: 'HEALTH_STATE_UNSPECIFIED' })];
    const counts = tally(100, () => balancer.pick('weighted-round-robin', set));
    expect([...counts.keys()].sort()).toEqual(['c', 'd']);
  });

  it('shares 30,000 picks in proportion to weights 100/50/25/0 (chi-square, p = 0.001)', () => {
    const { balancer } = harness();
    const set = [weighted('w100', 100), weighted('w50', 50), weighted('w25', 25),
      weighted('w0', 0)];
    const picks = 30_000;
    const counts = tally(picks, () => balancer.pick('weighted-round-robin', set));
    expect(counts.get('w0')).toBeUndefined();
    const observed = ['w100', 'w50', 'w25'].map((id) => counts.get(id) ?? 0);
    const expected = [100, 50, 25].map((weight) => picks * weight / 175);
    expect(chiSquare(observed, expected)).toBeLessThan(CHI_SQUARE_P001_DF2);
  });

  it('starts an instance back from sitting out afresh, not with its old debt', () => {
    const { balancer } = harness();
    const [heavy, light, newcomer] = [weighted('a', 1_000), weighted('b', 1), weighted('c', 1)];
    // The light instance's turn leaves it 1,000 in debt, which it would otherwise repay by
    // sitting out 1,000 picks in a set where it deserves every other one.
    let chosen;
    do chosen = balancer.pick('weighted-round-robin', [heavy, light]);
    while (chosen?.id !== 'b');
    balancer.pick('weighted-round-robin', [heavy]);
    const counts = tally(10, () => balancer.pick('weighted-round-robin', [light, newcomer]));
    expect(counts.get('b')).toBe(5);
    expect(counts.get('c')).toBe(5);
  });

  it('caps a debt run up against a larger set when that set shrinks', () => {
    const { balancer } = harness();
    const [heavy, light, newcomer] = [weighted('a', 1_000), weighted('b', 1), weighted('c', 1)];
    let chosen;
    do chosen = balancer.pick('weighted-round-robin', [heavy, light]);
    while (chosen?.id !== 'b');
    const counts = tally(10, () => balancer.pick('weighted-round-robin', [light, newcomer]));
    expect(counts.get('b')).toBeGreaterThanOrEqual(4);
  });

  it('follows nginx\'s algorithm exactly on a steady set, cap and all', () => {
    const prng = new Prng(99);
    for (let trial = 0; trial < 20; trial++) {
      const weights = Array.from({ length: prng.intBetween(1, 6) },
        () => prng.intBetween(0, prng.chance(0.5) ? 10 : 1_000));
      const set = weights.map((weight, i) => weighted(`i${i}`, weight));
      const { balancer } = harness();
      const picks = ids(Array.from({ length: 3_000 },
        () => balancer.pick('weighted-round-robin', set)));
      expect(picks).toEqual(nginxSequence(weights, 3_000));
    }
  });
});
