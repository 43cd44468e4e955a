/**
 * Clients that try to exhaust a node, against real `roster serve` processes: oversized
 * requests, huge filters, streams and answers that are never read, idle and preface-only
 * connections.
 * Each bound is asserted on the servers' resident memory (/proc/<pid>/status VmRSS).
 */
import { connect, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterClient } from '../../src/client/index.js';
import { TestCluster, sleep, waitFor, type NodeHandle } from './cluster.js';
import {
  UnreadClient, encodeRequest, heldMiB, oversizedCall, peakOver, rssMiB,
} from './hostile.js';

/** Instances of ~2 KB each (their metadata differs, so snapshots cannot share it). */
const INSTANCES = 2_000;
/** Growth of a server's resident memory while 1,000 unread watch streams are open. */
const WATCH_STREAMS_RSS_BOUND_MIB = 320;
/**
 * Growth while 50 KeepAlive streams send heartbeats for 10 s and never read the answers (it
 * grew by ~32 MB a second, without bound, when answers were buffered however many).
 */
const KEEPALIVE_RSS_BOUND_MIB = 300;
/** Growth while 20 Snapshot streams are opened and never read (2 are served). */
const SNAPSHOT_RSS_BOUND_MIB = 120;
/** Growth while 100 Lookups of a ~4.3 MB answer are never read (they used to be 430 MB). */
const LOOKUP_RSS_BOUND_MIB = 200;
/**
 * After the streams close, what the process holds (V8 heap in use and buffers) is back within
 * this of where it started: nothing of a closed stream is referenced.
 */
const HELD_AFTER_CLOSE_BOUND_MIB = 24;
/**
 * ... and its resident memory within this. Freed memory that glibc's malloc keeps in its heap
 * for reuse stays resident (75-150 MiB here, reused by the next streams).
 */
const KEPT_RSS_BOUND_MIB = 180;

let cluster: TestCluster;
let client: RosterClient;
const idleSockets: { socket: Socket; closed: boolean }[] = [];

function pidOf(node: NodeHandle): number {
  const pid = node.process?.pid;
  if (pid === undefined) throw new Error(`${node.name} is not running`);
  return pid;
}

async function leaderNode(): Promise<NodeHandle> {
  const name = await cluster.waitForLeader();
  return cluster.node(name);
}

async function followerNode(): Promise<NodeHandle> {
  const leader = await cluster.waitForLeader();
  const follower = cluster.nodes.find((node) => node.name !== leader);
  if (follower === undefined) throw new Error('no follower');
  return follower;
}

async function fill(): Promise<void> {
  const blob = 'x'.repeat(2_000);
  for (let start = 0; start < INSTANCES; start += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, offset) => client.registerOnce({
      instance: {
        service: 'big', id: `i${start + offset}`, address: '10.0.0.1', port: 80,
        metadata: { blob: `${blob}${start + offset}` },
      },
    })));
  }
}

/** Raw TCP connections that send nothing, or only the HTTP/2 preface, then wait. */
function openIdleConnections(address: string, count: number): void {
  const at = address.lastIndexOf(':');
  for (let i = 0; i < count; i++) {
    const entry = { socket: connect(Number(address.slice(at + 1)), address.slice(0, at)),
      closed: false };
    entry.socket.on('connect', () => {
      if (i % 2 === 1) entry.socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    });
    entry.socket.on('data', () => {});
    entry.socket.on('error', () => {});
    entry.socket.on('close', () => {
      entry.closed = true;
    });
    idleSockets.push(entry);
  }
}

beforeAll(async () => {
  cluster = await TestCluster.start({
    nodes: 3,
    // Memory is measured as users run a server: its heap compacted when quiet
    // (cli/idle-compaction.ts), with the launcher's malloc settings.
    viaLauncher: true,
    extraArgs: ['--watch-history-events', '500', '--stream-stall-ms', '8000'],
  });
  client = cluster.client();
  openIdleConnections((await followerNode()).client, 100);
  await fill();
}, 120_000);

afterAll(async () => {
  for (const { socket } of idleSockets) socket.destroy();
  await cluster?.stop();
});

