import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { LogCompactedError, LogUnavailableError } from '../../src/raft/storage.js';
import { entryBytes, type ConfState, type Entry, type Snapshot } from '../../src/raft/types.js';
import {
  MemoryStorage, RELEASED_SNAPSHOT_DATA, isReleasedSnapshotData,
} from '../../src/storage/memory-storage.js';

const CONF: ConfState = { voters: [1, 2, 3], learners: [] };
const BIG = 1_000_000;

function entry(index: number, term: number, size = 0): Entry {
  return { index, term, type: 'normal', data: new Uint8Array(size) };
}

function entries(first: number, terms: readonly number[]): Entry[] {
  return terms.map((term, i) => entry(first + i, term));
}

function ids(list: readonly Entry[]): string[] {
  return list.map((e) => `${e.index}@${e.term}`);
}

function snapshot(index: number, term: number, confState: ConfState = CONF): Snapshot {
  return { metadata: { index, term, confState }, data: Uint8Array.of(index) };
}

/** Storage with entries 1..5 of terms 1 1 2 2 3. */
function filled(): MemoryStorage {
  const storage = new MemoryStorage();
  storage.append(entries(1, [1, 1, 2, 2, 3]));
  return storage;
}

/** filled(), with a snapshot at 3 and compacted there. */
function compacted(): MemoryStorage {
  const storage = filled();
  expect(storage.createSnapshot({ index: 3, confState: CONF, data: Uint8Array.of(3) })).toBe(true);
  storage.compact(3);
  return storage;
}

