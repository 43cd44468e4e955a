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
interface SingleNode {
  readonly replica: Replica<undefined>;
  readonly saved: Saved[];
  /** `count` entries of `bytes` each, one at a time, each applied before the next. */
  writeEach(count: number, bytes: number): Promise<void>;
}

function singleNode(options: {
  snapshotEntries: number; compactionKeepEntries: number;
  snapshotBytes?: number; compactionKeepBytes?: number; stateBytes?: number;
  /** Encode snapshots in this many steps (beginSnapshot) instead of at once. */
  snapshotSteps?: number;
}): SingleNode {
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
      ...(options.snapshotSteps === undefined ? {} : {
        beginSnapshot: () => {
          let left = options.snapshotSteps as number;
          return {
            step: (budget: number) => (left -= budget) <= 0,
            finish: () => new Uint8Array(options.stateBytes ?? 10),
          };
        },
      }),
      restore: () => {},
    },
    requestDrive,
    snapshotEntries: options.snapshotEntries,
    compactionKeepEntries: options.compactionKeepEntries,
    snapshotBytes: options.snapshotBytes,
    compactionKeepBytes: options.compactionKeepBytes,
    snapshotItemsPerTurn: 1,
    proposalTimeoutTicks: 100, readTimeoutTicks: 100,
  });
  return {
    replica: node, saved,
    writeEach: async (count, bytes) => {
      for (let i = 0; i < count; i++) {
        node.propose(new Uint8Array(bytes), () => {});
        await settle();
      }
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
    await node.writeEach(12, 5_000);
    expect(node.saved.length).toBe(1);
    const first = node.saved[0] as Saved;
    expect(first.compactIndex).toBe(first.index - 3);
  });

  it('snapshots once the applied entries hold snapshotBytes, before the count', async () => {
    const node = singleNode({ snapshotEntries: 1_000, compactionKeepEntries: 1_000,
      snapshotBytes: 10_000, compactionKeepBytes: 2_500 });
    await elect(node.replica);
    const before = node.replica.applied;
    await node.writeEach(4, 3_000);
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
    await node.writeEach(10, 1_000);
    expect(node.saved.map((s) => s.index)).toEqual([before + 10]);
    expect(node.saved[0]?.compactIndex).toBe(before + 8); // two of 1,000 bytes kept
  });

  it('waits for as many log bytes as the last snapshot held', async () => {
    const node = singleNode({ snapshotEntries: 1_000, compactionKeepEntries: 0,
      snapshotBytes: 1_000, compactionKeepBytes: 0, stateBytes: 5_000 });
    await elect(node.replica);
    const before = node.replica.applied;
    await node.writeEach(7, 1_000);
    // The first after 1,000 bytes; the next only after 5,000 more (the state's size).
    expect(node.saved.map((s) => s.index)).toEqual([before + 1, before + 6]);
  });

  it('encodes a snapshot over several turns, at the index it began, applying on', async () => {
    const node = singleNode({ snapshotEntries: 5, compactionKeepEntries: 0, snapshotSteps: 300 });
    await elect(node.replica);
    const due = 1 + 5; // the bootstrap snapshot's index + snapshotEntries
    await node.writeEach(due - node.replica.applied, 10);
    expect(node.saved).toEqual([]); // being encoded
    await node.writeEach(2, 10);
    expect(node.replica.applied).toBe(due + 2);
    expect(node.saved).toEqual([]);
    for (let round = 0; round < 100 && node.saved.length === 0; round++) await settle();
    expect(node.saved).toEqual([{ index: due, compactIndex: due }]);
  });

  it('writes a snapshot at once on snapshotNow, replacing one being encoded', async () => {
    const node = singleNode({ snapshotEntries: 5, compactionKeepEntries: 0,
      snapshotSteps: 1_000 });
    await elect(node.replica);
    const before = node.replica.applied;
    await node.writeEach(6, 10);
    expect(node.saved).toEqual([]);
    let done = false;
    node.replica.snapshotNow(() => {
      done = true;
    });
    expect(done).toBe(true);
    expect(node.saved).toEqual([{ index: before + 6, compactIndex: before + 6 }]);
  });
});
