import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { LeaseSlots } from '../../src/lease/lease-slots.js';

describe('LeaseSlots', () => {
  it('keeps each lease\'s fields in its own slot', () => {
    const slots = new LeaseSlots();
    const a = slots.add(11, 3_000, 10_000, 3_000);
    const b = slots.add(12, 5_000, 20_000, 4_000);
    expect(a).not.toBe(b);
    slots.setDeadlineMs(a, 12_000);
    slots.setRevoking(b, true);
    slots.setCheckpointAtMs(b, 7_000);
    expect([slots.id(a), slots.ttlMs(a), slots.deadlineMs(a), slots.checkpointedMs(a)])
      .toEqual([11, 3_000, 12_000, 3_000]);
    expect([slots.id(b), slots.revoking(b), slots.checkpointAtMs(b), slots.revoking(a)])
      .toEqual([12, true, 7_000, false]);
    expect(slots.checkpointAtMs(a)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reuses the slot of a removed lease, with fresh fields', () => {
    const slots = new LeaseSlots();
    const first = slots.add(1, 1_000, 1_000, 1_000);
    slots.setRevoking(first, true);
    slots.remove(1);
    expect(slots.slotOf(1)).toBeUndefined();
    const again = slots.add(2, 2_000, 2_000, 2_000);
    expect(again).toBe(first);
    expect([slots.id(again), slots.revoking(again), slots.size]).toEqual([2, false, 1]);
  });

  it('grows past its initial capacity; clear() forgets every lease', () => {
    const slots = new LeaseSlots();
    for (let id = 0; id < 5_000; id++) slots.add(id * 7, 1_000 + id, id, 1_000);
    expect(slots.size).toBe(5_000);
    const slot = slots.slotOf(4_999 * 7) as number;
    expect([slots.id(slot), slots.ttlMs(slot)]).toEqual([4_999 * 7, 5_999]);
    slots.clear();
    expect([slots.size, slots.slotOf(7)]).toEqual([0, undefined]);
    expect(slots.add(7, 1_000, 0, 1_000)).toBe(0);
  });

  it('refuses to track a lease twice', () => {
    const slots = new LeaseSlots();
    slots.add(3, 1_000, 0, 1_000);
    expect(() => slots.add(3, 1_000, 0, 1_000)).toThrow(AssertionError);
  });
});
