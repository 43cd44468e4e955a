/**
 * Watch and WatchMany. Both hand the hub's pre-encoded event parts to the wire unchanged: a
 * response is the concatenation of its events' parts and a small header of flags (and, on
 * WatchMany, the watch id), so an event is encoded once however many watchers receive it.
 */
import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import type { RegistryEvent, WatchDelivery, WatchSink } from '../replica/api-surface.js';
import { toInstanceMessage } from './convert.js';
import { ERROR_CODE_KEY, toApiError } from './errors.js';
import { encodeWatchResponse } from './watch-header.js';
import { loadApiProtos } from '../wire/index.js';
import type { StreamOutbound } from './outbound.js';
import { validateId, validateWatch } from './requests.js';
import { cancelUnread, failStream, onStreamEnd, readOneAhead } from './stream-end.js';
import type {
  WatchManyRequest__Output,
} from './generated/types/roster/v1/WatchManyRequest.js';
import type { WatchRequest__Output } from './generated/types/roster/v1/WatchRequest.js';
import type { WatchResponse } from './generated/types/roster/v1/WatchResponse.js';
import type { HandlerContext } from './unary.js';

type WatchContext = HandlerContext;
type Serialize = (value: WatchResponse) => Buffer;

/**
 * Live watches on one WatchMany stream. Each holds up to one delivery beyond the stream's
 * high-water mark (the hub then stops writing to it), so this bounds what a stream buffers.
 */
export const WATCHES_PER_STREAM_MAX = 10_000;

function watchSerializer(): Serialize {
  return loadApiProtos().registry.roster.v1.Registry.service.Watch.responseSerialize as Serialize;
}

/**
 * Encodes one event once for every watcher: the bytes of a WatchResponse holding only that
 * event are exactly its `events` field (tag, length, message), and a protobuf message is the
 * concatenation of its fields, so any response is the concatenation of such parts plus its
 * flags. The hub stores these parts and hands the same bytes to every watcher.
 */
export function watchEventEncoder(): (event: RegistryEvent) => Uint8Array {
  const serialize = watchSerializer();
  return (event) => serialize({
    events: [{
      type: event.type,
      reason: event.reason.toUpperCase() as 'REGISTERED',
      revision: event.revision,
      instance: toInstanceMessage(event.instance),
    }],
  });
}

export function watchHandlers(context: WatchContext): {
  Watch: grpc.handleServerStreamingCall<WatchRequest__Output, WatchResponse>;
  WatchMany: grpc.handleBidiStreamingCall<WatchManyRequest__Output, WatchResponse>;
} {
  return {
    Watch: (call) => watchOne(context, call),
    WatchMany: (call) => {
      let stream: WatchManyStream;
      try {
        stream = new WatchManyStream(context, call);
      } catch (error: unknown) {
        failStream(context, call, error);
        return;
      }
      stream.start();
    },
  };
}

/** The wire bytes of one delivery: its encoded events, then the flags and watch id(s). */
function responseBytes(
  delivery: WatchDelivery<Uint8Array>, watchId: number, watchIds?: readonly number[],
): Buffer {
  return encodeWatchResponse(delivery.parts,
    { kind: delivery.kind, revision: delivery.revision, watchId, watchIds });
}

/**
 * Written as raw bytes (the Watch and WatchMany serializers pass Buffers through), counted
 * against the stream's bound; false when the stream has no room left.
 */
function writeRaw(outbound: StreamOutbound, call: grpc.ServerWritableStream<unknown, unknown> |
  grpc.ServerDuplexStream<unknown, unknown>, bytes: Buffer): boolean {
  return outbound.write(call, bytes, bytes.byteLength);
}

function partsBytes(delivery: WatchDelivery<Uint8Array>): number {
  let bytes = 0;
  for (const part of delivery.parts) bytes += part.byteLength;
  return bytes;
}

/**
 * One watch per stream. A watcher whose stream has no room is set aside by the hub (it
 * catches up from the history, or from a snapshot, once the client has read), so what the
 * stream holds stays within its bound however far behind the client is.
 */
function watchOne(
  context: WatchContext,
  call: grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>,
): void {
  const { node } = context;
  let id: number | undefined;
  let ended = false;
  let outbound: StreamOutbound;
  try {
    outbound = context.outbound.open({
      onRoom: () => {
        if (id !== undefined) node.watchDrained(id);
      },
      cancel: (reason) => cancelUnread(context, call, reason),
    });
  } catch (error: unknown) {
    failStream(context, call, error);
    return;
  }
  const end = (): void => {
    ended = true;
    if (id !== undefined) node.cancelWatch(id);
    outbound.close();
  };
  onStreamEnd(call, end);
  call.on('error', () => {
    if (id !== undefined) node.cancelWatch(id);
  });
  try {
    const { filter, startRevision } = validateWatch(call.request);
    id = node.watch(filter, startRevision, {
      write: (delivery) => writeRaw(outbound, call, responseBytes(delivery, 0)),
    });
    if (ended) node.cancelWatch(id);
  } catch (error: unknown) {
    failStream(context, call, error);
  }
}

interface StreamWatch {
  /** The hub's id; undefined while node.watch() is still running (it may write at once). */
  hubId: number | undefined;
}

/** Deliveries waiting for the end of the current task, each with the watches it is for. */
interface PendingWrite {
  readonly delivery: WatchDelivery<Uint8Array>;
  readonly watchIds: number[];
}

