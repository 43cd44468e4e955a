import type { RosterError } from '../core/errors.js';
import type { ConfChange, Entry, Ready, Snapshot, SoftState } from '../raft/index.js';

/** The replicated state machine: deterministic, synchronous, and snapshottable. */
export interface StateMachine<Result = unknown> {
  /** Applies a committed normal entry; the result goes to the proposer, if it is waiting here. */
  apply(entry: Entry): Result;
  /** The whole state, serialized (taken at the applied index). */
  snapshot(): Uint8Array;
  /**
   * Optional: the state at the applied index, encoded in steps while entries go on being
   * applied, so that the host's event loop is never held for a whole snapshot.
   */
  beginSnapshot?(): SnapshotProgress;
  /** Replaces the state; empty data means the initial (bootstrap) state. */
  restore(data: Uint8Array): void;
  /** A committed membership change was applied (the registry records members' addresses). */
  applyConfChange?(change: ConfChange, index: number): void;
}

/** A snapshot being encoded: step() does about `budget` items' work, true once all is done. */
export interface SnapshotProgress {
  step(budget: number): boolean;
  /** The encoded state; only after step() returned true. */
  finish(): Uint8Array;
}

/** Timers, injected: only cli/ builds real ones; tests and the simulator bring their own. */
export interface Scheduler {
  /** Runs `task` soon, after the current event-loop turn (coalescing many inputs). */
  soon(task: () => void): void;
  /** Runs `task` every `intervalMs`; returns a function that stops it. */
  every(intervalMs: number, task: () => void): () => void;
  /** Runs `task` once after `delayMs`; returns a function that cancels it. */
  after(delayMs: number, task: () => void): () => void;
}

export type ProposalOutcome<Result> =
  | { readonly status: 'committed'; readonly index: number; readonly result: Result }
  /** Definitely not applied (refused, or overwritten by a new leader). Safe to retry. */
  | { readonly status: 'rejected'; readonly error: RosterError }
  /** May or may not be applied (timed out, node stopped): the entry's fate decides. */
  | {
    readonly status: 'unknown'; readonly error: RosterError;
    /** Where the entry went in the log: applied there in this term means applied. */
    readonly index: number; readonly term: number;
  };

export type ReadOutcome =
  /** Local state now reflects every write committed before the read began. */
  | { readonly status: 'ready'; readonly index: number }
  | { readonly status: 'failed'; readonly error: RosterError };

/** Hooks for observers (the simulator's checkers, metrics): called synchronously. */
export interface ReplicaObserver<Result = unknown> {
  onReady?(ready: Ready): void;
  /** The Ready's write is on disk (for a commit-only write, possibly after it was applied). */
  onPersisted?(ready: Ready): void;
  onApply?(entry: Entry, result: Result | undefined): void;
  onSnapshotRestored?(snapshot: Snapshot): void;
  onSnapshotSaved?(snapshot: Snapshot, compactIndex: number): void;
  onSoftState?(softState: SoftState, term: number): void;
  onConfChange?(change: ConfChange, index: number): void;
}
