import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { Prng } from '../../src/core/prng.js';
import type { Entry } from '../../src/raft/index.js';
import { Replica } from '../../src/replica/replica.js';
import { MemoryStorage, type LogPersister } from '../../src/storage/index.js';

/**
 * A committed entry the state machine cannot apply (a bug, or a lying leader) stops the node
 * with an error naming the entry; it never goes on with a state the others do not have.
 */
describe('Replica: a committed entry that cannot be applied', () => {
  it('stops the node, naming the entry, and applies nothing after it', async () => {
    const storage = MemoryStorage.fromSnapshot({
      metadata: { index: 1, term: 1, confState: { voters: [1], learners: [] } },
      data: new Uint8Array(0),
    });
    const persister: LogPersister = {
      persist: (_batch, done) => done(),
      saveSnapshot: (_snapshot, _compactIndex, done) => done(),
      loadSnapshot: (done) => done(undefined, storage.snapshot()),
    };
    const applied: number[] = [];
    const fatal: Error[] = [];
    let drive = (): void => {};
    const replica = new Replica<undefined>({
      id: 1, raft: { prng: new Prng(1), electionTicks: 3, heartbeatTicks: 1 },
      storage, persister, transport: { send: () => {} },
      stateMachine: {
        apply: (entry: Entry) => {
          if (entry.data[0] === 0xff) throw new SyntaxError('not a command');
          applied.push(entry.index);
          return undefined;
        },
        snapshot: () => new Uint8Array(0),
        restore: () => {},
      },
      requestDrive: () => queueMicrotask(() => drive()),
      snapshotEntries: 1000, compactionKeepEntries: 10,
      proposalTimeoutTicks: 100, readTimeoutTicks: 100,
      onFatal: (error) => fatal.push(error),
    });
    drive = () => replica.drive();
    for (let i = 0; i < 10 && replica.status().role !== 'leader'; i++) replica.tick();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replica.status().role).toBe('leader');
    for (const first of [1, 0xff, 2]) replica.propose(Uint8Array.of(first), () => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fatal).toHaveLength(1);
    expect(isRosterError(fatal[0], 'ROSTER_ERR_INTERNAL')).toBe(true);
    expect(fatal[0]?.message)
      .toMatch(/committed entry 4 \(term \d+, normal\) cannot be applied: not a command/);
    expect(applied).toEqual([3]);
    expect(replica.isStopped).toBe(true);
  });
});
