import type { RosterError } from '../core/errors.js';
import type { ConfChange, Entry, HardState, Ready, Snapshot, SoftState } from '../raft/index.js';

/** The replicated state machine: deterministic, synchronous, and snapshottable. */
export interface StateMachine<Result = unknown> {
  /** Applies a committed normal entry; the result goes to the proposer, if it is waiting here. */
  apply(entry: Entry): Result;
  /** The whole state, serialized (taken at the applied index). */
  snapshot(): Uint8Array;
  /** Replaces the state; empty data means the initial (bootstrap) state. */
  restore(data: Uint8Array): void;
}

/** One Ready's durable writes: applied atomically, synced when `sync`. */
export interface PersistBatch {
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly sync: boolean;
}

/**
 * The durable side of the log (LevelDB, or the simulator's disk). Writes complete in order;
 * `done` runs once the data would survive a crash.
 */
export interface LogPersister {
  persist(batch: PersistBatch, done: (error?: Error) => void): void;
  /** Stores a locally taken snapshot, then drops entries up to compactIndex. */
  saveSnapshot(snapshot: Snapshot, compactIndex: number, done: (error?: Error) => void): void;
}

export type ProposalOutcome<Result> =
  | { readonly status: 'committed'; readonly index: number; readonly result: Result }
  /** Definitely not applied (refused, or overwritten by a new leader). Safe to retry. */
  | { readonly status: 'rejected'; readonly error: RosterError }
  /** May or may not be applied (timed out, node stopped). */
  | { readonly status: 'unknown'; readonly error: RosterError };

export type ReadOutcome =
  /** Local state now reflects every write committed before the read began. */
  | { readonly status: 'ready'; readonly index: number }
  | { readonly status: 'failed'; readonly error: RosterError };

/** Hooks for observers (the simulator's checkers, metrics): called synchronously. */
export interface ReplicaObserver<Result = unknown> {
  onReady?(ready: Ready): void;
  onPersisted?(ready: Ready): void;
  onApply?(entry: Entry, result: Result | undefined): void;
  onSnapshotRestored?(snapshot: Snapshot): void;
  onSnapshotSaved?(snapshot: Snapshot, compactIndex: number): void;
  onSoftState?(softState: SoftState, term: number): void;
  onConfChange?(change: ConfChange, index: number): void;
}
