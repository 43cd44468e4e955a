import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { ManualClock } from '../../src/core/clock.js';
import { Lessor, type LessorOptions } from '../../src/lease/lessor.js';

/** Protection off (no lapse share can exceed 1.01), so expiry tests see plain behaviour. */
function primaryLessor(
  options: Partial<LessorOptions> = {},
): { clock: ManualClock; lessor: Lessor } {
  const clock = new ManualClock();
  // A fixed drift (no share of the TTL) keeps these checkpoint tests simple.
  const lessor = new Lessor({ clock, protectShare: 1.01, checkpointDriftShare: 0, ...options });
  lessor.promote([], 0);
  return { clock, lessor };
}

/** Walks the clock to `untilMs` in `stepMs` steps, collecting every id due() hands out. */
function expireUntil(clock: ManualClock, lessor: Lessor, untilMs: number, stepMs = 10): number[] {
  const expired: number[] = [];
  while (clock.nowMs() < untilMs) {
    clock.advance(Math.min(stepMs, untilMs - clock.nowMs()));
    expired.push(...lessor.due(1_000).expired);
  }
  return expired;
}

describe('Lessor: tracking and renewal', () => {
  it('renew extends the deadline to now + ttl', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 5_000);
    clock.advance(4_000);
    expect(lessor.renew(1)).toBe(5_000);
    expect(lessor.remaining(1)).toBe(5_000);
    clock.advance(5_000); // at the new deadline (9 000); the original one (5 000) is long gone
    expect(lessor.due(10).expired).toEqual([]);
    clock.advance(10);
    expect(lessor.due(10).expired).toEqual([1]);
  });

  it.each([
    [0, 3_000],
    [1_000, 2_000],
    [2_999, 1],
    [3_000, 0],
    [3_009, 0],
  ])('remaining after %i ms of a 3 000 ms lease is %i', (elapsedMs, remainingMs) => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 3_000);
    clock.advance(elapsedMs);
    expect(lessor.remaining(1)).toBe(remainingMs);
  });

  it('answers undefined for an unknown lease', () => {
    const { lessor } = primaryLessor();
    expect(lessor.renew(42)).toBeUndefined();
    expect(lessor.remaining(42)).toBeUndefined();
  });

  it('keeps nothing when not primary', () => {
    const clock = new ManualClock();
    const lessor = new Lessor({ clock });
    lessor.grant(1, 1_000);
    clock.advance(5_000);
    expect(lessor.primary).toBe(false);
    expect(lessor.renew(1)).toBeUndefined();
    expect(lessor.remaining(1)).toBeUndefined();
    expect(lessor.due(10)).toEqual({ expired: [], protecting: false, deferred: 0 });
    expect(lessor.checkpoints(10)).toEqual([]);
    expect(lessor.status()).toEqual({
      primary: false, leases: 0, protecting: false, deferred: 0, revoking: 0, expiredInWindow: 0,
    });
  });

  it('forget stops tracking; forgetting an unknown lease is harmless', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    lessor.grant(2, 1_000);
    lessor.forget(1);
    lessor.forget(99);
    expect(lessor.renew(1)).toBeUndefined();
    expect(lessor.status().leases).toBe(1);
    clock.advance(2_000);
    expect(lessor.due(10).expired).toEqual([2]);
  });

  it('a re-grant restarts the lease with its new TTL', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    clock.advance(900);
    lessor.grant(1, 2_000);
    expect(lessor.remaining(1)).toBe(2_000);
    expect(lessor.status().leases).toBe(1);
  });

  it.each([
    // remainingMs, extendMs: due strictly after remaining + extend, within one granularity.
    [500, 1_000, 1_500],
    [0, 1_000, 1_000],
    [4_000, 0, 4_000],
    [2_345, 1_000, 3_345],
  ])('promote: checkpointed at %i ms, extended by %i ms, is due at %i ms, not before',
    (remainingMs, extendMs, deadlineMs) => {
      const clock = new ManualClock(10_000);
      const lessor = new Lessor({ clock, protectShare: 1.01 });
      lessor.promote([{ id: 7, ttlMs: 5_000, remainingMs }], extendMs);
      expect(lessor.primary).toBe(true);
      expect(lessor.remaining(7)).toBe(deadlineMs);
      clock.advance(deadlineMs);
      expect(lessor.due(10).expired).toEqual([]);
      const dueAtMs = (Math.floor((10_000 + deadlineMs) / 10) + 1) * 10;
      clock.set(dueAtMs - 1);
      expect(lessor.due(10).expired).toEqual([]);
      clock.set(dueAtMs);
      expect(lessor.due(10).expired).toEqual([7]);
      expect(dueAtMs - (10_000 + deadlineMs)).toBeLessThanOrEqual(10);
    });

  it('a renewed promoted lease gets its full TTL back', () => {
    const clock = new ManualClock();
    const lessor = new Lessor({ clock });
    lessor.promote([{ id: 7, ttlMs: 5_000, remainingMs: 500 }], 1_000);
    clock.advance(1_000);
    expect(lessor.renew(7)).toBe(5_000);
    expect(lessor.remaining(7)).toBe(5_000);
  });

  it('promote while already primary is a programming error', () => {
    const { lessor } = primaryLessor();
    expect(() => lessor.promote([], 0)).toThrow(AssertionError);
  });

  it('demote forgets everything; a later promote starts from what it is given', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    lessor.grant(2, 1_000);
    clock.advance(2_000);
    expect(lessor.due(1).expired).toEqual([1]);
    lessor.demote();
    expect(lessor.primary).toBe(false);
    expect(lessor.renew(2)).toBeUndefined();
    expect(lessor.status()).toMatchObject({ leases: 0, revoking: 0, deferred: 0 });
    expect(lessor.internalSizes()).toEqual({ buckets: 0, heapEntries: 0, scheduled: 0 });
    lessor.promote([{ id: 2, ttlMs: 1_000, remainingMs: 300 }], 0);
    expect(lessor.remaining(2)).toBe(300);
    expect(lessor.remaining(1)).toBeUndefined();
  });

  it.each<[string, Partial<LessorOptions>]>([
    ['protectRatePerSecond 0 (would stop expiry forever)', { protectRatePerSecond: 0 }],
    ['negative protectRatePerSecond', { protectRatePerSecond: -1 }],
    ['protectShare 0', { protectShare: 0 }],
    ['protectWindowMs 0', { protectWindowMs: 0 }],
    ['fractional protectMinLeases', { protectMinLeases: 2.5 }],
    ['negative checkpointDriftMs', { checkpointDriftMs: -1 }],
    ['granularityMs 0', { granularityMs: 0 }],
  ])('rejects %s', (_name, options) => {
    expect(() => new Lessor({ clock: new ManualClock(), ...options })).toThrow(AssertionError);
  });

  it.each([
    ['a zero TTL', (lessor: Lessor) => lessor.grant(1, 0)],
    ['a fractional id', (lessor: Lessor) => lessor.grant(1.5, 1_000)],
    ['a negative maxCount', (lessor: Lessor) => lessor.due(-1)],
    ['a fractional maxCount', (lessor: Lessor) => lessor.checkpoints(1.5)],
  ])('rejects %s', (_name, call) => {
    const { lessor } = primaryLessor();
    expect(() => call(lessor)).toThrow(AssertionError);
  });
});

