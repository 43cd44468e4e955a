import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { UnstableLog } from '../../src/raft/log-unstable.js';
import { RaftLog, limitSize } from '../../src/raft/log.js';
import { LogCompactedError } from '../../src/raft/storage.js';
import { entryBytes, type Entry, type Snapshot } from '../../src/raft/types.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';

function entry(index: number, term: number, size = 0): Entry {
  return { index, term, type: 'normal', data: new Uint8Array(size) };
}

/** Entries first..first+terms.length-1 with the given terms. */
function entries(first: number, terms: readonly number[]): Entry[] {
  return terms.map((term, i) => entry(first + i, term));
}

function ids(list: readonly Entry[]): string[] {
  return list.map((e) => `${e.index}@${e.term}`);
}

function snapshot(index: number, term: number): Snapshot {
  const confState = { voters: [1], learners: [] };
  return { metadata: { index, term, confState }, data: new Uint8Array(0) };
}

/** An unstable log at `offset` holding entries with `terms`. */
function unstable(offset: number, terms: readonly number[]): UnstableLog {
  const log = new UnstableLog(offset);
  if (terms.length > 0) log.truncateAndAppend(entries(offset, terms));
  return log;
}

describe('UnstableLog', () => {
  it.each<[string, number, number[], Entry[], number, string[]]>([
    ['append at the end', 5, [1, 1], entries(7, [1, 2]), 5, ['5@1', '6@1', '7@1', '8@2']],
    ['append to empty', 5, [], entries(5, [3]), 5, ['5@3']],
    ['replace from the offset', 5, [1, 1], entries(5, [2, 2, 2]), 5, ['5@2', '6@2', '7@2']],
    ['replace from before the offset', 5, [1, 1], entries(3, [2]), 3, ['3@2']],
    ['truncate in the middle', 5, [1, 1, 1], entries(6, [2]), 5, ['5@1', '6@2']],
    ['truncate at the last', 5, [1, 1, 1], entries(7, [2, 2]), 5, ['5@1', '6@1', '7@2', '8@2']],
  ])('truncateAndAppend: %s', (_label, offset, terms, appended, wantOffset, want) => {
    const log = unstable(offset, terms);
    log.truncateAndAppend(appended);
    expect(log.offset).toBe(wantOffset);
    expect(ids(log.entries)).toEqual(want);
  });

  it('truncateAndAppend does not keep a reference to the caller\'s array', () => {
    const log = unstable(5, [1]);
    const appended = entries(5, [2, 2]);
    log.truncateAndAppend(appended);
    appended.pop();
    expect(log.entries).toHaveLength(2);
  });

  it('truncateAndAppend refuses an empty batch', () => {
    expect(() => new UnstableLog(1).truncateAndAppend([])).toThrow(AssertionError);
  });

  it('stableTo with a matching term drops the stable prefix', () => {
    const log = unstable(5, [1, 1, 2]);
    log.stableTo(6, 1);
    expect(log.offset).toBe(7);
    expect(ids(log.entries)).toEqual(['7@2']);
  });

  it('stableTo with a mismatching term keeps the replaced entry unstable', () => {
    const log = unstable(5, [1, 1]);
    log.truncateAndAppend(entries(6, [2])); // 6@1 was being written when 6@2 replaced it
    log.stableTo(6, 1);
    expect(log.offset).toBe(5);
    expect(ids(log.entries)).toEqual(['5@1', '6@2']);
  });

  it.each<[string, number, number]>([
    ['beyond the last entry', 9, 1],
    ['below the offset', 4, 1],
  ])('stableTo %s is ignored', (_label, index, term) => {
    const log = unstable(5, [1, 1]);
    log.stableTo(index, term);
    expect(log.offset).toBe(5);
    expect(log.entries).toHaveLength(2);
  });

  it('stableTo at the snapshot index does not touch entries', () => {
    const log = new UnstableLog(1);
    log.restore(snapshot(10, 3));
    log.truncateAndAppend(entries(11, [3]));
    log.stableTo(10, 3);
    expect(log.offset).toBe(11);
    expect(ids(log.entries)).toEqual(['11@3']);
  });

  it('stableSnapTo clears the snapshot only at its index', () => {
    const log = new UnstableLog(1);
    log.restore(snapshot(10, 3));
    log.stableSnapTo(9);
    expect(log.snapshot).toBeDefined();
    log.stableSnapTo(10);
    expect(log.snapshot).toBeUndefined();
  });

  it('restore replaces the entries with the snapshot', () => {
    const log = unstable(5, [1, 1]);
    log.restore(snapshot(20, 4));
    expect(log.offset).toBe(21);
    expect(log.entries).toEqual([]);
    expect(log.maybeFirstIndex()).toBe(21);
    expect(log.maybeLastIndex()).toBe(20);
  });

  it.each<[number, number | undefined]>([
    [9, undefined],
    [10, 3],
    [11, 4],
    [12, 5],
    [13, undefined],
  ])('maybeTerm(%d) with a snapshot at 10 and entries 11..12 is %s', (index, term) => {
    const log = new UnstableLog(1);
    log.restore(snapshot(10, 3));
    log.truncateAndAppend(entries(11, [4, 5]));
    expect(log.maybeTerm(index)).toBe(term);
  });

  it.each<[number, number | undefined]>([
    [4, undefined],
    [5, 1],
    [6, 2],
    [7, undefined],
  ])('maybeTerm(%d) without a snapshot is %s', (index, term) => {
    expect(unstable(5, [1, 2]).maybeTerm(index)).toBe(term);
  });

  it('knows no first or last index when empty and without a snapshot', () => {
    const log = new UnstableLog(3);
    expect(log.maybeFirstIndex()).toBeUndefined();
    expect(log.maybeLastIndex()).toBeUndefined();
  });

  it('slices within its range and refuses outside it', () => {
    const log = unstable(5, [1, 1, 2]);
    expect(ids(log.slice(6, 8))).toEqual(['6@1', '7@2']);
    expect(log.slice(8, 8)).toEqual([]);
    expect(() => log.slice(4, 6)).toThrow(AssertionError);
    expect(() => log.slice(6, 9)).toThrow(AssertionError);
  });
});

