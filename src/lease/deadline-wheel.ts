import { assert } from '../core/assert.js';
import { BucketHeap } from './bucket-heap.js';
import { grow, slotCapacityMin } from './slot-arrays.js';

/** Emptied buckets kept for reuse, so a steady renew load allocates no new ones. */
const spareBucketsMax = 64;
/** Stale heap entries tolerated beyond twice the live buckets before the heaps are rebuilt. */
const heapSlackEntries = 1024;
/** No slot: the end of a list, or a bucket with none. */
const NONE = -1;

/** The slots whose time falls in one granule: a circular list through next/prev. */
interface Bucket {
  head: number;
  size: number;
}

/**
 * A hashed timer wheel of slots (small integers, e.g. the lessor's lease slots) keyed by a
 * time: bucket = floor(atMs / granularityMs). Each bucket is a circular doubly linked list
 * threaded through typed arrays indexed by slot, so a slot costs 16 bytes outside the JS heap
 * and the garbage collector never walks them (a Set and a Map entry per id cost ~80 bytes of
 * heap at 100,000 leases). Moving a slot is one Map lookup and a few array writes (the renew
 * hot path); a min-heap of bucket numbers, pushed once when a bucket is created, finds the
 * earliest bucket without scanning. Emptied buckets leave stale heap entries behind; they are
 * skipped when popped and, when they outnumber the live buckets, the heaps are rebuilt, so
 * memory stays proportional to the slots held, whatever the number of moves.
 *
 * `advance(nowMs)` moves the frontier: a bucket is due once it has ended (end <= nowMs), so a
 * slot comes due strictly after its time and at most one granularity late. Due buckets live
 * in a second heap, which keeps a running count of due slots exact and O(1) to read. A bucket
 * drains in insertion order; a slot put back (a failed revoke) goes to the end.
 */
export class DeadlineWheel {
  private readonly granularityMs: number;
  private readonly buckets = new Map<number, Bucket>();
  /** Per slot: its bucket number, NaN when not held. */
  private bucketOf = new Float64Array(slotCapacityMin).fill(Number.NaN);
  private next = new Int32Array(slotCapacityMin);
  private prev = new Int32Array(slotCapacityMin);
  /** Buckets at or after the frontier (not yet ended), possibly with stale entries. */
  private readonly pending = new BucketHeap();
  /** Buckets before the frontier (ended), possibly with stale entries. */
  private readonly ended = new BucketHeap();
  private readonly spareBuckets: Bucket[] = [];
  /** Buckets numbered below this have ended. */
  private frontier = Number.NEGATIVE_INFINITY;
  private dueCount = 0;
  private held = 0;

  constructor(granularityMs: number) {
    assert(Number.isFinite(granularityMs) && granularityMs > 0,
      `wheel granularity must be a positive number of ms, got ${granularityMs}`);
    this.granularityMs = granularityMs;
  }

  /** Slots held, due or not. */
  get size(): number {
    return this.held;
  }

  /** Slots in buckets that had ended at the last advance(). */
  get dueSize(): number {
    return this.dueCount;
  }

  has(slot: number): boolean {
    const bucket = this.bucketOf[slot];
    return bucket !== undefined && !Number.isNaN(bucket);
  }

  /** Live (non-empty) buckets. */
  bucketCount(): number {
    return this.buckets.size;
  }

  /** Heap entries, stale ones included: bounded by 2 * bucketCount() + a constant slack. */
  heapEntryCount(): number {
    return this.pending.size + this.ended.size;
  }

  /** Places `slot` at `atMs`, moving it if already held. The hot path: no allocation. */
  schedule(slot: number, atMs: number): void {
    assert(Number.isFinite(atMs), 'wheel: a scheduled time must be finite');
    if (!(slot >= 0 && slot < this.bucketOf.length && (slot | 0) === slot)) this.grow(slot);
    const bucket = Math.floor(atMs / this.granularityMs);
    const current = this.bucketOf[slot] as number;
    if (current === bucket) return;
    if (!Number.isNaN(current)) this.removeFromBucket(slot, current);
    this.addToBucket(slot, bucket);
  }

  /** Returns whether `slot` was held. */
  unschedule(slot: number): boolean {
    if (!this.has(slot)) return false;
    this.removeFromBucket(slot, this.bucketOf[slot] as number);
    return true;
  }

