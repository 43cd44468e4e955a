import { describe, expect, it } from 'vitest';
import type { DiscoveredInstance } from '../../../src/client/discovered.js';
import { chiSquare, harness, instance, tally, weighted } from './fixtures.js';

// Pearson's chi-square critical value for p = 0.001 with 2 degrees of freedom (three cells
// with a non-zero expectation, less one).
const CHI_SQUARE_P001_DF2 = 13.816;

function picked(counts: Map<string, number>): string[] {
  return [...counts.keys()].sort();
}

function fail(h: ReturnType<typeof harness>, target: DiscoveredInstance, times = 5): void {
  for (let i = 0; i < times; i++) h.balancer.begin(target)('failure');
}

describe('zone-first', () => {
  const localA1 = instance('a1', { zone: 'a' });
  const localA2 = instance('a2', { zone: 'a' });
  const remoteB1 = instance('b1', { zone: 'b' });
  const remoteB2 = instance('b2', { zone: 'b' });
  const standbyA = instance('s-a', { zone: 'a', priority: 1 });
  const standbyB = instance('s-b', { zone: 'b', priority: 1 });
  const all = [standbyB, remoteB1, localA1, standbyA, remoteB2, localA2];

  it('prefers the caller\'s zone', () => {
    const h = harness(1, { localZone: 'a' });
    expect(picked(tally(100, () => h.balancer.pick('zone-first', all)))).toEqual(['a1', 'a2']);
  });

  it('shares the whole priority when the caller has no zone', () => {
    const h = harness();
    expect(picked(tally(100, () => h.balancer.pick('zone-first', all))))
      .toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('falls back to other zones of the same priority, not to the next priority', () => {
    const h = harness(1, { localZone: 'a' });
    const set = [standbyB, remoteB1, standbyA, remoteB2,
      instance('a1', { zone: 'a', status: 'DRAINING' }),
      instance('a2', { zone: 'a', health: 'CRITICAL' })];
    expect(picked(tally(100, () => h.balancer.pick('zone-first', set)))).toEqual(['b1', 'b2']);
  });

  it('treats an ejected local instance as not there', () => {
    const h = harness(1, { localZone: 'a' });
    fail(h, localA1);
    fail(h, localA2);
    expect(picked(tally(100, () => h.balancer.pick('zone-first', all)))).toEqual(['b1', 'b2']);
  });

  it('fails over to the next priority only when the current has nothing eligible', () => {
    const h = harness(1, { localZone: 'a' });
    const down = [
      instance('a1', { zone: 'a', status: 'DRAINING' }),
      instance('a2', { zone: 'a', health: 'CRITICAL' }),
      remoteB1, remoteB2, standbyA, standbyB,
    ];
    fail(h, remoteB1);
    expect(picked(tally(100, () => h.balancer.pick('zone-first', down)))).toEqual(['b2']);
    fail(h, remoteB2);
    // Within the standby priority, the caller's zone again comes first.
    expect(picked(tally(100, () => h.balancer.pick('zone-first', down)))).toEqual(['s-a']);
  });

  it('comes back to the preferred instances when they recover', () => {
    const h = harness(1, { localZone: 'a' });
    fail(h, localA1);
    fail(h, localA2);
    fail(h, remoteB1);
    const draining = instance('b2', { zone: 'b', status: 'DRAINING' });
    const set = [localA1, localA2, remoteB1, draining, standbyA, standbyB];
    expect(picked(tally(100, () => h.balancer.pick('zone-first', set)))).toEqual(['s-a']);
    const recovered = [localA1, localA2, remoteB1, remoteB2, standbyA, standbyB];
    expect(picked(tally(100, () => h.balancer.pick('zone-first', recovered))))
      .toEqual(['b2']);
    h.clock.advance(30_000);
    expect(picked(tally(100, () => h.balancer.pick('zone-first', recovered))))
      .toEqual(['a1', 'a2']);
  });

  it('skips weight 0 like any ineligible instance', () => {
    const h = harness(1, { localZone: 'a' });
    const set = [weighted('a1', 0, { zone: 'a' }), remoteB1, standbyA];
    expect(picked(tally(50, () => h.balancer.pick('zone-first', set)))).toEqual(['b1']);
    expect(h.balancer.pick('zone-first', [weighted('a1', 0, { zone: 'a' })])).toBeUndefined();
  });

  it('shares 30,000 picks within the zone by weights 100/50/25/0 (chi-square, p = 0.001)',
    () => {
      const h = harness(1, { localZone: 'a' });
      const set = [weighted('w100', 100, { zone: 'a' }), weighted('w50', 50, { zone: 'a' }),
        weighted('w25', 25, { zone: 'a' }), weighted('w0', 0, { zone: 'a' }),
        weighted('remote', 500, { zone: 'b' }), weighted('standby', 500, { zone: 'a',
          priority: 1 })];
      const picks = 30_000;
      const counts = tally(picks, () => h.balancer.pick('zone-first', set));
      expect(picked(counts)).toEqual(['w100', 'w25', 'w50']);
      const observed = ['w100', 'w50', 'w25'].map((id) => counts.get(id) ?? 0);
      const expected = [100, 50, 25].map((weight) => picks * weight / 175);
      expect(chiSquare(observed, expected)).toBeLessThan(CHI_SQUARE_P001_DF2);
    });
});
