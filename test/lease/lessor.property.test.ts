import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Lessor } from '../../src/lease/lessor.js';

const granularityMs = 10;
const driftMs = 50;

type Operation =
  | { kind: 'grant'; id: number; ttlMs: number }
  | { kind: 'renew'; id: number }
  | { kind: 'forget'; id: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'due'; maxCount: number }
  | { kind: 'revokeFailed'; parity: number }
  | { kind: 'checkpoints' };

const id = fc.nat(11);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('grant' as const), id,
    ttlMs: fc.integer({ min: 1, max: 250 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('renew' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), id }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(90) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('due' as const), maxCount: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeFailed' as const),
    parity: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('checkpoints' as const) }) },
);

interface ModelLease {
  ttlMs: number;
  deadlineMs: number;
  revoking: boolean;
  checkpointedMs: number;
}

/** The reference: a Map of deadlines and the bucket rule (due once its bucket has ended). */
class Model {
  readonly leases = new Map<number, ModelLease>();
  nowMs = 0;

  bucketOf(deadlineMs: number): number {
    return Math.floor(deadlineMs / granularityMs);
  }

  /** Tracked, not revoking, and the deadline's bucket has ended. */
  dueIds(): number[] {
    return [...this.leases].filter(([, lease]) => !lease.revoking &&
      (this.bucketOf(lease.deadlineMs) + 1) * granularityMs <= this.nowMs).map(([key]) => key);
  }
}

/** due(): exactly the leases whose bucket ended, earliest buckets first, as many as allowed. */
function checkDue(model: Model, expired: number[], maxCount: number): void {
  const due = model.dueIds();
  expect(expired).toHaveLength(Math.min(maxCount, due.length));
  expect(new Set(expired).size).toBe(expired.length);
  const buckets = expired.map((key) => {
    expect(due).toContain(key);
    const lease = model.leases.get(key) as ModelLease;
    // Strictly after its deadline and, for the guaranteed part, at most one granularity late.
    expect(lease.deadlineMs).toBeLessThan(model.nowMs);
    return model.bucketOf(lease.deadlineMs);
  });
  expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  const latest = Math.max(...buckets);
  for (const key of due.filter((other) => !expired.includes(other))) {
    const lease = model.leases.get(key) as ModelLease;
    expect(model.bucketOf(lease.deadlineMs)).toBeGreaterThanOrEqual(latest);
  }
  for (const key of expired) (model.leases.get(key) as ModelLease).revoking = true;
  // Nothing held back but by maxCount: whatever passed a granularity ago has been handed out.
  if (expired.length < maxCount) {
    for (const lease of model.leases.values()) {
      if (!lease.revoking) expect(lease.deadlineMs).toBeGreaterThan(model.nowMs - granularityMs);
    }
  }
}

/** checkpoints(): only real drift is written; afterwards every lease is within the bounds. */
function checkCheckpoints(model: Model, written: [number, number][]): void {
  for (const [key, remainingMs] of written) {
    const lease = model.leases.get(key) as ModelLease;
    expect(lease.revoking).toBe(false);
    expect(remainingMs).toBe(Math.max(0, lease.deadlineMs - model.nowMs));
    expect(Math.abs(remainingMs - lease.checkpointedMs)).toBeGreaterThan(driftMs);
    lease.checkpointedMs = remainingMs;
  }
  for (const lease of model.leases.values()) {
    if (lease.revoking) continue;
    const remainingMs = Math.max(0, lease.deadlineMs - model.nowMs);
    expect(remainingMs - lease.checkpointedMs).toBeLessThanOrEqual(driftMs);
    expect(lease.checkpointedMs - remainingMs).toBeLessThanOrEqual(driftMs + granularityMs);
  }
}

function step(lessor: Lessor, clock: ManualClock, model: Model, operation: Operation): void {
  switch (operation.kind) {
    case 'grant':
      lessor.grant(operation.id, operation.ttlMs);
      model.leases.set(operation.id, { ttlMs: operation.ttlMs, revoking: false,
        deadlineMs: model.nowMs + operation.ttlMs, checkpointedMs: operation.ttlMs });
      return;
    case 'renew': {
      const lease = model.leases.get(operation.id);
      const renewable = lease !== undefined && !lease.revoking;
      expect(lessor.renew(operation.id)).toBe(renewable ? lease.ttlMs : undefined);
      if (renewable) lease.deadlineMs = model.nowMs + lease.ttlMs;
      return;
    }
    case 'forget':
      lessor.forget(operation.id);
      model.leases.delete(operation.id);
      return;
    case 'advance':
      clock.advance(operation.ms);
      model.nowMs += operation.ms;
      return;
    case 'due': {
      const result = lessor.due(operation.maxCount);
      expect(result.protecting).toBe(false);
      checkDue(model, result.expired, operation.maxCount);
      expect(result.deferred).toBe(model.dueIds().length);
      return;
    }
    case 'revokeFailed': {
      const ids = [...model.leases.keys()].filter((key) => key % 2 === operation.parity);
      lessor.revokeFailed([...ids, 1_000]);
      for (const key of ids) (model.leases.get(key) as ModelLease).revoking = false;
      return;
    }
    case 'checkpoints':
      checkCheckpoints(model, lessor.checkpoints(1_000));
      return;
  }
}

describe('Lessor against a reference model (protection disabled)', () => {
  it('due() returns exactly the leases whose deadline passed, never a forgotten or renewed one',
    () => {
      fc.assert(fc.property(fc.array(operation, { maxLength: 150, size: 'max' }), (operations) => {
        const clock = new ManualClock();
        const lessor = new Lessor({ clock, protectShare: 1.01, checkpointDriftShare: 0,
          granularityMs, checkpointDriftMs: driftMs });
        lessor.promote([], 0);
        const model = new Model();
        for (const operation of operations) {
          step(lessor, clock, model, operation);
          const revoking = [...model.leases.values()].filter((lease) => lease.revoking).length;
          expect(lessor.status()).toMatchObject({ leases: model.leases.size, revoking });
          for (const [key, lease] of model.leases) {
            const expected = lease.revoking ? 0 : Math.max(0, lease.deadlineMs - model.nowMs);
            expect(lessor.remaining(key)).toBe(expected);
          }
        }
        const sizes = lessor.internalSizes();
        expect(sizes.buckets).toBeLessThanOrEqual(2 * model.leases.size);
      }), { numRuns: 300 });
    });
});
