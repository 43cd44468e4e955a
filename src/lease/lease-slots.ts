import { assert } from '../core/assert.js';
import { grow, slotCapacityMin } from './slot-arrays.js';

/**
 * The lessor's leases: one Map from lease id to a slot, and each lease's fields in typed
 * arrays indexed by that slot (slot-arrays.ts says why). Slots of forgotten leases are
 * reused, so the arrays follow the peak lease count, not the number ever granted. Renew
 * writes one array entry: no allocation, nothing boxed.
 */
export class LeaseSlots {
  private readonly slotById = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  /** Slots below this have been handed out at least once. */
  private slotsUsed = 0;
  private ids = new Float64Array(slotCapacityMin);
  private ttls = new Float64Array(slotCapacityMin);
  private deadlines = new Float64Array(slotCapacityMin);
  private checkpointed = new Float64Array(slotCapacityMin);
  private checkpointAts = new Float64Array(slotCapacityMin);
  private revokingFlags = new Uint8Array(slotCapacityMin);

  get size(): number {
    return this.slotById.size;
  }

  slotOf(id: number): number | undefined {
    return this.slotById.get(id);
  }

  /** Tracks a lease not tracked yet; returns its slot. */
  add(id: number, ttlMs: number, deadlineMs: number, checkpointedMs: number): number {
    assert(!this.slotById.has(id), `lease ${id} is already tracked`);
    const slot = this.freeSlots.pop() ?? this.newSlot();
    this.slotById.set(id, slot);
    this.ids[slot] = id;
    this.ttls[slot] = ttlMs;
    this.deadlines[slot] = deadlineMs;
    this.checkpointed[slot] = checkpointedMs;
    this.checkpointAts[slot] = Number.POSITIVE_INFINITY;
    this.revokingFlags[slot] = 0;
    return slot;
  }

  remove(id: number): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    this.slotById.delete(id);
    this.freeSlots.push(slot);
  }

  /** Forgets every lease and gives back the arrays' memory. */
  clear(): void {
    this.slotById.clear();
    this.freeSlots.length = 0;
    this.slotsUsed = 0;
    this.ids = new Float64Array(slotCapacityMin);
    this.ttls = new Float64Array(slotCapacityMin);
    this.deadlines = new Float64Array(slotCapacityMin);
    this.checkpointed = new Float64Array(slotCapacityMin);
    this.checkpointAts = new Float64Array(slotCapacityMin);
    this.revokingFlags = new Uint8Array(slotCapacityMin);
  }

  id(slot: number): number {
    return this.ids[slot] as number;
  }

  ttlMs(slot: number): number {
    return this.ttls[slot] as number;
  }

  deadlineMs(slot: number): number {
    return this.deadlines[slot] as number;
  }

  setDeadlineMs(slot: number, deadlineMs: number): void {
    this.deadlines[slot] = deadlineMs;
  }

  /** The remaining TTL last written through Raft (or the grant's full TTL). */
  checkpointedMs(slot: number): number {
    return this.checkpointed[slot] as number;
  }

  setCheckpointedMs(slot: number, remainingMs: number): void {
    this.checkpointed[slot] = remainingMs;
  }

  /** When its entry in the checkpoint queue fires (Infinity: no entry). */
  checkpointAtMs(slot: number): number {
    return this.checkpointAts[slot] as number;
  }

  setCheckpointAtMs(slot: number, atMs: number): void {
    this.checkpointAts[slot] = atMs;
  }

  /** Handed out by due(); refused by renew until forgotten or the revoke fails. */
  revoking(slot: number): boolean {
    return this.revokingFlags[slot] === 1;
  }

  setRevoking(slot: number, revoking: boolean): void {
    this.revokingFlags[slot] = revoking ? 1 : 0;
  }

  private newSlot(): number {
    const slot = this.slotsUsed;
    this.slotsUsed += 1;
    if (slot >= this.ids.length) {
      this.ids = grow(this.ids, slot, Float64Array);
      this.ttls = grow(this.ttls, slot, Float64Array);
      this.deadlines = grow(this.deadlines, slot, Float64Array);
      this.checkpointed = grow(this.checkpointed, slot, Float64Array);
      this.checkpointAts = grow(this.checkpointAts, slot, Float64Array);
      this.revokingFlags = grow(this.revokingFlags, slot, Uint8Array);
    }
    return slot;
  }
}
