import { limits } from '../core/limits.js';
import type { ConfState, Entry, Snapshot } from '../raft/index.js';
import {
  RELEASED_SNAPSHOT_DATA, type LogPersister, type MemoryStorage,
} from '../storage/index.js';
import type { SnapshotProgress, StateMachine } from './interfaces.js';

/** When to snapshot and how much log to keep below a snapshot. */
export interface SnapshotSettings {
  /** Take a snapshot after this many entries were applied since the last one. */
  readonly snapshotEntries: number;
  /** Entries kept below a snapshot so slightly lagging followers need no snapshot. */
  readonly compactionKeepEntries: number;
  /**
   * Also take a snapshot once the entries applied since the last one hold this many bytes of
   * data, or as many as the last snapshot if that is more (default: no byte trigger). Entry
   * sizes vary a thousandfold (one register, or a batch of hundreds), so a count alone bounds
   * the log's memory only loosely; and a log smaller than the state is not worth a snapshot
   * (writing one costs its size, and as much again in transient buffers).
   */
  readonly snapshotBytes?: number;
  /** Of the compactionKeepEntries kept, keep no more than this many bytes (default: no cap). */
  readonly compactionKeepBytes?: number;
  /**
   * Instances (or other items) of a snapshot encoded per turn of the event loop, when the
   * state machine encodes in steps (default limits.snapshotItemsPerTurn).
   */
  readonly snapshotItemsPerTurn?: number;
}

/** Where snapshots come from and go to. */
export interface SnapshotStores {
  readonly storage: MemoryStorage;
  readonly persister: LogPersister;
  readonly stateMachine: StateMachine<unknown>;
}

/** What the snapshotter needs of the replica that owns it. */
export interface SnapshotHost {
  /** The membership in effect at `index`; undefined when the log no longer holds it. */
  confStateAt(index: number): ConfState | undefined;
  /** More encoding is due: drive again soon. */
  requestDrive(): void;
  /** A snapshot is durable and the log compacted below compactIndex. */
  saved(snapshot: Snapshot, compactIndex: number): void;
  /** Writing a snapshot failed: the node must stop. */
  failed(error: Error): void;
  isStopped(): boolean;
}

interface PendingSnapshot {
  readonly progress: SnapshotProgress;
  readonly metadata: Snapshot['metadata'];
  readonly compactIndex: number;
}

/**
 * Takes snapshots of the state machine at the applied index, encoding them a step per turn
 * between Readies so a large state never holds the event loop, saves them, and compacts the
 * log below them. Memory then keeps only the snapshot's metadata: a follower's copy is read
 * back from disk.
 */
export class Snapshotter {
  private readonly settings: SnapshotSettings & SnapshotStores;
  private readonly host: SnapshotHost;
  /** Data bytes of the entries applied since the last snapshot was taken (or since start). */
  private appliedBytesSinceSnapshot = 0;
  /** Data bytes of the last snapshot taken (0 until one is). */
  private lastSnapshotBytes = 0;
  /** From taking a snapshot until it is durable (or abandoned before it was written). */
  private inFlight = false;
  /** A snapshot being encoded a step per turn; saved once written. */
  private pending: PendingSnapshot | undefined = undefined;
  /** snapshotNow() callers waiting for the snapshot in flight. */
  private waiters: ((error?: Error) => void)[] = [];

  constructor(settings: SnapshotSettings & SnapshotStores, host: SnapshotHost) {
    this.settings = settings;
    this.host = host;
  }

  /** An entry was applied: its bytes count towards the byte trigger. */
  countApplied(entry: Entry): void {
    this.appliedBytesSinceSnapshot += entry.data.byteLength;
  }

  /**
   * Snapshots the state machine every snapshotEntries applied entries (or snapshotBytes of
   * them) and compacts the log.
   */
  maybeTake(appliedIndex: number): void {
    if (this.inFlight) return;
    const snapshotIndex = this.settings.storage.snapshot().metadata.index;
    const dueByCount = appliedIndex - snapshotIndex >= this.settings.snapshotEntries;
    const bytesDue = Math.max(this.settings.snapshotBytes ?? Number.POSITIVE_INFINITY,
      this.lastSnapshotBytes);
    const dueByBytes = this.appliedBytesSinceSnapshot >= bytesDue;
    if (dueByCount || dueByBytes) this.take(appliedIndex);
  }

