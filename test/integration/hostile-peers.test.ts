import { readFileSync } from 'node:fs';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeConfChange, makeMessage, type Message, type Snapshot,
} from '../../src/raft/index.js';
import { encodeCommand, validateInstance } from '../../src/registry/index.js';
import { encodeMessages, encodeSnapshotHeader } from '../../src/transport/index.js';
import { raftService, type RaftBatch } from '../../src/transport/proto.js';
import { createPki } from '../../src/bench/pki.js';
import { TestCluster, sleep, waitFor } from './cluster.js';

/**
 * An attacker that reaches the peer port: forged heartbeats, appends and snapshots, from
 * strangers, from another cluster, with absurd terms and indexes, and (with mutual TLS) from a
 * plaintext peer and from one whose certificate another CA issued. Afterwards every node is
 * up, nothing forged is applied, and writes flow.
 */
let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const STRANGER = 4_242_424_242;
const FORGED = validateInstance({ service: 'forged', id: 'x', address: '6.6.6.6', port: 6 });

/** Sends raw batches to a node's peer port; resolves with how the call ended. */
function rawSend(address: string, batches: RaftBatch[],
  channel = credentials.createInsecure()): Promise<ServiceError | null> {
  const method = raftService().send;
  const client = new Client(address, channel);
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest(method.path, method.requestSerialize,
      method.responseDeserialize, (error: ServiceError | null) => {
        client.close();
        resolve(error);
      });
    for (const batch of batches) call.write(batch);
    call.end();
  });
}

function rawSnapshot(address: string, message: Message, clusterId: number):
  Promise<ServiceError | null> {
  const method = raftService().sendSnapshot;
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest(method.path, method.requestSerialize,
      method.responseDeserialize, (error: ServiceError | null) => {
        client.close();
        resolve(error);
      });
    const data = message.snapshot?.data ?? new Uint8Array(0);
    call.write({ header: encodeSnapshotHeader(message), data, total_bytes: data.byteLength,
      cluster_id: clusterId });
    call.end();
  });
}

function batch(from: number, messages: Message[], clusterId: number): RaftBatch {
  return { from, messages: encodeMessages(messages), cluster_id: clusterId, from_name: '',
    from_address: '' };
}

/** Every node answers, one leader, a write commits and is read back; nothing forged. */
async function healthyAfterwards(current: TestCluster, id: string): Promise<void> {
  for (const node of current.nodes) expect(node.process, `${node.name} is up`).toBeDefined();
  await current.waitForLeader();
  const client = current.client();
  await client.registerOnce({ instance: { service: 'web', id, address: '10.0.0.1', port: 80 } });
  expect((await client.lookup({ service: 'web' })).instances.map((one) => one.id))
    .toContain(id);
  for (const node of current.nodes) {
    const own = current.client([node.client]);
    const forged = await own.lookup({ service: 'forged', consistency: 'SERIALIZABLE' });
    expect(forged.instances).toEqual([]);
  }
}

describe('a hostile peer', () => {
  it('forged heartbeats, appends and snapshots change nothing and stop no node', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const current = cluster;
    const leaderName = await current.waitForLeader();
    const client = current.client();
    const status = await client.status(current.node(leaderName).client);
    const clusterId = status.cluster_id;
    const term = status.term;
    const members = (await client.memberList()).members;
    const leaderId = members.find((one) => one.name === leaderName)?.id as number;
    const followerId = members.find((one) => one.name !== leaderName)?.id as number;
    const register = { index: 0, term, type: 'normal' as const,
      data: encodeCommand({ op: 'register', instance: FORGED }) };
    const lonely: Snapshot = {
      metadata: { index: 1_000, term, confState: { voters: [STRANGER], learners: [] } },
      data: new Uint8Array(0),
    };
    for (const node of current.nodes) {
      const to = members.find((one) => one.name === node.name)?.id as number;
      const forgeries: [number, Message[], number][] = [
        // A stranger: heartbeats, an absurd term, an append of a registration, a conf change.
        [STRANGER, [makeMessage({ type: 'heartbeat', from: STRANGER, to, term: term + 1 }),
          makeMessage({ type: 'heartbeat', from: STRANGER, to, term: 2 ** 53 - 1 }),
          makeMessage({ type: 'app', from: STRANGER, to, term: term + 5, index: 1, logTerm: 1,
            commit: 10, entries: [{ ...register, index: 2, term: term + 5 }] }),
          makeMessage({ type: 'app', from: STRANGER, to, term: term + 5, index: 1, logTerm: 1,
            entries: [{ index: 2, term: term + 5, type: 'conf',
              data: encodeConfChange({ type: 'remove', nodeId: to,
                context: new Uint8Array(0) }) }] })], clusterId],
        // Members' ids, spoofed, with what no correct member sends.
        [leaderId, [makeMessage({ type: 'heartbeat', from: leaderId, to, term: 2 ** 53 - 1 }),
          makeMessage({ type: 'appResp', from: leaderId, to, term, index: 2 ** 50 })], clusterId],
        [followerId, [makeMessage({ type: 'app', from: followerId, to, term, index: 2 ** 53 - 1,
          logTerm: term })], clusterId],
        // Another cluster.
        [leaderId, [makeMessage({ type: 'heartbeat', from: leaderId, to, term: term + 9 })],
          clusterId + 1],
      ];
      for (const [from, messages, cluster] of forgeries) {
        const ended = await rawSend(node.peer, [batch(from, messages, cluster)]);
        expect(ended).toBeNull(); // dropped quietly; the stream itself was well formed
      }
      const snapshotFrom = (from: number, id: number) => rawSnapshot(node.peer,
        makeMessage({ type: 'snap', from, to, term: term + 3, snapshot: lonely }), id);
      expect(await snapshotFrom(STRANGER, clusterId)).not.toBeNull();
      expect(await snapshotFrom(leaderId, clusterId + 1)).not.toBeNull();
    }
    await sleep(500);
    await healthyAfterwards(current, 'after-forgeries');
    // The leader kept its term: nothing forged made it step down.
    expect((await client.status(current.node(leaderName).client)).term).toBe(term);
  }, 120_000);

  it('with mutual TLS: plaintext and other-CA peers are refused; the cluster serves', async () => {
    const pki = createPki('cluster');
    const { certFile, keyFile } = pki.issue('node');
    cluster = await TestCluster.start({ nodes: 3, extraArgs: ['--peer-cert-file', certFile,
      '--peer-key-file', keyFile, '--peer-trusted-ca-file', pki.caFile] });
    const current = cluster;
    const leaderName = await current.waitForLeader();
    const status = await current.client().status(current.node(leaderName).client);
    const other = createPki('attacker');
    const stranger = other.issue('attacker');
    const otherCa = credentials.createSsl(readFileSync(other.caFile),
      readFileSync(stranger.keyFile), readFileSync(stranger.certFile));
    for (const node of current.nodes) {
      const heartbeat = batch(STRANGER, [makeMessage({ type: 'heartbeat', from: STRANGER,
        to: 1, term: status.term + 1 })], status.cluster_id);
      expect(await rawSend(node.peer, [heartbeat])).not.toBeNull();
      expect(await rawSend(node.peer, [heartbeat], otherCa)).not.toBeNull();
    }
    await waitFor(async () => ((await current.leader()) === leaderName ? true : undefined),
      { timeoutMs: 10_000, what: 'the same leader' });
    await healthyAfterwards(current, 'after-tls-strangers');
  }, 120_000);
});
