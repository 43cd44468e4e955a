import { assert } from '../core/assert.js';

/**
 * The append messages in flight to one follower: a ring of (last index, bytes) bounded in count
 * and bytes. Flow control pauses a follower in the replicate state when this is full; an
 * acknowledgement of index i frees every message up to i.
 */
export class Inflights {
  private readonly capacity: number;
  private readonly bytesMax: number;
  private readonly indexes: Float64Array;
  private readonly sizes: Float64Array;
  private start = 0;
  count = 0;
  bytes = 0;

  constructor(options: { capacity: number; bytesMax: number }) {
    assert(options.capacity > 0 && options.bytesMax > 0, 'inflights bounds must be positive');
    this.capacity = options.capacity;
    this.bytesMax = options.bytesMax;
    this.indexes = new Float64Array(options.capacity);
    this.sizes = new Float64Array(options.capacity);
  }

  full(): boolean {
    return this.count === this.capacity || this.bytes >= this.bytesMax;
  }

  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add to full inflights');
    const slot = (this.start + this.count) % this.capacity;
    if (this.count > 0) {
      const last = this.indexes[(slot + this.capacity - 1) % this.capacity] as number;
      assert(index > last, `inflight index ${index} must grow (last ${last})`);
    }
    this.indexes[slot] = index;
    this.sizes[slot] = bytes;
    this.count += 1;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `to`. */
  freeLE(to: number): void {
    while (this.count > 0 && (this.indexes[this.start] as number) <= to) {
      this.bytes -= this.sizes[this.start] as number;
      this.start = (this.start + 1) % this.capacity;
      this.count -= 1;
    }
    if (this.count === 0) this.start = 0;
  }

  /** Frees the oldest message: lets a follower whose messages were all lost recover. */
  freeFirstOne(): void {
    if (this.count === 0) return;
    this.freeLE(this.indexes[this.start] as number);
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
