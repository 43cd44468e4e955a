import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Lessor, type LessorOptions, type ProtectChangeDetail } from '../../src/lease/lessor.js';

interface Run {
  clock: ManualClock;
  lessor: Lessor;
  changes: [boolean, ProtectChangeDetail][];
  /** [time, id] of every lease handed out by due(). */
  expiries: [number, number][];
}

/** `count` leases of `ttlMs` granted at time 0 on a fresh primary lessor. */
function start(count: number, ttlMs: number, options: Partial<LessorOptions> = {}): Run {
  const clock = new ManualClock();
  const changes: [boolean, ProtectChangeDetail][] = [];
  const lessor = new Lessor({
    clock, ...options, onProtectChange: (protecting, detail) => changes.push([protecting, detail]),
  });
  lessor.promote([], 0);
  for (let id = 0; id < count; id++) lessor.grant(id, ttlMs);
  return { clock, lessor, changes, expiries: [] };
}

/**
 * Walks the clock to `untilMs` in 10 ms steps like the node would: due(1000) each step, the
 * Revoke applied at once (forget), and the `healthy` leases renewed every second.
 */
function walk(run: Run, untilMs: number, healthy: readonly number[] = []): void {
  while (run.clock.nowMs() < untilMs) {
    run.clock.advance(10);
    if (run.clock.nowMs() % 1_000 === 0) for (const id of healthy) run.lessor.renew(id);
    for (const id of run.lessor.due(1_000).expired) {
      run.expiries.push([run.clock.nowMs(), id]);
      run.lessor.forget(id);
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

/** The most expiries in any window of `windowMs` (sliding, not only aligned seconds). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

function perSecond(times: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const time of times) {
    const second = Math.floor(time / 1_000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('Lessor: protect mode', () => {
  const healthy = range(60, 100);

  it('rate-limits a burst of lapses (60 of 100) and still expires every one of them', () => {
    const run = start(100, 5_000);
    walk(run, 4_000);
    for (const id of healthy) run.lessor.renew(id);
    walk(run, 5_010, healthy);
    expect(run.lessor.status()).toMatchObject({ protecting: true, deferred: 60 });
    walk(run, 30_000, healthy);

    const times = run.expiries.map(([time]) => time);
    expect(run.expiries.map(([, id]) => id).sort((a, b) => a - b)).toEqual(range(0, 60));
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(20);
    expect(Math.max(...perSecond(times))).toBeLessThanOrEqual(20);
    // Bounded, not stopped: 60 leases at 20 per second take about three seconds.
    expect(Math.max(...times) - 5_010).toBeLessThanOrEqual(3_100);
    expect(run.lessor.status()).toMatchObject({ leases: 40, revoking: 0, deferred: 0 });
  });

  it('reports entering and, once the window has passed, leaving protection', () => {
    const run = start(100, 5_000);
    walk(run, 4_000);
    for (const id of healthy) run.lessor.renew(id);
    walk(run, 30_000, healthy);
    expect(run.changes).toEqual([
      [true, { due: 60, leases: 100, deferred: 60 }],
      [false, { due: 0, leases: 40, deferred: 0 }],
    ]);
    // Protection lasts while expiries in the last 10 s are an abnormal share, then ends.
    const lastExpiryMs = Math.max(...run.expiries.map(([time]) => time));
    expect(run.lessor.status().protecting).toBe(false);
    expect(run.lessor.status().expiredInWindow).toBe(0);
    expect(lastExpiryMs).toBeLessThan(30_000 - 10_000);
  });

  it('saves a deferred lease whose owner comes back during protection', () => {
    const run = start(100, 5_000);
    walk(run, 4_000);
    for (const id of healthy) run.lessor.renew(id);
    walk(run, 5_200, healthy);
    const expiredSoFar = new Set(run.expiries.map(([, id]) => id));
    const comeback = range(0, 60).filter((id) => !expiredSoFar.has(id)).at(-1) as number;
    expect(run.lessor.status().deferred).toBeGreaterThan(0);
    expect(run.lessor.renew(comeback)).toBe(5_000);
    walk(run, 9_000, [...healthy, comeback]);
    const expired = run.expiries.map(([, id]) => id);
    expect(expired).not.toContain(comeback);
    expect(expired).toHaveLength(59);
    expect(run.lessor.remaining(comeback)).toBeGreaterThan(4_000);
  });

  it('leaves protection early when the owners come back', () => {
    const run = start(100, 5_000);
    walk(run, 4_000);
    for (const id of healthy) run.lessor.renew(id);
    walk(run, 5_200, healthy);
    expect(run.lessor.status().protecting).toBe(true);
    const back = range(0, 60).filter((id) => run.lessor.renew(id) !== undefined);
    walk(run, 5_210, [...healthy, ...back]);
    expect(run.lessor.status().protecting).toBe(false);
    expect(run.changes.map(([protecting]) => protecting)).toEqual([true, false]);
  });

  it('expires 40 of 100 at once: not an abnormal share', () => {
    const run = start(100, 5_000);
    const healthy60 = range(40, 100);
    walk(run, 4_000);
    for (const id of healthy60) run.lessor.renew(id);
    walk(run, 5_010, healthy60);
    expect(run.expiries.map(([, id]) => id)).toEqual(range(0, 40));
    expect(new Set(run.expiries.map(([time]) => time))).toEqual(new Set([5_010]));
    expect(run.changes).toEqual([]);
  });

  it('never protects below protectMinLeases, even when all of them lapse', () => {
    const run = start(9, 5_000);
    walk(run, 5_010);
    expect(run.expiries.map(([, id]) => id)).toEqual(range(0, 9));
    expect(run.changes).toEqual([]);
  });

  it('never pins leases forever: 1 000 lapsing together drain at the rate', () => {
    const run = start(1_000, 5_000);
    walk(run, 5_010);
    expect(run.lessor.status().protecting).toBe(true);
    walk(run, 60_000);
    const times = run.expiries.map(([time]) => time);
    expect(times).toHaveLength(1_000);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(20);
    expect(Math.max(...times)).toBeLessThanOrEqual(5_010 + 50_000 + 10);
  });

  it('a rate below one per second still releases (the burst is at least one token)', () => {
    const run = start(20, 1_000, { protectRatePerSecond: 0.5, protectMinLeases: 1 });
    walk(run, 1_010);
    expect(run.lessor.status().protecting).toBe(true);
    walk(run, 1_010 + 40_000);
    const times = run.expiries.map(([time]) => time);
    expect(times).toHaveLength(20);
    expect(maxInWindow(times, 2_000)).toBeLessThanOrEqual(1);
  });

  it('while protecting, due() reports what it holds back', () => {
    const run = start(100, 5_000);
    run.clock.set(5_010);
    expect(run.lessor.due(1_000)).toEqual({ expired: [], protecting: true, deferred: 100 });
    run.clock.advance(1_000);
    const due = run.lessor.due(1_000);
    expect(due).toMatchObject({ protecting: true, deferred: 80 });
    expect(due.expired).toEqual(range(0, 20)); // earliest deadlines (here: grant order) first
    expect(run.lessor.status()).toMatchObject({ revoking: 20, expiredInWindow: 20, deferred: 80 });
  });

  it('demote while protecting reports leaving protection', () => {
    const run = start(100, 5_000);
    walk(run, 5_010);
    run.lessor.demote();
    expect(run.changes.map(([protecting]) => protecting)).toEqual([true, false]);
    expect(run.lessor.status().protecting).toBe(false);
  });
});
