import type * as grpc from '@grpc/grpc-js';
import { limits } from '../core/limits.js';
import { loadApiProtos } from '../wire/index.js';
import type { StreamOutbound } from './outbound.js';
import type { KeepAliveRequest__Output } from './generated/types/roster/v1/KeepAliveRequest.js';
import type { KeepAliveResponse } from './generated/types/roster/v1/KeepAliveResponse.js';
import { validateKeepAlive, type ValidKeepAlive } from './requests.js';
import { cancelUnread, failStream, onStreamEnd, readOneAhead } from './stream-end.js';
import type { HandlerContext } from './unary.js';

const serializeKeepAlive = loadApiProtos().registry.roster.v1.Registry.service.KeepAlive
  .responseSerialize as (value: KeepAliveResponse) => Buffer;

/**
 * Watch, WatchMany, KeepAlive and Lookup pass pre-encoded responses (Buffers) through
 * unchanged: a stream's bound counts the bytes it holds, and a Buffer is what it holds.
 */
export function registryServiceDefinition(): grpc.ServiceDefinition {
  const service = loadApiProtos().registry.roster.v1.Registry.service;
  return {
    ...service,
    Watch: passEncoded(service.Watch),
    WatchMany: passEncoded(service.WatchMany),
    KeepAlive: passEncoded(service.KeepAlive),
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

export function streamHandlers(context: HandlerContext): {
  KeepAlive: grpc.handleBidiStreamingCall<KeepAliveRequest__Output, KeepAliveResponse>;
} {
  return { KeepAlive: (call) => keepAlive(context, call) };
}

/**
 * Heartbeats: each request is answered once its leases are renewed. The stream is read only
 * while its answers fit its outbound bound and the leases awaiting renewal are few: a client
 * that sends and never reads is held back by HTTP/2 flow control, not buffered.
 */
function keepAlive(
  context: HandlerContext,
  call: grpc.ServerDuplexStream<KeepAliveRequest__Output, KeepAliveResponse>,
): void {
  const { node } = context;
  readOneAhead(call);
  let idsInFlight = 0;
  let requestsInFlight = 0;
  let clientDone = false;
  let failed = false;
  let paused = false;
  let outbound: StreamOutbound;
  try {
    outbound = context.outbound.open({
      onRoom: () => updateFlow(),
      cancel: (reason) => {
        failed = true;
        cancelUnread(context, call, reason);
      },
    });
  } catch (error: unknown) {
    failStream(context, call, error);
    return;
  }
  onStreamEnd(call, () => outbound.close());
  const updateFlow = (): void => {
    const hold = !outbound.hasRoom() || idsInFlight >= limits.keepAliveIdsInFlightMax;
    if (hold && !paused) call.pause();
    else if (!hold && paused) call.resume();
    paused = hold;
  };
  const finishIfDone = (): void => {
    if (clientDone && requestsInFlight === 0 && !failed) call.end();
  };
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    failStream(context, call, error);
  };
  const answer = (request: ValidKeepAlive): void => {
    node.keepAlive(request).then((renewals) => {
      idsInFlight -= request.ids.length;
      requestsInFlight -= 1;
      if (failed) return;
      const response = serializeKeepAlive({
        leases: renewals.map((renewal) => ({
          lease_id: renewal.id, remaining_ms: renewal.remainingMs, found: renewal.found,
        })),
        revision: node.local.revision,
      });
      outbound.write(call, response, response.byteLength);
      updateFlow();
      finishIfDone();
    }, (error: unknown) => {
      idsInFlight -= request.ids.length;
      requestsInFlight -= 1;
      // Not the leader (or not ready): the stream ends with UNAVAILABLE and the leader's
      // address, so the client reconnects there.
      fail(error);
    });
  };
  call.on('data', (message: KeepAliveRequest__Output) => {
    if (failed) return;
    let request: ValidKeepAlive;
    try {
      request = validateKeepAlive(message);
    } catch (error: unknown) {
      fail(error);
      return;
    }
    idsInFlight += request.ids.length;
    requestsInFlight += 1;
    updateFlow();
    answer(request);
  });
  call.on('end', () => {
    clientDone = true;
    finishIfDone();
  });
}
