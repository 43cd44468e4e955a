import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';

import { makeMessage, type Message, type NodeId } from '../../src/raft/index.js';
import {
  CODEC_VERSION, encodeMessages, encodeSnapshotHeader,
} from '../../src/transport/codec.js';
import {
  GrpcTransport, TRANSPORT_QUEUE_MESSAGES_MAX, type GrpcTransportOptions,
} from '../../src/transport/grpc-transport.js';
import type { TransportLogger } from '../../src/transport/peer-context.js';
import { raftService, type RaftBatch, type SnapshotChunk } from '../../src/transport/proto.js';
import { createPki } from '../../src/bench/pki.js';

interface TestNode {
  readonly id: NodeId;
  readonly transport: GrpcTransport;
  readonly address: string;
  readonly received: Message[];
  readonly unreachable: NodeId[];
  /** Peers whose accepted stream broke (the hint a follower campaigns early on). */
  readonly connectionsLost: NodeId[];
  readonly snapshotReports: { to: NodeId; succeeded: boolean }[];
}

const running: GrpcTransport[] = [];
const rawClients: Client[] = [];

afterEach(async () => {
  for (const client of rawClients.splice(0)) client.close();
  await Promise.all(running.splice(0).map((transport) => transport.stop()));
});

const CLUSTER = 4242;
/** What test nodes advertise: nothing listens there (tests that need answers set peers). */
const UNUSED_ADDRESS = '127.0.0.1:9';

function chunk(header: Uint8Array, data: Uint8Array, totalBytes: number): SnapshotChunk {
  return { header, data, total_bytes: totalBytes, cluster_id: CLUSTER };
}

function batchOf(from: NodeId, messages: Uint8Array, clusterId = CLUSTER): RaftBatch {
  return { from, messages, cluster_id: clusterId, from_name: '', from_address: '' };
}

async function startNode(
  id: NodeId,
  options: Partial<GrpcTransportOptions> = {},
): Promise<TestNode> {
  const received: Message[] = [];
  const unreachable: NodeId[] = [];
  const connectionsLost: NodeId[] = [];
  const snapshotReports: { to: NodeId; succeeded: boolean }[] = [];
  const transport: GrpcTransport = new GrpcTransport({
    id,
    clusterId: CLUSTER,
    // Like roster serve: a sender that says where it listens becomes a known peer.
    name: `n${id}`,
    advertise: UNUSED_ADDRESS,
    onPeerAddress: (from, _name, address) => transport.setPeer(from, address),
    listen: '127.0.0.1:0',
    onMessage: (message) => received.push(message),
    onUnreachable: (to) => unreachable.push(to),
    onConnectionLost: (to) => connectionsLost.push(to),
    onSnapshotReport: (to, succeeded) => snapshotReports.push({ to, succeeded }),
    ...options,
  });
  running.push(transport);
  const address = await transport.start();
  return { id, transport, address, received, unreachable, connectionsLost, snapshotReports };
}

async function connected(...nodes: TestNode[]): Promise<void> {
  for (const a of nodes) {
    for (const b of nodes) if (a !== b) a.transport.setPeer(b.id, b.address);
  }
}

/** An address where nothing listens: connections are refused. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function app(
  from: NodeId, to: NodeId, index: number, data = new Uint8Array([index % 256]),
): Message {
  return makeMessage({
    type: 'app', from, to, term: 2, index, logTerm: 2, commit: index,
    entries: [{ term: 2, index: index + 1, type: 'normal', data }],
  });
}

function snap(from: NodeId, to: NodeId, data: Uint8Array): Message {
  return makeMessage({
    type: 'snap', from, to, term: 3,
    snapshot: { metadata: { index: 1000, term: 3, confState: { voters: [1, 2, 3], learners: [4] } },
      data },
  });
}

function rawClient(address: string): Client {
  const client = new Client(address, credentials.createInsecure());
  rawClients.push(client);
  return client;
}

/** Opens a raw Send call, writes `batches`, and resolves with how the call ended. */
function rawSend(
  address: string, batches: RaftBatch[], end: boolean,
): Promise<ServiceError | null> {
  const method = raftService().send;
  return new Promise((resolve) => {
    const call = rawClient(address).makeClientStreamRequest(method.path, method.requestSerialize,
      method.responseDeserialize, (error: ServiceError | null) => resolve(error));
    for (const batch of batches) call.write(batch);
    if (end) call.end();
  });
}

