/**
 * Unary answers counted like stream writes (outbound.ts). A Lookup of a large service is
 * megabytes, grpc-js copies it for each call, and a client that never reads its answers
 * would have the node hold every copy: each answer now counts against the node's buffered
 * bytes until it has left, its call is cancelled if its client takes none of it for
 * --stream-stall-ms, and Lookups are refused while the buffers are full. Server streams are
 * left alone: their handlers account for their own writes.
 */
import * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import { toApiError } from './errors.js';
import type { OutboundBudget, StreamOutbound } from './outbound.js';
import { CANCEL_GRACE_MS } from './stream-end.js';

/** What an answer that is not pre-encoded counts (it is small: a registration's result). */
const OBJECT_ANSWER_BYTES = 256;
/** Answers at least this large are refused, not sent, while the node's buffers are full. */
const LARGE_ANSWER_BYTES = 64 * 1024;

export interface UnaryOutboundContext {
  readonly outbound: OutboundBudget;
  readonly closePeer: (peer: string) => boolean;
}

export function unaryOutboundInterceptor(context: UnaryOutboundContext): grpc.ServerInterceptor {
  return (method, call) => new grpc.ServerInterceptingCall(
    method.responseStream ? call : new CountedAnswer(context, call));
}

class CountedAnswer implements grpc.ServerInterceptingCallInterface {
  private outbound: StreamOutbound | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: UnaryOutboundContext,
    private readonly call: grpc.ServerInterceptingCallInterface,
  ) {}

  start(listener: Parameters<grpc.ServerInterceptingCallInterface['start']>[0]): void {
    this.call.start({
      onReceiveMetadata: (metadata) => listener.onReceiveMetadata(metadata),
      onReceiveMessage: (message) => listener.onReceiveMessage(message),
      onReceiveHalfClose: () => listener.onReceiveHalfClose(),
      onCancel: () => {
        this.done();
        listener.onCancel();
      },
    });
  }

  sendMessage(message: unknown, callback: () => void): void {
    const bytes = Buffer.isBuffer(message) ? message.byteLength : OBJECT_ANSWER_BYTES;
    if (bytes >= LARGE_ANSWER_BYTES && this.context.outbound.totalFull) {
      // Answers computed together (lookups that waited on one read barrier) reach this one
      // at a time, each after the previous one was counted: the first ones fill the
      // buffers, the rest are refused here.
      this.refuse('the answers waiting for clients to read them fill this node\'s buffers ' +
        '(--max-buffered-bytes); retry shortly');
      return;
    }
    try {
      this.outbound = this.context.outbound.open({
        onRoom: () => {},
        cancel: (reason) => this.cancel(reason),
      });
    } catch {
      // As many streams as the node allows are open: this answer goes uncounted.
      this.call.sendMessage(message, callback);
      return;
    }
    const outbound = this.outbound;
    outbound.write({
      write: (value, written) => {
        this.call.sendMessage(value, () => {
          written();
          this.done();
          callback();
        });
        return true;
      },
    }, message, bytes);
  }

  sendStatus(status: Parameters<grpc.ServerInterceptingCallInterface['sendStatus']>[0]): void {
    // A status with no answer (an error) ends the call at once; after an answer, it follows it.
    if (this.outbound === undefined) this.done();
    this.call.sendStatus(status);
  }

  sendMetadata(metadata: grpc.Metadata): void {
    this.call.sendMetadata(metadata);
  }

  startRead(): void {
    this.call.startRead();
  }

  getPeer(): string {
    return this.call.getPeer();
  }

  getDeadline(): grpc.Deadline {
    return this.call.getDeadline();
  }

  getHost(): string {
    return this.call.getHost();
  }

  getAuthContext(): ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']> {
    return this.call.getAuthContext();
  }

  getConnectionInfo(): ReturnType<grpc.ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.call.getConnectionInfo();
  }

  getMetricsRecorder(): ReturnType<grpc.ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.call.getMetricsRecorder();
  }

  private done(): void {
    this.outbound?.close();
    this.outbound = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refuse(reason: string): void {
    const apiError = toApiError(new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', reason));
    this.call.sendStatus({
      code: apiError.code, details: apiError.details, metadata: apiError.metadata,
    });
  }

  /** Its client took none of the answer: the connection goes, which frees it. */
  private cancel(reason: string): void {
    this.refuse(reason);
    const peer = this.call.getPeer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.context.closePeer(peer);
      this.done();
    }, CANCEL_GRACE_MS);
    this.timer.unref();
  }
}
