import { assert } from '../core/assert.js';
import { applyToConfState, decodeConfChange } from './conf-change.js';
import type { RaftStorage } from './storage.js';
import type { ConfState, Entry } from './types.js';

export interface ConfPoint {
  /** The log index whose entry (or snapshot) set this membership. */
  readonly index: number;
  readonly confState: ConfState;
}

/**
 * The membership in effect at each point of the log. A configuration takes effect as soon as
 * its entry is in the log, committed or not, and reverts if that entry is truncated away
 * (Raft dissertation §4.1). Applying changes only once applied (etcd's way) is unsafe: a node
 * that restarts without knowing that conf entries in its own log committed would campaign
 * with a stale membership, and removed nodes still running with stale logs could elect it.
 */
export class ConfHistory {
  private points: ConfPoint[];

  constructor(base: ConfPoint) {
    this.points = [base];
  }

  latest(): ConfPoint {
    return this.points[this.points.length - 1] as ConfPoint;
  }

  /**
   * The membership as of log index `index` (the latest change at or before it); undefined
   * when `index` is older than what is kept (a newer snapshot replaced the log).
   */
  at(index: number): ConfState | undefined {
    for (let i = this.points.length - 1; i >= 0; i--) {
      const point = this.points[i] as ConfPoint;
      if (point.index <= index) return point.confState;
    }
    return undefined;
  }

  /**
   * `entries` were appended starting at index `from`, replacing everything from there on.
   * Returns whether the latest point changed (a conf entry was added or truncated away).
   */
  onAppend(from: number, entries: readonly Entry[]): boolean {
    const before = this.latest();
    while (this.points.length > 1 && this.latest().index >= from) this.points.pop();
    assert(this.latest().index < from || this.points.length === 1,
      `truncating below the oldest membership point at ${from}`);
    for (const entry of entries) {
      if (entry.type !== 'conf') continue;
      const confState = applyToConfState(this.latest().confState, decodeConfChange(entry.data));
      this.points.push({ index: entry.index, confState });
    }
    return this.latest() !== before;
  }

  /** A snapshot replaced the log. */
  reset(base: ConfPoint): void {
    this.points = [base];
  }

  /** Forgets points superseded at or before `index` (the log below commit never changes). */
  prune(index: number): void {
    let keepFrom = 0;
    for (let i = 1; i < this.points.length; i++) {
      if ((this.points[i] as ConfPoint).index <= index) keepFrom = i;
    }
    if (keepFrom > 0) this.points = this.points.slice(keepFrom);
  }
}

/** The history of a stable log: its snapshot's membership, then every conf entry after it. */
export function confHistoryOf(storage: RaftStorage, pageBytes: number): ConfHistory {
  const history = new ConfHistory({
    index: storage.firstIndex() - 1,
    confState: storage.initialState().confState,
  });
  let lo = storage.firstIndex();
  const hi = storage.lastIndex() + 1;
  while (lo < hi) {
    const page = storage.entries(lo, hi, pageBytes);
    assert(page.length > 0, 'a non-empty range returns at least one entry');
    history.onAppend(lo, page);
    lo += page.length;
  }
  return history;
}
