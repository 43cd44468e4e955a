import type { Entry, HardState, Snapshot } from '../raft/index.js';

/** One Ready's durable writes: applied atomically, synced when `sync`. */
export interface PersistBatch {
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  /**
   * False when only the commit index changed (Ready.mustSync): Raft does not need that on disk
   * (a restarted node learns it again from the leader), so such a write may be left unsynced,
   * to become durable with the next synced one, and the driver need not wait for it.
   */
  readonly sync: boolean;
}

/**
 * The durable side of the log (LevelDB, or the simulator's disk). Writes complete in the order
 * they were issued; `done` runs once the data would survive a crash. A failed write is fatal
 * for the node: it stops rather than serve from a log it cannot trust.
 */
export interface LogPersister {
  persist(batch: PersistBatch, done: (error?: Error) => void): void;
  /** Stores a locally taken snapshot, then drops entries up to compactIndex. */
  saveSnapshot(snapshot: Snapshot, compactIndex: number, done: (error?: Error) => void): void;
  /**
   * Reads back the latest durable snapshot, after the writes already issued (memory keeps only
   * its metadata: MemoryStorage.releaseSnapshotData). It is at least as new as any snapshot
   * the driver has recorded in memory, since memory only follows durable writes.
   */
  loadSnapshot(done: (error: Error | undefined, snapshot: Snapshot | undefined) => void): void;
}
