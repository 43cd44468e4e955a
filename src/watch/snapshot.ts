/**
 * A snapshot of the instances matching one filter at one revision, sent as PUT events in
 * chunks bounded by count and by bytes (a chunk is one response on the wire). Chunks are
 * encoded on first use and memoized, so watchers of the same filter that need a snapshot at
 * this revision (after a reset, all of them, moving in step) share one encoding; the memo is
 * bounded in bytes, oldest chunk first out, since a watcher that falls far behind the others
 * must not make the node hold the whole encoded state for it.
 */
import { assert } from '../core/assert.js';
import type { RegistryEvent, StoredInstance } from '../registry/index.js';
import type { WatchDelivery } from './types.js';

export interface SnapshotOptions<Encoded> {
  readonly revision: number;
  readonly instances: readonly StoredInstance[];
  readonly encode: (event: RegistryEvent) => Encoded;
  /** What an event counts against chunkBytes and memoBytes (the hub's estimate). */
  readonly eventBytes: (event: RegistryEvent) => number;
  readonly chunkEvents: number;
  /** A chunk stops before the event that would take it past this (one event at least). */
  readonly chunkBytes: number;
  /** Encoded chunks kept for other watchers, in bytes. */
  readonly memoBytes: number;
}

interface Memo<Encoded> {
  readonly delivery: WatchDelivery<Encoded>;
  readonly bytes: number;
}

export class Snapshot<Encoded> {
  readonly revision: number;
  /** Watchers being sent this snapshot (the hub bounds how many snapshots are in progress). */
  holders = 0;
  private readonly options: SnapshotOptions<Encoded>;
  private readonly instances: readonly StoredInstance[];
  /** Chunk i is instances[starts[i], starts[i + 1]); found as chunks are first asked for. */
  private readonly starts: number[] = [0];
  private readonly sizes = new Map<number, number>();
  private readonly memo = new Map<number, Memo<Encoded>>();
  private memoBytes = 0;

  constructor(options: SnapshotOptions<Encoded>) {
    assert(options.chunkEvents >= 1 && options.chunkBytes >= 1 && options.memoBytes >= 0,
      `snapshot bounds must be positive: ${options.chunkEvents}, ${options.chunkBytes}`);
    this.options = options;
    this.revision = options.revision;
    this.instances = options.instances;
  }

  /** Whether chunk `index` exists. An empty state is still one (empty) chunk: the client
   * must learn that its view is empty. */
  has(index: number): boolean {
    assert(Number.isSafeInteger(index) && index >= 0, `snapshot chunk ${index}`);
    return index === 0 || this.end(index - 1) < this.instances.length;
  }

  isLast(index: number): boolean {
    return this.end(index) >= this.instances.length;
  }

  chunk(index: number): WatchDelivery<Encoded> {
    assert(this.has(index), `snapshot chunk ${index} does not exist`);
    const cached = this.memo.get(index);
    if (cached !== undefined) return cached.delivery;
    const built = this.build(index);
    this.remember(index, built);
    return built;
  }

  private remember(index: number, delivery: WatchDelivery<Encoded>): void {
    const bytes = this.bytesOf(index);
    if (bytes > this.options.memoBytes) return;
    this.memo.set(index, { delivery, bytes });
    this.memoBytes += bytes;
    // Map order is insertion order, and chunks are built in order: the first is the oldest.
    for (const [held, entry] of this.memo) {
      if (this.memoBytes <= this.options.memoBytes) break;
      this.memo.delete(held);
      this.memoBytes -= entry.bytes;
    }
  }

  /** Drops the memo: no watcher will start on this snapshot any more. */
  forgetEncodings(): void {
    this.memo.clear();
    this.memoBytes = 0;
  }

  private event(instance: StoredInstance): RegistryEvent {
    // Each event carries the snapshot's revision, so a client that resumes from the revision
    // of the last event it saw never asks for less than the snapshot already gave it.
    return { type: 'PUT', reason: 'registered', revision: this.revision, instance };
  }

  /** The instance index just past chunk `index`, finding the boundaries up to it. */
  private end(index: number): number {
    const count = this.instances.length;
    while (this.starts.length <= index + 1) {
      const begin = this.starts[this.starts.length - 1] as number;
      let end = begin;
      let bytes = 0;
      while (end < count && end - begin < this.options.chunkEvents) {
        const size = this.options.eventBytes(this.event(this.instances[end] as StoredInstance));
        if (end > begin && bytes + size > this.options.chunkBytes) break;
        bytes += size;
        end += 1;
      }
      this.sizes.set(this.starts.length - 1, bytes);
      this.starts.push(end);
    }
    return this.starts[index + 1] as number;
  }

  private bytesOf(index: number): number {
    this.end(index);
    return this.sizes.get(index) ?? 0;
  }

  private build(index: number): WatchDelivery<Encoded> {
    const slice = this.instances.slice(this.starts[index], this.end(index));
    const events = slice.map((instance) => this.event(instance));
    const parts = events.map((event) => this.options.encode(event));
    return Object.freeze({
      kind: 'snapshot', events: Object.freeze(events), parts: Object.freeze(parts),
      revision: this.revision,
    });
  }
}