describe('oversized requests and huge filters', () => {
  it('a 25 MB request is refused with RESOURCE_EXHAUSTED before it is read', async () => {
    const leader = await leaderNode();
    const before = (await client.status(leader.client)).term;
    for (const path of ['/roster.v1.Registry/Register', '/roster.v1.Registry/Lookup',
      '/roster.v1.Registry/KeepAlive']) {
      const refused = await oversizedCall(leader.client, path, 25 * 1024 * 1024);
      console.log(`hostile: 25 MB ${path} refused with ${refused.status} in ` +
        `${refused.ms.toFixed(1)} ms`);
      expect(refused.status).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
      // Generous: it is answered from the length prefix, in a few milliseconds.
      expect(refused.ms).toBeLessThan(2_000);
    }
    const after = await client.status(leader.client);
    expect(after.role).toBe('leader');
    expect(after.term).toBe(before);
  });

  it('a lookup with 100,000 tags is refused and the node keeps no trace of it', async () => {
    const leader = await leaderNode();
    const pid = pidOf(leader);
    const baseline = rssMiB(pid);
    for (let round = 0; round < 20; round++) {
      const tags = Array.from({ length: 100_000 }, (_, i) => `t${round}-${i}`);
      const error = await client.lookup({ service: 'big', tags, consistency: 'SERIALIZABLE' })
        .catch((caught: unknown) => caught as grpc.ServiceError);
      expect((error as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((error as grpc.ServiceError).details).toContain('tags must be at most 64');
    }
    const grown = rssMiB(pid) - baseline;
    console.log(`hostile: 20 lookups of 100,000 tags: leader RSS ${grown.toFixed(0)} MiB more`);
    expect(grown).toBeLessThan(100);
  });
});

describe('streams whose client never reads', () => {
  const watchFrame = (): Buffer =>
    encodeRequest('registry', 'Watch', { service: 'big', start_revision: 1 });

  it('1,000 unread Watch streams from revision 1 stay within the bound; memory comes back',
    async () => {
      const follower = await followerNode();
      const pid = pidOf(follower);
      const baseline = rssMiB(pid);
      const heldBefore = await heldMiB(follower.http);
      const clients = Array.from({ length: 10 }, () => new UnreadClient(follower.client));
      for (let i = 0; i < 1_000; i++) {
        (clients[i % 10] as UnreadClient).open('/roster.v1.Registry/Watch', watchFrame());
      }
      await waitFor(async () => ((await client.status(follower.client)).watchers >= 1_000
        ? true : undefined), { timeoutMs: 20_000, what: '1,000 watchers' });
      const peak = await peakOver(() => rssMiB(pid), 4_000);
      const heldOpen = await heldMiB(follower.http);
      expect(peak - baseline).toBeLessThan(WATCH_STREAMS_RSS_BOUND_MIB);
      for (const unread of clients) unread.close();
      await waitFor(async () => ((await client.status(follower.client)).watchers === 0
        ? true : undefined), { timeoutMs: 10_000, what: 'the watchers to go' });
      // The streams' buffers are garbage now: a quiet server collects it within two idle
      // checks (cli/idle-compaction.ts).
      const heldAfter = await waitFor(async () => {
        const held = await heldMiB(follower.http);
        return held - heldBefore < HELD_AFTER_CLOSE_BOUND_MIB ? held : undefined;
      }, { timeoutMs: 60_000, intervalMs: 1_000, what: 'held memory to come back after close' });
      const kept = -(await peakOver(() => -rssMiB(pid), 3_000, 500));
      console.log(`hostile: 1,000 unread watch streams: follower RSS ${baseline.toFixed(0)} -> ` +
        `peak ${peak.toFixed(0)} -> ${kept.toFixed(0)} MiB after close (bounds ` +
        `+${WATCH_STREAMS_RSS_BOUND_MIB}, +${KEPT_RSS_BOUND_MIB}); held by the process ` +
        `${heldBefore.toFixed(0)} -> ${heldOpen.toFixed(0)} -> ${heldAfter.toFixed(0)} MiB ` +
        `(bound +${HELD_AFTER_CLOSE_BOUND_MIB})`);
      expect(kept - baseline).toBeLessThan(KEPT_RSS_BOUND_MIB);
    }, 120_000);

  it('50 KeepAlive streams whose answers are never read stay within the bound', async () => {
    const leader = await leaderNode();
    const pid = pidOf(leader);
    const baseline = rssMiB(pid);
    const frame = encodeRequest('registry', 'KeepAlive',
      { lease_ids: Array.from({ length: 10_000 }, (_, i) => 1_000_000_000 + i) });
    const clients = Array.from({ length: 5 }, () => new UnreadClient(leader.client));
    const streams = Array.from({ length: 50 }, (_, i) =>
      (clients[i % 5] as UnreadClient).open('/roster.v1.Registry/KeepAlive', frame,
        { end: false }));
    const until = Date.now() + 10_000;
    let sent = 0;
    const writers = streams.map(async (stream) => {
      for (let n = 0; n < 10_000 && Date.now() < until && !stream.destroyed; n++) {
        sent += 1;
        if (!stream.write(frame)) {
          await Promise.race([new Promise((resolve) => stream.once('drain', resolve)),
            sleep(500)]);
        }
      }
    });
    const peak = await peakOver(() => rssMiB(pid), 10_000);
    await Promise.all(writers);
    console.log(`hostile: 50 unread KeepAlive streams (${sent} requests of 10,000 leases ` +
      `written): leader RSS ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MiB ` +
      `(bound +${KEEPALIVE_RSS_BOUND_MIB})`);
    expect(peak - baseline).toBeLessThan(KEEPALIVE_RSS_BOUND_MIB);
    for (const unread of clients) unread.close();
  }, 60_000);

  it('unread Snapshot streams: two are served a piece at a time, the rest refused', async () => {
    const leader = await leaderNode();
    const pid = pidOf(leader);
    const baseline = rssMiB(pid);
    const unread = new UnreadClient(leader.client);
    const frame = encodeRequest('cluster', 'Snapshot', {});
    for (let i = 0; i < 20; i++) unread.open('/roster.v1.Cluster/Snapshot', frame);
    await waitFor(() => (unread.statuses.length >= 18 ? true : undefined),
      { timeoutMs: 10_000, what: 'the refusals' });
    const peak = await peakOver(() => rssMiB(pid), 3_000);
    console.log(`hostile: 20 unread Snapshot streams: leader RSS ${baseline.toFixed(0)} -> ` +
      `peak ${peak.toFixed(0)} MiB (bound +${SNAPSHOT_RSS_BOUND_MIB})`);
    expect(unread.statuses).toEqual(Array.from({ length: 18 },
      () => String(grpc.status.RESOURCE_EXHAUSTED)));
    expect(peak - baseline).toBeLessThan(SNAPSHOT_RSS_BOUND_MIB);
    unread.close();
  });

  it('100 unread Lookups of a 4 MB service: answers held within the bound, then refused',
    async () => {
      const leader = await leaderNode();
      const pid = pidOf(leader);
      const baseline = rssMiB(pid);
      const unread = new UnreadClient(leader.client);
      const frame = encodeRequest('registry', 'Lookup', { service: 'big' });
      for (let i = 0; i < 100; i++) unread.open('/roster.v1.Registry/Lookup', frame);
      await waitFor(() => (unread.statuses.length > 0 ? true : undefined),
        { timeoutMs: 15_000, what: 'refusals once the buffers are full' });
      const peak = await peakOver(() => rssMiB(pid), 3_000);
      console.log(`hostile: 100 unread Lookups of ~4.3 MB answers: leader RSS ` +
        `${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MiB (bound +${LOOKUP_RSS_BOUND_MIB}); ` +
        `${unread.statuses.length} ended`);
      // Refused, or (held while the buffers were full, and not read) reset with their
      // connection once stalled.
      const refused = unread.statuses.filter((status) =>
        status === String(grpc.status.RESOURCE_EXHAUSTED));
      expect(refused.length).toBeGreaterThan(50);
      expect(unread.statuses.every((status) =>
        status === String(grpc.status.RESOURCE_EXHAUSTED) || status === 'reset')).toBe(true);
      expect(peak - baseline).toBeLessThan(LOOKUP_RSS_BOUND_MIB);
      unread.close();
    }, 60_000);

  it('a stream whose client stops reading is cancelled, and its connection closed', async () => {
    const follower = await followerNode();
    const unread = new UnreadClient(follower.client);
    for (let i = 0; i < 5; i++) unread.open('/roster.v1.Registry/Watch', watchFrame());
    await waitFor(async () => ((await client.status(follower.client)).watchers >= 5
      ? true : undefined), { timeoutMs: 10_000, what: 'the watchers' });
    // --stream-stall-ms 8000; the status then waits behind the unread data for a grace,
    // after which the connection is closed: that frees what HTTP/2 holds for the streams.
    await waitFor(() => (unread.closed ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250, what: 'the connection to be closed' });
    expect((await client.status(follower.client)).watchers).toBe(0);
    unread.close();
  }, 60_000);
});

describe('connections', () => {
  it('idle and preface-only connections were closed (keepalive pings went unanswered)',
    async () => {
      await waitFor(() => (idleSockets.every((entry) => entry.closed) ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 500, what: 'idle connections to close' });
    });
});