describe('MemoryStorage', () => {
  it('releases snapshot data and keeps its metadata (an empty snapshot stays as it is)', () => {
    const empty = new MemoryStorage();
    const before = empty.snapshot();
    empty.releaseSnapshotData();
    expect(empty.snapshot()).toBe(before);
    const storage = compacted();
    storage.releaseSnapshotData();
    expect(storage.snapshot().metadata).toEqual({ index: 3, term: 2, confState: CONF });
    expect(storage.snapshot().data).toBe(RELEASED_SNAPSHOT_DATA);
    expect(isReleasedSnapshotData(storage.snapshot().data)).toBe(true);
    expect(isReleasedSnapshotData(new Uint8Array(0))).toBe(false);
    expect(storage.term(3)).toBe(2);
  });

  it('starts empty at index 0', () => {
    const storage = new MemoryStorage();
    expect(storage.firstIndex()).toBe(1);
    expect(storage.lastIndex()).toBe(0);
    expect(storage.term(0)).toBe(0);
    expect(storage.allEntries()).toEqual([]);
    expect(storage.snapshot().metadata.index).toBe(0);
  });

  it('appends entries and reads them back', () => {
    const storage = filled();
    expect(storage.firstIndex()).toBe(1);
    expect(storage.lastIndex()).toBe(5);
    expect([1, 2, 3, 4, 5].map((i) => storage.term(i))).toEqual([1, 1, 2, 2, 3]);
    expect(ids(storage.entries(2, 5, BIG))).toEqual(['2@1', '3@2', '4@2']);
  });

  it.each<[string, Entry[], string[]]>([
    ['overlap from the middle', entries(3, [4, 4]), ['1@1', '2@1', '3@4', '4@4']],
    ['overlap at the last entry', entries(5, [4, 4]), ['1@1', '2@1', '3@2', '4@2', '5@4', '6@4']],
    ['overlap from the first', entries(1, [9]), ['1@9']],
    ['exactly at the end', entries(6, [3]), ['1@1', '2@1', '3@2', '4@2', '5@3', '6@3']],
  ])('append with %s truncates the conflicting suffix', (_label, appended, want) => {
    const storage = filled();
    storage.append(appended);
    expect(ids(storage.allEntries())).toEqual(want);
    expect(storage.lastIndex()).toBe(appended.at(-1)?.index);
  });

  it('ignores an empty append', () => {
    const storage = filled();
    storage.append([]);
    expect(storage.lastIndex()).toBe(5);
  });

  it('throws on an append that would leave a gap', () => {
    const storage = filled();
    expect(() => storage.append(entries(7, [3]))).toThrow(AssertionError);
    expect(storage.lastIndex()).toBe(5);
  });

  it('ignores an append of already-compacted entries', () => {
    const storage = compacted();
    storage.append(entries(1, [7, 7, 7]));
    expect(storage.firstIndex()).toBe(4);
    expect(ids(storage.allEntries())).toEqual(['4@2', '5@3']);
  });

  it('appends only the part of a batch above the compacted prefix', () => {
    const storage = compacted();
    storage.append(entries(2, [1, 2, 5, 5]));
    expect(storage.firstIndex()).toBe(4);
    expect(ids(storage.allEntries())).toEqual(['4@5', '5@5']);
    expect(storage.term(3)).toBe(2);
  });

  it('compacts: first index moves past the compacted index, terms stay known', () => {
    const storage = compacted();
    expect(storage.firstIndex()).toBe(4);
    expect(storage.lastIndex()).toBe(5);
    expect(storage.term(3)).toBe(2); // the dummy keeps the compacted index's term
    expect(storage.term(5)).toBe(3);
    expect(ids(storage.entries(4, 6, BIG))).toEqual(['4@2', '5@3']);
  });

  it.each([0, 1, 2])('term(%d) below the compacted index throws LogCompactedError', (index) => {
    expect(() => compacted().term(index)).toThrow(LogCompactedError);
  });

  it('term above the last index throws LogUnavailableError', () => {
    expect(() => filled().term(6)).toThrow(LogUnavailableError);
  });

  it.each([1, 2, 3])('entries from %d (below the first index) throw LogCompactedError', (lo) => {
    expect(() => compacted().entries(lo, 5, BIG)).toThrow(LogCompactedError);
  });

  it('entries beyond the last index throw', () => {
    expect(() => filled().entries(2, 7, BIG)).toThrow(AssertionError);
  });

  it('entries of an empty log throw LogUnavailableError', () => {
    expect(() => new MemoryStorage().entries(1, 1, BIG)).toThrow(LogUnavailableError);
  });

  it('limits entries by size, at least one', () => {
    const storage = new MemoryStorage();
    storage.append([entry(1, 1, 76), entry(2, 1, 76), entry(3, 1, 76)]);
    const size = entryBytes(entry(1, 1, 76)); // 100
    expect(storage.entries(1, 4, 0)).toHaveLength(1);
    expect(storage.entries(1, 4, size * 2)).toHaveLength(2);
    expect(storage.entries(1, 4, size * 3)).toHaveLength(3);
  });

  it('compacting at or below the current offset does nothing', () => {
    const storage = compacted();
    storage.compact(2);
    storage.compact(3);
    expect(storage.firstIndex()).toBe(4);
    expect(storage.allEntries()).toHaveLength(2);
  });

  it('refuses to compact beyond the snapshot or the last index', () => {
    const storage = filled();
    storage.createSnapshot({ index: 3, confState: CONF, data: new Uint8Array(0) });
    expect(() => storage.compact(4)).toThrow(AssertionError);
    expect(() => storage.compact(6)).toThrow(AssertionError);
    expect(storage.firstIndex()).toBe(1);
  });

  it('applySnapshot replaces the whole log', () => {
    const storage = filled();
    const snap = snapshot(10, 4, { voters: [4], learners: [5] });
    storage.applySnapshot(snap);
    expect(storage.snapshot()).toBe(snap);
    expect(storage.firstIndex()).toBe(11);
    expect(storage.lastIndex()).toBe(10);
    expect(storage.term(10)).toBe(4);
    expect(storage.allEntries()).toEqual([]);
    expect(storage.initialState().confState).toEqual({ voters: [4], learners: [5] });
    storage.append(entries(11, [4]));
    expect(storage.lastIndex()).toBe(11);
  });

  it('applySnapshot may move behind the log it replaces', () => {
    const storage = filled();
    storage.applySnapshot(snapshot(2, 1));
    expect(storage.lastIndex()).toBe(2);
    expect(storage.allEntries()).toEqual([]);
  });

  it('applySnapshot refuses a snapshot older than the stored one', () => {
    const storage = MemoryStorage.fromSnapshot(snapshot(10, 4));
    expect(() => storage.applySnapshot(snapshot(9, 4))).toThrow(AssertionError);
    expect(storage.snapshot().metadata.index).toBe(10);
  });

  it('createSnapshot records the term of its index and keeps the log', () => {
    const storage = filled();
    const data = Uint8Array.of(42);
    expect(storage.createSnapshot({ index: 4, confState: CONF, data })).toBe(true);
    expect(storage.snapshot()).toEqual({ metadata: { index: 4, term: 2, confState: CONF }, data });
    expect(storage.firstIndex()).toBe(1);
    expect(storage.lastIndex()).toBe(5);
  });

  it.each([2, 3])('createSnapshot at %d refuses when a snapshot at 3 exists', (index) => {
    const storage = filled();
    const first = { index: 3, confState: CONF, data: Uint8Array.of(1) };
    expect(storage.createSnapshot(first)).toBe(true);
    const older = { index, confState: { voters: [9], learners: [] }, data: Uint8Array.of(2) };
    expect(storage.createSnapshot(older)).toBe(false);
    expect(storage.snapshot().metadata).toEqual({ index: 3, term: 2, confState: CONF });
  });

  it('createSnapshot refuses an index beyond the last entry', () => {
    const storage = filled();
    const options = { index: 6, confState: CONF, data: new Uint8Array(0) };
    expect(() => storage.createSnapshot(options)).toThrow(AssertionError);
  });

  it('fromSnapshot + setHardState round-trip through initialState()', () => {
    const snap = snapshot(7, 3, { voters: [1, 2], learners: [3] });
    const storage = MemoryStorage.fromSnapshot(snap, { term: 5, vote: 2, commit: 7 });
    expect(storage.initialState()).toEqual({
      hardState: { term: 5, vote: 2, commit: 7 },
      confState: { voters: [1, 2], learners: [3] },
    });
    storage.setHardState({ term: 6, vote: 0, commit: 9 });
    expect(storage.initialState().hardState).toEqual({ term: 6, vote: 0, commit: 9 });
    expect(storage.hardState()).toEqual({ term: 6, vote: 0, commit: 9 });
    expect(storage.firstIndex()).toBe(8);
    expect(storage.lastIndex()).toBe(7);
    expect(storage.term(7)).toBe(3);
  });

  it('fromSnapshot without a hard state starts from the empty one', () => {
    const storage = MemoryStorage.fromSnapshot(snapshot(1, 1));
    expect(storage.initialState().hardState).toEqual({ term: 0, vote: 0, commit: 0 });
  });
});