const BIG = 1_000_000;

/** A RaftLog over storage holding entries 1..n with `stored` terms, then `pending` unstable. */
function raftLog(stored: readonly number[], pending: readonly number[] = [], max = BIG): RaftLog {
  const storage = new MemoryStorage();
  storage.append(entries(1, stored));
  const log = new RaftLog({ storage, committedBytesPerReadyMax: max });
  if (pending.length > 0) log.append(entries(stored.length + 1, pending));
  return log;
}

/** Storage compacted at snapshot (5, term 2), entries 6..8 with terms 2, 3, 3. */
function compactedLog(): RaftLog {
  const storage = MemoryStorage.fromSnapshot(snapshot(5, 2));
  storage.append(entries(6, [2, 3, 3]));
  return new RaftLog({ storage, committedBytesPerReadyMax: BIG });
}

describe('RaftLog terms and bounds', () => {
  it('starts committed and applied at the snapshot index', () => {
    const log = compactedLog();
    expect(log.firstIndex()).toBe(6);
    expect(log.lastIndex()).toBe(8);
    expect(log.committed).toBe(5);
    expect(log.applied).toBe(5);
    expect(log.lastTerm()).toBe(3);
  });

  it.each([0, 3, 4])('term(%d) of a compacted index throws LogCompactedError', (index) => {
    expect(() => compactedLog().term(index)).toThrow(LogCompactedError);
    expect(compactedLog().termOrZero(index)).toBe(0);
  });

  it.each([
    [5, 2], // the snapshot's dummy entry
    [6, 2],
    [8, 3],
    [9, 0],
    [100, 0],
  ])('term(%d) is %d', (index, term) => {
    expect(compactedLog().term(index)).toBe(term);
  });

  it('reads terms across storage and unstable entries', () => {
    const log = raftLog([1, 1], [2, 3]);
    expect([0, 1, 2, 3, 4, 5].map((i) => log.term(i))).toEqual([0, 1, 1, 2, 3, 0]);
  });

  it('prefers the unstable term over a stale stored one', () => {
    const log = raftLog([1, 1, 1]);
    log.append(entries(2, [5]));
    expect(log.lastIndex()).toBe(2);
    expect(log.term(2)).toBe(5);
    expect(log.term(3)).toBe(0);
  });

  it('uses an unstable snapshot for bounds and terms', () => {
    const log = raftLog([1, 1]);
    log.restore(snapshot(10, 4));
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(10);
    expect(log.committed).toBe(10);
    expect(log.term(10)).toBe(4);
    expect(() => log.term(9)).toThrow(LogCompactedError);
  });
});

