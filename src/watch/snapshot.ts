/**
 * A snapshot of the instances matching one filter at one revision, sent as PUT events in
 * chunks. Chunks are encoded on first use and memoized: every watcher of the same filter that
 * needs a snapshot at this revision (after a reset, all of them) shares one encoding.
 */
import { assert } from '../core/assert.js';
import type { RegistryEvent, StoredInstance } from '../registry/index.js';
import type { WatchDelivery } from './types.js';

export interface SnapshotOptions<Encoded> {
  readonly revision: number;
  readonly instances: readonly StoredInstance[];
  readonly encode: (event: RegistryEvent) => Encoded;
  readonly chunkEvents: number;
}

export class Snapshot<Encoded> {
  readonly revision: number;
  private readonly instances: readonly StoredInstance[];
  private readonly encode: (event: RegistryEvent) => Encoded;
  private readonly chunkEvents: number;
  private readonly chunks: (WatchDelivery<Encoded> | undefined)[];

  constructor(options: SnapshotOptions<Encoded>) {
    assert(options.chunkEvents >= 1, `snapshot chunkEvents must be >= 1: ${options.chunkEvents}`);
    this.revision = options.revision;
    this.instances = options.instances;
    this.encode = options.encode;
    this.chunkEvents = options.chunkEvents;
    // An empty state is still one (empty) chunk: the client must learn that its view is empty.
    const count = Math.max(1, Math.ceil(this.instances.length / this.chunkEvents));
    this.chunks = new Array<WatchDelivery<Encoded> | undefined>(count).fill(undefined);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  chunk(index: number): WatchDelivery<Encoded> {
    assert(index >= 0 && index < this.chunks.length,
      `snapshot chunk ${index} of ${this.chunks.length}`);
    const cached = this.chunks[index];
    if (cached !== undefined) return cached;
    const built = this.build(index);
    this.chunks[index] = built;
    return built;
  }

  private build(index: number): WatchDelivery<Encoded> {
    const begin = index * this.chunkEvents;
    const slice = this.instances.slice(begin, begin + this.chunkEvents);
    // Each event carries the snapshot's revision, so a client that resumes from the revision
    // of the last event it saw never asks for less than the snapshot already gave it.
    const events: RegistryEvent[] = slice.map((instance) => ({
      type: 'PUT', reason: 'registered', revision: this.revision, instance,
    }));
    const parts = events.map((event) => this.encode(event));
    return Object.freeze({
      kind: 'snapshot', events: Object.freeze(events), parts: Object.freeze(parts),
      revision: this.revision,
    });
  }
}
