/** One RegistryNode over an in-memory log, on real timers: what the replica/ tests start. */
import { afterEach, expect } from 'vitest';
import { monotonicClock, realScheduler } from '../../src/cli/scheduler.js';
import { Prng } from '../../src/core/prng.js';
import { DEFAULT_SETTINGS } from '../../src/core/settings.js';
import {
  encodeConfChange, type ConfChange, type Entry, type Snapshot,
} from '../../src/raft/index.js';
import {
  Registry, type CommandResult, type Member,
} from '../../src/registry/index.js';
import {
  RegistryNode, registryFacade, type RegistryFacade,
  type ReplicaObserver,
} from '../../src/replica/index.js';
import { type LogPersister, type MemoryStorage } from '../../src/storage/index.js';

export function member(id: number, name: string): Member {
  return { id, name, peerAddress: `${name}:7401`, clientAddress: `${name}:7400` };
}

export function bootstrap(voters: readonly Member[], learners: readonly Member[] = []): Snapshot {
  const registry = new Registry();
  registry.setMembers([...voters, ...learners]);
  return {
    metadata: { index: 1, term: 1, confState: {
      voters: voters.map((one) => one.id), learners: learners.map((one) => one.id),
    } },
    data: registry.snapshot(),
  };
}

export function confEntry(index: number, change: ConfChange): Entry {
  return { index, term: 1, type: 'conf', data: encodeConfChange(change) };
}

const running: RegistryNode[] = [];

afterEach(() => {
  for (const node of running.splice(0)) node.stop();
});

/** A node over an in-memory log whose writes complete at once, on real timers. */
export function startNode(storage: MemoryStorage, options: {
  onPeer?: (peer: Member) => void; observer?: ReplicaObserver<CommandResult[]>;
} = {}): RegistryNode {
  const persister: LogPersister = {
    persist: (_batch, done) => done(),
    saveSnapshot: (_snapshot, _compactIndex, done) => done(),
    loadSnapshot: (done) => done(undefined, storage.snapshot()),
  };
  const node = new RegistryNode({
    name: 'a', id: 1, clusterId: 9,
    settings: {
      timings: {
        tickMs: 10, electionTicks: 3, heartbeatTicks: 1, proposalTimeoutTicks: 500,
        readTimeoutTicks: 500,
      },
      log: { snapshotEntries: 10_000, compactionKeepEntries: 100 },
      watch: { syncIntervalMs: 100 },
      leases: DEFAULT_SETTINGS.leases,
    },
    raft: { prng: new Prng(7) },
    storage, persister, transport: { send: () => {} },
    scheduler: realScheduler(), clock: monotonicClock(),
    encodeEvent: () => new Uint8Array(0),
    onPeer: options.onPeer ?? (() => {}), onFatal: (error) => {
      throw error;
    },
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  running.push(node);
  return node;
}

export async function leading(node: RegistryNode): Promise<RegistryFacade> {
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