describe('Lessor: due()', () => {
  it('returns only passed deadlines, earliest first, at most maxCount', () => {
    const { clock, lessor } = primaryLessor();
    const ttls: [number, number][] = [[1, 3_000], [2, 1_000], [3, 2_000], [4, 9_000], [5, 1_500]];
    for (const [id, ttlMs] of ttls) lessor.grant(id, ttlMs);
    clock.advance(3_500);
    expect(lessor.due(2)).toEqual({ expired: [2, 5], protecting: false, deferred: 2 });
    expect(lessor.due(10)).toEqual({ expired: [3, 1], protecting: false, deferred: 0 });
    expect(lessor.due(10).expired).toEqual([]);
    expect(lessor.status()).toMatchObject({ leases: 5, revoking: 4, deferred: 0 });
  });

  it.each([
    // deadline -> first instant it is due (granularity 10: the end of its bucket)
    [1_000, 1_010],
    [1_001, 1_010],
    [1_009, 1_010],
    [1_010, 1_020],
  ])('a lease with deadline %i is due at %i: after it, at most one granularity late',
    (deadlineMs, dueAtMs) => {
      const { clock, lessor } = primaryLessor();
      lessor.grant(1, deadlineMs);
      clock.set(dueAtMs - 1);
      expect(lessor.due(10).expired).toEqual([]);
      clock.set(dueAtMs);
      expect(lessor.due(10).expired).toEqual([1]);
      expect(dueAtMs - deadlineMs).toBeGreaterThan(0);
      expect(dueAtMs - deadlineMs).toBeLessThanOrEqual(10);
    });

  it('a coarser granularity lags by at most that granularity', () => {
    const { clock, lessor } = primaryLessor({ granularityMs: 250 });
    lessor.grant(1, 1_001);
    expect(expireUntil(clock, lessor, 1_249, 1)).toEqual([]);
    expect(expireUntil(clock, lessor, 1_250, 1)).toEqual([1]);
  });

  it('a lease handed out is revoking: renew refuses it and it is not handed out twice', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    clock.advance(1_010);
    expect(lessor.due(10).expired).toEqual([1]);
    expect(lessor.renew(1)).toBeUndefined();
    expect(lessor.remaining(1)).toBe(0);
    clock.advance(10_000);
    expect(lessor.due(10).expired).toEqual([]);
    expect(lessor.status().revoking).toBe(1);
  });

  it('revokeFailed makes leases due again (and renewable) if still tracked', () => {
    const { clock, lessor } = primaryLessor();
    for (const id of [1, 2, 3]) lessor.grant(id, 1_000);
    clock.advance(1_010);
    expect(lessor.due(10).expired).toEqual([1, 2, 3]);
    lessor.forget(3);
    lessor.revokeFailed([1, 2, 3, 99]);
    expect(lessor.status()).toMatchObject({ leases: 2, revoking: 0, deferred: 2 });
    expect(lessor.due(1).expired).toEqual([1]);
    expect(lessor.renew(2)).toBe(1_000); // its owner came back before the retry
    expect(lessor.due(10).expired).toEqual([]);
    lessor.revokeFailed([2]); // not revoking: nothing to undo
    expect(lessor.remaining(2)).toBe(1_000);
  });

  it('forget of a revoking lease completes its revoke', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    clock.advance(1_010);
    lessor.due(10);
    lessor.forget(1);
    expect(lessor.status()).toMatchObject({ leases: 0, revoking: 0 });
    expect(lessor.remaining(1)).toBeUndefined();
    lessor.revokeFailed([1]);
    expect(lessor.due(10).expired).toEqual([]);
  });

  it('a lease renewed after its deadline but before due() is saved', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 1_000);
    clock.advance(1_500);
    expect(lessor.status().deferred).toBe(1);
    expect(lessor.renew(1)).toBe(1_000);
    expect(lessor.status().deferred).toBe(0);
    expect(lessor.due(10).expired).toEqual([]);
  });
});

