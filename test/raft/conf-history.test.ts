import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../src/raft/conf-change.js';
import { ConfHistory, confHistoryOf } from '../../src/raft/conf-history.js';
import type { ConfChangeType, ConfState, Entry } from '../../src/raft/types.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';

const BASE: ConfState = { voters: [1, 2, 3], learners: [] };

function confEntry(index: number, type: ConfChangeType, nodeId: number, term = 1): Entry {
  const data = encodeConfChange({ type, nodeId, context: new Uint8Array(0) });
  return { term, index, type: 'conf', data };
}

function normalEntry(index: number, term = 1): Entry {
  return { term, index, type: 'normal', data: new Uint8Array(0) };
}

/** Base at 10; learner 4 added at 12, promoted at 15, 1 removed at 20. */
function history(): ConfHistory {
  const h = new ConfHistory({ index: 10, confState: BASE });
  h.onAppend(11, [
    normalEntry(11),
    confEntry(12, 'addLearner', 4),
    normalEntry(13),
    normalEntry(14),
    confEntry(15, 'promote', 4),
  ]);
  h.onAppend(16, [normalEntry(16), normalEntry(17), normalEntry(18), normalEntry(19)]);
  h.onAppend(20, [confEntry(20, 'remove', 1)]);
  return h;
}

const AFTER_12: ConfState = { voters: [1, 2, 3], learners: [4] };
const AFTER_15: ConfState = { voters: [1, 2, 3, 4], learners: [] };
const AFTER_20: ConfState = { voters: [2, 3, 4], learners: [] };

describe('ConfHistory', () => {
  it.each<[number, ConfState | undefined]>([
    [9, undefined],
    [10, BASE],
    [11, BASE],
    [12, AFTER_12],
    [14, AFTER_12],
    [15, AFTER_15],
    [19, AFTER_15],
    [20, AFTER_20],
    [1000, AFTER_20],
  ])('at(%d) is the latest membership at or before it', (index, expected) => {
    expect(history().at(index)).toEqual(expected);
  });

  it('reports the latest point', () => {
    expect(history().latest()).toEqual({ index: 20, confState: AFTER_20 });
  });

  it('reports a change when conf entries are appended, none for normal entries', () => {
    const h = new ConfHistory({ index: 0, confState: BASE });
    expect(h.onAppend(1, [normalEntry(1), normalEntry(2)])).toBe(false);
    expect(h.latest().index).toBe(0);
    expect(h.onAppend(3, [confEntry(3, 'addLearner', 7)])).toBe(true);
    expect(h.latest()).toEqual({ index: 3, confState: { voters: [1, 2, 3], learners: [7] } });
    expect(h.onAppend(4, [])).toBe(false);
  });

  it('applies several conf entries of one append in order', () => {
    const h = new ConfHistory({ index: 0, confState: BASE });
    h.onAppend(1, [confEntry(1, 'addLearner', 5), confEntry(2, 'promote', 5)]);
    expect(h.at(1)).toEqual({ voters: [1, 2, 3], learners: [5] });
    expect(h.at(2)).toEqual({ voters: [1, 2, 3, 5], learners: [] });
  });

  it('reverts the membership when an append truncates a conf entry away', () => {
    const h = history();
    expect(h.onAppend(18, [normalEntry(18, 2), normalEntry(19, 2), normalEntry(20, 2)])).toBe(true);
    expect(h.latest().confState).toEqual(AFTER_15);
    expect(h.at(20)).toEqual(AFTER_15);
  });

  it('drops a point whose index equals the truncation point', () => {
    const h = history();
    expect(h.onAppend(15, [normalEntry(15, 2)])).toBe(true);
    expect(h.latest()).toEqual({ index: 12, confState: AFTER_12 });
    expect(h.at(15)).toEqual(AFTER_12);
  });

  it('replaces truncated points with the new conf entries', () => {
    const h = history();
    expect(h.onAppend(13, [confEntry(13, 'remove', 4, 2)])).toBe(true);
    expect(h.latest()).toEqual({ index: 13, confState: BASE });
    expect(h.at(12)).toEqual(AFTER_12);
    expect(h.at(20)).toEqual(BASE);
  });

  it('reverts to the base when everything after it is truncated', () => {
    const h = history();
    expect(h.onAppend(11, [normalEntry(11, 3)])).toBe(true);
    expect(h.latest()).toEqual({ index: 10, confState: BASE });
    expect(h.at(25)).toEqual(BASE);
  });

  it('keeps points before the truncation point', () => {
    const h = history();
    expect(h.onAppend(21, [normalEntry(21)])).toBe(false);
    expect(h.at(20)).toEqual(AFTER_20);
    expect(h.at(15)).toEqual(AFTER_15);
  });

  it('resets to a single base point', () => {
    const h = history();
    const snapshotConf: ConfState = { voters: [7], learners: [8] };
    h.reset({ index: 30, confState: snapshotConf });
    expect(h.latest()).toEqual({ index: 30, confState: snapshotConf });
    expect(h.at(29)).toBeUndefined();
    expect(h.at(35)).toEqual(snapshotConf);
  });

  it.each<[number, number, ConfState]>([
    // [prune at, oldest index still known, membership there]
    [9, 10, BASE],
    [11, 10, BASE],
    [12, 12, AFTER_12],
    [14, 12, AFTER_12],
    [15, 15, AFTER_15],
    [19, 15, AFTER_15],
    [25, 20, AFTER_20],
  ])('prune(%d) keeps the latest point at or before it (now oldest %d)', (at, oldest, known) => {
    const h = history();
    h.prune(at);
    expect(h.at(oldest - 1)).toBeUndefined();
    expect(h.at(oldest)).toEqual(known);
    expect(h.latest()).toEqual({ index: 20, confState: AFTER_20 });
    expect(h.at(20)).toEqual(AFTER_20);
  });

  it('keeps every point after the prune index', () => {
    const h = history();
    h.prune(13);
    expect(h.at(13)).toEqual(AFTER_12);
    expect(h.at(16)).toEqual(AFTER_15);
    expect(h.at(20)).toEqual(AFTER_20);
  });
});

