import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  KeepAliveResponse__Output,
} from '../../src/api/generated/types/roster/v1/KeepAliveResponse.js';
import { ERROR_CODE_KEY, LEADER_HINT_KEY, RosterError } from '../../src/core/errors.js';
import { FakeFacade, instanceSpec } from './fake-facade.js';
import { Inbox, callOptions, serve, type Served } from './harness.js';

const LEADER = { id: 2, name: 'fake-2', peerAddress: '', clientAddress: '10.9.9.9:7000' };
const LEASE = 77;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

/** A node with one lease (LEASE, 5 s) and an open KeepAlive stream to it. */
async function open(): Promise<{
  fake: FakeFacade; stream: grpc.ClientDuplexStream<object, KeepAliveResponse__Output>;
  inbox: Inbox<KeepAliveResponse__Output>;
}> {
  const fake = new FakeFacade();
  fake.apply({
    op: 'register', instance: instanceSpec('api', 'a1'), lease: { ttlMs: 5_000, grantId: LEASE },
  });
  served = await serve(fake);
  const stream = served.client.KeepAlive(new grpc.Metadata(), callOptions());
  return { fake, stream, inbox: new Inbox(stream) };
}

const lease = (id: number, found: boolean, remaining: number) =>
  ({ lease_id: id, found, remaining_ms: remaining });

describe('KeepAlive', () => {
  it('answers each request in order, with found and remaining_ms per lease', async () => {
    const { fake, stream, inbox } = await open();
    fake.holdKeepAlives = true;
    stream.write({ lease_ids: [LEASE] });
    stream.write({ lease_ids: [404] });
    stream.write({ lease_ids: [404, LEASE], status: 'DRAINING', load: { cpu: 0.5 } });
    await vi.waitFor(() => expect(fake.heldKeepAlives).toHaveLength(3));
    fake.releaseKeepAlives();
    expect(await inbox.next()).toEqual({ leases: [lease(LEASE, true, 5_000)], revision: 2 });
    expect(await inbox.next()).toEqual({ leases: [lease(404, false, 0)], revision: 2 });
    expect(await inbox.next()).toEqual({
      leases: [lease(404, false, 0), lease(LEASE, true, 5_000)], revision: 2,
    });
    expect(fake.keepAlives).toEqual([
      { ids: [LEASE] }, { ids: [404] },
      { ids: [404, LEASE], status: 'draining', load: { cpu: 0.5 } },
    ]);
    stream.end();
    expect((await inbox.finished).code).toBe(grpc.status.OK);
  });

  it('fails the stream with UNAVAILABLE and the leader hint once the node is not leader',
    async () => {
      const { fake, stream, inbox } = await open();
      stream.write({ lease_ids: [LEASE] });
      expect((await inbox.next()).leases).toEqual([lease(LEASE, true, 5_000)]);
      fake.follow(LEADER);
      fake.keepAliveError = new RosterError('ROSTER_ERR_NOT_LEADER');
      stream.write({ lease_ids: [LEASE] });
      const status = await inbox.finished;
      expect(status.code).toBe(grpc.status.UNAVAILABLE);
      expect(status.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_NOT_LEADER']);
      expect(status.metadata.get(LEADER_HINT_KEY)).toEqual([LEADER.clientAddress]);
      expect(inbox.messages).toHaveLength(1);
      await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
    });

  it('sends a half-closed client its pending answers, then ends the stream', async () => {
    const { fake, stream, inbox } = await open();
    fake.holdKeepAlives = true;
    stream.write({ lease_ids: [LEASE] });
    stream.write({ lease_ids: [404] });
    stream.end();
    await vi.waitFor(() => expect(fake.heldKeepAlives).toHaveLength(2));
    // Lets the half-close reach the server before the answers exist, the case under test.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inbox.status).toBeUndefined();
    fake.releaseKeepAlives();
    const status = await inbox.finished;
    expect(status.code).toBe(grpc.status.OK);
    expect(inbox.messages.map((response) => response.leases[0]?.lease_id)).toEqual([LEASE, 404]);
    await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
  });

  it('ends at once for a client that half-closes with nothing pending', async () => {
    const { stream, inbox } = await open();
    stream.end();
    expect((await inbox.finished).code).toBe(grpc.status.OK);
    expect(inbox.messages).toEqual([]);
  });

  it('fails the stream on an invalid request without asking the node', async () => {
    const { fake, stream, inbox } = await open();
    stream.write({ lease_ids: [0] });
    const status = await inbox.finished;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_INVALID_ARGUMENT']);
    expect(fake.keepAlives).toEqual([]);
    await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
  });
});