describe('Lessor: checkpoints()', () => {
  it('does not checkpoint healthy leases renewed within the drift', () => {
    const { clock, lessor } = primaryLessor();
    for (let id = 0; id < 50; id++) lessor.grant(id, 10_000);
    for (let step = 0; step < 60; step++) {
      clock.advance(500);
      for (let id = 0; id < 50; id++) lessor.renew(id);
      expect(lessor.checkpoints(100)).toEqual([]);
    }
  });

  it('checkpoints a lease not renewed for more than the drift, with its remaining TTL', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 10_000);
    clock.set(1_000);
    expect(lessor.checkpoints(10)).toEqual([]); // drifted exactly 1 000: not more
    clock.set(1_005);
    expect(lessor.checkpoints(10)).toEqual([]); // noticed at the end of its bucket
    clock.set(1_010);
    expect(lessor.checkpoints(10)).toEqual([[1, 8_990]]);
    clock.set(1_900);
    expect(lessor.checkpoints(10)).toEqual([]); // 890 ms below the last checkpoint
    clock.set(2_500);
    expect(lessor.checkpoints(10)).toEqual([[1, 7_500]]);
  });

  it('checkpoints again, upwards, a lease renewed after a low checkpoint', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 10_000);
    clock.set(8_000);
    expect(lessor.checkpoints(10)).toEqual([[1, 2_000]]);
    lessor.renew(1);
    expect(lessor.checkpoints(10)).toEqual([[1, 10_000]]);
    clock.advance(500);
    lessor.renew(1);
    expect(lessor.checkpoints(10)).toEqual([]); // healthy again
  });

  it('respects maxCount and returns the rest on later calls', () => {
    const { clock, lessor } = primaryLessor();
    for (let id = 0; id < 50; id++) lessor.grant(id, 10_000);
    clock.advance(2_000);
    const batches = [lessor.checkpoints(20), lessor.checkpoints(20), lessor.checkpoints(20)];
    expect(batches.map((batch) => batch.length)).toEqual([20, 20, 10]);
    const ids = batches.flat().map(([id]) => id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, id) => id));
    expect(batches.flat().every(([, remainingMs]) => remainingMs === 8_000)).toBe(true);
  });

  it('does not checkpoint the election extension, only a later drift below the checkpoint', () => {
    const clock = new ManualClock();
    const lessor = new Lessor({ clock, checkpointDriftShare: 0 });
    lessor.promote([{ id: 1, ttlMs: 10_000, remainingMs: 8_000 }], 5_000);
    expect(lessor.checkpoints(10)).toEqual([]);
    clock.set(6_000); // remaining 7 000: exactly the drift below the checkpoint
    expect(lessor.checkpoints(10)).toEqual([]);
    clock.set(6_010);
    expect(lessor.checkpoints(10)).toEqual([[1, 6_990]]);
  });

  it('never checkpoints a lease that is being revoked', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 2_000);
    clock.advance(2_010);
    expect(lessor.due(10).expired).toEqual([1]);
    expect(lessor.checkpoints(10)).toEqual([]);
  });

  it('checkpoints a lapsed lease whose revoke failed at 0, so a failover cannot revive it', () => {
    const { clock, lessor } = primaryLessor();
    lessor.grant(1, 5_000);
    clock.advance(5_010);
    lessor.due(10);
    lessor.revokeFailed([1]);
    expect(lessor.checkpoints(10)).toEqual([[1, 0]]);
    expect(lessor.checkpoints(10)).toEqual([]);
  });

  it('checkpoints only after a share of the TTL drifted: healthy leases never are', () => {
    const clock = new ManualClock();
    const lessor = new Lessor({ clock, protectShare: 1.01, checkpointDriftMs: 100 });
    lessor.promote([], 0);
    lessor.grant(1, 3000);
    lessor.grant(2, 3000);
    // Lease 1 renews every 1000 ms (TTL/3); lease 2 falls silent.
    const checkpointed: [number, number, number][] = [];
    for (let elapsed = 50; elapsed <= 2500; elapsed += 50) {
      clock.advance(50);
      if (elapsed % 1000 === 0) lessor.renew(1);
      for (const [id, remaining] of lessor.checkpoints(10)) {
        checkpointed.push([elapsed, id, remaining]);
      }
    }
    expect(checkpointed.filter(([, id]) => id === 1)).toEqual([]);
    // Lease 2: once its remaining TTL fell below half (at 1500 ms, within a granularity).
    const [first] = checkpointed.filter(([, id]) => id === 2);
    expect(first?.[0]).toBeGreaterThanOrEqual(1500);
    expect(first?.[0]).toBeLessThanOrEqual(1550);
  });
});