  /**
   * Snapshots now, if anything was applied since the last snapshot: for a graceful stop, so
   * that the node restarts from the snapshot with no log to replay. `done` runs once it is
   * durable (at once when none is needed; after the one in flight, if one is).
   */
  snapshotNow(appliedIndex: number, done: (error?: Error) => void): void {
    // One still being encoded is of an earlier index: a fresh one, written at once, replaces
    // it, so that a node stopping now restarts with nothing to replay.
    this.abandon();
    if (!this.inFlight) this.take(appliedIndex);
    this.step(Number.POSITIVE_INFINITY);
    if (this.inFlight) this.waiters.push(done);
    else done();
  }

  /** Encodes the pending snapshot a turn's worth further (or `budget` items); saves it. */
  step(budget = this.settings.snapshotItemsPerTurn ?? limits.snapshotItemsPerTurn): void {
    const pending = this.pending;
    if (pending === undefined) return;
    if (!pending.progress.step(budget)) {
      this.host.requestDrive();
      return;
    }
    this.pending = undefined;
    this.save({ metadata: pending.metadata, data: pending.progress.finish() },
      pending.compactIndex);
  }

  /** A snapshot still being encoded describes a state that is gone (restored, stopped). */
  abandon(): void {
    if (this.pending === undefined) return;
    this.pending = undefined;
    this.inFlight = false;
  }

  private take(index: number): void {
    const storage = this.settings.storage;
    const snapshotIndex = storage.snapshot().metadata.index;
    if (index <= snapshotIndex) return;
    const confState = this.host.confStateAt(index);
    // A snapshot restored in Raft but not yet applied here has replaced the log: skip.
    if (confState === undefined) return;
    const metadata = { index, term: storage.term(index), confState };
    const compactIndex = this.compactionIndex(index, snapshotIndex);
    this.appliedBytesSinceSnapshot = 0;
    this.inFlight = true;
    const stateMachine = this.settings.stateMachine;
    if (stateMachine.beginSnapshot === undefined) {
      this.save({ metadata, data: stateMachine.snapshot() }, compactIndex);
      return;
    }
    this.pending = { progress: stateMachine.beginSnapshot(), metadata, compactIndex };
    this.step();
  }

  /**
   * Below a snapshot at `index`: the log keeps the newest compactionKeepEntries entries, fewer
   * if they hold more than compactionKeepBytes. Returns the index to compact up to.
   */
  private compactionIndex(index: number, snapshotIndex: number): number {
    const byCount = Math.max(snapshotIndex, index - this.settings.compactionKeepEntries);
    const keepBytes = this.settings.compactionKeepBytes;
    if (keepBytes === undefined || byCount >= index) return byCount;
    const kept = this.settings.storage.entries(byCount + 1, index + 1, Number.POSITIVE_INFINITY);
    let bytes = 0;
    let first = index + 1;
    for (let at = kept.length - 1; at >= 0; at--) {
      bytes += (kept[at] as Entry).data.byteLength;
      if (bytes > keepBytes) break;
      first -= 1;
    }
    return Math.max(byCount, first - 1);
  }

  private save(snapshot: Snapshot, compactIndex: number): void {
    const storage = this.settings.storage;
    const { index, confState } = snapshot.metadata;
    this.lastSnapshotBytes = snapshot.data.byteLength;
    this.settings.persister.saveSnapshot(snapshot, compactIndex, (error?: Error) => {
      this.inFlight = false;
      const waiters = this.waiters;
      this.waiters = [];
      if (error !== undefined) {
        for (const waiter of waiters) waiter(error);
        this.host.failed(error);
        return;
      }
      // Durable now: memory keeps the metadata, and a follower's copy is read from disk.
      if (!this.host.isStopped() && storage.createSnapshot({
        index, confState, data: RELEASED_SNAPSHOT_DATA,
      })) {
        storage.compact(compactIndex);
        this.host.saved(snapshot, compactIndex);
      }
      for (const waiter of waiters) waiter();
    });
  }
}
