import { afterEach, describe, expect, it } from 'vitest';
import { monotonicClock, realScheduler } from '../../src/cli/scheduler.js';
import { isRosterError } from '../../src/core/errors.js';
import { Prng } from '../../src/core/prng.js';
import {
  encodeConfChange, makeMessage, type ConfChange, type Entry, type Snapshot,
} from '../../src/raft/index.js';
import { Registry, encodeMemberContext, type Member } from '../../src/registry/index.js';
import {
  DEFAULT_LEASE_SETTINGS, RegistryNode, registryFacade, type RegistryFacade,
} from '../../src/replica/index.js';
import { MemoryStorage, type LogPersister } from '../../src/storage/index.js';

function member(id: number, name: string): Member {
  return { id, name, peerAddress: `${name}:7401`, clientAddress: `${name}:7400` };
}

function bootstrap(voters: readonly Member[], learners: readonly Member[] = []): Snapshot {
  const registry = new Registry();
  registry.setMembers([...voters, ...learners]);
  return {
    metadata: { index: 1, term: 1, confState: {
      voters: voters.map((one) => one.id), learners: learners.map((one) => one.id),
    } },
    data: registry.snapshot(),
  };
}

function confEntry(index: number, change: ConfChange): Entry {
  return { index, term: 1, type: 'conf', data: encodeConfChange(change) };
}

const running: RegistryNode[] = [];

afterEach(() => {
  for (const node of running.splice(0)) node.stop();
});

/** A node over an in-memory log whose writes complete at once, on real timers. */
function startNode(storage: MemoryStorage, onPeer: (peer: Member) => void = () => {}):
  RegistryNode {
  const persister: LogPersister = {
    persist: (_batch, done) => done(),
    saveSnapshot: (_snapshot, _compactIndex, done) => done(),
    loadSnapshot: (done) => done(undefined, storage.snapshot()),
  };
  const node = new RegistryNode({
    name: 'a', id: 1, clusterId: 9,
    raft: { prng: new Prng(7), electionTicks: 3, heartbeatTicks: 1 },
    tickMs: 10, storage, persister, transport: { send: () => {} },
    scheduler: realScheduler(), clock: monotonicClock(),
    snapshotEntries: 10_000, compactionKeepEntries: 100,
    proposalTimeoutTicks: 500, readTimeoutTicks: 500, leases: DEFAULT_LEASE_SETTINGS,
    encodeEvent: () => new Uint8Array(0), watchSyncIntervalMs: 100,
    onPeer, onFatal: (error) => {
      throw error;
    },
  });
  running.push(node);
  return node;
}

async function leading(node: RegistryNode): Promise<RegistryFacade> {
  node.start();
  for (let i = 0; i < 200 && !node.isLeader(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(node.isLeader()).toBe(true);
  const facade = registryFacade(node);
  // The first read may race the leader's own no-op; the second may not.
  await facade.read('LINEARIZABLE').catch(() => facade.read('LINEARIZABLE'));
  return facade;
}

describe('RegistryNode: members', () => {
  it('at start, names every member its snapshot and its log name, not only the snapshot\'s',
    () => {
      const storage = MemoryStorage.fromSnapshot(
        bootstrap([member(1, 'a'), member(2, 'b'), member(3, 'c')]),
        { term: 1, vote: 0, commit: 1 });
      storage.append([
        confEntry(2,
          { type: 'addLearner', nodeId: 4, context: encodeMemberContext(member(4, 'd')) }),
        confEntry(3, { type: 'promote', nodeId: 4, context: new Uint8Array(0) }),
        confEntry(4, { type: 'remove', nodeId: 2, context: new Uint8Array(0) }),
      ]);
      const announced: number[] = [];
      startNode(storage, (peer) => announced.push(peer.id));
      // The removal is not applied yet: its connection goes when it is.
      expect(announced.sort()).toEqual([2, 3, 4]);
    });

  it('replaces a member whose data dir was lost, and refuses one that is still heard from',
    async () => {
      const storage = MemoryStorage.fromSnapshot(
        bootstrap([member(1, 'a')], [member(5, 'b'), member(7, 'c')]),
        { term: 1, vote: 0, commit: 1 });
      const raw = startNode(storage);
      const node = await leading(raw);
      const refusal = await node.addMember(member(6, 'b')).catch((error: unknown) => error);
      expect(isRosterError(refusal, 'ROSTER_ERR_CONF_CHANGE_INVALID')).toBe(true);
      expect((refusal as Error).message).toContain('already a member (id 5)');

      const added = await node.addMember(member(6, 'b'), { replace: true });
      expect(added).toMatchObject({ id: 6, name: 'b', learner: true });
      expect(node.members().map((one) => [one.id, one.name])).toEqual([[1, 'a'], [6, 'b'],
        [7, 'c']]);
      // Asking again (a retry) changes nothing.
      expect(await node.addMember(member(6, 'b'), { replace: true })).toMatchObject({ id: 6 });

      // Member 7 is alive: another process with its name must not take its place.
      raw.receive(makeMessage({ type: 'appResp', from: 7, to: 1, term: 2, index: 0 }));
      const alive = await node.addMember(member(8, 'c'), { replace: true })
        .catch((error: unknown) => error);
      expect(isRosterError(alive, 'ROSTER_ERR_CONF_CHANGE_INVALID')).toBe(true);
      expect((alive as Error).message).toContain('another process runs under that name');
      expect(node.memberNamed('c')?.id).toBe(7);
    });
});
