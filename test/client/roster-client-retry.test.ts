import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RosterClient, type RosterClientOptions } from '../../src/client/roster-client.js';
import { ERROR_CODE_KEY } from '../../src/core/errors.js';
import { FakeNode, type Outcome } from './fake-node.js';
import { ManualRuntime } from './manual-runtime.js';

let a: FakeNode;
let b: FakeNode;
let c: FakeNode;
const clients: RosterClient[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([FakeNode.start(), FakeNode.start(), FakeNode.start()]);
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const node of [a, b, c]) node.reset();
});

afterAll(() => {
  for (const node of [a, b, c]) node.close();
});

/** A client of the three nodes on a manual runtime whose clock starts at the real time. */
function clientOf(options: Partial<RosterClientOptions> & { random?: number | number[] } = {}):
  { client: RosterClient; runtime: ManualRuntime } {
  const { random, ...rest } = options;
  const runtime = new ManualRuntime({ startMs: Date.now(), random: random ?? 0.5 });
  // A generous deadline: only the retry logic is under test, not a loaded machine's speed.
  const client = new RosterClient({
    endpoints: [a.address, b.address, c.address], timeoutMs: 30_000, runtime, ...rest,
  });
  clients.push(client);
  return { client, runtime };
}

/** Settles a call, firing each backoff timer as soon as the client sets it. */
async function drive<T>(runtime: ManualRuntime, call: Promise<T>): Promise<T> {
  const settled = call.then(() => 'settled' as const, () => 'settled' as const);
  for (;;) {
    const next = await Promise.race([settled, runtime.timerSet().then(() => 'timer' as const)]);
    if (next === 'settled') return call;
    runtime.advance(Math.max(...runtime.pendingDelays()));
  }
}

async function failure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  return call.then(() => expect.fail('expected the call to fail'),
    (error: unknown) => error as grpc.ServiceError);
}

const unavailable = (code?: string, leader?: string): Outcome => ({
  status: grpc.status.UNAVAILABLE,
  ...(code === undefined ? {} : { code }), ...(leader === undefined ? {} : { leader }),
});

