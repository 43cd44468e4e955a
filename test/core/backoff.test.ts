import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/core/backoff.js';

function delays(random: () => number, count: number, initialMs = 50, maxMs = 2000): number[] {
  const backoff = new Backoff({ initialMs, maxMs, random });
  return Array.from({ length: count }, () => backoff.nextDelayMs());
}

describe('Backoff', () => {
  it('doubles its ceiling from the initial delay up to the maximum', () => {
    expect(delays(() => 0.999_999, 8)).toEqual([49, 99, 199, 399, 799, 1599, 1999, 1999]);
    expect(delays(() => 0.999_999, 4, 100, 250)).toEqual([99, 199, 249, 249]);
  });

  it('draws each delay uniformly below its ceiling (full jitter)', () => {
    expect(delays(() => 0, 3)).toEqual([0, 0, 0]);
    expect(delays(() => 0.5, 3)).toEqual([25, 50, 100]);
    const draws = [0.1, 0.9, 0.3];
    expect(delays(() => draws.shift() ?? 0, 3)).toEqual([5, 90, 60]);
  });

  it('counts consecutive failures and starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 50, maxMs: 2000, random: () => 0.5 });
    for (let i = 0; i < 100; i++) backoff.nextDelayMs();
    expect(backoff.consecutiveFailures).toBe(100);
    // A long run of failures stays at the cap, never overflowing to Infinity or NaN.
    expect(backoff.nextDelayMs()).toBe(1000);
    backoff.reset();
    expect(backoff.consecutiveFailures).toBe(0);
    expect(backoff.nextDelayMs()).toBe(25);
    expect(backoff.consecutiveFailures).toBe(1);
  });

  it('stays within [0, max) for any draw in [0, 1)', () => {
    const backoff = new Backoff({ initialMs: 7, maxMs: 300, random: () => 0.999_999_9 });
    for (let i = 0; i < 50; i++) {
      const delay = backoff.nextDelayMs();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(300);
    }
  });
});