function rawSnapshot(address: string, chunks: SnapshotChunk[]): Promise<ServiceError | null> {
  const method = raftService().sendSnapshot;
  return new Promise((resolve) => {
    const call = rawClient(address).makeClientStreamRequest(method.path, method.requestSerialize,
      method.responseDeserialize, (error: ServiceError | null) => resolve(error));
    for (const chunk of chunks) call.write(chunk);
    call.end();
  });
}

describe('GrpcTransport', () => {
  it('exchanges messages both ways, in order', async () => {
    // A pino logger fits the transport's logger shape.
    const logger: TransportLogger = pino({ level: 'silent' });
    const [a, b] = await Promise.all([startNode(1, { logger }), startNode(2, { logger })]);
    await connected(a, b);
    for (let round = 0; round < 20; round++) {
      a.transport.send([app(1, 2, round * 10), app(1, 2, round * 10 + 1)]);
      b.transport.send([makeMessage({ type: 'appResp', from: 2, to: 1, index: round })]);
      await sleep(round % 3);
    }
    await waitFor(() => b.received.length === 40 && a.received.length === 20, 'all messages');
    const expected = Array.from({ length: 20 }, (_, r) => [r * 10, r * 10 + 1]).flat();
    expect(b.received.map((m) => m.index)).toEqual(expected);
    expect(b.received[3]).toEqual(app(1, 2, 11));
    expect(a.received.map((m) => m.index)).toEqual(Array.from({ length: 20 }, (_, r) => r));
    expect(a.unreachable).toEqual([]);
  });

  it('sends the messages of one event-loop turn as one batch', async () => {
    const [a, b] = await Promise.all([startNode(1), startNode(2)]);
    await connected(a, b);
    a.transport.send([app(1, 2, 0)]);
    await waitFor(() => b.received.length === 1, 'the first message (stream open)');
    const before = a.transport.stats().batchesSent;
    for (let i = 1; i <= 2000; i++) a.transport.send([app(1, 2, i)]);
    expect(a.transport.queueLength(2)).toBe(2000);
    await waitFor(() => b.received.length === 2001, 'the whole turn');
    expect(a.transport.stats().batchesSent - before).toBe(1);
    expect(b.transport.stats().batchesReceived).toBe(2);
    expect(b.received.map((m) => m.index)).toEqual(Array.from({ length: 2001 }, (_, i) => i));
  });

  it('delivers a 5 MiB snapshot in chunks and reports success', async () => {
    const [a, b] = await Promise.all([
      startNode(1, { snapshotChunkBytes: 256 * 1024 }), startNode(2),
    ]);
    await connected(a, b);
    const data = new Uint8Array(randomBytes(5 * 1024 * 1024));
    const message = snap(1, 2, data);
    a.transport.send([message]);
    await waitFor(() => a.snapshotReports.length === 1, 'the snapshot report');
    expect(a.snapshotReports).toEqual([{ to: 2, succeeded: true }]);
    expect(b.received).toHaveLength(1);
    const got = b.received[0];
    expect(got?.type).toBe('snap');
    expect(got?.snapshot?.metadata).toEqual(message.snapshot?.metadata);
    expect(got?.snapshot?.data.byteLength).toBe(data.byteLength);
    expect(Buffer.compare(Buffer.from(got?.snapshot?.data ?? []), Buffer.from(data))).toBe(0);
    expect(b.transport.stats().snapshotChunksReceived).toBe(20);
    expect(a.transport.stats().messagesSent).toBe(0); // never on the Send stream
  });

  it('reports a snapshot to a dead peer, or to a peer without address, as failed', async () => {
    const a = await startNode(1);
    a.transport.setPeer(2, await deadAddress());
    a.transport.send([snap(1, 2, new Uint8Array(1000)), snap(1, 3, new Uint8Array(10))]);
    await waitFor(() => a.snapshotReports.length === 2, 'both snapshot reports');
    expect(a.snapshotReports).toContainEqual({ to: 2, succeeded: false });
    expect(a.snapshotReports).toContainEqual({ to: 3, succeeded: false });
  });

  it('reaches a peer again once it comes up, reporting it unreachable meanwhile', async () => {
    const a = await startNode(1);
    const address = await deadAddress();
    a.transport.setPeer(2, address);
    let index = 0;
    const heartbeat = setInterval(() => {
      index += 1;
      a.transport.send([app(1, 2, index)]);
    }, 20);
    try {
      await waitFor(() => a.unreachable.length >= 3, 'unreachable reports while down');
      expect(a.unreachable.every((to) => to === 2)).toBe(true);
      expect(a.transport.stats().streamFailures).toBeGreaterThanOrEqual(3);
      // Refused connections never were accepted streams: no lost-connection hint.
      expect(a.connectionsLost).toEqual([]);
      const b = await startNode(2, { listen: address });
      await waitFor(() => b.received.length >= 5, 'delivery after the peer came up');
      const indexes = b.received.map((m) => m.index);
      expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
    } finally {
      clearInterval(heartbeat);
    }
  });

  it('reconnects a stream that broke when the peer restarts', async () => {
    const [a, b] = await Promise.all([startNode(1), startNode(2)]);
    await connected(a, b);
    a.transport.send([app(1, 2, 0)]);
    await waitFor(() => b.received.length === 1, 'the first message');
    await b.transport.stop();
    let index = 0;
    const heartbeat = setInterval(() => {
      index += 1;
      a.transport.send([app(1, 2, index)]);
    }, 20);
    try {
      await waitFor(() => a.unreachable.length > 0, 'the broken stream reported');
      // The accepted stream broke: one lost-connection hint; the refused retries add none.
      await waitFor(() => a.unreachable.length >= 3, 'refused retries reported');
      expect(a.connectionsLost).toEqual([2]);
      const again = await startNode(2, { listen: b.address });
      await waitFor(() => again.received.length >= 3, 'delivery over a new stream');
    } finally {
      clearInterval(heartbeat);
    }
    expect(a.transport.stats().streamFailures).toBeGreaterThan(0);
  });

  it('a peer that comes back announces itself, ending a long backoff at once', async () => {
    // A backoff far longer than the test: only the announcement can bring the stream back.
    const slow = { reconnectBackoff: { initialMs: 600_000, maxMs: 600_000, random: () => 0.99 } };
    const [a, b] = await Promise.all([startNode(1, slow), startNode(2, slow)]);
    await connected(a, b);
    a.transport.send([app(1, 2, 0)]);
    await waitFor(() => b.received.length === 1, 'the first message');
    await b.transport.stop();
    a.transport.send([app(1, 2, 1)]);
    await waitFor(() => a.unreachable.length > 0, 'the broken stream reported');
    a.transport.send([app(1, 2, 2)]); // waits in the queue for the (long) retry
    const again = await startNode(2, { ...slow, listen: b.address });
    again.transport.setPeer(1, a.address); // announces itself to 1: an empty batch
    await waitFor(() => again.received.some((m) => m.index === 2), 'the queued message');
    expect(a.transport.stats().batchesReceived).toBeGreaterThanOrEqual(1);
  });

  it('reports a known peer that opens a stream to us as reconnected', async () => {
    const reconnected: NodeId[] = [];
    const a = await startNode(1, { onPeerReconnected: (from) => reconnected.push(from) });
    const b = await startNode(2);
    a.transport.setPeer(2, b.address);
    b.transport.setPeer(1, a.address); // b announces itself: an empty batch
    await waitFor(() => reconnected.length === 1, 'the reconnection hint');
    expect(reconnected).toEqual([2]);
    // A stranger that says where it listens is learned as a peer, not reported as back.
    const c = await startNode(3);
    c.transport.setPeer(1, a.address);
    await waitFor(() => a.transport.stats().batchesReceived >= 2, 'the stranger\'s batch');
    expect(reconnected).toEqual([2]);
  });

  it('follows address changes and forgets removed peers', async () => {
    const [a, b, c] = await Promise.all([startNode(1), startNode(2), startNode(3)]);
    a.transport.setPeer(2, b.address);
    a.transport.send([app(1, 2, 1)]);
    await waitFor(() => b.received.length === 1, 'delivery to the first address');
    // Node 2 moved: its id now lives at c's address (c plays it; messages to 2 reach c,
    // which discards them as not addressed to 3), then it is removed altogether.
    a.transport.setPeer(2, c.address);
    a.transport.send([app(1, 2, 2)]);
    await waitFor(() => c.transport.stats().messagesDiscarded === 1, 'delivery to the new one');
    expect(b.received).toHaveLength(1);
    a.transport.removePeer(2);
    a.transport.send([app(1, 2, 3)]);
    expect(a.transport.queueLength(2)).toBe(0);
    await waitFor(() => a.unreachable.includes(2), 'a removed peer reported unreachable');
  });

  it('keeps the queue bounded while the peer is down', async () => {
    const a = await startNode(1);
    a.transport.setPeer(2, await deadAddress());
    const messages = Array.from({ length: 100_000 }, (_, i) => app(1, 2, i));
    a.transport.send(messages);
    expect(a.transport.queueLength(2)).toBe(TRANSPORT_QUEUE_MESSAGES_MAX);
    for (let round = 0; round < 20; round++) {
      a.transport.send(messages.slice(round * 5000, round * 5000 + 5000));
      expect(a.transport.queueLength(2)).toBeLessThanOrEqual(TRANSPORT_QUEUE_MESSAGES_MAX);
      await sleep(5);
    }
    await waitFor(() => a.unreachable.length > 0, 'an unreachable report');
    const stats = a.transport.stats();
    expect(stats.messagesDropped).toBeGreaterThanOrEqual(100_000 - TRANSPORT_QUEUE_MESSAGES_MAX);
    expect(stats.messagesSent + stats.messagesDropped + a.transport.queueLength(2))
      .toBe(200_000);
  });

  it('bounds the queued bytes too', async () => {
    const a = await startNode(1, { queueBytesMax: 64 * 1024 });
    a.transport.setPeer(2, await deadAddress());
    const entry = new Uint8Array(1000);
    a.transport.send(Array.from({ length: 1000 }, (_, i) => app(1, 2, i, entry)));
    expect(a.transport.queuedBytes(2)).toBeLessThanOrEqual(64 * 1024);
    expect(a.transport.queueLength(2)).toBeLessThan(70);
    await waitFor(() => a.unreachable.length > 0, 'an unreachable report');
  });

  it('survives malformed batches and keeps serving good ones', async () => {
    const warnings: string[] = [];
    const logger: TransportLogger = {
      debug: () => undefined, info: () => undefined,
      warn: (_fields, message) => warnings.push(message), error: () => undefined,
    };
    const b = await startNode(2, { logger });
    b.transport.setPeer(1, UNUSED_ADDRESS);
    const garbage = await rawSend(b.address,
      [batchOf(1, Uint8Array.from([1, 5, 0xff, 0xff]))], false);
    expect(garbage?.code).toBe(status.INVALID_ARGUMENT);
    expect(garbage?.details).toMatch(/malformed raft message bytes/);
    const badVersion = await rawSend(b.address,
      [batchOf(1, encodeMessages([app(1, 2, 1)]).map((x, i) => (i === 0 ? 0 : x)))],
      false);
    expect(badVersion?.code).toBe(status.INVALID_ARGUMENT);
    // Well formed, but forged or misrouted: discarded, the stream goes on.
    const forged = await rawSend(b.address, [
      batchOf(3, encodeMessages([app(1, 2, 1)])),
      batchOf(1, encodeMessages([app(1, 5, 2)])),
    ], true);
    expect(forged).toBeNull();
    expect(b.received).toEqual([]);
    expect(b.transport.stats().messagesDiscarded).toBe(2);
    expect(b.transport.stats().malformedReceived).toBe(2);
    expect(warnings).toEqual([
      'malformed raft batch; ending the stream', 'malformed raft batch; ending the stream',
      'discarding raft message not from the sender or not for this node',
    ]);

    const a = await startNode(1);
    await connected(a, b);
    a.transport.send([app(1, 2, 7), app(1, 2, 8)]);
    await waitFor(() => b.received.length === 2, 'good messages after the bad ones');
    expect(b.received.map((m) => m.index)).toEqual([7, 8]);
  });

  it('refuses a newer wire format as a version to upgrade to, not as damage', async () => {
    const errors: [object, string][] = [];
    const logger: TransportLogger = {
      debug: () => undefined, info: () => undefined, warn: () => undefined,
      error: (fields, message) => errors.push([fields, message]),
    };
    const b = await startNode(2, { logger });
    b.transport.setPeer(1, UNUSED_ADDRESS);
    const newer = (bytes: Uint8Array): Uint8Array =>
      bytes.map((x, i) => (i === 0 ? CODEC_VERSION + 1 : x));
    const batch = await rawSend(b.address, [batchOf(1, newer(encodeMessages([app(1, 2, 1)])))],
      false);
    expect(batch?.code).toBe(status.FAILED_PRECONDITION);
    expect(batch?.details).toBe(`raft wire format ${CODEC_VERSION + 1} is newer than this ` +
      `build reads (format ${CODEC_VERSION}): upgrade this node`);
    const snapshot = await rawSnapshot(b.address,
      [chunk(newer(encodeSnapshotHeader(snap(1, 2, new Uint8Array(0)))), new Uint8Array(1), 1)]);
    expect(snapshot?.code).toBe(status.FAILED_PRECONDITION);
    expect(b.received).toEqual([]);
    expect(b.transport.stats().newerFormatRefused).toBe(2);
    expect(b.transport.stats().malformedReceived).toBe(0);
    expect(errors.map(([, message]) => message)).toEqual(
      [batch?.details, 'refusing snapshot transfer']);
    expect(errors[0]?.[0]).toMatchObject({ from: 1, version: CODEC_VERSION + 1 });
  });

  it('refuses malformed snapshot transfers', async () => {
    const b = await startNode(2);
    b.transport.setPeer(1, UNUSED_ADDRESS);
    const header = encodeSnapshotHeader(snap(1, 2, new Uint8Array(0)));
    const none = new Uint8Array(0);
    const data = new Uint8Array(10);
    const cases: [SnapshotChunk[], status][] = [
      [[chunk(none, data, 10)], status.INVALID_ARGUMENT],
      [[chunk(header, data, 20), chunk(header, data, 0)],
        status.INVALID_ARGUMENT],
      [[chunk(header, data, 5)], status.INVALID_ARGUMENT],
      [[chunk(header, data, 20)], status.INVALID_ARGUMENT],
      [[chunk(header, data, 2 ** 40)], status.RESOURCE_EXHAUSTED],
      [[chunk(Uint8Array.from([1, 2, 3]), data, 10)], status.INVALID_ARGUMENT],
      [[chunk(encodeSnapshotHeader(snap(1, 9, none)), data, 10)], status.INVALID_ARGUMENT],
      [[], status.INVALID_ARGUMENT],
    ];
    for (const [chunks, code] of cases) {
      const error = await rawSnapshot(b.address, chunks);
      expect(error?.code).toBe(code);
    }
    expect(b.received).toEqual([]);
    const ok = await rawSnapshot(b.address, [
      chunk(header, data, 15), chunk(none, data.subarray(5), 0),
    ]);
    expect(ok).toBeNull();
    expect(b.received[0]?.snapshot?.data.byteLength).toBe(15);
  });

  it('drops traffic of another cluster, or any before it has one, and counts it', async () => {
    const b = await startNode(2);
    b.transport.setPeer(1, UNUSED_ADDRESS);
    const foreign = await rawSend(b.address, [
      batchOf(1, encodeMessages([app(1, 2, 1)]), CLUSTER + 1),
      batchOf(1, encodeMessages([app(1, 2, 2)]), 0),
      batchOf(1, encodeMessages([app(1, 2, 3)])),
    ], true);
    expect(foreign).toBeNull();
    expect(b.received.map((m) => m.index)).toEqual([3]);
    expect(b.transport.stats().foreignDropped).toBe(2);
    const header = encodeSnapshotHeader(snap(1, 2, new Uint8Array(0)));
    const data = new Uint8Array(10);
    const refused = await rawSnapshot(b.address,
      [{ header, data, total_bytes: 10, cluster_id: CLUSTER + 1 }]);
    expect(refused?.code).toBe(status.PERMISSION_DENIED);
    expect(b.received).toHaveLength(1);

    const joining = await startNode(3, { clusterId: 0 });
    joining.transport.setPeer(1, UNUSED_ADDRESS);
    await rawSend(joining.address, [batchOf(1, encodeMessages([app(1, 3, 1)]))], true);
    expect(joining.received).toEqual([]);
    joining.transport.setClusterId(CLUSTER);
    await rawSend(joining.address, [batchOf(1, encodeMessages([app(1, 3, 1)]))], true);
    expect(joining.received).toHaveLength(1);
  });

  it('drops messages of strangers and malformed ones before Raft sees them', async () => {
    const b = await startNode(2);
    b.transport.setPeer(1, UNUSED_ADDRESS);
    const result = await rawSend(b.address, [
      batchOf(7, encodeMessages([makeMessage({ type: 'heartbeat', from: 7, to: 2, term: 3 })])),
      batchOf(1, encodeMessages([makeMessage({ type: 'heartbeat', from: 1, to: 2,
        term: 2 ** 53 - 1 })])),
      batchOf(1, encodeMessages([app(1, 2, 5)].map((one) => ({ ...one, index: 9 })))),
      batchOf(1, encodeMessages([makeMessage({ type: 'heartbeat', from: 1, to: 2, term: 3 })])),
    ], true);
    expect(result).toBeNull();
    expect(b.received.map((one) => one.type)).toEqual(['heartbeat']);
    expect(b.transport.stats()).toMatchObject({ strangerDropped: 1, invalidDropped: 2 });
  });

  it('tells its owner where an unknown sender listens (a stream\'s first batch)', async () => {
    const learned: [NodeId, string, string][] = [];
    const b: TestNode = await startNode(2, {
      onPeerAddress: (id, name, address) => {
        learned.push([id, name, address]);
        b.transport.setPeer(id, address);
      },
    });
    const a = await startNode(1, { name: 'n1', advertise: '127.0.0.1:1' });
    a.transport.setPeer(2, b.address);
    a.transport.send([app(1, 2, 1)]);
    a.transport.send([app(1, 2, 2)]);
    await waitFor(() => b.received.length === 2, 'both appends');
    expect(learned).toEqual([[1, 'n1', '127.0.0.1:1']]);
    // A sender it knows is not reported.
    b.transport.setPeer(3, '127.0.0.1:2');
    await rawSend(b.address, [{ ...batchOf(3, encodeMessages([app(3, 2, 9)])),
      from_name: 'n3', from_address: '127.0.0.1:3' }], true);
    expect(learned).toHaveLength(1);
  });

  it('answers Hello with what its owner says, and refuses before it says anything', async () => {
    const b = await startNode(2);
    const request = { name: 'n1', id: 1, founders: ['n1', 'n2'], recorded: [], spec: 's' };
    await expect(b.transport.hello(b.address, request, 5_000)).rejects.toThrow(/not answering/);
    const seen: string[] = [];
    b.transport.answerHello((hello) => {
      seen.push(`${hello.name}:${hello.id}:${hello.founders.join('+')}`);
      return Promise.resolve({
        name: 'n2', id: 2, state: 'founding', founders: ['n1', 'n2'],
        recorded: [{ name: 'n1', id: 1 }, { name: 'n2', id: 2 }], cluster_id: 0, members: [],
        spec: 's',
      });
    });
    const answer = await b.transport.hello(b.address, request, 5_000);
    expect(seen).toEqual(['n1:1:n1+n2']);
    expect(answer.state).toBe('founding');
    expect(answer.recorded).toEqual([{ name: 'n1', id: 1 }, { name: 'n2', id: 2 }]);
    await expect(b.transport.hello(await deadAddress(), request, 2_000)).rejects.toThrow();
  });

  it('with mutual TLS, talks to peers of its CA only', async () => {
    const pki = createPki();
    const tls = (name: string) => ({ ...pki.issue(name), caFile: pki.caFile });
    const [a, b] = await Promise.all([startNode(1, { tls: tls('a') }),
      startNode(2, { tls: tls('b') })]);
    expect(a.transport.secure).toBe(true);
    await connected(a, b);
    // Sent again until it arrives, as Raft would: the first connection may race the
    // certificates' first read.
    const resend = setInterval(() => {
      if (b.received.length === 0) a.transport.send([app(1, 2, 1)]);
      if (a.received.length === 0) b.transport.send([app(2, 1, 1)]);
    }, 100);
    try {
      await waitFor(() => b.received.length >= 1 && a.received.length >= 1, 'TLS traffic');
    } finally {
      clearInterval(resend);
    }

    // A plaintext peer, and one whose certificate another CA issued, get nowhere.
    const other = createPki('other');
    const strangers = await Promise.all([startNode(3),
      startNode(4, { tls: { ...other.issue('d'), caFile: other.caFile } })]);
    for (const stranger of strangers) {
      b.transport.setPeer(stranger.id, UNUSED_ADDRESS);
      stranger.transport.setPeer(2, b.address);
      stranger.transport.send([app(stranger.id, 2, 9)]);
    }
    await waitFor(() => strangers.every((one) => one.unreachable.includes(2)),
      'the strangers\' streams refused');
    expect(b.received.every((one) => one.from === 1)).toBe(true);
    await expect(strangers[0]?.transport.hello(b.address,
      { name: 'x', id: 3, founders: [], recorded: [], spec: '' }, 2_000)).rejects.toThrow();
  });

  it('reads renewed certificates without a restart', async () => {
    const first = createPki('first');
    const second = createPki('second');
    const dir = await mkdtemp(join(tmpdir(), 'roster-tls-reload-'));
    try {
      /** Fixed paths for a node's files; `from` decides which CA's they are now. */
      const files = async (name: string, from: ReturnType<typeof createPki>) => {
        const issued = from.issue(name);
        const paths = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`),
          caFile: join(dir, `${name}-ca.crt`), refreshMs: 100 };
        await cp(issued.certFile, paths.certFile);
        await cp(issued.keyFile, paths.keyFile);
        await cp(from.caFile, paths.caFile);
        return paths;
      };
      const b = await startNode(2, { tls: await files('b', first) });
      const c = await startNode(3, { tls: await files('c', first) });
      await connected(b, c);
      c.transport.send([app(3, 2, 1)]);
      await waitFor(() => b.received.length === 1, 'traffic under the first CA');
      // b moves to the second CA; c, still on the first, cannot open a new stream to it.
      await files('b', second);
      await sleep(400);
      c.transport.setPeer(2, UNUSED_ADDRESS);
      c.transport.setPeer(2, b.address);
      c.transport.send([app(3, 2, 2)]);
      await waitFor(() => c.unreachable.length > 0, 'refused after b\'s renewal');
      await files('c', second);
      await sleep(400);
      const sendUntil = setInterval(() => c.transport.send([app(3, 2, 3)]), 100);
      try {
        await waitFor(() => b.received.some((one) => one.index === 3), 'traffic again');
      } finally {
        clearInterval(sendUntil);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops idempotently, closing every stream, timer and socket', async () => {
    const before = handleCounts();
    const [a, b] = await Promise.all([startNode(1), startNode(2)]);
    await connected(a, b);
    a.transport.send([app(1, 2, 1), snap(1, 2, new Uint8Array(100))]);
    b.transport.send([app(2, 1, 1)]);
    await waitFor(() => b.received.length === 2 && a.received.length === 1, 'traffic');
    a.transport.setPeer(3, await deadAddress());
    a.transport.send([app(1, 3, 1)]); // a stream in backoff, with a retry timer
    await waitFor(() => a.unreachable.includes(3), 'the dead peer reported');
    const first = a.transport.stop();
    expect(a.transport.stop()).toBe(first);
    await Promise.all([first, b.transport.stop(), b.transport.stop()]);
    await a.transport.stop();
    a.transport.send([app(1, 2, 2)]); // ignored, no throw
    a.transport.setPeer(4, '127.0.0.1:1');
    await waitFor(() => noMoreHandles(before, handleCounts()), 'handles released');
  });
});

/** Resources that keep the event loop alive, by type (unref'd timers are not counted). */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Nothing more of any type than before (earlier tests' sockets may still be closing then). */
function noMoreHandles(before: Record<string, number>, after: Record<string, number>): boolean {
  return Object.entries(after).every(([type, count]) => count <= (before[type] ?? 0));
}

/**
 * The strongest check that stop() leaves nothing behind: a separate Node process uses two
 * transports (streams, a snapshot, a dead peer in backoff), stops them, and must then exit on
 * its own. The sources are transpiled to JavaScript in a temporary directory for it.
 */
describe('process exit', () => {
  it('a process that stopped its transports exits by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-transport-exit-'));
    try {
      const modules = ['core', 'raft', 'transport'];
      await transpileTree(join(PACKAGE_ROOT, 'src'), join(dir, 'src'), modules);
      await cp(join(PACKAGE_ROOT, 'proto'), join(dir, 'proto'), { recursive: true });
      await symlink(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      await writeFile(join(dir, 'main.js'), EXIT_SCRIPT);
      const started = Date.now();
      const result = await runNode(join(dir, 'main.js'), 30_000);
      expect(result.stdout).toContain('stopped');
      expect(result).toMatchObject({ code: 0, timedOut: false });
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const EXIT_SCRIPT = `
import { GrpcTransport } from './src/transport/index.js';
import { makeMessage } from './src/raft/index.js';
const received = [];
const make = (id) => new GrpcTransport({ id, clusterId: 1, listen: '127.0.0.1:0',
  onMessage: (m) => received.push(m), onUnreachable: () => {}, onSnapshotReport: () => {} });
const a = make(1);
const b = make(2);
const [addressA, addressB] = await Promise.all([a.start(), b.start()]);
a.setPeer(2, addressB);
b.setPeer(1, addressA);
a.setPeer(3, '127.0.0.1:1');
a.send([makeMessage({ type: 'heartbeat', from: 1, to: 2, term: 1 }),
  makeMessage({ type: 'heartbeat', from: 1, to: 3, term: 1 }),
  makeMessage({ type: 'snap', from: 1, to: 2, term: 1, snapshot: { data: new Uint8Array(10),
    metadata: { index: 5, term: 1, confState: { voters: [1, 2], learners: [] } } } })]);
b.send([makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1 })]);
while (received.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
await Promise.all([a.stop(), b.stop(), a.stop()]);
console.log('stopped');
`;

async function transpileTree(from: string, to: string, modules: readonly string[]): Promise<void> {
  for (const module of modules) {
    await mkdir(join(to, module), { recursive: true });
    for (const name of await readdir(join(from, module))) {
      if (!name.endsWith('.ts')) continue;
      const source = await readFile(join(from, module, name), 'utf8');
      const output = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(join(to, module, name.replace(/\.ts$/, '.js')), output.outputText);
    }
  }
}

function runNode(
  script: string,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
