import * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import type { Member, RegistryFacade } from '../replica/api-surface.js';
import { ERROR_CODE_KEY, isGrpcError } from './errors.js';
import { StubPool, settleUnary, type Stubs } from '../wire/index.js';

/** Set on a forwarded call: its receiver must not forward it again (no loops, one hop). */
export const FORWARDED_KEY = 'roster-forwarded';

export type LeaderClients = Stubs;

/**
 * Writes arriving at a follower go to the leader: the handler runs here on the leader, or is
 * relayed once to the leader's client address with the caller's deadline. Stubs to each
 * leader address are pooled.
 */
export class LeaderForwarder {
  private readonly node: RegistryFacade;
  private readonly pool: StubPool;
  private readonly timeoutMs: number;

  constructor(options: {
    node: RegistryFacade; timeoutMs: number; credentials?: () => grpc.ChannelCredentials;
  }) {
    this.node = options.node;
    this.timeoutMs = options.timeoutMs;
    const insecure = grpc.credentials.createInsecure();
    this.pool = new StubPool({ credentials: options.credentials ?? (() => insecure) });
  }

  /** The leader's client address, for hints; '' when unknown or when this node leads. */
  leaderAddress(): string {
    if (this.node.isLeader()) return '';
    return this.node.leader()?.clientAddress ?? '';
  }

  async run<Response>(
    call: { metadata: grpc.Metadata; getDeadline(): grpc.Deadline },
    local: () => Promise<Response>,
    remote: (clients: LeaderClients, metadata: grpc.Metadata, options: grpc.CallOptions) =>
      Promise<Response>,
  ): Promise<Response> {
    if (this.node.isLeader()) return local();
    const leader = this.node.leader();
    if (leader === undefined || leader.clientAddress === '') {
      throw new RosterError('ROSTER_ERR_NO_LEADER');
    }
    if (call.metadata.get(FORWARDED_KEY).length > 0) {
      throw new RosterError('ROSTER_ERR_NOT_LEADER', `leader is ${leader.name}`);
    }
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_KEY, this.node.name);
    const callerDeadline = call.getDeadline();
    const ownDeadline = Date.now() + this.timeoutMs;
    const deadline = callerDeadline instanceof Date
      ? Math.min(callerDeadline.getTime(), ownDeadline)
      : typeof callerDeadline === 'number' && Number.isFinite(callerDeadline)
        ? Math.min(callerDeadline, ownDeadline) : ownDeadline;
    return remote(this.pool.get(leader.clientAddress), metadata, { deadline })
      .catch((error: unknown) => {
        throw forwardingError(error, leader);
      });
  }

  close(): void {
    this.pool.close();
  }
}

/**
 * An error the leader answered carries its Roster code: it goes to the caller as it is. One
 * that this node's own channel made names no code, only grpc-js's words and addresses: the
 * leader could not be reached (nothing was sent to it), or did not answer in time (the
 * request's outcome is unknown). Those are told in Roster's terms.
 */
function forwardingError(error: unknown, leader: Member): unknown {
  if (!isGrpcError(error) || (error.metadata?.get(ERROR_CODE_KEY).length ?? 0) > 0) return error;
  if (error.code === grpc.status.UNAVAILABLE) {
    return new RosterError('ROSTER_ERR_NO_LEADER', `the leader ${leader.name} cannot be reached`);
  }
  if (error.code === grpc.status.DEADLINE_EXCEEDED) {
    return new RosterError('ROSTER_ERR_TIMEOUT',
      `the leader ${leader.name} did not answer in time; the request's outcome is unknown`);
  }
  return error;
}

/** Promisifies one unary call of a grpc-js client. */
export function callUnary<Request, Response>(
  method: (request: Request, metadata: grpc.Metadata, options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown,
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, metadata, options, settleUnary(resolve, reject));
  });
}
