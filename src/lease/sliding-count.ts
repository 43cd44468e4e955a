import { assert } from '../core/assert.js';

/** Slots per window: memory is fixed and an event is forgotten at most one slot early. */
export const slidingCountSlots = 100;

/**
 * How many events happened in the last `windowMs`, in fixed memory: a ring of per-slot counts
 * and their running sum. Events older than the window leave it between windowMs - slotMs and
 * windowMs after they happened.
 */
export class SlidingCount {
  private readonly counts: number[];
  private readonly slotMs: number;
  /** The slot of the latest roll; slots after it hold nothing yet. */
  private headSlot = Number.NEGATIVE_INFINITY;
  private sum = 0;

  constructor(windowMs: number, slotCount = slidingCountSlots) {
    assert(Number.isFinite(windowMs) && windowMs > 0, `window must be > 0 ms, got ${windowMs}`);
    assert(Number.isSafeInteger(slotCount) && slotCount > 0, `slot count must be > 0`);
    this.counts = new Array<number>(slotCount).fill(0);
    this.slotMs = windowMs / slotCount;
  }

  add(nowMs: number, count: number): void {
    assert(count >= 0, `cannot count ${count} events`);
    this.roll(nowMs);
    const index = this.indexOf(this.headSlot);
    this.counts[index] = (this.counts[index] as number) + count;
    this.sum += count;
  }

  total(nowMs: number): number {
    this.roll(nowMs);
    return this.sum;
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.headSlot = Number.NEGATIVE_INFINITY;
  }

  /** Zeroes the slots that fell out of the window (at most all of them: a bounded loop). */
  private roll(nowMs: number): void {
    const slot = Math.floor(nowMs / this.slotMs);
    if (slot <= this.headSlot) return;
    const steps = slot - this.headSlot;
    if (steps >= this.counts.length) {
      this.counts.fill(0);
      this.sum = 0;
    } else {
      for (let step = 1; step <= steps; step++) {
        const index = this.indexOf(this.headSlot + step);
        this.sum -= this.counts[index] as number;
        this.counts[index] = 0;
      }
    }
    this.headSlot = slot;
  }

  private indexOf(slot: number): number {
    const length = this.counts.length;
    return ((slot % length) + length) % length;
  }
}