describe('RaftLog.maybeAppend', () => {
  it('returns undefined when the consistency check fails', () => {
    const log = raftLog([1, 2, 2]);
    expect(log.maybeAppend({ index: 3, logTerm: 3, committed: 3, entries: entries(4, [3]) }))
      .toBeUndefined();
    expect(log.maybeAppend({ index: 5, logTerm: 2, committed: 3, entries: [] })).toBeUndefined();
    expect(log.lastIndex()).toBe(3);
    expect(log.committed).toBe(0);
  });

  it('appends new entries and commits up to min(committed, last new)', () => {
    const log = raftLog([1, 1]);
    const sent = entries(3, [2, 2]);
    const result = appendedOf(log.maybeAppend({
      index: 2, logTerm: 1, committed: 10, entries: sent,
    }));
    expect(result?.lastNewIndex).toBe(4);
    expect(ids(result?.appended ?? [])).toEqual(['3@2', '4@2']);
    expect(log.lastIndex()).toBe(4);
    expect(log.committed).toBe(4);
  });

  it('appends nothing for entries it already has, but still commits', () => {
    const log = raftLog([1, 1, 2]);
    const sent = entries(2, [1]);
    const result = log.maybeAppend({ index: 1, logTerm: 1, committed: 2, entries: sent });
    expect(result).toEqual({ lastNewIndex: 2, appended: [] });
    expect(log.lastIndex()).toBe(3); // a matching prefix never truncates
    expect(log.committed).toBe(2);
  });

  it('truncates at the first conflict and returns the suffix from there', () => {
    const log = raftLog([1, 1, 1, 1]);
    const sent = entries(2, [1, 3, 3]);
    const result = appendedOf(log.maybeAppend({
      index: 1, logTerm: 1, committed: 0, entries: sent,
    }));
    expect(result?.lastNewIndex).toBe(4);
    expect(ids(result?.appended ?? [])).toEqual(['3@3', '4@3']);
    expect(ids(log.entriesFrom(1, BIG))).toEqual(['1@1', '2@1', '3@3', '4@3']);
  });

  it('drops a stale longer suffix beyond the conflict', () => {
    const log = raftLog([1, 1, 1, 1, 1]);
    const sent = entries(3, [2]);
    const result = appendedOf(log.maybeAppend({
      index: 2, logTerm: 1, committed: 0, entries: sent,
    }));
    expect(result?.lastNewIndex).toBe(3);
    expect(log.lastIndex()).toBe(3);
    expect(log.term(3)).toBe(2);
  });

  it.each([2, 3])('refuses a conflict at or below committed (committed %d)', (committed) => {
    const log = raftLog([1, 1, 1]);
    log.commitTo(committed);
    const options = { index: 1, logTerm: 1, committed: 0, entries: entries(2, [2, 2]) };
    expect(log.maybeAppend(options)).toBe('conflictsWithCommitted');
    expect(ids(log.entriesFrom(1, BIG))).toEqual(['1@1', '2@1', '3@1']);
  });

  it('never lowers the commit index', () => {
    const log = raftLog([1, 1, 1]);
    log.commitTo(3);
    log.maybeAppend({ index: 1, logTerm: 1, committed: 1, entries: [] });
    expect(log.committed).toBe(3);
  });
});

/** maybeAppend's answer when it appended (the test fails on a refusal). */
function appendedOf(result: ReturnType<RaftLog['maybeAppend']>):
  { lastNewIndex: number; appended: readonly Entry[] } | undefined {
  expect(result).not.toBe('conflictsWithCommitted');
  return result === 'conflictsWithCommitted' ? undefined : result;
}

