/** One watcher's record: its filter, its sink, and where it stands. */
import type { Snapshot } from './snapshot.js';
import type { WatchDelivery, WatchFilter, WatchSink } from './types.js';

export interface WatcherOptions<Encoded> {
  readonly id: number;
  readonly filter: WatchFilter;
  readonly sink: WatchSink<Encoded>;
  /** Every matching event at or below this revision is already accounted for. */
  readonly coveredRevision: number;
  readonly nowMs: number;
}

export class Watcher<Encoded> {
  readonly id: number;
  readonly filter: WatchFilter;
  readonly sink: WatchSink<Encoded>;
  /**
   * Every matching event with a revision at or below this was delivered (or is reflected in a
   * snapshot sent); the next event delivered is above it. Synced watchers are implicitly
   * covered up to the hub's revision too (events that did not match them do not touch them).
   */
  coveredRevision: number;
  /** In the synced index, receiving live events. */
  synced = false;
  /** The sink is over its high-water mark: nothing more until onDrain. */
  blocked = false;
  cancelled = false;
  /** Set by reset(): its view may be wrong, only a fresh snapshot can fix it. */
  snapshotNeeded = false;
  /** The snapshot being sent, and the next chunk to send. */
  snapshot: Snapshot<Encoded> | undefined = undefined;
  snapshotChunk = 0;
  /** A snapshot was sent: a caughtUp marker follows once the watcher is live. */
  caughtUpOwed = false;
  /** When the hub last wrote to it, for progress notices. */
  lastWriteMs: number;

  constructor(options: WatcherOptions<Encoded>) {
    this.id = options.id;
    this.filter = options.filter;
    this.sink = options.sink;
    this.coveredRevision = options.coveredRevision;
    this.lastWriteMs = options.nowMs;
  }

  /** Writes and reports whether the sink still has room. */
  write(delivery: WatchDelivery<Encoded>, nowMs: number): boolean {
    this.lastWriteMs = nowMs;
    return this.sink.write(delivery);
  }
}
