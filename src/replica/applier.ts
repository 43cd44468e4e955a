import { assert, getErrorMessage } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import { decodeConfChange, type Entry, type Snapshot } from '../raft/index.js';
import type { ReplicaObserver, StateMachine } from './interfaces.js';
import type { PendingProposals } from './pending-proposals.js';

/**
 * The state machine's side of a replica: applies committed entries in order, restores
 * snapshots, and settles the proposals they decide. Knows the applied index.
 */
export class Applier<Result> {
  private readonly stateMachine: StateMachine<Result>;
  private readonly proposals: PendingProposals<Result>;
  private readonly observer: ReplicaObserver<Result> | undefined;
  private appliedIndex: number;

  constructor(options: {
    stateMachine: StateMachine<Result>;
    proposals: PendingProposals<Result>;
    observer: ReplicaObserver<Result> | undefined;
    /** The index of the snapshot the state machine was restored from. */
    appliedIndex: number;
  }) {
    this.stateMachine = options.stateMachine;
    this.proposals = options.proposals;
    this.observer = options.observer;
    this.appliedIndex = options.appliedIndex;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  /**
   * Applies the next committed entry. Returns the error that must stop the node when the state
   * machine cannot apply it: every replica applies the same entry, so a node that cannot must
   * stop, saying which, rather than go on with a state the others do not have.
   */
  apply(entry: Entry): Error | undefined {
    assert(entry.index === this.appliedIndex + 1,
      `applying entry ${entry.index} after ${this.appliedIndex}: a gap`);
    this.appliedIndex = entry.index;
    let result: Result | undefined;
    try {
      if (entry.type === 'conf') {
        const change = decodeConfChange(entry.data);
        this.stateMachine.applyConfChange?.(change, entry.index);
        this.observer?.onConfChange?.(change, entry.index);
      } else if (entry.data.byteLength > 0) {
        result = this.stateMachine.apply(entry);
      }
    } catch (error: unknown) {
      return new RosterError('ROSTER_ERR_INTERNAL', `committed entry ${entry.index} ` +
        `(term ${entry.term}, ${entry.type}) cannot be applied: ${getErrorMessage(error)}`,
      { cause: error });
    }
    this.observer?.onApply?.(entry, result);
    this.proposals.resolve(entry, result);
    return undefined;
  }

  /** Replaces the state with a snapshot the leader sent. */
  restore(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    assert(index > this.appliedIndex,
      `snapshot ${index} is not ahead of applied ${this.appliedIndex}`);
    this.stateMachine.restore(snapshot.data);
    this.appliedIndex = index;
    this.proposals.failUpTo(index, new RosterError('ROSTER_ERR_LEADERSHIP_LOST',
      `a snapshot at ${index} replaced the log; the proposal's outcome is unknown`));
    this.observer?.onSnapshotRestored?.(snapshot);
  }
}
