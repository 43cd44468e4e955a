/**
 * The sending half of one peer link: a bounded queue of Raft messages and one long-lived
 * client-streaming `Send` call that carries them, one RaftBatch per event-loop turn.
 *
 * - Coalescing: send() only queues; a setImmediate flush encodes everything queued (up to
 *   batchBytesMax) into one batch. While a batch is in gRPC's hands (its write callback has not
 *   fired), later messages wait in the queue and leave together in the next batch, so gRPC
 *   buffers at most one batch per peer and HTTP/2 flow control pushes back into our bound.
 * - Backpressure: the queue holds at most queueMessagesMax messages and queueBytesMax encoded
 *   bytes; what does not fit is dropped and the peer reported unreachable (Raft retransmits).
 * - Failure: when the call ends (peer down, connection lost, keepalive timeout), everything
 *   queued is dropped, the peer is reported unreachable, and a new call may be opened only after
 *   a jittered exponential backoff. The backoff resets once a call has been accepted by the
 *   peer (its response headers arrived).
 * - A call the peer had accepted that breaks is also reported as a lost connection: on
 *   loopback or a LAN that is how a peer process's death shows, long before a timeout would.
 * - Reconnect: a peer that opens its own stream to us is up again (a restarted node announces
 *   itself with an empty batch as soon as it starts). If our stream to it is waiting out a
 *   backoff, retryNow() ends the wait and replaces the channel, whose own reconnect backoff
 *   grpc-js gives no way to reset. Without this a restarted follower would wait up to the
 *   backoff ceiling (2 s) to hear from its leader.
 * - Callbacks (onUnreachable, onConnectionLost) are never invoked from inside send(): the
 *   replica calls send() from its Ready loop, so reports arrive on a later turn.
 */
