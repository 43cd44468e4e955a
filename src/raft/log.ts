import { assert } from '../core/assert.js';
import { UnstableLog } from './log-unstable.js';
import { LogCompactedError, type RaftStorage } from './storage.js';
import { entryBytes, type Entry, type Snapshot } from './types.js';

/**
 * The Raft log as one sequence: stable entries (storage) followed by unstable ones, with the
 * commit and apply marks. Invariant: applied <= committed <= lastIndex.
 */
export class RaftLog {
  readonly storage: RaftStorage;
  readonly unstable: UnstableLog;
  committed: number;
  applied: number;
  private readonly committedBytesPerReadyMax: number;

  constructor(options: { storage: RaftStorage; committedBytesPerReadyMax: number }) {
    this.storage = options.storage;
    this.committedBytesPerReadyMax = options.committedBytesPerReadyMax;
    const firstIndex = this.storage.firstIndex();
    const lastIndex = this.storage.lastIndex();
    assert(firstIndex >= 1 && lastIndex >= firstIndex - 1,
      `bad storage bounds ${firstIndex}..${lastIndex}`);
    this.unstable = new UnstableLog(lastIndex + 1);
    this.committed = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /**
   * Term of the entry at index: 0 above the last index, LogCompactedError below the first
   * index minus one (the dummy entry that carries the snapshot's term).
   */
  term(index: number): number {
    const dummyIndex = this.firstIndex() - 1;
    if (index < dummyIndex) throw new LogCompactedError(index, dummyIndex + 1);
    if (index > this.lastIndex()) return 0;
    return this.unstable.maybeTerm(index) ?? this.storage.term(index);
  }

  /** term(), with 0 for a compacted index (where the caller only compares). */
  termOrZero(index: number): number {
    try {
      return this.term(index);
    } catch (error: unknown) {
      if (error instanceof LogCompactedError) return 0;
      throw error;
    }
  }

  matchTerm(index: number, term: number): boolean {
    return this.termOrZero(index) === term;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries: if our entry at `index` has `logTerm`, append `entries`
   * (truncating a conflicting suffix) and advance commit. Returns the last new index and the
   * entries actually written (from the first conflict on), or undefined when the consistency
   * check fails.
   */
  maybeAppend(options: {
    index: number;
    logTerm: number;
    committed: number;
    entries: readonly Entry[];
  }): { lastNewIndex: number; appended: readonly Entry[] } | 'conflictsWithCommitted' |
    undefined {
    const { index, logTerm, committed, entries } = options;
    // Beyond our log nothing matches (termOrZero would say 0 there, as for index 0).
    if (index > this.lastIndex() || !this.matchTerm(index, logTerm)) return undefined;
    const lastNewIndex = index + entries.length;
    const conflictIndex = this.findConflict(entries);
    let appended: readonly Entry[] = [];
    if (conflictIndex !== 0) {
      // A correct leader never contradicts a committed entry (leader completeness).
      if (conflictIndex <= this.committed) return 'conflictsWithCommitted';
      appended = entries.slice(conflictIndex - (index + 1));
      this.append(appended);
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return { lastNewIndex, appended };
  }

  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = (entries[0] as Entry).index - 1;
    assert(after >= this.committed, `append after ${after} is below committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The first entry whose term differs from ours (or that we lack); 0 when all match. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with its term: where our log may
   * stop matching a log that has `term` at `index`. Lets a leader skip a whole term per
   * rejection instead of one entry. Term 0 means unknown (compacted).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let candidate = Math.min(index, this.lastIndex());
    for (; candidate > 0; candidate--) {
      let ourTerm: number;
      try {
        ourTerm = this.term(candidate);
      } catch (error: unknown) {
        if (error instanceof LogCompactedError) return { index: candidate, term: 0 };
        throw error;
      }
      if (ourTerm <= term) return { index: candidate, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  hasNextCommittedEntries(): boolean {
    const offset = Math.max(this.applied + 1, this.firstIndex());
    return this.committed + 1 > offset;
  }

  /** Committed, unapplied entries, at most committedBytesPerReadyMax (at least one). */
  nextCommittedEntries(): Entry[] {
    const offset = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= offset) return [];
    return this.slice(offset, this.committed + 1, this.committedBytesPerReadyMax);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  commitTo(toCommit: number): void {
    if (this.committed >= toCommit) return;
    assert(toCommit <= this.lastIndex(),
      `commit ${toCommit} is beyond the last index ${this.lastIndex()} ` +
      `(log corrupted or truncated?)`);
    this.committed = toCommit;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied,
      `applied ${index} out of range [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  /** The last index known to be on disk: in storage and not being replaced. */
  stableLastIndex(): number {
    return Math.min(this.storage.lastIndex(), this.unstable.offset - 1);
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** Leader: commit maxIndex if it is in the current term (§5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** Entries from `index` to the end, at most maxBytes (at least one). */
  entriesFrom(index: number, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  /** Entries in [lo, hi), at most maxBytes (at least one). Throws LogCompactedError. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkOutOfBounds(lo, hi);
    if (lo === hi) return [];
    let result: Entry[] = [];
    const offset = this.unstable.offset;
    if (lo < offset) {
      const storedHi = Math.min(hi, offset);
      result = this.storage.entries(lo, storedHi, maxBytes);
      // Storage stopped early because of the size limit: do not look further.
      if (result.length < storedHi - lo) return result;
    }
    if (hi > offset) {
      const unstable = this.unstable.slice(Math.max(lo, offset), hi);
      result = result.length > 0 ? result.concat(unstable) : unstable;
    }
    return limitSize(result, maxBytes);
  }

  private checkOutOfBounds(lo: number, hi: number): void {
    assert(lo <= hi, `invalid slice ${lo} > ${hi}`);
    const firstIndex = this.firstIndex();
    if (lo < firstIndex) throw new LogCompactedError(lo, firstIndex);
    const lastIndex = this.lastIndex();
    assert(hi <= lastIndex + 1, `slice [${lo},${hi}) out of bound [${firstIndex},${lastIndex}]`);
  }
}

/** Keeps a prefix of entries within maxBytes, always at least one entry. */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entryBytes(entries[0] as Entry);
  let count = 1;
  for (; count < entries.length; count++) {
    size += entryBytes(entries[count] as Entry);
    if (size > maxBytes) break;
  }
  return count === entries.length ? entries : entries.slice(0, count);
}