/**
 * One WatchMany stream: the client creates and cancels watches by its own ids; every watch
 * writes to the same HTTP/2 stream.
 *
 * Writes are gathered until the end of the current task and consecutive writes of one
 * delivery are sent as one response naming all their watches: the hub hands one delivery
 * object to every watcher of a filter in a row, so a change that 100 watches of a stream
 * follow crosses the connection, and is decoded by the client, once.
 *
 * Backpressure: once a write finds the stream over its high-water mark, every watch written
 * after it is told "full" and blocked in the hub (it catches up from history later); all of
 * them are released when the stream drains. Errors are per watch; the stream itself ends only
 * when the client ends or cancels it.
 */
class WatchManyStream {
  private readonly watches = new Map<number, StreamWatch>();
  /** Watches written while the stream had no room: released when it has. */
  private readonly blocked = new Set<StreamWatch>();
  private pending: PendingWrite[] = [];
  /** Bytes of the events gathered in `pending`, not written yet. */
  private pendingBytes = 0;
  private flushQueued = false;
  private closed = false;
  private readonly outbound: StreamOutbound;

  constructor(
    private readonly context: WatchContext,
    private readonly call: grpc.ServerDuplexStream<WatchManyRequest__Output, WatchResponse>,
  ) {
    this.outbound = context.outbound.open({
      onRoom: () => this.onRoom(),
      cancel: (reason) => {
        this.cancelAll();
        cancelUnread(context, call, reason);
      },
    });
  }

  start(): void {
    readOneAhead(this.call);
    this.call.on('data', (request: WatchManyRequest__Output) => this.onRequest(request));
    this.call.on('end', () => {
      this.flush();
      this.cancelAll();
      this.call.end();
    });
    this.call.on('error', () => this.cancelAll());
    onStreamEnd(this.call, () => {
      this.cancelAll();
      this.outbound.close();
    });
  }

  private onRequest(request: WatchManyRequest__Output): void {
    if (this.closed) return;
    const watchId = request.watch_id;
    if (request.action === 'cancel') {
      this.cancel(watchId);
      return;
    }
    try {
      this.create(watchId, request.create);
    } catch (error: unknown) {
      this.refuse(watchId, error);
    }
  }

  private create(watchId: number, request: WatchRequest__Output | null | undefined): void {
    if (request === undefined || request === null) {
      throw invalid('create or cancel is required', 'action');
    }
    validateId('watch_id', watchId);
    if (this.watches.has(watchId)) {
      throw invalid(`watch_id ${watchId} is already in use on this stream`, 'watch_id');
    }
    if (this.watches.size >= WATCHES_PER_STREAM_MAX) {
      throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
        `at most ${WATCHES_PER_STREAM_MAX} watches per stream`);
    }
    const { filter, startRevision } = validateWatch(request);
    const entry: StreamWatch = { hubId: undefined };
    this.watches.set(watchId, entry);
    try {
      entry.hubId = this.context.node.watch(filter, startRevision, this.sinkFor(watchId, entry));
    } catch (error: unknown) {
      this.watches.delete(watchId);
      throw error;
    }
  }

  private sinkFor(watchId: number, entry: StreamWatch): WatchSink<Uint8Array> {
    return {
      write: (delivery) => {
        const last = this.pending[this.pending.length - 1];
        if (last !== undefined && last.delivery === delivery) {
          last.watchIds.push(watchId);
        } else {
          this.pending.push({ delivery, watchIds: [watchId] });
          this.pendingBytes += partsBytes(delivery);
        }
        if (!this.flushQueued) {
          this.flushQueued = true;
          queueMicrotask(() => this.flush());
        }
        if (this.outbound.roomOrWait(this.pendingBytes)) return true;
        this.blocked.add(entry);
        return false;
      },
    };
  }

  /** Sends what was gathered, in order; one response per run of one delivery. */
  private flush(): void {
    this.flushQueued = false;
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.closed) return;
    for (const { delivery, watchIds } of pending) {
      const bytes = watchIds.length === 1
        ? responseBytes(delivery, watchIds[0] as number)
        : responseBytes(delivery, 0, watchIds);
      writeRaw(this.outbound, this.call, bytes);
    }
  }

  private onRoom(): void {
    const released = [...this.blocked];
    this.blocked.clear();
    for (const entry of released) {
      // A watch cancelled meanwhile is unknown to the hub: watchDrained ignores it.
      if (entry.hubId !== undefined) this.context.node.watchDrained(entry.hubId);
    }
  }

  /** Writes a control response after whatever was gathered before it. */
  private writeControl(response: WatchResponse): void {
    this.flush();
    if (this.closed) return;
    const bytes = watchSerializer()(response);
    writeRaw(this.outbound, this.call, bytes);
  }

  private cancel(watchId: number): void {
    const entry = this.watches.get(watchId);
    if (entry !== undefined) {
      this.watches.delete(watchId);
      this.blocked.delete(entry);
      if (entry.hubId !== undefined) this.context.node.cancelWatch(entry.hubId);
    }
    // Answered even for an unknown id: cancelling is idempotent.
    this.writeControl({ watch_id: watchId, canceled: true });
  }

  private refuse(watchId: number, error: unknown): void {
    const apiError = toApiError(error, this.context.forwarder.leaderAddress());
    const code = apiError.metadata.get(ERROR_CODE_KEY)[0];
    this.writeControl({
      watch_id: watchId,
      canceled: true,
      error_status: apiError.code,
      error_code: typeof code === 'string' ? code : '',
      error_message: apiError.details,
    });
  }

  private cancelAll(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    for (const entry of this.watches.values()) {
      if (entry.hubId !== undefined) this.context.node.cancelWatch(entry.hubId);
    }
    this.watches.clear();
    this.blocked.clear();
  }
}

function invalid(message: string, field: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', message, { field });
}
