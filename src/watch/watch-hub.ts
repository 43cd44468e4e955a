/**
 * The watch hub: one per node, fed synchronously by the registry with the events of every
 * applied command. Shaped like etcd's watchable store (mvcc/watchable_store.go):
 *
 * - synced watchers are caught up; publish() writes each command's events to the ones it
 *   matches, found through an index by namespace/service, never by scanning every watcher;
 * - unsynced watchers are behind: their sink was full, they started in the past, or a reset
 *   invalidated their view. sync() catches them up from a bounded history in bounded rounds,
 *   or, when what they need was compacted away, sends a snapshot, then caughtUp;
 * - etcd's victims are not needed: a sink always accepts what it is handed and only says "full",
 *   so the write that fills it is never lost and the watcher simply stops being written to.
 *
 * Each event is encoded at most once, when a watcher is first handed it (often in publish());
 * history entries, live deliveries and catch-up deliveries all share that encoding. Nothing
 * here waits, so apply is never stalled.
 */
import { assert, at } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import type { RegistryEvent, StoredInstance } from '../registry/index.js';
import { filterKey, matchesFilter, validateFilter } from './filter.js';
import { eventBytesEstimate } from './event-size.js';
import { EventHistory, LazyEntry, eventsDelivery, type HistoryEntry } from './history.js';
import { Snapshot } from './snapshot.js';
import { SyncedIndex } from './synced-index.js';
import {
  markerDelivery, progressNotice, type WatchDelivery, type WatchFilter, type WatchSink,
} from './types.js';
import { watchLimits } from './watch-limits.js';
import { Watcher } from './watcher.js';

export type { WatchDelivery, WatchDeliveryKind, WatchFilter, WatchSink } from './types.js';

export interface WatchHubOptions<Encoded> {
  /** Called at most once per published event: when a watcher is first handed it. */
  readonly encode: (event: RegistryEvent) => Encoded;
  /** The history's byte bound counts this (default: eventBytesEstimate). */
  readonly eventBytes?: (event: RegistryEvent) => number;
  /**
   * The current instances matching a filter, for snapshots (read synchronously from the
   * registry, which is at the hub's current revision: the registry feeds the hub as it applies).
   */
  readonly currentState: (filter: WatchFilter) => readonly StoredInstance[];
  readonly historyEventsMax?: number;
  readonly historyBytesMax?: number;
  readonly watchersMax?: number;
  /** Snapshot deliveries hold at most this many events. */
  readonly snapshotChunkEvents?: number;
  /** Snapshot and catch-up deliveries stop short of this many bytes (eventBytes). */
  readonly deliveryBytesMax?: number;
  readonly snapshotsInProgressMax?: number;
  readonly snapshotMemoBytesMax?: number;
  /** An unsynced watcher scans at most this many history events per sync() call. */
  readonly syncBatchEvents?: number;
  /** At most this many unsynced watchers are served per sync() call. */
  readonly syncWatchersMax?: number;
  readonly progressIntervalMs?: number;
  readonly progressNoticesPerSyncMax?: number;
}

export interface WatchHubStats {
  readonly watchers: number;
  readonly synced: number;
  readonly unsynced: number;
  readonly historyEvents: number;
  readonly historyBytes: number;
  readonly compactRevision: number;
}

type Settings = { readonly [Name in keyof typeof watchLimits]: number };

function settingsOf<Encoded>(options: WatchHubOptions<Encoded>): Settings {
  const settings: Settings = {
    historyEventsMax: options.historyEventsMax ?? watchLimits.historyEventsMax,
    historyBytesMax: options.historyBytesMax ?? watchLimits.historyBytesMax,
    watchersMax: options.watchersMax ?? watchLimits.watchersMax,
    snapshotChunkEvents: options.snapshotChunkEvents ?? watchLimits.snapshotChunkEvents,
    deliveryBytesMax: options.deliveryBytesMax ?? watchLimits.deliveryBytesMax,
    snapshotsInProgressMax: options.snapshotsInProgressMax ?? watchLimits.snapshotsInProgressMax,
    snapshotMemoBytesMax: options.snapshotMemoBytesMax ?? watchLimits.snapshotMemoBytesMax,
    syncBatchEvents: options.syncBatchEvents ?? watchLimits.syncBatchEvents,
    syncWatchersMax: options.syncWatchersMax ?? watchLimits.syncWatchersMax,
    progressIntervalMs: options.progressIntervalMs ?? watchLimits.progressIntervalMs,
    progressNoticesPerSyncMax:
      options.progressNoticesPerSyncMax ?? watchLimits.progressNoticesPerSyncMax,
  };
  for (const [name, value] of Object.entries(settings)) {
    assert(Number.isSafeInteger(value) && value >= 1, `watch hub ${name} must be >= 1: ${value}`);
  }
  return Object.freeze(settings);
}

