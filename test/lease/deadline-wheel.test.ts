import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { BucketHeap } from '../../src/lease/bucket-heap.js';
import { DeadlineWheel } from '../../src/lease/deadline-wheel.js';

function drain(wheel: DeadlineWheel): number[] {
  const ids: number[] = [];
  for (let id = wheel.popDue(); id !== undefined; id = wheel.popDue()) ids.push(id);
  return ids;
}

describe('BucketHeap', () => {
  it('pops any sequence of pushes in ascending order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -1000, max: 1000 })), (values) => {
      const heap = new BucketHeap();
      for (const value of values) heap.push(value);
      const popped: number[] = [];
      for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
      expect(popped).toEqual([...values].sort((a, b) => a - b));
      expect(heap.size).toBe(0);
    }));
  });

  it('accepts a sorted array as its contents', () => {
    const heap = new BucketHeap();
    heap.reset([1, 4, 9]);
    heap.push(2);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop(), heap.pop()])
      .toEqual([1, 2, 4, 9, undefined]);
  });
});

describe('DeadlineWheel', () => {
  it('makes an id due once its bucket has ended, never before', () => {
    // granularity 10: time 1005 is in bucket 100, which ends at 1010.
    const wheel = new DeadlineWheel(10);
    wheel.schedule(7, 1005);
    expect(wheel.advance(1009)).toBe(0);
    expect(wheel.popDue()).toBeUndefined();
    expect(wheel.advance(1010)).toBe(1);
    expect(wheel.popDue()).toBe(7);
    expect(wheel.has(7)).toBe(false);
    expect(wheel.size).toBe(0);
  });

  it('pops the earliest buckets first, whatever the scheduling order', () => {
    const wheel = new DeadlineWheel(10);
    const times = [500, 120, 990, 40, 310];
    times.forEach((atMs, id) => wheel.schedule(id, atMs));
    wheel.advance(10_000);
    expect(drain(wheel)).toEqual([3, 1, 4, 0, 2]);
  });

  it('keeps the due count exact as ids move in and out of ended buckets', () => {
    const wheel = new DeadlineWheel(10);
    wheel.schedule(1, 100);
    wheel.schedule(2, 105);
    wheel.schedule(3, 300);
    expect(wheel.advance(200)).toBe(2);
    wheel.schedule(1, 400); // renewed: out of the due set
    expect(wheel.dueSize).toBe(1);
    wheel.schedule(3, 50); // moved into an ended bucket
    expect(wheel.dueSize).toBe(2);
    expect(wheel.unschedule(2)).toBe(true);
    expect(wheel.unschedule(2)).toBe(false);
    expect(wheel.dueSize).toBe(1);
    expect(drain(wheel)).toEqual([3]);
    expect(wheel.dueSize).toBe(0);
    expect(wheel.advance(500)).toBe(1);
    expect(drain(wheel)).toEqual([1]);
  });

  it('keeps its heaps bounded under churn at a fixed time (stale entries are compacted)', () => {
    const wheel = new DeadlineWheel(10);
    for (let round = 0; round < 100_000; round++) {
      wheel.schedule(round % 3, 1_000 + (round % 7) * 10);
      wheel.unschedule(round % 3);
    }
    wheel.schedule(1, 1_000);
    expect(wheel.bucketCount()).toBe(1);
    expect(wheel.heapEntryCount()).toBeLessThanOrEqual(2 * 1 + 1024 + 1);
    wheel.advance(2_000);
    expect(drain(wheel)).toEqual([1]);
  });

  it('counts a bucket once even when the heap holds it twice', () => {
    const wheel = new DeadlineWheel(10);
    wheel.schedule(1, 100);
    wheel.unschedule(1); // bucket 10 emptied: its heap entry goes stale
    wheel.schedule(2, 100); // bucket 10 again: a second entry
    wheel.schedule(3, 101);
    expect(wheel.advance(200)).toBe(2);
    expect(drain(wheel).sort()).toEqual([2, 3]);
  });

  it('drains a bucket in order while ids leave it and return to it', () => {
    const wheel = new DeadlineWheel(10);
    for (const id of [1, 2, 3, 4]) wheel.schedule(id, 100);
    wheel.advance(200);
    expect(wheel.popDue()).toBe(1);
    wheel.schedule(1, 105); // a failed revoke puts it back in its (ended) bucket
    wheel.unschedule(3);
    expect(drain(wheel)).toEqual([2, 4, 1]);
    expect(wheel.bucketCount()).toBe(0);
  });

  it('drains one huge bucket one slot per call (a list, not a rescan)', () => {
    const wheel = new DeadlineWheel(10);
    for (let id = 0; id < 200_000; id++) wheel.schedule(id, 100);
    wheel.advance(200);
    let popped = 0;
    while (wheel.popDue() !== undefined) popped++;
    expect(popped).toBe(200_000);
  });

  it('clear() forgets everything, frontier included', () => {
    const wheel = new DeadlineWheel(10);
    wheel.schedule(1, 100);
    wheel.advance(1000);
    wheel.clear();
    expect([wheel.size, wheel.dueSize, wheel.bucketCount(), wheel.heapEntryCount()])
      .toEqual([0, 0, 0, 0]);
    wheel.schedule(2, 50);
    expect(wheel.dueSize).toBe(0); // not due until advanced again
    expect(wheel.advance(60)).toBe(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects granularity %s', (value) => {
    expect(() => new DeadlineWheel(value)).toThrow(AssertionError);
  });

  it.each([-1, 1.5, Number.NaN, 1 << 26])('rejects slot %s', (slot) => {
    expect(() => new DeadlineWheel(10).schedule(slot, 100)).toThrow(AssertionError);
  });

  it('grows past its initial capacity and keeps every slot in its bucket', () => {
    const wheel = new DeadlineWheel(10);
    for (let slot = 5_000; slot >= 0; slot -= 1) wheel.schedule(slot, slot % 2 === 0 ? 100 : 200);
    expect(wheel.size).toBe(5_001);
    expect(wheel.advance(150)).toBe(2_501);
    const due = drain(wheel);
    expect(due.every((slot) => slot % 2 === 0)).toBe(true);
    expect(due[0]).toBe(5_000); // insertion order within the bucket
    expect(wheel.advance(1_000)).toBe(2_500);
  });

  it('rejects a non-finite time', () => {
    expect(() => new DeadlineWheel(10).schedule(1, Number.POSITIVE_INFINITY))
      .toThrow(AssertionError);
  });

  it('agrees with a sorted list under random schedules, moves and advances', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), id: fc.nat(20), atMs: fc.nat(2000) }),
      fc.record({ kind: fc.constant('unschedule' as const), id: fc.nat(20) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(300) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(fc.property(fc.array(operation, { maxLength: 150, size: 'max' }), (operations) => {
      const wheel = new DeadlineWheel(10);
      const model = new Map<number, number>();
      let nowMs = 0;
      for (const operation of operations) {
        if (operation.kind === 'schedule') {
          wheel.schedule(operation.id, operation.atMs);
          model.set(operation.id, Math.floor(operation.atMs / 10));
        } else if (operation.kind === 'unschedule') {
          expect(wheel.unschedule(operation.id)).toBe(model.delete(operation.id));
        } else if (operation.kind === 'advance') {
          nowMs += operation.ms;
          const frontier = Math.floor(nowMs / 10);
          const due = [...model.values()].filter((bucket) => bucket < frontier).length;
          expect(wheel.advance(nowMs)).toBe(due);
        } else {
          const frontier = Math.floor(nowMs / 10);
          const due = [...model.values()].filter((bucket) => bucket < frontier);
          const id = wheel.popDue();
          if (due.length === 0) {
            expect(id).toBeUndefined();
          } else {
            expect(id).toBeDefined();
            expect(model.get(id as number)).toBe(Math.min(...due));
            model.delete(id as number);
          }
        }
        expect(wheel.size).toBe(model.size);
      }
    }), { numRuns: 300 });
  });
});
