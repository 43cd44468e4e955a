import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RosterClient } from '../../src/client/roster-client.js';
import type { WatchUpdate } from '../../src/client/watch-stream.js';
import { FakeNode } from './fake-node.js';
import { ManualRuntime } from './manual-runtime.js';

/** Real network in between: waits are generous, and nothing is asserted about real time. */
const WAIT = { timeout: 20_000, interval: 5 };

let a: FakeNode;
let b: FakeNode;
let c: FakeNode;
let client: RosterClient | undefined;

beforeAll(async () => {
  [a, b, c] = await Promise.all([FakeNode.start(), FakeNode.start(), FakeNode.start()]);
});

afterEach(() => {
  client?.close();
  client = undefined;
  for (const node of [a, b, c]) node.reset();
});

afterAll(() => {
  for (const node of [a, b, c]) node.close();
});

function clientOf(runtime: ManualRuntime): RosterClient {
  client = new RosterClient({ endpoints: [a.address, b.address, c.address], runtime });
  return client;
}

describe('RosterClient.keepAlive', () => {
  it('reopens on the leader a failed stream named, on the client runtime timers', async () => {
    const runtime = new ManualRuntime({ startMs: Date.now(), random: 0.5 });
    const renewed: number[] = [];
    const loop = clientOf(runtime).keepAlive({
      requests: () => [{ lease_ids: [7] }], intervalMs: () => 60_000, onLeaseLost: () => {},
      onRenewed: (id) => renewed.push(id),
    });
    try {
      await vi.waitFor(() => expect(renewed).toEqual([7]), WAIT);
      expect(a.keepAliveLeases).toEqual([[7]]);
      a.failStreams({ status: grpc.status.UNAVAILABLE, code: 'ROSTER_ERR_NOT_LEADER',
        leader: c.address });
      // The interval's timer, and the reopen after the first failure: 0.5 of 50 ms.
      await vi.waitFor(() => expect(runtime.pendingDelays()).toEqual([60_000, 25]), WAIT);
      expect(client?.preferredEndpoint).toBe(c.address);
      runtime.advance(25);
      await vi.waitFor(() => expect(renewed).toEqual([7, 7]), WAIT);
      expect(c.keepAliveLeases).toEqual([[7]]);
      expect(b.keepAliveLeases).toEqual([]);
      runtime.advance(60_000);
      await vi.waitFor(() => expect(c.keepAliveLeases).toEqual([[7], [7]]), WAIT);
    } finally {
      loop.stop();
    }
  });
});

describe('RosterClient.watch', () => {
  it('resumes on the next node, after a jittered backoff, from its last revision', async () => {
    const runtime = new ManualRuntime({ startMs: Date.now(), random: 0.3 });
    const updates: WatchUpdate[] = [];
    a.watchRevision = 7;
    const stream = clientOf(runtime).watch({ service: 'api' }, 3,
      (update) => updates.push(update));
    await vi.waitFor(() => expect(updates.map((update) => update.kind)).toEqual(['events']),
      WAIT);
    expect(a.watchStarts).toEqual([3]);
    expect(stream.revision).toBe(7);
    a.failStreams({ status: grpc.status.UNAVAILABLE });
    await vi.waitFor(() => expect(updates.at(-1)).toMatchObject({ kind: 'reconnecting',
      revision: 7 }), WAIT);
    // 0.3 of the first failure's 100 ms.
    expect(runtime.pendingDelays()).toEqual([30]);
    b.watchRevision = 9;
    runtime.advance(30);
    await vi.waitFor(() => expect(b.watchStarts).toEqual([7]), WAIT);
    await vi.waitFor(() => expect(stream.revision).toBe(9), WAIT);
    expect(c.watchStarts).toEqual([]);
    stream.stop();
    await vi.waitFor(() => expect(b.openStreams).toBe(0), WAIT);
  });
});
