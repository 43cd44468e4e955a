import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/**
 * What the Raft core reads from stable storage (etcd-io/raft's Storage). Reads are synchronous:
 * implementations keep the log since the last compaction in memory and write through to disk
 * (storage/ implements this; the interface lives here so that raft/ imports only core/).
 *
 * Contract: entries returned here are durable. Any error other than the two below makes the
 * Raft node inoperable (it is a bug or a broken disk).
 */
export interface RaftStorage {
  /** The persisted hard state and the membership as of the last snapshot. */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one if any, at most maxBytes beyond the first. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at index; index may be firstIndex()-1 (the snapshot's term). */
  term(index: number): number;
  /** Index of the last entry (the snapshot's index when the log is empty). */
  lastIndex(): number;
  /** Index of the first entry still available (the snapshot's index + 1). */
  firstIndex(): number;
  /** The most recent snapshot; throws SnapshotUnavailableError when it is being built. */
  snapshot(): Snapshot;
}

/** The requested index is below the first index: it was compacted into a snapshot. */
export class LogCompactedError extends Error {
  override readonly name = 'LogCompactedError';
  constructor(index: number, firstIndex: number) {
    super(`log index ${index} is compacted (first available index ${firstIndex})`);
  }
}

/** The requested index is above the last index. */
export class LogUnavailableError extends Error {
  override readonly name = 'LogUnavailableError';
  constructor(index: number, lastIndex: number) {
    super(`log index ${index} is unavailable (last index ${lastIndex})`);
  }
}

export class SnapshotUnavailableError extends Error {
  override readonly name = 'SnapshotUnavailableError';
  constructor() {
    super('snapshot is temporarily unavailable');
  }
}