  /** Marks the buckets that ended by `nowMs` as due; returns the due count. */
  advance(nowMs: number): number {
    const frontier = Math.floor(nowMs / this.granularityMs);
    if (frontier <= this.frontier) return this.dueCount;
    this.frontier = frontier;
    let moved = Number.NaN;
    // Pops come out in ascending order, so duplicate entries of one bucket are adjacent.
    for (let top = this.pending.peek(); top !== undefined && top < frontier;
      top = this.pending.peek()) {
      this.pending.pop();
      const bucket = this.buckets.get(top);
      if (top === moved || bucket === undefined) continue;
      this.ended.push(top);
      this.dueCount += bucket.size;
      moved = top;
    }
    return this.dueCount;
  }

  /** Removes and returns the first slot of the earliest due bucket; undefined when none. */
  popDue(): number | undefined {
    for (let top = this.ended.peek(); top !== undefined; top = this.ended.peek()) {
      const bucket = this.buckets.get(top);
      if (bucket === undefined) {
        this.ended.pop();
        continue;
      }
      const slot = bucket.head;
      this.removeFromBucket(slot, top);
      return slot;
    }
    return undefined;
  }

  /** Forgets everything, frontier included, and gives back the slot arrays' memory. */
  clear(): void {
    this.buckets.clear();
    this.bucketOf = new Float64Array(slotCapacityMin).fill(Number.NaN);
    this.next = new Int32Array(slotCapacityMin);
    this.prev = new Int32Array(slotCapacityMin);
    this.pending.clear();
    this.ended.clear();
    this.frontier = Number.NEGATIVE_INFINITY;
    this.dueCount = 0;
    this.held = 0;
  }

  private grow(slot: number): void {
    this.bucketOf = grow(this.bucketOf, slot, Float64Array, Number.NaN);
    this.next = grow(this.next, slot, Int32Array);
    this.prev = grow(this.prev, slot, Int32Array);
  }

  /** Appends `slot` to the bucket's list (its tail is the head's prev). */
  private addToBucket(slot: number, bucketNumber: number): void {
    let bucket = this.buckets.get(bucketNumber);
    if (bucket === undefined) {
      bucket = this.spareBuckets.pop() ?? { head: NONE, size: 0 };
      this.buckets.set(bucketNumber, bucket);
      (bucketNumber < this.frontier ? this.ended : this.pending).push(bucketNumber);
      this.compactIfBloated();
    }
    const head = bucket.head;
    if (head === NONE) {
      bucket.head = slot;
      this.next[slot] = slot;
      this.prev[slot] = slot;
    } else {
      const tail = this.prev[head] as number;
      this.next[tail] = slot;
      this.prev[slot] = tail;
      this.next[slot] = head;
      this.prev[head] = slot;
    }
    bucket.size += 1;
    this.bucketOf[slot] = bucketNumber;
    this.held += 1;
    if (bucketNumber < this.frontier) this.dueCount += 1;
  }

  private removeFromBucket(slot: number, bucketNumber: number): void {
    const bucket = this.buckets.get(bucketNumber);
    assert(bucket !== undefined, 'wheel: a slot points at a missing bucket');
    bucket.size -= 1;
    if (bucket.size === 0) {
      bucket.head = NONE;
      this.buckets.delete(bucketNumber);
      if (this.spareBuckets.length < spareBucketsMax) this.spareBuckets.push(bucket);
    } else {
      const after = this.next[slot] as number;
      const before = this.prev[slot] as number;
      this.next[before] = after;
      this.prev[after] = before;
      if (bucket.head === slot) bucket.head = after;
    }
    this.bucketOf[slot] = Number.NaN;
    this.held -= 1;
    if (bucketNumber < this.frontier) this.dueCount -= 1;
  }

  /**
   * Rebuilds both heaps from the live buckets once stale entries dominate. It runs after at
   * least bucketCount() + slack pushes, so its O(B log B) cost is amortized over those pushes.
   */
  private compactIfBloated(): void {
    if (this.heapEntryCount() <= 2 * this.buckets.size + heapSlackEntries) return;
    const sorted = [...this.buckets.keys()].sort((a, b) => a - b);
    let split = 0;
    while (split < sorted.length && (sorted[split] as number) < this.frontier) split++;
    this.ended.reset(sorted.slice(0, split));
    this.pending.reset(sorted.slice(split));
  }
}