describe('RaftLog conflicts and comparisons', () => {
  it.each<[string, Entry[], number]>([
    ['no entries', [], 0],
    ['all matching', entries(1, [1, 2]), 0],
    ['a term differs', entries(2, [2, 4, 4]), 3],
    ['new entries only', entries(5, [4, 4]), 5],
    ['matching then new', entries(3, [3, 3, 4]), 5],
    ['the first differs', entries(1, [4]), 1],
  ])('findConflict: %s -> %d', (_label, sent, conflict) => {
    expect(raftLog([1, 2, 3, 3]).findConflict(sent)).toBe(conflict);
  });

  // Log terms: 1:1 2:1 3:2 4:2 5:4 6:4
  it.each([
    [6, 4, 6, 4],
    [6, 3, 4, 2],
    [6, 2, 4, 2],
    [6, 1, 2, 1],
    [6, 0, 0, 0],
    [3, 5, 3, 2],
    [10, 2, 4, 2], // beyond the log: start from the last index
    [10, 9, 6, 4],
    [0, 5, 0, 0],
  ])('findConflictByTerm(%d, %d) -> (%d, %d)', (index, term, wantIndex, wantTerm) => {
    const log = raftLog([1, 1, 2, 2, 4, 4]);
    expect(log.findConflictByTerm(index, term)).toEqual({ index: wantIndex, term: wantTerm });
  });

  // Snapshot at 5 (term 2), entries 6..8 terms 2 3 3.
  it.each([
    [8, 3, 8, 3],
    [8, 2, 6, 2],
    [7, 1, 4, 0], // reaches the compacted region: unknown term
    [5, 2, 5, 2],
  ])('findConflictByTerm over a compacted log (%d, %d) -> (%d, %d)',
    (index, term, wantIndex, wantTerm) => {
      const result = compactedLog().findConflictByTerm(index, term);
      expect(result).toEqual({ index: wantIndex, term: wantTerm });
    });

  // Our log ends at (index 3, term 2).
  it.each([
    [3, 2, true],
    [4, 2, true],
    [2, 2, false],
    [1, 3, true],
    [5, 1, false],
    [3, 1, false],
    [0, 0, false],
  ])('isUpToDate(%d, %d) is %s', (lastIndex, lastTerm, expected) => {
    expect(raftLog([1, 2, 2]).isUpToDate(lastIndex, lastTerm)).toBe(expected);
  });

  it('isUpToDate accepts anything on an empty log', () => {
    expect(raftLog([]).isUpToDate(0, 0)).toBe(true);
  });
});

describe('RaftLog commit and apply', () => {
  it.each<[string, number, number, boolean, number]>([
    ['an entry of the term', 4, 3, true, 4],
    ['an entry of an older term', 2, 3, false, 1],
    ['a term that differs', 4, 2, false, 1],
    ['at committed', 1, 1, false, 1],
    ['beyond the log', 5, 3, false, 1],
  ])('maybeCommit %s (%d, term %d)', (_label, index, term, committed, want) => {
    const log = raftLog([1, 1, 3, 3]);
    log.commitTo(1);
    expect(log.maybeCommit(index, term)).toBe(committed);
    expect(log.committed).toBe(want);
  });

  it('commitTo refuses an index beyond the log', () => {
    expect(() => raftLog([1]).commitTo(2)).toThrow(AssertionError);
  });

  it('appliedTo refuses to go beyond committed or backwards', () => {
    const log = raftLog([1, 1, 1]);
    log.commitTo(2);
    expect(() => log.appliedTo(3)).toThrow(AssertionError);
    log.appliedTo(2);
    expect(() => log.appliedTo(1)).toThrow(AssertionError);
  });

  it('returns committed entries after applied, from storage and unstable', () => {
    const log = raftLog([1, 1, 1], [2, 2]);
    log.commitTo(4);
    log.appliedTo(1);
    expect(log.hasNextCommittedEntries()).toBe(true);
    expect(ids(log.nextCommittedEntries())).toEqual(['2@1', '3@1', '4@2']);
    log.appliedTo(4);
    expect(log.hasNextCommittedEntries()).toBe(false);
    expect(log.nextCommittedEntries()).toEqual([]);
  });

  it('limits committed entries by bytes, keeping at least one', () => {
    const storage = new MemoryStorage();
    storage.append([entry(1, 1, 100), entry(2, 1, 100), entry(3, 1, 100)]);
    const oneAndAHalf = Math.floor(entryBytes(entry(1, 1, 100)) * 1.5);
    const log = new RaftLog({ storage, committedBytesPerReadyMax: oneAndAHalf });
    log.commitTo(3);
    expect(ids(log.nextCommittedEntries())).toEqual(['1@1']);
    log.appliedTo(1);
    expect(ids(log.nextCommittedEntries())).toEqual(['2@1']);
    const tiny = new RaftLog({ storage, committedBytesPerReadyMax: 1 });
    tiny.commitTo(3);
    expect(ids(tiny.nextCommittedEntries())).toEqual(['1@1']);
  });

  it('returns committed entries only from the first index on', () => {
    const log = compactedLog();
    log.commitTo(7);
    expect(ids(log.nextCommittedEntries())).toEqual(['6@2', '7@3']);
  });

  it('returns committed entries from after a restored snapshot, not from applied', () => {
    const log = raftLog([1, 1]);
    log.restore(snapshot(10, 4));
    expect(log.applied).toBe(0);
    expect(log.hasNextCommittedEntries()).toBe(false);
    log.append(entries(11, [4, 4]));
    log.commitTo(12);
    expect(log.hasNextCommittedEntries()).toBe(true);
    expect(ids(log.nextCommittedEntries())).toEqual(['11@4', '12@4']);
  });

  it('refuses to append below committed', () => {
    const log = raftLog([1, 1, 1]);
    log.commitTo(3);
    expect(() => log.append(entries(3, [2]))).toThrow(AssertionError);
    expect(log.append(entries(4, [2]))).toBe(4);
  });
});

