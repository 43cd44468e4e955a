import { assert } from '../core/assert.js';
import { BucketHeap } from './bucket-heap.js';

/** Emptied bucket Sets kept for reuse, so a steady renew load allocates no new Sets. */
const spareSetsMax = 64;
/** Stale heap entries tolerated beyond twice the live buckets before the heaps are rebuilt. */
const heapSlackEntries = 1024;

/**
 * A hashed timer wheel of ids keyed by a time: bucket = floor(atMs / granularityMs), a Map from
 * bucket to the Set of its ids. Moving an id is a few hash operations (the renew hot path); a
 * min-heap of bucket numbers, pushed once when a bucket is created, finds the earliest bucket
 * without scanning. Emptied buckets leave stale heap entries behind; they are skipped when
 * popped and, when they outnumber the live buckets, the heaps are rebuilt, so memory stays
 * proportional to the ids held, whatever the number of moves.
 *
 * `advance(nowMs)` moves the frontier: a bucket is due once it has ended (end <= nowMs), so an
 * id comes due strictly after its time and at most one granularity late. Due buckets live in a
 * second heap, which keeps a running count of due ids exact and O(1) to read.
 */
export class DeadlineWheel {
  private readonly granularityMs: number;
  private readonly buckets = new Map<number, Set<number>>();
  private readonly bucketById = new Map<number, number>();
  /** Buckets at or after the frontier (not yet ended), possibly with stale entries. */
  private readonly pending = new BucketHeap();
  /** Buckets before the frontier (ended), possibly with stale entries. */
  private readonly ended = new BucketHeap();
  private readonly spareSets: Set<number>[] = [];
  /**
   * A live iterator per ended bucket being drained. Taking "the first id" with a fresh
   * iterator each time would rescan the deleted slots a Set keeps until it rehashes:
   * quadratic on a big bucket. A kept iterator survives deletions and still visits ids
   * added later (a failed revoke returns to its old bucket).
   */
  private readonly cursors = new Map<number, Iterator<number>>();
  /** Buckets numbered below this have ended. */
  private frontier = Number.NEGATIVE_INFINITY;
  private dueCount = 0;

  constructor(granularityMs: number) {
    assert(Number.isFinite(granularityMs) && granularityMs > 0,
      `wheel granularity must be a positive number of ms, got ${granularityMs}`);
    this.granularityMs = granularityMs;
  }

  /** Ids held, due or not. */
  get size(): number {
    return this.bucketById.size;
  }

  /** Ids in buckets that had ended at the last advance(). */
  get dueSize(): number {
    return this.dueCount;
  }

  has(id: number): boolean {
    return this.bucketById.has(id);
  }

  /** Live (non-empty) buckets. */
  bucketCount(): number {
    return this.buckets.size;
  }

  /** Heap entries, stale ones included: bounded by 2 * bucketCount() + a constant slack. */
  heapEntryCount(): number {
    return this.pending.size + this.ended.size;
  }

  /** Places `id` at `atMs`, moving it if already held. The hot path: no allocation. */
  schedule(id: number, atMs: number): void {
    assert(Number.isFinite(atMs), 'wheel: a scheduled time must be finite');
    const bucket = Math.floor(atMs / this.granularityMs);
    const current = this.bucketById.get(id);
    if (current === bucket) return;
    if (current !== undefined) this.removeFromBucket(id, current);
    this.addToBucket(id, bucket);
  }

  /** Returns whether `id` was held. */
  unschedule(id: number): boolean {
    const bucket = this.bucketById.get(id);
    if (bucket === undefined) return false;
    this.removeFromBucket(id, bucket);
    this.bucketById.delete(id);
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
      const ids = this.buckets.get(top);
      if (top === moved || ids === undefined) continue;
      this.ended.push(top);
      this.dueCount += ids.size;
      moved = top;
    }
    return this.dueCount;
  }

  /** Removes and returns an id of the earliest due bucket, or undefined when none is due. */
  popDue(): number | undefined {
    for (let top = this.ended.peek(); top !== undefined; top = this.ended.peek()) {
      const ids = this.buckets.get(top);
      if (ids === undefined) {
        this.ended.pop();
        continue;
      }
      const id = this.nextInBucket(top, ids);
      this.removeFromBucket(id, top);
      this.bucketById.delete(id);
      return id;
    }
    return undefined;
  }

  clear(): void {
    this.cursors.clear();
    this.buckets.clear();
    this.bucketById.clear();
    this.pending.clear();
    this.ended.clear();
    this.frontier = Number.NEGATIVE_INFINITY;
    this.dueCount = 0;
  }

  private nextInBucket(bucket: number, ids: Set<number>): number {
    let cursor = this.cursors.get(bucket);
    let next = cursor?.next();
    if (cursor === undefined || next === undefined || next.done === true) {
      // Every id a cursor passed was removed, so an exhausted cursor on a non-empty bucket
      // cannot happen; starting over is the safe answer if it ever did.
      cursor = ids.values();
      this.cursors.set(bucket, cursor);
      next = cursor.next();
    }
    assert(next.done !== true, 'wheel: a live bucket is empty');
    return next.value;
  }

  private addToBucket(id: number, bucket: number): void {
    let ids = this.buckets.get(bucket);
    if (ids === undefined) {
      ids = this.spareSets.pop() ?? new Set<number>();
      this.buckets.set(bucket, ids);
      (bucket < this.frontier ? this.ended : this.pending).push(bucket);
      this.compactIfBloated();
    }
    ids.add(id);
    this.bucketById.set(id, bucket);
    if (bucket < this.frontier) this.dueCount += 1;
  }

  /** Leaves bucketById to the caller, which either deletes or overwrites the entry. */
  private removeFromBucket(id: number, bucket: number): void {
    const ids = this.buckets.get(bucket);
    assert(ids !== undefined, 'wheel: an id points at a missing bucket');
    ids.delete(id);
    if (bucket < this.frontier) this.dueCount -= 1;
    if (ids.size > 0) return;
    this.buckets.delete(bucket);
    if (bucket < this.frontier) this.cursors.delete(bucket);
    if (this.spareSets.length < spareSetsMax) this.spareSets.push(ids);
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
