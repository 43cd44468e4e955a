import { describe, expect, it } from 'vitest';
import type { DiscoveredInstance } from '../../../src/client/discovered.js';
import { chiSquare, harness, instance, shuffled, tally, weighted } from './fixtures.js';

// Pearson's chi-square critical value for p = 0.001 with 3 degrees of freedom (four weighted
// instances, less one).
const CHI_SQUARE_P001_DF3 = 16.266;

const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
const TEN = Array.from({ length: 10 }, (_, i) => instance(`api-${i}`));

function placement(set: readonly DiscoveredInstance[]): string[] {
  const { balancer } = harness();
  return KEYS.map((key) => balancer.pick('consistent-hash', set, key)?.id ?? '(none)');
}

describe('consistent-hash', () => {
  it('spreads keys evenly over equal weights', () => {
    const counts = new Map<string, number>();
    for (const id of placement(TEN)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(10);
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
  });

  it('moves at most 1/11 + 0.03 of the keys when an 11th instance joins, all to it', () => {
    const before = placement(TEN);
    const after = placement([...TEN, instance('api-10')]);
    const movedTo = after.filter((id, i) => id !== before[i]);
    expect(movedTo.length / KEYS.length).toBeLessThanOrEqual(1 / 11 + 0.03);
    expect(movedTo.length).toBeGreaterThan(0);
    expect(new Set(movedTo)).toEqual(new Set(['api-10']));
  });

  it('moves only the keys of an instance that leaves', () => {
    const before = placement(TEN);
    const after = placement(TEN.filter((member) => member.id !== 'api-3'));
    KEYS.forEach((_, i) => {
      if (before[i] === 'api-3') expect(after[i]).not.toBe('api-3');
      else expect(after[i]).toBe(before[i]);
    });
  });

  it('sends a key to the same instance whatever order the instances are listed in', () => {
    const { balancer } = harness();
    for (const key of KEYS.slice(0, 200)) {
      const chosen = new Set([0, 1, 2, 3].map((seed) =>
        balancer.pick('consistent-hash', shuffled(TEN, seed), key)?.id));
      expect(chosen.size).toBe(1);
    }
  });

  it('gives each instance a share of keys in proportion to its weight (chi-square, p = 0.001)',
    () => {
      const set = [weighted('w1', 100), weighted('w2', 200), weighted('w3', 300),
        weighted('w4', 400), weighted('w0', 0)];
      const counts = new Map<string, number>();
      for (const id of placement(set)) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(counts.get('w0')).toBeUndefined();
      const observed = ['w1', 'w2', 'w3', 'w4'].map((id) => counts.get(id) ?? 0);
      const expected = [1, 2, 3, 4].map((share) => KEYS.length * share / 10);
      expect(chiSquare(observed, expected)).toBeLessThan(CHI_SQUARE_P001_DF3);
    });

  it('moves the keys of an ejected instance away and back', () => {
    const { balancer, clock } = harness();
    const key = KEYS.find((candidate) =>
      balancer.pick('consistent-hash', TEN, candidate)?.id === 'api-5') ?? '';
    const target = TEN.find((member) => member.id === 'api-5') as DiscoveredInstance;
    for (let i = 0; i < 5; i++) balancer.begin(target)('failure');
    expect(balancer.pick('consistent-hash', TEN, key)?.id).not.toBe('api-5');
    clock.advance(30_000);
    expect(balancer.pick('consistent-hash', TEN, key)?.id).toBe('api-5');
  });

  it('picks at random in proportion to weight when there is no key', () => {
    const { balancer } = harness(7);
    const set = [weighted('heavy', 300), weighted('light', 100)];
    const counts = tally(4_000, () => balancer.pick('consistent-hash', set));
    expect(counts.get('heavy')).toBeGreaterThan(2_800);
    expect(counts.get('light')).toBeGreaterThan(800);
  });
});