import { status, type Client, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';

import { Backoff } from '../core/backoff.js';
import type { Message, NodeId } from '../raft/index.js';
import { encodeMessages, encodedMessageBytes } from './codec.js';
import type { SenderContext } from './peer-context.js';
import type { RaftBatch, RaftService, SendSummary } from './proto.js';

type Phase = 'idle' | 'open' | 'backoff' | 'closed';

export class PeerStream {
  readonly peerId: NodeId;
  private readonly context: SenderContext;
  /** Makes this stream's own channel (snapshots travel on another). */
  private readonly connect: () => Client;
  private client: Client | undefined;
  private readonly service: RaftService;
  private readonly backoff: Backoff;
  private phase: Phase = 'idle';
  private queue: Message[] = [];
  private queueSizes: number[] = [];
  private queueBytes = 0;
  private call: ClientWritableStream<RaftBatch> | undefined;
  /** Bumped whenever a call is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private accepted = false;
  private writing = false;
  private flushHandle: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private unreachablePending = false;
  /** An empty batch is due: it opens the stream, so the peer learns that we are up. */
  private announcePending = false;

  constructor(options: {
    peerId: NodeId;
    context: SenderContext;
    connect: () => Client;
    service: RaftService;
  }) {
    this.peerId = options.peerId;
    this.context = options.context;
    this.connect = options.connect;
    this.service = options.service;
    this.backoff = new Backoff(options.context.reconnectBackoff);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.queueBytes;
  }

  /** Queues messages for the next flush; drops what exceeds the bounds. Never throws. */
  enqueue(message: Message): void {
    if (this.phase === 'closed') return;
    const size = encodedMessageBytes(message);
    const fits = this.queue.length < this.context.queueMessagesMax &&
      this.queueBytes + size <= this.context.queueBytesMax && size <= this.context.batchBytesMax;
    if (fits) {
      this.queue.push(message);
      this.queueSizes.push(size);
      this.queueBytes += size;
    } else {
      this.context.stats.messagesDropped += 1;
      this.unreachablePending = true;
      if (size > this.context.batchBytesMax) {
        // Not congestion: this message can never be sent. Raft limits append sizes well below.
        this.context.logger.warn({ peer: this.peerId, type: message.type, bytes: size },
          'raft message larger than a batch; dropped');
      }
    }
    this.scheduleFlush();
  }

  /** Opens the stream now, with an empty batch: tells a peer that (re)started of us. */
  announce(): void {
    if (this.phase !== 'idle' || this.call !== undefined) return;
    this.announcePending = true;
    this.scheduleFlush();
  }

  /** The peer is up (it opened a stream to us): end a backoff wait, on a fresh channel. */
  retryNow(): void {
    if (this.phase !== 'backoff') return;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.backoff.reset();
    this.client?.close();
    this.client = undefined;
    this.phase = 'idle';
    this.context.logger.debug({ peer: this.peerId }, 'peer is back; reconnecting now');
    if (this.queue.length > 0) this.scheduleFlush();
  }

  /** Drops the queue, the call and the channel; no callback fires afterwards. */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.abandonCall();
    this.clearQueue();
    if (this.flushHandle !== undefined) clearImmediate(this.flushHandle);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.flushHandle = undefined;
    this.retryTimer = undefined;
    this.client?.close();
    this.client = undefined;
  }

  private scheduleFlush(): void {
    if (this.flushHandle !== undefined || this.phase === 'closed') return;
    this.flushHandle = setImmediate(() => {
      this.flushHandle = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.unreachablePending) {
      this.unreachablePending = false;
      this.context.onUnreachable(this.peerId);
    }
    // In backoff the queue waits (bounded) for the retry timer; closed drops everything.
    if (this.phase === 'closed' || this.phase === 'backoff') return;
    const announce = this.announcePending && this.call === undefined;
    this.announcePending = false;
    if ((this.queue.length === 0 && !announce) || this.writing) return;
    const opening = this.call === undefined;
    const call = this.call ?? this.open();
    const messages = this.takeBatch();
    const generation = this.generation;
    this.writing = true;
    this.context.stats.batchesSent += 1;
    this.context.stats.messagesSent += messages.length;
    const batch: RaftBatch = {
      from: this.context.selfId, messages: encodeMessages(messages),
      cluster_id: this.context.clusterId(),
      from_name: opening ? this.context.selfName : '',
      from_address: opening ? this.context.selfAddress : '',
    };
    call.write(batch, () => {
      if (generation !== this.generation) return;
      this.writing = false;
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private takeBatch(): Message[] {
    let count = 0;
    let bytes = 0;
    for (const size of this.queueSizes) {
      if (count > 0 && bytes + size > this.context.batchBytesMax) break;
      bytes += size;
      count += 1;
    }
    if (count === this.queue.length) {
      const messages = this.queue;
      this.clearQueue();
      return messages;
    }
    this.queueSizes.splice(0, count);
    this.queueBytes -= bytes;
    return this.queue.splice(0, count);
  }

  private open(): ClientWritableStream<RaftBatch> {
    this.generation += 1;
    const generation = this.generation;
    this.phase = 'open';
    this.accepted = false;
    this.writing = false;
    const method = this.service.send;
    this.client ??= this.connect();
    const call = this.client.makeClientStreamRequest<RaftBatch, SendSummary>(
      method.path, method.requestSerialize, method.responseDeserialize,
      (error: ServiceError | null) => this.onCallEnd(generation, error),
    );
    call.on('metadata', () => {
      if (generation !== this.generation) return;
      this.accepted = true;
      this.backoff.reset();
      this.context.logger.debug({ peer: this.peerId }, 'raft stream to peer open');
    });
    // Write errors end the call (reported through the callback); this keeps them from being
    // unhandled 'error' events.
    call.on('error', (error: Error) => {
      this.context.logger.debug({ peer: this.peerId, err: error }, 'raft stream error');
    });
    this.call = call;
    return call;
  }

  private onCallEnd(generation: number, error: ServiceError | null): void {
    if (generation !== this.generation || this.phase === 'closed') return;
    this.generation += 1;
    this.call = undefined;
    this.writing = false;
    const dropped = this.queue.length;
    this.context.stats.messagesDropped += dropped;
    this.context.stats.streamFailures += 1;
    this.clearQueue();
    const delayMs = this.backoff.nextDelayMs();
    const fields = {
      peer: this.peerId, code: error?.code, detail: error?.details, dropped, retryInMs: delayMs,
    };
    if (error?.code === status.FAILED_PRECONDITION) {
      // The peer cannot read what this node writes: it runs an older Roster.
      this.context.logger.error(fields, 'peer refused this node\'s raft traffic');
    } else if (this.accepted) {
      this.context.logger.info(fields, 'raft stream to peer broke');
    } else {
      this.context.logger.debug(fields, 'raft stream to peer could not open');
    }
    this.phase = 'backoff';
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.phase !== 'backoff') return;
      // Lazy: a new call opens only when there is something to send.
      this.phase = 'idle';
      if (this.queue.length > 0) this.scheduleFlush();
    }, delayMs);
    this.context.onUnreachable(this.peerId);
    if (this.accepted) this.context.onConnectionLost(this.peerId);
  }

  private abandonCall(): void {
    const call = this.call;
    this.generation += 1;
    this.call = undefined;
    this.writing = false;
    call?.cancel();
  }

  private clearQueue(): void {
    this.queue = [];
    this.queueSizes = [];
    this.queueBytes = 0;
  }
}
