import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ERROR_CODES, LEADER_HINT_KEY, RosterError, type ErrorCode,
} from '../../src/core/errors.js';
import { FakeFacade } from './fake-facade.js';
import { callOptions, failure, serve, unaryOutcome, type Served } from './harness.js';

/** The documented status of every code (the "Error codes" table), written out independently. */
const DOCUMENTED: Record<ErrorCode, grpc.status> = {
  ROSTER_ERR_INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  ROSTER_ERR_NOT_FOUND: grpc.status.NOT_FOUND,
  ROSTER_ERR_NOT_LEADER: grpc.status.UNAVAILABLE,
  ROSTER_ERR_NO_LEADER: grpc.status.UNAVAILABLE,
  ROSTER_ERR_LEADERSHIP_LOST: grpc.status.UNAVAILABLE,
  ROSTER_ERR_PROPOSAL_DROPPED: grpc.status.UNAVAILABLE,
  ROSTER_ERR_PROPOSAL_OVERWRITTEN: grpc.status.UNAVAILABLE,
  ROSTER_ERR_CONF_CHANGE_PENDING: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_CONF_CHANGE_INVALID: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_TRANSFER_REFUSED: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  ROSTER_ERR_TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
  ROSTER_ERR_STOPPED: grpc.status.UNAVAILABLE,
  ROSTER_ERR_NOT_READY: grpc.status.UNAVAILABLE,
  ROSTER_ERR_CORRUPT_DATA: grpc.status.DATA_LOSS,
  ROSTER_ERR_UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  ROSTER_ERR_PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  ROSTER_ERR_NOT_IMPLEMENTED: grpc.status.UNIMPLEMENTED,
  ROSTER_ERR_INTERNAL: grpc.status.INTERNAL,
};
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
/** Never dialled: reads are not forwarded, so the address only travels as a hint. */
const LEADER = { id: 2, name: 'fake-2', peerAddress: '', clientAddress: '10.9.9.9:7000' };

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

const register = (node: Served) => unaryOutcome((callback) => node.client.Register(
  { instance: { service: 'api', address: '10.0.0.1', port: 80 } },
  new grpc.Metadata(), callOptions(), callback));
const lookup = (node: Served) => unaryOutcome((callback) => node.client.Lookup(
  { service: 'api', consistency: 'SERIALIZABLE' }, new grpc.Metadata(), callOptions(), callback));

describe('error mapping', () => {
  it('documents every code the server knows', () => {
    expect(Object.keys(DOCUMENTED).sort()).toEqual([...CODES].sort());
  });

  it('gives a follower\'s reader each code\'s status, the code, and the hint on UNAVAILABLE',
    async () => {
      const fake = new FakeFacade();
      fake.follow(LEADER);
      served = await serve(fake);
      for (const code of CODES) {
        const error = new RosterError(code, `because of ${code}`);
        fake.readError = error;
        const seen = failure(await lookup(served));
        const unavailable = DOCUMENTED[code] === grpc.status.UNAVAILABLE;
        const hint = unavailable ? LEADER.clientAddress : undefined;
        // `which` names the case in a failure's diff.
        expect({ which: code, ...seen }).toEqual({
          which: code, status: DOCUMENTED[code], code, details: error.message, leader: hint,
        });
      }
    });

  it('gives a leader\'s writer each code\'s status and code, with no hint when none is known',
    async () => {
      const fake = new FakeFacade();
      served = await serve(fake);
      for (const code of CODES) {
        fake.writeError = new RosterError(code);
        const seen = failure(await register(served));
        expect({ which: code, status: seen.status, code: seen.code, leader: seen.leader })
          .toEqual({ which: code, status: DOCUMENTED[code], code, leader: undefined });
      }
      expect(fake.registry.size).toBe(0);
    });

  it('never names a leader as its own leader hint (it knows itself as leader)', async () => {
    const fake = new FakeFacade();
    // A real node's leader() is itself while it leads.
    fake.leaderMember = { ...LEADER, clientAddress: '127.0.0.1:7000' };
    served = await serve(fake);
    fake.writeError = new RosterError('ROSTER_ERR_LEADERSHIP_LOST');
    const seen = failure(await register(served));
    expect(seen).toMatchObject({ status: grpc.status.UNAVAILABLE, leader: undefined });
  });

  it('turns an unexpected error into INTERNAL, and logs only that one', async () => {
    const fake = new FakeFacade();
    served = await serve(fake);
    fake.readError = new RosterError('ROSTER_ERR_NOT_READY');
    expect(failure(await lookup(served)).status).toBe(grpc.status.UNAVAILABLE);
    expect(served.logger.errors).toEqual([]);

    fake.readError = new Error('the disk is on fire');
    const seen = failure(await lookup(served));
    expect(seen).toMatchObject({ status: grpc.status.INTERNAL, code: 'ROSTER_ERR_INTERNAL' });
    expect(seen.details).toContain('the disk is on fire');
    expect(served.logger.errors).toHaveLength(1);
    expect(served.logger.errors[0]?.fields).toMatchObject({
      path: '/roster.v1.Registry/Lookup', err: fake.readError,
    });
  });

  it('names the leader in a follower\'s successful answers, and not in a leader\'s', async () => {
    const fake = new FakeFacade();
    served = await serve(fake);
    const fromLeader = await lookup(served);
    expect(fromLeader.error).toBeUndefined();
    expect(fromLeader.trailers.get(LEADER_HINT_KEY)).toEqual([]);

    fake.follow(LEADER);
    const fromFollower = await lookup(served);
    expect(fromFollower.error).toBeUndefined();
    expect(fromFollower.trailers.get(LEADER_HINT_KEY)).toEqual([LEADER.clientAddress]);
    // Each answer was accounted for while it was sent, and released since.
    await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
  });
});
