import type * as grpc from '@grpc/grpc-js';
import { cancelQuietly } from './cancel-call.js';
import type { KeepAliveRequest } from '../api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  KeepAliveResponse__Output,
} from '../api/generated/types/roster/v1/KeepAliveResponse.js';

export interface KeepAliveLoopOptions {
  /** Opens a KeepAlive stream on the endpoint the client now prefers (the leader if known). */
  readonly open: () => grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output>;
  /** The stream failed: the client learns from it (leader hint, next endpoint). */
  readonly onStreamError: (error: Error) => void;
  readonly leaseIds: () => readonly number[];
  readonly intervalMs: number;
  readonly status?: () => 'SERVING' | 'DRAINING' | undefined;
  readonly load?: () => Record<string, number> | undefined;
  /** The cluster no longer knows this lease (expired or revoked): register again. */
  readonly onLeaseLost: (id: number) => void;
  readonly onRenewed?: (id: number, remainingMs: number) => void;
  readonly backoffMs?: (attempt: number) => number;
}

/**
 * Heartbeats: one KeepAlive stream renews every lease of the process each interval (TTL/3 by
 * default, so one lost heartbeat never expires a lease). A stream that fails (a follower ends
 * it with the leader's address, or the node died) is reopened with backoff where the client
 * now points.
 */
export class KeepAliveLoop {
  private readonly options: KeepAliveLoopOptions;
  private call: grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(options: KeepAliveLoopOptions) {
    this.options = options;
  }

  start(): void {
    this.connect();
    this.ticker = setInterval(() => this.beat(), this.options.intervalMs);
    this.beat();
  }

  /** Sends a heartbeat now (e.g. right after a status change). */
  beat(): void {
    const ids = this.options.leaseIds();
    if (this.call === undefined || ids.length === 0) return;
    const status = this.options.status?.();
    const load = this.options.load?.();
    this.call.write({
      lease_ids: [...ids],
      ...(status === undefined ? {} : { status }),
      ...(load === undefined ? {} : { load }),
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const call = this.options.open();
    this.call = call;
    call.on('data', (response: KeepAliveResponse__Output) => {
      this.attempt = 0;
      for (const lease of response.leases) {
        if (lease.found) this.options.onRenewed?.(lease.lease_id, lease.remaining_ms);
        else this.options.onLeaseLost(lease.lease_id);
      }
    });
    call.on('error', (error: Error) => this.reconnect(error));
    call.on('end', () => this.reconnect(new Error('the server ended the keepalive stream')));
  }

  private reconnect(error: Error): void {
    if (this.stopped || this.retry !== undefined) return;
    this.drop();
    this.options.onStreamError(error);
    this.attempt += 1;
    const delay = this.options.backoffMs?.(this.attempt) ??
      Math.random() * Math.min(1_000, 25 * 2 ** this.attempt);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
      this.beat();
    }, delay);
  }

  private drop(): void {
    const call = this.call;
    this.call = undefined;
    if (call === undefined) return;
    cancelQuietly(call);
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.drop();
  }
}
