import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { ServingStatus } from '../replica/index.js';
import { toApiError } from './errors.js';
import type { LeaderForwarder } from './forward.js';
import { loadApiProtos } from './generated/load.js';
import type { KeepAliveRequest__Output } from './generated/types/roster/v1/KeepAliveRequest.js';
import type { KeepAliveResponse } from './generated/types/roster/v1/KeepAliveResponse.js';
import type { HandlerContext } from './unary.js';

/** Lease ids in one KeepAlive message. */
const KEEPALIVE_IDS_MAX = 10_000;
/** KeepAlive messages of one stream awaiting their answer. */
const KEEPALIVE_IN_FLIGHT_MAX = 1_024;

/** Watch, WatchMany and Lookup pass pre-encoded responses (Buffers) through unchanged. */
export function registryServiceDefinition(): grpc.ServiceDefinition {
  const service = loadApiProtos().registry.roster.v1.Registry.service;
  return {
    ...service,
    Watch: passEncoded(service.Watch),
    WatchMany: passEncoded(service.WatchMany),
    Lookup: passEncoded(service.Lookup),
  } as grpc.ServiceDefinition;
}

function passEncoded<Method extends { responseSerialize: unknown }>(method: Method): Method {
  const serialize = method.responseSerialize as (value: unknown) => Buffer;
  return {
    ...method,
    responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value)),
  };
}

export function streamHandlers(context: HandlerContext & { forwarder: LeaderForwarder }): {
  KeepAlive: grpc.handleBidiStreamingCall<KeepAliveRequest__Output, KeepAliveResponse>;
} {
  return { KeepAlive: (call) => keepAlive(context, call) };
}

/** Ends a stream with a status (trailing metadata carries the leader hint when relevant). */
function fail(context: HandlerContext & { forwarder: LeaderForwarder }, call: NodeJS.EventEmitter,
  error: unknown): void {
  const apiError = toApiError(error, context.forwarder.leaderAddress());
  call.emit('error', {
    code: apiError.code, details: apiError.details, metadata: apiError.metadata,
  });
}

function keepAlive(
  context: HandlerContext & { forwarder: LeaderForwarder },
  call: grpc.ServerDuplexStream<KeepAliveRequest__Output, KeepAliveResponse>,
): void {
  const { node } = context;
  let inFlight = 0;
  let clientDone = false;
  let failed = false;
  const finishIfDone = (): void => {
    if (clientDone && inFlight === 0 && !failed) call.end();
  };
  call.on('data', (request: KeepAliveRequest__Output) => {
    if (failed) return;
    let parsed: ReturnType<typeof parseKeepAlive>;
    try {
      if (inFlight >= KEEPALIVE_IN_FLIGHT_MAX) {
        throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
          'too many keepalives awaiting an answer');
      }
      parsed = parseKeepAlive(request);
    } catch (error: unknown) {
      failed = true;
      fail(context, call, error);
      return;
    }
    inFlight += 1;
    node.keepAlive(parsed).then((renewals) => {
      inFlight -= 1;
      if (failed) return;
      call.write({
        leases: renewals.map((renewal) => ({
          lease_id: renewal.id, remaining_ms: renewal.remainingMs, found: renewal.found,
        })),
        revision: node.registry.revision,
      });
      finishIfDone();
    }, (error: unknown) => {
      inFlight -= 1;
      if (failed) return;
      // Not the leader (or not ready): the stream ends with UNAVAILABLE and the leader's
      // address, so the client reconnects there.
      failed = true;
      fail(context, call, error);
    });
  });
  call.on('end', () => {
    clientDone = true;
    finishIfDone();
  });
}

function parseKeepAlive(request: KeepAliveRequest__Output): {
  ids: number[]; status?: ServingStatus; load?: Record<string, number>;
} {
  if (request.lease_ids.length > KEEPALIVE_IDS_MAX) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
      `at most ${KEEPALIVE_IDS_MAX} lease ids per keepalive`, { field: 'lease_ids' });
  }
  const status = request.status === 'SERVING' ? 'serving'
    : request.status === 'DRAINING' ? 'draining' : undefined;
  const entries = Object.entries(request.load);
  if (entries.length > limits.loadKeysMax) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
      `at most ${limits.loadKeysMax} load figures`, { field: 'load' });
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 64 || !Number.isFinite(value)) {
      throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
        `load "${key.slice(0, 20)}" must be a short name with a finite value`, { field: 'load' });
    }
  }
  return {
    ids: request.lease_ids,
    ...(status === undefined ? {} : { status }),
    ...(entries.length === 0 ? {} : { load: request.load }),
  };
}