describe('RaftLog.slice and limitSize', () => {
  it('slices across the storage/unstable boundary', () => {
    const log = raftLog([1, 1, 1], [2, 2]);
    expect(log.unstable.offset).toBe(4);
    expect(ids(log.slice(2, 6, BIG))).toEqual(['2@1', '3@1', '4@2', '5@2']);
    expect(ids(log.slice(1, 3, BIG))).toEqual(['1@1', '2@1']);
    expect(ids(log.slice(4, 6, BIG))).toEqual(['4@2', '5@2']);
    expect(log.slice(3, 3, BIG)).toEqual([]);
  });

  it.each([
    [1, ['2@1']],
    [2, ['2@1', '3@1']],
    [3, ['2@1', '3@1', '4@2']],
  ])('slice across the boundary keeps %d entries by size', (count, want) => {
    const log = raftLog([1, 1, 1], [2, 2]);
    const size = entryBytes(entry(0, 0)) * count;
    expect(ids(log.slice(2, 6, size))).toEqual(want);
  });

  it('slice never skips an entry when storage stops early on size', () => {
    const storage = new MemoryStorage();
    storage.append([entry(1, 1), entry(2, 1), entry(3, 1, 500)]); // 3 is big
    const log = new RaftLog({ storage, committedBytesPerReadyMax: BIG });
    log.append([entry(4, 2)]);
    const twoSmall = entryBytes(entry(0, 0)) * 2; // room for 2 and 4, not for 3
    expect(ids(log.slice(2, 5, twoSmall))).toEqual(['2@1']);
  });

  it('slice refuses compacted and out-of-range bounds', () => {
    const log = compactedLog();
    expect(() => log.slice(5, 7, BIG)).toThrow(LogCompactedError);
    expect(() => log.slice(6, 10, BIG)).toThrow(AssertionError);
    expect(() => log.slice(7, 6, BIG)).toThrow(AssertionError);
  });

  it('entriesFrom returns nothing past the end', () => {
    const log = raftLog([1, 1]);
    expect(log.entriesFrom(3, BIG)).toEqual([]);
    expect(ids(log.entriesFrom(2, BIG))).toEqual(['2@1']);
  });

  it.each([
    [0, 1],
    [1, 1],
    [50, 1],
    [99, 1],
    [100, 2],
    [149, 2],
    [150, 3],
    [10_000, 3],
  ])('limitSize with %d bytes keeps %d of three 50-byte entries', (maxBytes, count) => {
    const list = [entry(1, 1, 26), entry(2, 1, 26), entry(3, 1, 26)]; // 26 + 24 = 50 bytes each
    expect(entryBytes(list[0] ?? entry(0, 0))).toBe(50);
    expect(limitSize(list, maxBytes)).toHaveLength(count);
  });

  it('limitSize returns an empty list as is', () => {
    expect(limitSize([], 0)).toEqual([]);
  });
});
