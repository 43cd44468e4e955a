import { describe, expect, it } from 'vitest';
import { encodeConfChange, type Entry, type NodeId, type Snapshot } from '../../src/raft/index.js';
import { InvariantViolation, SafetyChecker } from '../../src/sim/check/safety.js';
import { MemoryStorage } from '../../src/storage/index.js';

const bootstrap: Snapshot = {
  metadata: { index: 1, term: 1, confState: { voters: [1, 2, 3], learners: [] } },
  data: new Uint8Array(0),
};

function entry(index: number, term: number, text = `${index}/${term}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

/** A checker plus per-node storages that mirror what the checker is told is durable. */
function setup(voters: readonly NodeId[] = [1, 2, 3]) {
  const checker = new SafetyChecker({ bootstrap, emptyDigest: 0, votersOf: () => voters });
  const storages = new Map<NodeId, MemoryStorage>();
  for (const id of voters) {
    const storage = MemoryStorage.fromSnapshot(bootstrap, { term: 1, vote: 0, commit: 1 });
    storages.set(id, storage);
    checker.observeRecovered(id, storage);
  }
  const persist = (
    id: NodeId,
    entries: Entry[],
    commit?: number,
    options: { term?: number; vote?: number; leader?: boolean } = {},
  ) => {
    const storage = storages.get(id) as MemoryStorage;
    storage.append(entries);
    const hardState = commit === undefined ? undefined
      : { term: options.term ?? 2, vote: options.vote ?? 0, commit };
    if (hardState !== undefined) storage.setHardState(hardState);
    checker.observePersisted({
      id, storage, snapshot: undefined, entries, hardState, isLeader: options.leader ?? false,
      term: options.term ?? 2,
    });
  };
  return { checker, persist, storages };
}

function violation(run: () => void): string {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof InvariantViolation) return error.invariant;
    throw error;
  }
  return 'none';
}

describe('the safety checker has teeth', () => {
  it('election safety: two leaders in one term', () => {
    const { checker } = setup();
    checker.observeLeader(1, 5);
    expect(violation(() => checker.observeLeader(1, 5))).toBe('none');
    expect(violation(() => checker.observeLeader(2, 5))).toBe('election safety');
  });

  it('log matching: one (index, term) after two different prefixes', () => {
    const { persist } = setup();
    persist(1, [entry(2, 2, 'a'), entry(3, 3)]);
    expect(violation(() => persist(2, [entry(2, 2, 'b'), entry(3, 3)]))).toBe('log matching');
  });

  it('one vote per term, and durable term and commit never go back', () => {
    const { persist } = setup();
    persist(1, [], 1, { term: 4, vote: 2 });
    expect(violation(() => persist(1, [], 1, { term: 4, vote: 3 }))).toBe('one vote per term');
    const second = setup();
    second.persist(2, [entry(2, 2)]);
    second.persist(1, [entry(2, 2)], 2, { term: 4 });
    expect(violation(() => second.persist(1, [], 1, { term: 4 }))).toBe('commit never goes back');
    const third = setup();
    third.persist(1, [], 1, { term: 4 });
    expect(violation(() => third.persist(1, [], 1, { term: 3 }))).toBe('durable term');
  });

  it('state machine safety: different entries or states at one index', () => {
    const { checker } = setup();
    checker.observeApplied(1, entry(2, 2, 'a'), 10);
    expect(violation(() => checker.observeApplied(2, entry(2, 2, 'b'), 10)))
      .toBe('state machine safety');
    expect(violation(() => checker.observeApplied(3, entry(2, 2, 'a'), 11)))
      .toBe('state machine safety');
    expect(violation(() => checker.observeApplied(3, entry(2, 2, 'a'), 10))).toBe('none');
  });

  it('committed entries never change', () => {
    const { persist } = setup();
    persist(2, [entry(2, 2, 'a')]);
    persist(1, [entry(2, 2, 'a'), entry(3, 2)], 2);
    expect(violation(() => persist(3, [entry(2, 3, 'b')], 2, { term: 3 })))
      .toBe('committed entries never change');
  });

  it('leader completeness (potential): a voter lacking a committed entry could win', () => {
    const { persist } = setup();
    // Figure 8: 1 and 2 hold (2, term 2) and it is declared committed; 3 holds (2, term 3),
    // a newer last term, so 2 and 3 would vote for 3, which lacks the committed entry.
    persist(1, [entry(2, 2)]);
    persist(2, [entry(2, 2)]);
    expect(violation(() => persist(3, [entry(2, 3, 'other')]))).toBe('none');
    expect(violation(() => persist(1, [], 2, { term: 4 }))).toBe('leader completeness');
  });

  it('leader completeness holds when the laggard cannot win', () => {
    const { persist } = setup();
    persist(1, [entry(2, 2), entry(3, 4)]);
    persist(2, [entry(2, 2), entry(3, 4)]);
    expect(violation(() => persist(1, [], 3, { term: 4 }))).toBe('none'); // 3 has nothing newer
  });

  it('log matching: a restored snapshot leaves a stale tail in storage', () => {
    const { checker, persist, storages } = setup();
    persist(1, [entry(2, 2), entry(3, 2), entry(4, 2), entry(5, 2)]);
    persist(2, [entry(2, 2), entry(3, 3, 'new')]);
    const metadata = { ...bootstrap.metadata, index: 3, term: 3 };
    const snapshot: Snapshot = { ...bootstrap, metadata };
    const storage = storages.get(1) as MemoryStorage;
    const observe = () => checker.observePersisted({
      id: 1, storage, snapshot, entries: [], hardState: undefined, isLeader: false, term: 3,
    });
    // What a storage that keeps the entries after the snapshot's index holds.
    const kept = storage.allEntries().filter((e) => e.index > 3);
    storage.applySnapshot(snapshot);
    expect(violation(observe)).toBe('none');
    storage.append(kept);
    expect(violation(observe)).toBe('log matching');
  });

  it('one conf change at a time: a leader appends a second before the first commits', () => {
    const conf = (index: number, nodeId: number): Entry => ({
      index, term: 2, type: 'conf',
      data: encodeConfChange({ type: 'addLearner', nodeId, context: new Uint8Array(0) }),
    });
    const { persist } = setup();
    for (const follower of [2, 3]) persist(follower, [conf(2, 4), entry(3, 2)]);
    persist(1, [conf(2, 4)], 1, { leader: true });
    persist(1, [entry(3, 2)], 2, { leader: true });
    expect(violation(() => persist(1, [conf(4, 5)], 2, { leader: true }))).toBe('none');
    expect(violation(() => persist(1, [conf(5, 6)], 2, { leader: true })))
      .toBe('one conf change at a time');
  });

  it('a conf entry and a normal entry with the same bytes are different entries', () => {
    const { checker } = setup();
    const data = encodeConfChange({ type: 'remove', nodeId: 3, context: new Uint8Array(0) });
    checker.observeApplied(1, { index: 2, term: 2, type: 'conf', data }, 0);
    expect(violation(() =>
      checker.observeApplied(2, { index: 2, term: 2, type: 'normal', data }, 0)))
      .toBe('state machine safety');
  });
});
