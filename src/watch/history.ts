/**
 * The replay history: every published event with its encoding, oldest first, bounded by count
 * and bytes. Unsynced watchers catch up from it; a watcher whose position was compacted away
 * gets a snapshot instead.
 */
import { assert, at } from '../core/assert.js';
import type { RegistryEvent } from '../registry/index.js';
import type { WatchDelivery } from './types.js';

export interface HistoryEntry<Encoded> {
  readonly event: RegistryEvent;
  /** Shared by every watcher that is sent this event. */
  readonly encoded: Encoded;
  /** What the entry counts against the history's byte bound. */
  readonly bytes: number;
}

/**
 * An entry encoded on first use, then shared: an event that no watcher is ever handed (log
 * replay at start-up, a node nobody watches) is never encoded.
 */
export class LazyEntry<Encoded> implements HistoryEntry<Encoded> {
  /** A flag beside the value, not a wrapper object: no allocation per delivered event. */
  private isEncoded = false;
  private value: Encoded | undefined = undefined;

  constructor(
    readonly event: RegistryEvent,
    readonly bytes: number,
    private readonly encode: (event: RegistryEvent) => Encoded,
  ) {}

  get encoded(): Encoded {
    if (!this.isEncoded) {
      this.value = this.encode(this.event);
      this.isEncoded = true;
    }
    return this.value as Encoded;
  }
}

export interface HistoryBounds {
  readonly eventsMax: number;
  readonly bytesMax: number;
}

/** Evicted slots at the front are reclaimed once there are this many and they are half. */
const RECLAIM_SLOTS_MIN = 1024;

export class EventHistory<Encoded> {
  /** Entries live in slots[head..]; evicted slots are cleared so the GC can take them. */
  private slots: (HistoryEntry<Encoded> | undefined)[] = [];
  private head = 0;
  private bytesValue = 0;
  private compactRevisionValue: number;

  constructor(private readonly bounds: HistoryBounds, compactRevision: number) {
    assert(bounds.eventsMax >= 1, `history eventsMax must be >= 1, got ${bounds.eventsMax}`);
    assert(bounds.bytesMax >= 1, `history bytesMax must be >= 1, got ${bounds.bytesMax}`);
    this.compactRevisionValue = compactRevision;
  }

  get length(): number {
    return this.slots.length - this.head;
  }

  get bytes(): number {
    return this.bytesValue;
  }

  /** Every event with a revision above this one is in the history. */
  get compactRevision(): number {
    return this.compactRevisionValue;
  }

  /** The newest revision held, or compactRevision when empty. */
  get lastRevision(): number {
    return this.length === 0 ? this.compactRevisionValue : this.at(this.length - 1).event.revision;
  }

  at(index: number): HistoryEntry<Encoded> {
    const entry = this.slots[this.head + index];
    assert(index >= 0 && entry !== undefined, `history index ${index} of ${this.length}`);
    return entry;
  }

  /** The events of one command (one revision, above every held revision), then eviction. */
  append(entries: readonly HistoryEntry<Encoded>[]): void {
    const last = this.lastRevision;
    for (const entry of entries) {
      assert(entry.event.revision > last, `history append at ${entry.event.revision} <= ${last}`);
      assert(entry.bytes >= 0, `negative encoded size ${entry.bytes}`);
      this.slots.push(entry);
      this.bytesValue += entry.bytes;
    }
    this.evict();
  }

  /** The index of the first entry with a revision above `revision` (length when none). */
  firstIndexAfter(revision: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).event.revision <= revision) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The index just past the last entry of the revision at `index`. */
  revisionEnd(index: number): number {
    const revision = this.at(index).event.revision;
    let end = index + 1;
    while (end < this.length && this.at(end).event.revision === revision) end += 1;
    return end;
  }

  /** Drops everything: the state machine jumped to `compactRevision` (a restored snapshot). */
  clear(compactRevision: number): void {
    assert(compactRevision >= this.lastRevision,
      `history cleared back to ${compactRevision} < ${this.lastRevision}`);
    this.slots = [];
    this.head = 0;
    this.bytesValue = 0;
    this.compactRevisionValue = compactRevision;
  }

  private evict(): void {
    while (this.length > 0 && this.overBounds()) this.evictOldestRevision();
    this.reclaim();
  }

  private overBounds(): boolean {
    return this.length > this.bounds.eventsMax || this.bytesValue > this.bounds.bytesMax;
  }

  /**
   * Whole revisions only: compactRevision promises that every event above it is here, so a
   * command's events leave together.
   */
  private evictOldestRevision(): void {
    const revision = this.at(0).event.revision;
    while (this.length > 0 && this.at(0).event.revision === revision) {
      this.bytesValue -= this.at(0).bytes;
      this.slots[this.head] = undefined;
      this.head += 1;
    }
    this.compactRevisionValue = revision;
  }

  /** Amortized O(1): the copy happens only after as many evictions as entries it keeps. */
  private reclaim(): void {
    if (this.head < RECLAIM_SLOTS_MIN || this.head * 2 < this.slots.length) return;
    this.slots = this.slots.slice(this.head);
    this.head = 0;
  }
}

/** An 'events' delivery of history entries (in revision order), sharing their encodings. */
export function eventsDelivery<Encoded>(
  entries: readonly HistoryEntry<Encoded>[],
): WatchDelivery<Encoded> {
  const last = at(entries, entries.length - 1);
  return Object.freeze({
    kind: 'events',
    // Frozen: one delivery object goes to every watcher of a group.
    events: Object.freeze(entries.map((entry) => entry.event)),
    parts: Object.freeze(entries.map((entry) => entry.encoded)),
    revision: last.event.revision,
  });
}
