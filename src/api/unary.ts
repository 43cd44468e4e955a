import * as grpc from '@grpc/grpc-js';
import type { RegistryFacade } from '../replica/api-surface.js';
import { LEADER_HINT_KEY, toApiError } from './errors.js';
import type { LeaderForwarder } from './forward.js';
import type { OutboundBudget } from './outbound.js';
import type { WriteQuota } from './quota.js';

/** pino's logger satisfies this; api/ does not build one (cli/ does). */
export interface ApiLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface HandlerContext {
  readonly node: RegistryFacade;
  readonly logger: ApiLogger;
  readonly forwarder: LeaderForwarder;
  /** What server streams hold for their clients (outbound.ts). */
  readonly outbound: OutboundBudget;
  readonly quota: WriteQuota;
  /** Closes the connection of a peer ("address:port"), with every call on it; false if gone. */
  readonly closePeer: (peer: string) => boolean;
}

/**
 * An async handler as a grpc-js unary handler: the callback runs exactly once, with the
 * response or the error mapped to a status (and the leader hint on UNAVAILABLE). Internal
 * errors are logged; expected ones (bad input, not leader) are not. A follower's answers name
 * the leader in the trailers too, so a client can send its next calls there directly instead
 * of through a forwarding hop.
 */
export function unary<Request, Response>(
  context: HandlerContext,
  handler: (call: grpc.ServerUnaryCall<Request, Response>) => Promise<Response>,
): grpc.handleUnaryCall<Request, Response> {
  return (call, callback) => {
    handler(call).then(
      (response) => callback(null, response, leaderTrailer(context)),
      (error: unknown) => {
        const apiError = toApiError(error, context.forwarder.leaderAddress());
        if (apiError.code === grpc.status.INTERNAL) {
          context.logger.error({ path: call.getPath(), err: error }, 'request failed');
        }
        callback({ code: apiError.code, details: apiError.details, metadata: apiError.metadata });
      },
    );
  };
}

/** Trailers naming the leader when this node is a follower that knows it. */
function leaderTrailer(context: HandlerContext): grpc.Metadata | undefined {
  if (context.node.isLeader()) return undefined;
  const address = context.forwarder.leaderAddress();
  if (address === '') return undefined;
  const trailer = new grpc.Metadata();
  trailer.set(LEADER_HINT_KEY, address);
  return trailer;
}
