import { assert } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import type { Entry, ProposeResult } from '../raft/index.js';
import type { ProposalOutcome } from './interfaces.js';
import { refusalError } from './refusal-errors.js';

interface Pending<Result> {
  readonly term: number;
  readonly deadlineTick: number;
  readonly callback: (outcome: ProposalOutcome<Result>) => void;
}

/**
 * Proposals waiting for their entry to be applied, keyed by log index. An applied entry with
 * the proposal's term means committed; another term means a new leader overwrote it (it can
 * never commit elsewhere, since it was only ever appended at that index). A proposal stays
 * pending across leadership changes: the old leader still learns the entry's fate when it
 * applies that index. Deadlines are in ticks; insertion order is deadline order.
 */
export class PendingProposals<Result> {
  private readonly byIndex = new Map<number, Pending<Result>>();
  private readonly capacity: number;

  constructor(options: { capacity: number }) {
    this.capacity = options.capacity;
  }

  get size(): number {
    return this.byIndex.size;
  }

  isFull(): boolean {
    return this.byIndex.size >= this.capacity;
  }

  /**
   * Proposes (when there is room) and tracks the proposal; a refusal goes to the callback.
   * Returns where the entry went in the log, or undefined when refused.
   */
  place(
    propose: () => ProposeResult,
    callback: (outcome: ProposalOutcome<Result>) => void,
    deadlineTick: number,
  ): { index: number; term: number } | undefined {
    if (this.isFull()) {
      callback({ status: 'rejected',
        error: new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', 'too many pending proposals') });
      return undefined;
    }
    const result = propose();
    if (!result.ok) {
      callback({ status: 'rejected', error: refusalError(result.refusal) });
      return undefined;
    }
    this.add({ index: result.index, term: result.term, deadlineTick, callback });
    return { index: result.index, term: result.term };
  }

  add(
    options: { index: number; term: number; deadlineTick: number } &
      Pick<Pending<Result>, 'callback'>,
  ): void {
    assert(!this.isFull(), 'pending proposals are full');
    const previous = this.byIndex.get(options.index);
    if (previous !== undefined) {
      // Our log now holds another entry at this index: the earlier proposal was overwritten.
      assert(previous.term !== options.term, `two proposals at index ${options.index} in one term`);
      this.byIndex.delete(options.index);
      previous.callback({ status: 'rejected', error: overwritten() });
    }
    this.byIndex.set(options.index, {
      term: options.term,
      deadlineTick: options.deadlineTick,
      callback: options.callback,
    });
  }

  /** The entry at entry.index was applied with `result`. */
  resolve(entry: Entry, result: Result | undefined): void {
    const pending = this.byIndex.get(entry.index);
    if (pending === undefined) return;
    this.byIndex.delete(entry.index);
    if (pending.term === entry.term) {
      pending.callback({ status: 'committed', index: entry.index, result: result as Result });
    } else {
      pending.callback({ status: 'rejected', error: overwritten() });
    }
  }

  /** A snapshot jumped past these indexes: we cannot tell which entries were ours. */
  failUpTo(index: number, error: RosterError): void {
    for (const [pendingIndex, pending] of this.byIndex) {
      if (pendingIndex > index) continue;
      this.byIndex.delete(pendingIndex);
      pending.callback({ status: 'unknown', error, index: pendingIndex, term: pending.term });
    }
  }

  expire(nowTick: number): void {
    for (const [index, pending] of this.byIndex) {
      if (pending.deadlineTick > nowTick) break;
      this.byIndex.delete(index);
      pending.callback({
        status: 'unknown', index, term: pending.term,
        error: new RosterError('ROSTER_ERR_TIMEOUT',
          `proposal at index ${index} not applied in time`),
      });
    }
  }

  failAll(error: RosterError): void {
    const all = [...this.byIndex];
    this.byIndex.clear();
    for (const [index, pending] of all) {
      pending.callback({ status: 'unknown', error, index, term: pending.term });
    }
  }
}

function overwritten(): RosterError {
  return new RosterError('ROSTER_ERR_PROPOSAL_OVERWRITTEN');
}
