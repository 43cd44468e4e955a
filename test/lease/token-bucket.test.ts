import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { SlidingCount } from '../../src/lease/sliding-count.js';
import { TokenBucket } from '../../src/lease/token-bucket.js';

describe('TokenBucket', () => {
  it('refills at the rate and caps at the burst', () => {
    const bucket = new TokenBucket({ ratePerSecond: 20, burst: 20 }, 0);
    expect(bucket.tokens(0)).toBe(0);
    expect(bucket.tokens(49)).toBe(0);
    expect(bucket.tokens(50)).toBe(1);
    expect(bucket.tokens(1_000)).toBe(20);
    expect(bucket.tokens(60_000)).toBe(20);
  });

  it('takes at most what it holds and at most what is wanted', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10 }, 0);
    expect(bucket.take(1_000, 3)).toBe(3);
    expect(bucket.take(1_000, 100)).toBe(7);
    expect(bucket.take(1_000, 100)).toBe(0);
    expect(bucket.take(1_100, 100)).toBe(1);
  });

  it('loses no token over a long walk in small steps (integer milli-tokens)', () => {
    const bucket = new TokenBucket({ ratePerSecond: 20, burst: 20 }, 0);
    let taken = 0;
    for (let nowMs = 10; nowMs <= 100_000; nowMs += 10) taken += bucket.take(nowMs, 1_000);
    expect(taken).toBe(2_000);
  });

  it('reset empties it (or fills it to a given level, capped)', () => {
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 5 }, 0);
    expect(bucket.tokens(10_000)).toBe(5);
    bucket.reset(10_000);
    expect(bucket.tokens(10_000)).toBe(0);
    bucket.reset(10_000, 50);
    expect(bucket.tokens(10_000)).toBe(5);
  });

  it.each([
    [{ ratePerSecond: 0, burst: 1 }],
    [{ ratePerSecond: -1, burst: 1 }],
    [{ ratePerSecond: Number.NaN, burst: 1 }],
    [{ ratePerSecond: 1, burst: 0.5 }],
  ])('rejects %o', (options) => {
    expect(() => new TokenBucket(options, 0)).toThrow(AssertionError);
  });
});

describe('SlidingCount', () => {
  it('counts events in the window and forgets them after it', () => {
    const count = new SlidingCount(1_000); // 100 slots of 10 ms
    count.add(0, 3);
    count.add(500, 2);
    expect(count.total(999)).toBe(5);
    expect(count.total(1_000)).toBe(2); // the event at 0 is forgotten after its window
    expect(count.total(1_499)).toBe(2);
    expect(count.total(1_500)).toBe(0);
  });

  it('forgets everything after a long gap', () => {
    const count = new SlidingCount(1_000);
    count.add(100, 7);
    expect(count.total(1_000_000)).toBe(0);
    count.add(1_000_000, 1);
    expect(count.total(1_000_001)).toBe(1);
  });

  it('clear() forgets everything', () => {
    const count = new SlidingCount(1_000);
    count.add(100, 7);
    count.clear();
    expect(count.total(100)).toBe(0);
  });

  it.each([0, -5, Number.NaN])('rejects window %s', (windowMs) => {
    expect(() => new SlidingCount(windowMs)).toThrow(AssertionError);
  });
});
