/**
 * Calls per second per connection (--max-connection-requests-per-second): a token bucket per
 * connection, holding a second's worth, checked by a grpc-js interceptor before the call's
 * handler starts. A connection over its rate gets RESOURCE_EXHAUSTED for the calls past it:
 * one client cannot take the node's whole event loop, however many calls it pipelines.
 */
import * as grpc from '@grpc/grpc-js';
import { ERROR_CODE_KEY } from '../core/errors.js';

interface Bucket {
  tokens: number;
  atMs: number;
}

export class ConnectionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perSecond: number, private readonly nowMs: () => number) {}

  /** Takes one call from `peer`'s bucket; false when it is empty. */
  admit(peer: string): boolean {
    const now = this.nowMs();
    let bucket = this.buckets.get(peer);
    if (bucket === undefined) {
      bucket = { tokens: this.perSecond, atMs: now };
      this.buckets.set(peer, bucket);
    }
    bucket.tokens = Math.min(this.perSecond,
      bucket.tokens + ((now - bucket.atMs) * this.perSecond) / 1000);
    bucket.atMs = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** The connection closed. */
  forget(peer: string): void {
    this.buckets.delete(peer);
  }

  get connections(): number {
    return this.buckets.size;
  }

  /** The interceptor: calls over the rate end with RESOURCE_EXHAUSTED, unhandled. */
  interceptor(): grpc.ServerInterceptor {
    return (_method, call) => new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        if (this.admit(call.getPeer())) {
          next();
          return;
        }
        // A listener that passes nothing on: the handler never starts.
        next({
          onReceiveMetadata: () => {}, onReceiveMessage: () => {}, onReceiveHalfClose: () => {},
        });
        const metadata = new grpc.Metadata();
        metadata.set(ERROR_CODE_KEY, 'ROSTER_ERR_RESOURCE_EXHAUSTED');
        call.sendStatus({
          code: grpc.status.RESOURCE_EXHAUSTED, metadata,
          details: `a limit was reached: this connection makes more than ${this.perSecond} ` +
            'calls a second (--max-connection-requests-per-second); slow down or spread them',
        });
      },
    });
  }
}