describe('confHistoryOf', () => {
  function storageWithLog(): MemoryStorage {
    const storage = MemoryStorage.fromSnapshot({
      metadata: { index: 5, term: 2, confState: { voters: [1], learners: [] } },
      data: new Uint8Array(0),
    });
    storage.append([
      normalEntry(6, 2),
      confEntry(7, 'addLearner', 2, 2),
      normalEntry(8, 3),
      confEntry(9, 'promote', 2, 3),
      confEntry(10, 'addLearner', 3, 3),
      normalEntry(11, 3),
    ]);
    return storage;
  }

  it.each([1, 1_000_000])('rebuilds the history of a snapshot plus conf entries (page %d)',
    (pageBytes) => {
      const h = confHistoryOf(storageWithLog(), pageBytes);
      expect(h.at(4)).toBeUndefined();
      expect(h.at(5)).toEqual({ voters: [1], learners: [] });
      expect(h.at(6)).toEqual({ voters: [1], learners: [] });
      expect(h.at(7)).toEqual({ voters: [1], learners: [2] });
      expect(h.at(9)).toEqual({ voters: [1, 2], learners: [] });
      expect(h.latest()).toEqual({ index: 10, confState: { voters: [1, 2], learners: [3] } });
    });

  it('starts from the snapshot alone when the log is empty', () => {
    const confState: ConfState = { voters: [4, 5], learners: [6] };
    const storage = MemoryStorage.fromSnapshot({
      metadata: { index: 8, term: 1, confState },
      data: new Uint8Array(0),
    });
    const h = confHistoryOf(storage, 1024);
    expect(h.latest()).toEqual({ index: 8, confState });
    expect(h.at(7)).toBeUndefined();
  });
});