export class WatchHub<Encoded> {
  private readonly encode: (event: RegistryEvent) => Encoded;
  private readonly eventBytes: (event: RegistryEvent) => number;
  private readonly currentState: (filter: WatchFilter) => readonly StoredInstance[];
  private readonly settings: Settings;
  private readonly history: EventHistory<Encoded>;
  private readonly watchers = new Map<number, Watcher<Encoded>>();
  private readonly synced = new SyncedIndex<Encoded>();
  /** Synced watchers, least recently written first: write stamps never decrease along it. */
  private readonly activity = new Set<Watcher<Encoded>>();
  /** Unsynced watchers that may catch up (not blocked), served round-robin by sync(). */
  private readonly catchUpQueue = new Set<Watcher<Encoded>>();
  /** Snapshots at the current revision by filter: watchers of one filter share the encoding. */
  private readonly snapshots = new Map<string, Snapshot<Encoded>>();
  /** Snapshots some watcher is being sent (bounded by snapshotsInProgressMax). */
  private readonly inProgress = new Set<Snapshot<Encoded>>();
  private revisionValue: number;
  /** The latest time seen (watch, sync); publish() has no clock and stamps writes with it. */
  private nowMs = Number.NEGATIVE_INFINITY;
  private nextId = 1;

  constructor(options: WatchHubOptions<Encoded>, initialRevision: number) {
    assert(Number.isSafeInteger(initialRevision) && initialRevision >= 0,
      `initial revision ${initialRevision}`);
    this.encode = options.encode;
    this.eventBytes = options.eventBytes ?? eventBytesEstimate;
    this.currentState = options.currentState;
    this.settings = settingsOf(options);
    this.history = new EventHistory({
      eventsMax: this.settings.historyEventsMax, bytesMax: this.settings.historyBytesMax,
    }, initialRevision);
    this.revisionValue = initialRevision;
  }

  get revision(): number {
    return this.revisionValue;
  }

  /** Events with a revision above this one are in the history. */
  get compactRevision(): number {
    return this.history.compactRevision;
  }

  /**
   * The events of one applied command (one revision, above the current one). Appends them to
   * the history and writes them to the synced watchers they match (encoding what they get).
   * O(events + matching watchers); a full sink only demotes its watcher.
   */
  publish(events: readonly RegistryEvent[]): void {
    if (events.length === 0) return;
    const revision = at(events, 0).revision;
    assert(revision > this.revisionValue,
      `published revision ${revision} <= ${this.revisionValue}`);
    const entries = events.map((event) => this.entryOf(event, revision));
    this.revisionValue = revision;
    this.dropCurrentSnapshots();
    this.history.append(entries);
    for (const [group, matched] of this.synced.targetsFor(entries)) {
      this.fanOut(group, eventsDelivery(matched));
    }
  }

  /**
   * A watch from now: from the current revision, which the sink is told at once with a
   * progress notice. A client that resumes after a broken stream then knows exactly where it
   * started, even when nothing matching has happened yet (etcd's "created" header).
   */
  watchFromNow(filter: WatchFilter, sink: WatchSink<Encoded>, nowMs: number): number {
    const now = this.revisionValue;
    const id = this.watch(filter, now, sink, nowMs);
    sink.write(progressNotice(now));
    return id;
  }

