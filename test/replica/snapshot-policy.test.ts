import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/core/prng.js';
import type { Entry, Snapshot } from '../../src/raft/index.js';
import { Replica } from '../../src/replica/replica.js';
import { MemoryStorage, type LogPersister, type PersistBatch } from '../../src/storage/index.js';

interface Saved {
  readonly index: number;
  readonly compactIndex: number;
}

/**
 * A one-node replica with an in-memory persister that completes at once: enough to watch when
 * it snapshots and how much log it keeps, entry by entry.
 */
function singleNode(options: {
  snapshotEntries: number; compactionKeepEntries: number;
  snapshotBytes?: number; compactionKeepBytes?: number; stateBytes?: number;
}): { replica: Replica<undefined>; saved: Saved[]; write: (bytes: number) => void } {
  const storage = MemoryStorage.fromSnapshot({
    metadata: { index: 1, term: 1, confState: { voters: [1], learners: [] } },
    data: new Uint8Array(0),
  });
  const saved: Saved[] = [];
  const persister: LogPersister = {
    persist: (_batch: PersistBatch, done) => done(),
    saveSnapshot: (snapshot: Snapshot, compactIndex, done) => {
      saved.push({ index: snapshot.metadata.index, compactIndex });
      done();
    },
    loadSnapshot: (done) => done(undefined, storage.snapshot()),
  };
  let driving = false;
  const requestDrive = (): void => {
    if (driving) return;
    driving = true;
    queueMicrotask(() => {
      driving = false;
      node.drive(); // runs later: `node` is set by then
    });
  };
  const node = new Replica<undefined>({
    id: 1,
    raft: { prng: new Prng(1), electionTicks: 3, heartbeatTicks: 1 },
    storage, persister, transport: { send: () => {} },
    stateMachine: {
      apply: (_entry: Entry) => undefined,
      snapshot: () => new Uint8Array(options.stateBytes ?? 10),
      restore: () => {},
    },
    requestDrive,
    snapshotEntries: options.snapshotEntries,
    compactionKeepEntries: options.compactionKeepEntries,
    snapshotBytes: options.snapshotBytes,
    compactionKeepBytes: options.compactionKeepBytes,
    proposalTimeoutTicks: 100, readTimeoutTicks: 100,
  });
  return {
    replica: node, saved,
    write: (bytes) => {
      node.propose(new Uint8Array(bytes), () => {});
    },
  };
}

async function settle(): Promise<void> {
  for (let round = 0; round < 20; round++) await Promise.resolve();
}

async function elect(replica: Replica<undefined>): Promise<void> {
  for (let tick = 0; tick < 20 && replica.status().role !== 'leader'; tick++) {
    replica.tick();
    await settle();
  }
  expect(replica.status().role).toBe('leader');
}

describe('replica snapshot policy', () => {
  it('snapshots by entry count when no byte bound is set', async () => {
    const node = singleNode({ snapshotEntries: 10, compactionKeepEntries: 3 });
    await elect(node.replica);
    for (let i = 0; i < 12; i++) {
      node.write(5_000);
      await settle();
    }
    expect(node.saved.length).toBe(1);
    const first = node.saved[0] as Saved;
    expect(first.compactIndex).toBe(first.index - 3);
  });

  it('snapshots once the applied entries hold snapshotBytes, before the count', async () => {
    const node = singleNode({ snapshotEntries: 1_000, compactionKeepEntries: 1_000,
      snapshotBytes: 10_000, compactionKeepBytes: 2_500 });
    await elect(node.replica);
    const before = node.replica.applied;
    for (let i = 0; i < 4; i++) {
      node.write(3_000);
      await settle();
    }
    // 4 x 3,000 bytes reach 10,000 at the fourth entry.
    expect(node.saved.map((s) => s.index)).toEqual([before + 4]);
    // Of the entries below it, only what fits in 2,500 bytes is kept: none of 3,000.
    expect(node.saved[0]?.compactIndex).toBe(before + 4);
  });

  it('keeps the newest entries that fit in compactionKeepBytes', async () => {
    const node = singleNode({ snapshotEntries: 1_000, compactionKeepEntries: 1_000,
      snapshotBytes: 10_000, compactionKeepBytes: 2_500 });
    await elect(node.replica);
    const before = node.replica.applied;
    for (let i = 0; i < 10; i++) {
      node.write(1_000);
      await settle();
    }
    expect(node.saved.map((s) => s.index)).toEqual([before + 10]);
    expect(node.saved[0]?.compactIndex).toBe(before + 8); // two of 1,000 bytes kept
  });

  it('waits for as many log bytes as the last snapshot held', async () => {
    const node = singleNode({ snapshotEntries: 1_000, compactionKeepEntries: 0,
      snapshotBytes: 1_000, compactionKeepBytes: 0, stateBytes: 5_000 });
    await elect(node.replica);
    const before = node.replica.applied;
    for (let i = 0; i < 7; i++) {
      node.write(1_000);
      await settle();
    }
    // The first after 1,000 bytes; the next only after 5,000 more (the state's size).
    expect(node.saved.map((s) => s.index)).toEqual([before + 1, before + 6]);
  });
});
