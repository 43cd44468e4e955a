import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { FORWARDED_KEY } from '../../src/api/forward.js';
import type { RegistryClient } from '../../src/api/generated/types/roster/v1/Registry.js';
import { LEADER_HINT_KEY } from '../../src/core/errors.js';
import { FakeFacade, instanceSpec } from './fake-facade.js';
import { callOptions, failure, serve, unaryOutcome, type Served } from './harness.js';

/** A leader and a follower, each a real server; the follower forwards to the leader. */
let nodes: Served[] = [];
afterEach(async () => {
  for (const node of nodes) node.fake.releaseWrites();
  await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
});

async function pair(forwardTimeoutMs?: number): Promise<{ leader: Served; follower: Served }> {
  const leader = await serve(new FakeFacade({ name: 'leader' }));
  const follower = await serve(new FakeFacade({ name: 'follower' }),
    forwardTimeoutMs === undefined ? {} : { forwardTimeoutMs });
  nodes.push(leader, follower);
  follower.fake.follow(leader.member);
  return { leader, follower };
}

const register = (client: RegistryClient, id: string, metadata = new grpc.Metadata()) =>
  unaryOutcome((callback) => client.Register({
    instance: { service: 'api', id, address: '10.0.0.1', port: 80 },
  }, metadata, callOptions(), callback));

describe('forwarding writes', () => {
  it('relays a follower\'s write to the leader once, and names the leader', async () => {
    const { leader, follower } = await pair();
    const outcome = await register(follower.client, 'a1');
    expect(outcome.response)
      .toEqual({ instance_id: 'a1', lease_id: 0, revision: 2, created: true });
    expect(outcome.trailers.get(LEADER_HINT_KEY)).toEqual([leader.address]);
    expect(leader.fake.writes.map((command) => command.op)).toEqual(['register']);
    expect(follower.fake.writes).toEqual([]);

    leader.fake.apply({ op: 'register', instance: instanceSpec('api', 'a2') });
    const removed = await unaryOutcome((callback) => follower.client.Deregister(
      { service: 'api', id: 'a2' }, new grpc.Metadata(), callOptions(), callback));
    expect(removed.response).toEqual({ revision: 4, removed: 1 });
    expect(leader.fake.registry.size).toBe(1);
  });

  it('does not forward a call that was forwarded already', async () => {
    const { leader, follower } = await pair();
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_KEY, 'some-node');
    const seen = failure(await register(follower.client, 'a1', metadata));
    expect(seen).toEqual({
      status: grpc.status.UNAVAILABLE, code: 'ROSTER_ERR_NOT_LEADER', leader: leader.address,
      details: expect.stringContaining('leader is leader') as unknown,
    });
    expect(leader.fake.writes).toEqual([]);
    expect(follower.fake.writes).toEqual([]);
  });

  it('stops after one hop when two followers name each other as leader', async () => {
    const { leader, follower } = await pair();
    leader.fake.follow(follower.member);
    const seen = failure(await register(follower.client, 'a1'));
    // The second node refused the relayed call; its answer reaches the client unchanged.
    expect(seen).toMatchObject({
      status: grpc.status.UNAVAILABLE, code: 'ROSTER_ERR_NOT_LEADER', leader: follower.address,
    });
    expect([leader.fake.writes, follower.fake.writes]).toEqual([[], []]);
  });

  it('answers NO_LEADER when no leader is known, and validates before forwarding', async () => {
    const { leader, follower } = await pair();
    const invalid = await unaryOutcome((callback) => follower.client.Register(
      { instance: { service: 'api' } }, new grpc.Metadata(), callOptions(), callback));
    expect(failure(invalid).status).toBe(grpc.status.INVALID_ARGUMENT);
    expect(leader.fake.writes).toEqual([]);

    follower.fake.follow(undefined);
    expect(failure(await register(follower.client, 'a1'))).toMatchObject({
      status: grpc.status.UNAVAILABLE, code: 'ROSTER_ERR_NO_LEADER', leader: undefined,
    });
  });

  it('answers UNAVAILABLE when the leader cannot be reached', async () => {
    const { follower } = await pair();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    follower.fake.follow({ id: 3, name: 'gone', peerAddress: '', clientAddress: '127.0.0.1:1' });
    // In Roster's terms, not grpc-js's: the code, and no internal address in the details.
    const seen = failure(await register(follower.client, 'a1'));
    expect(seen).toMatchObject({ status: grpc.status.UNAVAILABLE, code: 'ROSTER_ERR_NO_LEADER' });
    expect(seen.details).toContain('the leader gone cannot be reached');
    expect(follower.fake.writes).toEqual([]);
  });

  it('gives up on a leader that does not answer within the forwarding timeout', async () => {
    const { leader, follower } = await pair(50);
    leader.fake.holdWrites = true;
    const seen = failure(await register(follower.client, 'a1'));
    expect(seen).toMatchObject(
      { status: grpc.status.DEADLINE_EXCEEDED, code: 'ROSTER_ERR_TIMEOUT' });
    expect(seen.details).not.toContain('remote_addr');
    expect(leader.fake.heldWrites).toHaveLength(1);
  });
});