describe('RosterClient retries', () => {
  it.each([
    'ROSTER_ERR_NOT_LEADER', 'ROSTER_ERR_NO_LEADER', 'ROSTER_ERR_PROPOSAL_DROPPED',
    'ROSTER_ERR_PROPOSAL_OVERWRITTEN', 'ROSTER_ERR_STOPPED', 'ROSTER_ERR_NOT_READY', undefined,
  ])('repeats a write refused before taking effect (%s) on the next endpoint', async (code) => {
    const { client, runtime } = clientOf();
    a.script.push(unavailable(code));
    await expect(drive(runtime, client.deregister({ lease_id: 1 }))).resolves
      .toMatchObject({ revision: 4 });
    expect([a.calls, b.calls, c.calls]).toEqual([['Deregister'], ['Deregister'], []]);
    expect(client.preferredEndpoint).toBe(b.address);
  });

  it('reports, never repeats, a write whose outcome is unknown', async () => {
    const { client, runtime } = clientOf();
    a.script.push(unavailable('ROSTER_ERR_LEADERSHIP_LOST'));
    const error = await failure(drive(runtime, client.deregister({ lease_id: 1 })));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(b.calls).toEqual([]);
    expect(runtime.requestedDelays).toEqual([]);
  });

  it('repeats an idempotent call on any UNAVAILABLE', async () => {
    const { client, runtime } = clientOf();
    a.script.push(unavailable('ROSTER_ERR_LEADERSHIP_LOST'));
    await expect(drive(runtime, client.lookup({ service: 'api' }))).resolves
      .toMatchObject({ revision: 5 });
    expect(b.calls).toEqual(['Lookup']);
  });

  it.each([
    grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED,
    grpc.status.FAILED_PRECONDITION, grpc.status.PERMISSION_DENIED, grpc.status.INTERNAL,
  ])('does not retry status %i', async (status) => {
    const { client, runtime } = clientOf();
    a.script.push({ status, code: 'ROSTER_ERR_SOMETHING' });
    const error = await failure(drive(runtime, client.lookup({ service: 'api' })));
    expect(error.code).toBe(status);
    expect([a.calls, b.calls, c.calls]).toEqual([['Lookup'], [], []]);
    expect(client.preferredEndpoint).toBe(a.address);
  });

  it('after a deadline, repeats an idempotent call elsewhere but not a write', async () => {
    const { client, runtime } = clientOf();
    a.script.push({ status: grpc.status.DEADLINE_EXCEEDED });
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(b.calls).toEqual(['Lookup']);
    b.script.push({ status: grpc.status.DEADLINE_EXCEEDED });
    const error = await failure(drive(runtime, client.deregister({ lease_id: 1 })));
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(c.calls).toEqual([]);
  });

  it('goes round the endpoints and, out of attempts, throws the last error', async () => {
    const { client, runtime } = clientOf({ attempts: 4 });
    for (const node of [a, b, c, a]) node.script.push(unavailable('ROSTER_ERR_NO_LEADER'));
    const error = await failure(drive(runtime, client.registerOnce({ ttl_ms: 1_000 })));
    expect(error.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_NO_LEADER']);
    expect([a.calls.length, b.calls.length, c.calls.length]).toEqual([2, 1, 1]);
    expect(runtime.requestedDelays).toHaveLength(3);
  });
});

describe('RosterClient leader hints', () => {
  it('follows the leader a refusal names, skipping the endpoints between', async () => {
    const { client, runtime } = clientOf();
    a.script.push(unavailable('ROSTER_ERR_NOT_LEADER', c.address));
    await drive(runtime, client.deregister({ lease_id: 1 }));
    expect([a.calls, b.calls, c.calls]).toEqual([['Deregister'], [], ['Deregister']]);
    expect(client.preferredEndpoint).toBe(c.address);
  });

  it('moves to the leader a successful answer names, if it is an endpoint', async () => {
    const { client, runtime } = clientOf();
    a.script.push({ ok: true, leader: b.address });
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(client.preferredEndpoint).toBe(b.address);
    await drive(runtime, client.lookup({ service: 'api' }));
    expect([a.calls, b.calls]).toEqual([['Lookup'], ['Lookup']]);
    b.script.push({ ok: true, leader: '10.0.0.1:7400' });
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(client.preferredEndpoint).toBe(b.address);
  });

  it('asks status of the one node named, without failover', async () => {
    const { client } = clientOf();
    a.script.push(unavailable('ROSTER_ERR_NOT_READY', b.address));
    expect((await failure(client.status(a.address))).code).toBe(grpc.status.UNAVAILABLE);
    await expect(client.status(c.address)).resolves.toMatchObject({ name: 'fake' });
    expect([a.calls, b.calls, c.calls]).toEqual([['Status'], [], ['Status']]);
  });
});

describe('RosterClient backoff between attempts', () => {
  const failing = (count: number): void => {
    for (let i = 0; i < count; i++) {
      [a, b, c][i % 3]?.script.push(unavailable('ROSTER_ERR_NO_LEADER'));
    }
  };

  it('doubles from twice the base, drawn from the runtime random source', async () => {
    const { client, runtime } = clientOf({ attempts: 6, random: 0.5 });
    failing(5);
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(runtime.requestedDelays).toEqual([50, 100, 200, 400, 800]);
  });

  it('is bounded by backoffMaxMs', async () => {
    const { client, runtime } = clientOf({
      attempts: 6, random: 0.999, backoffBaseMs: 50, backoffMaxMs: 300,
    });
    failing(5);
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(runtime.requestedDelays).toEqual([99, 199, 299, 299, 299]);
  });

  it('is jittered: each delay is its own draw below the ceiling', async () => {
    const { client, runtime } = clientOf({ attempts: 4, random: [0.25, 0.75, 0.1] });
    failing(3);
    await drive(runtime, client.lookup({ service: 'api' }));
    expect(runtime.requestedDelays).toEqual([25, 150, 40]);
  });

  it('makes the next attempt only when the backoff timer fires', async () => {
    const { client, runtime } = clientOf({ random: 0.5 });
    failing(1);
    const timerSet = runtime.timerSet();
    const call = client.lookup({ service: 'api' });
    await timerSet;
    expect(runtime.pendingDelays()).toEqual([50]);
    runtime.advance(49);
    expect(runtime.pendingDelays()).toEqual([50]);
    expect(b.calls).toEqual([]);
    runtime.advance(1);
    await expect(call).resolves.toMatchObject({ revision: 5 });
    expect(b.calls).toEqual(['Lookup']);
  });

  it('sets deadlines on the runtime clock', async () => {
    // A clock a minute behind the real one: every deadline it sets has already passed.
    const runtime = new ManualRuntime({ startMs: Date.now() - 60_000 });
    const client = new RosterClient({ endpoints: [a.address], timeoutMs: 5_000, attempts: 1,
      runtime });
    clients.push(client);
    const error = await failure(client.lookup({ service: 'api' }));
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});

describe('RosterClient circuit breakers', () => {
  const refused = (): Outcome => ({ status: grpc.status.UNAVAILABLE });

  it('skips endpoints that failed several calls in a row, until their break ends', async () => {
    const client = new RosterClient({ endpoints: [a.address, b.address], timeoutMs: 30_000,
      attempts: 6, backoffBaseMs: 1, backoffMaxMs: 2,
      breaker: { failuresToOpen: 3, halfOpenAfterMs: 400 } });
    clients.push(client);
    for (let i = 0; i < 3; i++) {
      a.script.push(refused());
      b.script.push(refused());
    }
    await expect(client.lookup({ service: 'web' })).rejects.toMatchObject(
      { code: grpc.status.UNAVAILABLE });
    expect([a.calls.length, b.calls.length]).toEqual([3, 3]);
    // Both circuits are open: the next call is refused without reaching either node.
    const error = await failure(client.lookup({ service: 'web' }));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toContain('no endpoint reachable');
    expect([a.calls.length, b.calls.length]).toEqual([3, 3]);
    // After the break, a test call goes through and closes the circuit again.
    await new Promise((resolve) => setTimeout(resolve, 450));
    await expect(client.lookup({ service: 'web' })).resolves.toBeDefined();
    expect(a.calls.length + b.calls.length).toBe(7);
  });

  it('does not count answers with a Roster error code: the node is up', async () => {
    const { client, runtime } = clientOf({ endpoints: [a.address], attempts: 4,
      breaker: { failuresToOpen: 2, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 3; i++) a.script.push(unavailable('ROSTER_ERR_NO_LEADER'));
    await expect(drive(runtime, client.lookup({ service: 'web' }))).resolves.toBeDefined();
    expect(a.calls).toHaveLength(4);
  });

  it('moves to the next endpoint with a closed circuit at once, without waiting', async () => {
    const { client, runtime } = clientOf({ attempts: 3,
      breaker: { failuresToOpen: 1, halfOpenAfterMs: 60_000 } });
    a.script.push(refused());
    await expect(drive(runtime, client.lookup({ service: 'web' }))).resolves.toBeDefined();
    // a's circuit is open: a call preferring a goes to b with no attempt on a.
    client['preferred'] = a.address;
    const delays = runtime.requestedDelays.length;
    await expect(drive(runtime, client.lookup({ service: 'web' }))).resolves.toBeDefined();
    expect(a.calls).toEqual(['Lookup']);
    expect(b.calls).toEqual(['Lookup', 'Lookup']);
    expect(runtime.requestedDelays.length).toBe(delays);
  });
});
