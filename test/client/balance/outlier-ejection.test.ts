import { describe, expect, it } from 'vitest';
import type { DiscoveredInstance } from '../../../src/client/discovered.js';
import { Balancer } from '../../../src/client/balance/balancer.js';
import { harness, instance, tally } from './fixtures.js';

function outcomes(balancer: Balancer, target: DiscoveredInstance,
  ...results: ('success' | 'failure')[]): void {
  for (const result of results) balancer.begin(target)(result);
}

function failures(count: number): 'failure'[] {
  return Array.from({ length: count }, () => 'failure' as const);
}

describe('outlier ejection', () => {
  const flaky = instance('flaky');
  const steady = instance('steady');

  it('ejects an instance after 5 failures in a row, leaving it out of every policy', () => {
    const { balancer } = harness();
    outcomes(balancer, flaky, ...failures(4));
    expect(balancer.isEjected(flaky)).toBe(false);
    outcomes(balancer, flaky, 'failure');
    expect(balancer.isEjected(flaky)).toBe(true);
    for (const policy of ['round-robin', 'weighted-round-robin', 'least-outstanding',
      'power-of-two-choices', 'consistent-hash', 'zone-first'] as const) {
      const counts = tally(50, () => balancer.pick(policy, [flaky, steady], 'key'));
      expect([...counts.keys()]).toEqual(['steady']);
    }
  });

  it('does not eject when a success breaks the run of failures', () => {
    const { balancer } = harness();
    outcomes(balancer, flaky, ...failures(4), 'success', ...failures(4));
    expect(balancer.isEjected(flaky)).toBe(false);
  });

  it('ends an ejection by time: 30 s the first time', () => {
    const { balancer, clock } = harness();
    outcomes(balancer, flaky, ...failures(5));
    clock.advance(29_999);
    expect(balancer.isEjected(flaky)).toBe(true);
    clock.advance(1);
    expect(balancer.isEjected(flaky)).toBe(false);
    expect(balancer.pick('round-robin', [flaky])?.id).toBe('flaky');
  });

  it('ejects for longer each time it fails again soon after coming back, up to 300 s', () => {
    const { balancer, clock } = harness();
    const lengthsMs: number[] = [];
    for (let round = 0; round < 12; round++) {
      outcomes(balancer, flaky, ...failures(5));
      let lengthMs = 0;
      while (balancer.isEjected(flaky)) {
        clock.advance(1_000);
        lengthMs += 1_000;
      }
      lengthsMs.push(lengthMs);
    }
    expect(lengthsMs.slice(0, 4)).toEqual([30_000, 60_000, 90_000, 120_000]);
    expect(Math.max(...lengthsMs)).toBe(300_000);
    expect(lengthsMs.at(-1)).toBe(300_000);
  });

  it('forgets old ejections little by little while the instance serves', () => {
    const { balancer, clock } = harness();
    outcomes(balancer, flaky, ...failures(5));
    clock.advance(30_000);
    outcomes(balancer, flaky, ...failures(5));
    clock.advance(60_000);
    // Served 60 s (two base lengths) since: the multiplier falls from 2 to 0 before this one.
    clock.advance(60_000);
    outcomes(balancer, flaky, ...failures(5));
    clock.advance(29_999);
    expect(balancer.isEjected(flaky)).toBe(true);
    clock.advance(1);
    expect(balancer.isEjected(flaky)).toBe(false);
  });

  it('ignores outcomes that arrive while the instance is ejected', () => {
    const { balancer, clock } = harness();
    const late = Array.from({ length: 5 }, () => balancer.begin(flaky));
    outcomes(balancer, flaky, ...failures(5));
    for (const done of late) done('failure');
    clock.advance(30_000);
    expect(balancer.isEjected(flaky)).toBe(false);
    outcomes(balancer, flaky, ...failures(4));
    expect(balancer.isEjected(flaky)).toBe(false);
  });

  it('ignores ejection when every otherwise eligible instance is ejected (panic)', () => {
    const { balancer } = harness();
    const draining = instance('draining', { status: 'DRAINING' });
    outcomes(balancer, flaky, ...failures(5));
    outcomes(balancer, steady, ...failures(5));
    const counts = tally(100, () => balancer.pick('round-robin', [flaky, steady, draining]));
    expect([...counts.keys()].sort()).toEqual(['flaky', 'steady']);
    expect(balancer.isEjected(flaky)).toBe(true);
  });

  it('takes its thresholds from the options, and 0 failures turns it off', () => {
    const clockless = { random: () => 0.5, nowMs: () => 0 };
    const quick = new Balancer({ ...clockless,
      ejection: { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionMs: 1_500 } });
    outcomes(quick, flaky, ...failures(2));
    expect(quick.isEjected(flaky)).toBe(true);
    const off = new Balancer({ ...clockless, ejection: { consecutiveFailures: 0 } });
    outcomes(off, flaky, ...failures(50));
    expect(off.isEjected(flaky)).toBe(false);
    expect(() => new Balancer({ ...clockless, ejection: { baseEjectionMs: 0 } })).toThrow();
  });
});