  /**
   * Adds a watcher and returns its id. startRevision 0: live only. At or above the current
   * revision: the events above it, when they come. Otherwise, a replay from the history (or a
   * snapshot then caughtUp, when the history no longer reaches back that far), then live. The
   * first bounded round of catch-up happens here, so the sink may be written before this
   * returns; the rest at sync().
   */
  watch(
    filter: WatchFilter, startRevision: number, sink: WatchSink<Encoded>, nowMs: number,
  ): number {
    validateFilter(filter);
    if (!Number.isSafeInteger(startRevision) || startRevision < 0) {
      throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
        `start revision must be a non-negative integer, got ${startRevision}`,
        { field: 'startRevision' });
    }
    if (this.watchers.size >= this.settings.watchersMax) {
      throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
        `this node already serves ${this.watchers.size} watchers (the limit)`);
    }
    this.advanceTime(nowMs);
    const live = startRevision === 0 || startRevision >= this.revisionValue;
    const watcher = new Watcher({
      id: this.nextId,
      filter: Object.freeze({ namespace: filter.namespace, service: filter.service }),
      sink,
      coveredRevision: live ? Math.max(startRevision, this.revisionValue) : startRevision,
      nowMs: this.nowMs,
    });
    this.nextId += 1;
    this.watchers.set(watcher.id, watcher);
    if (live) {
      this.promote(watcher);
    } else {
      this.step(watcher);
      this.requeue(watcher);
    }
    return watcher.id;
  }

  /** Forgets a watcher; unknown ids are ignored (a stream may end twice). */
  cancel(id: number): void {
    const watcher = this.watchers.get(id);
    if (watcher === undefined) return;
    this.watchers.delete(id);
    if (watcher.synced) this.leaveSynced(watcher);
    this.catchUpQueue.delete(watcher);
    watcher.cancelled = true;
    this.releaseSnapshot(watcher);
  }

  /** The sink drained: the watcher catches up at the next sync(). */
  onDrain(id: number): void {
    const watcher = this.watchers.get(id);
    if (watcher === undefined || !watcher.blocked) return;
    watcher.blocked = false;
    this.catchUpQueue.add(watcher);
  }

  /**
   * Periodic work, called by the node: up to syncWatchersMax unsynced watchers each catch up
   * by at most syncBatchEvents events; then synced watchers idle for progressIntervalMs are
   * sent a progress notice (at most progressNoticesPerSyncMax).
   */
  sync(nowMs: number): void {
    this.advanceTime(nowMs);
    this.serveCatchUps();
    this.sendProgress();
  }

  /**
   * The state machine restored a snapshot at `revision`: the history is dropped and every
   * watcher that could have missed something gets a fresh snapshot then caughtUp, at sync().
   * O(watchers) flag updates, no writes: apply is not held up.
   */
  reset(revision: number): void {
    assert(Number.isSafeInteger(revision) && revision >= this.revisionValue,
      `reset to revision ${revision} < ${this.revisionValue}`);
    const previous = this.revisionValue;
    this.revisionValue = revision;
    this.history.clear(revision);
    this.dropCurrentSnapshots();
    for (const watcher of this.watchers.values()) this.resetWatcher(watcher, previous);
  }

  stats(): WatchHubStats {
    return {
      watchers: this.watchers.size,
      synced: this.synced.size,
      unsynced: this.watchers.size - this.synced.size,
      historyEvents: this.history.length,
      historyBytes: this.history.bytes,
      compactRevision: this.history.compactRevision,
    };
  }

  // ---- publish ----------------------------------------------------------------------------

  private entryOf(event: RegistryEvent, revision: number): HistoryEntry<Encoded> {
    assert(event.revision === revision,
      `one command's events share a revision: ${event.revision} != ${revision}`);
    return new LazyEntry(event, this.eventBytes(event), this.encode);
  }

  private fanOut(group: ReadonlySet<Watcher<Encoded>>, delivery: WatchDelivery<Encoded>): void {
    for (const watcher of group) {
      // It starts in the future, or a sink added it re-entrantly at this very revision.
      if (delivery.revision <= watcher.coveredRevision) continue;
      watcher.coveredRevision = delivery.revision;
      // A sink may cancel its own watcher from write(): then it is no longer synced.
      if (!this.writeSynced(watcher, delivery) && watcher.synced) this.demote(watcher);
    }
  }

  // ---- synced / unsynced ------------------------------------------------------------------

  private writeSynced(watcher: Watcher<Encoded>, delivery: WatchDelivery<Encoded>): boolean {
    this.activity.delete(watcher);
    this.activity.add(watcher);
    return watcher.write(delivery, this.nowMs);
  }

  /** Writes to an unsynced watcher; false when it must stop (full or cancelled). */
  private writeUnsynced(watcher: Watcher<Encoded>, delivery: WatchDelivery<Encoded>): boolean {
    if (!watcher.write(delivery, this.nowMs)) watcher.blocked = true;
    return !watcher.blocked && !watcher.cancelled;
  }

  private promote(watcher: Watcher<Encoded>): void {
    assert(watcher.coveredRevision >= this.revisionValue,
      `watcher ${watcher.id} promoted at ${watcher.coveredRevision} < ${this.revisionValue}`);
    assert(!watcher.blocked && watcher.snapshot === undefined,
      `watcher ${watcher.id} promoted while blocked or mid-snapshot`);
    watcher.synced = true;
    // Idle time counts from here: it keeps the activity order sorted by stamp.
    watcher.lastWriteMs = this.nowMs;
    this.synced.add(watcher);
    this.activity.add(watcher);
  }

  /**
   * Its sink is full. It was just written at the current revision, so it is covered up to it:
   * were it left behind an unrelated revision, the history could drop that one and force a
   * needless snapshot.
   */
  private demote(watcher: Watcher<Encoded>): void {
    assert(watcher.coveredRevision >= this.revisionValue,
      `watcher ${watcher.id} demoted at ${watcher.coveredRevision} < ${this.revisionValue}`);
    this.leaveSynced(watcher);
    watcher.blocked = true;
  }

  private leaveSynced(watcher: Watcher<Encoded>): void {
    assert(watcher.synced, `watcher ${watcher.id} is not synced`);
    this.synced.remove(watcher);
    this.activity.delete(watcher);
    watcher.synced = false;
  }

  private requeue(watcher: Watcher<Encoded>): void {
    if (!watcher.synced && !watcher.blocked && !watcher.cancelled) {
      this.catchUpQueue.add(watcher);
    }
  }

  // ---- catch-up ---------------------------------------------------------------------------

  /** Round-robin: a watcher that is still behind goes to the back of the queue. */
  private serveCatchUps(): void {
    const batch: Watcher<Encoded>[] = [];
    for (const watcher of this.catchUpQueue) {
      if (batch.length >= this.settings.syncWatchersMax) break;
      batch.push(watcher);
    }
    for (const watcher of batch) {
      // A sink written earlier in this loop may have cancelled it.
      if (!this.catchUpQueue.delete(watcher)) continue;
      this.step(watcher);
      this.requeue(watcher);
    }
  }

  /**
   * One bounded round for an unsynced watcher: the snapshot it needs (or the rest of the one
   * it is being sent), then the history after its position, then caughtUp and live.
   */
  private step(watcher: Watcher<Encoded>): void {
    if (this.needsSnapshot(watcher)) {
      // A snapshot it was being sent is of no use now: its slot goes first.
      this.releaseSnapshot(watcher);
      // Its turn comes when a snapshot in progress is done (it stays in the queue).
      if (!this.mayStartSnapshot(watcher.filter)) return;
      this.startSnapshot(watcher);
    }
    let budget = this.settings.syncBatchEvents;
    if (watcher.snapshot !== undefined) {
      budget -= this.sendSnapshotChunks(watcher, budget);
      if (watcher.snapshot !== undefined || watcher.blocked || watcher.cancelled) return;
    }
    // The history moved past the snapshot while it was sent: another one, next round.
    if (watcher.coveredRevision < this.history.compactRevision) return;
    if (!this.catchUpHistory(watcher, budget)) return;
    if (watcher.blocked || watcher.cancelled) return;
    if (watcher.caughtUpOwed) {
      watcher.caughtUpOwed = false;
      if (!this.writeUnsynced(watcher, markerDelivery('caughtUp', this.revisionValue))) return;
    }
    this.promote(watcher);
  }

  private needsSnapshot(watcher: Watcher<Encoded>): boolean {
    if (watcher.snapshotNeeded) return true;
    return watcher.snapshot === undefined &&
      watcher.coveredRevision < this.history.compactRevision;
  }

  private mayStartSnapshot(filter: WatchFilter): boolean {
    return this.inProgress.size < this.settings.snapshotsInProgressMax ||
      this.snapshots.has(filterKey(filter));
  }

  private startSnapshot(watcher: Watcher<Encoded>): void {
    const snapshot = this.snapshotFor(watcher.filter);
    assert(snapshot.revision >= watcher.coveredRevision,
      `snapshot at ${snapshot.revision} behind watcher ${watcher.id}`);
    snapshot.holders += 1;
    this.inProgress.add(snapshot);
    watcher.snapshot = snapshot;
    watcher.snapshotChunk = 0;
    watcher.snapshotNeeded = false;
    watcher.coveredRevision = snapshot.revision;
    watcher.caughtUpOwed = true;
  }

  private snapshotFor(filter: WatchFilter): Snapshot<Encoded> {
    const key = filterKey(filter);
    const cached = this.snapshots.get(key);
    if (cached !== undefined) return cached;
    const instances = this.currentState(filter);
    for (const instance of instances) {
      assert(matchesFilter(filter, instance), `currentState returned ${instance.id} for ${key}`);
    }
    const snapshot = new Snapshot({
      revision: this.revisionValue,
      instances,
      encode: this.encode,
      eventBytes: this.eventBytes,
      chunkEvents: this.settings.snapshotChunkEvents,
      chunkBytes: this.settings.deliveryBytesMax,
      memoBytes: this.settings.snapshotMemoBytesMax,
    });
    this.snapshots.set(key, snapshot);
    return snapshot;
  }

  /** Sends chunks within the budget (at least one, so it always progresses); returns events. */
  private sendSnapshotChunks(watcher: Watcher<Encoded>, budget: number): number {
    const snapshot = watcher.snapshot;
    assert(snapshot !== undefined, `watcher ${watcher.id} has no snapshot to send`);
    let sent = 0;
    while (snapshot.has(watcher.snapshotChunk)) {
      const chunk = snapshot.chunk(watcher.snapshotChunk);
      if (sent > 0 && sent + chunk.events.length > budget) break;
      watcher.snapshotChunk += 1;
      sent += chunk.events.length;
      if (!this.writeUnsynced(watcher, chunk)) break;
    }
    if (!snapshot.has(watcher.snapshotChunk)) this.releaseSnapshot(watcher);
    return sent;
  }

  /** The watcher is done with its snapshot (sent, cancelled, or replaced by a newer one). */
  private releaseSnapshot(watcher: Watcher<Encoded>): void {
    const snapshot = watcher.snapshot;
    if (snapshot === undefined) return;
    watcher.snapshot = undefined;
    snapshot.holders -= 1;
    if (snapshot.holders === 0) this.inProgress.delete(snapshot);
  }

  /**
   * The revision moved: new watchers get a new snapshot, so the old ones keep no encodings
   * for them (their holders encode the chunks they still need as they go).
   */
  private dropCurrentSnapshots(): void {
    for (const snapshot of this.snapshots.values()) snapshot.forgetEncodings();
    this.snapshots.clear();
  }

  /**
   * Delivers the matching history events after the watcher's position, whole revisions only
   * (a revision split across deliveries would break strict revision order), scanning at most
   * `budget` events, except that a lone revision larger than a full budget goes alone.
   * Returns whether the watcher reached the end of the history.
   */
  private catchUpHistory(watcher: Watcher<Encoded>, budget: number): boolean {
    const history = this.history;
    const fullBudget = budget === this.settings.syncBatchEvents;
    const matched: HistoryEntry<Encoded>[] = [];
    let matchedBytes = 0;
    let index = history.firstIndexAfter(watcher.coveredRevision);
    let scanned = 0;
    while (index < history.length) {
      const end = history.revisionEnd(index);
      const alone = scanned === 0 && fullBudget;
      if (scanned + (end - index) > budget && !alone) break;
      if (matchedBytes >= this.settings.deliveryBytesMax) break;
      for (let position = index; position < end; position += 1) {
        const entry = history.at(position);
        if (matchesFilter(watcher.filter, entry.event.instance)) {
          matched.push(entry);
          matchedBytes += entry.bytes;
        }
      }
      scanned += end - index;
      watcher.coveredRevision = history.at(index).event.revision;
      index = end;
    }
    if (matched.length > 0) this.writeUnsynced(watcher, eventsDelivery(matched));
    return index === history.length;
  }

  // ---- progress and reset -----------------------------------------------------------------

  private sendProgress(): void {
    const notice = markerDelivery<Encoded>('progress', this.revisionValue);
    let sent = 0;
    // A watcher written here moves to the back with a fresh stamp, which ends the loop.
    for (const watcher of this.activity) {
      if (sent >= this.settings.progressNoticesPerSyncMax) break;
      if (this.nowMs - watcher.lastWriteMs < this.settings.progressIntervalMs) break;
      sent += 1;
      if (watcher.coveredRevision > this.revisionValue) {
        // It resumed here from further than this node has applied: a notice would take it
        // backwards. It goes to the back unwritten until this node catches up.
        this.activity.delete(watcher);
        this.activity.add(watcher);
        watcher.lastWriteMs = this.nowMs;
        continue;
      }
      watcher.coveredRevision = this.revisionValue;
      if (!this.writeSynced(watcher, notice) && watcher.synced) this.demote(watcher);
    }
  }

  private resetWatcher(watcher: Watcher<Encoded>, previous: number): void {
    const covered = watcher.synced
      ? Math.max(watcher.coveredRevision, previous)
      : watcher.coveredRevision;
    // It starts at or after the new revision: it missed nothing it asked for.
    if (covered > previous && covered >= this.revisionValue) return;
    // It is being sent a snapshot of this very state (the revision did not move).
    if (watcher.snapshot?.revision === this.revisionValue) return;
    if (watcher.synced) {
      this.leaveSynced(watcher);
      this.catchUpQueue.add(watcher);
    }
    watcher.coveredRevision = covered;
    watcher.snapshotNeeded = true;
  }

  private advanceTime(nowMs: number): void {
    assert(Number.isFinite(nowMs), `time must be finite, got ${nowMs}`);
    // Time never goes back here, so write stamps stay ordered along the activity list.
    this.nowMs = Math.max(this.nowMs, nowMs);
  }
}
