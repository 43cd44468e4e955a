import type * as grpc from '@grpc/grpc-js';
import { Backoff } from '../core/backoff.js';
import { cancelQuietly } from './cancel-call.js';
import { realRuntime, type ClientRuntime, type TimerHandle } from './runtime.js';
import type { KeepAliveRequest } from '../api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  KeepAliveResponse__Output,
} from '../api/generated/types/roster/v1/KeepAliveResponse.js';

export interface KeepAliveLoopOptions {
  /** Opens a KeepAlive stream on the endpoint the client now prefers (the leader if known). */
  readonly open: () => grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output>;
  /** The stream failed: the client learns from it (leader hint, next endpoint). */
  readonly onStreamError: (error: Error) => void;
  /** The messages of one heartbeat round (none while there is no lease to renew). */
  readonly requests: () => readonly KeepAliveRequest[];
  /** Asked before each wait, so the pace follows the shortest TTL held. */
  readonly intervalMs: () => number;
  /** The cluster no longer knows this lease (expired or revoked): register again. */
  readonly onLeaseLost: (id: number) => void;
  readonly onRenewed?: (id: number, remainingMs: number) => void;
  /** Time, timers and randomness (default: the real ones). */
  readonly runtime?: ClientRuntime;
}

/** Reopening a failed stream: 50 ms, doubling to 1 s, jittered. */
const REOPEN_BACKOFF = { initialMs: 50, maxMs: 1_000 };

/**
 * Heartbeats: one KeepAlive stream renews every lease of the process each interval (TTL/3 by
 * default, so one lost heartbeat never expires a lease). A stream that fails (a follower ends
 * it with the leader's address, or the node died) is reopened with backoff where the client
 * now points.
 */
export class KeepAliveLoop {
  private readonly options: KeepAliveLoopOptions;
  private readonly runtime: ClientRuntime;
  private readonly backoff: Backoff;
  private call: grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output> | undefined;
  private ticker: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private stopped = false;

  constructor(options: KeepAliveLoopOptions) {
    this.options = options;
    this.runtime = options.runtime ?? realRuntime;
    const random = (): number => this.runtime.random();
    this.backoff = new Backoff({ ...REOPEN_BACKOFF, random });
  }

  start(): void {
    this.connect();
    this.tick();
    this.beat();
  }

  /** Sends a heartbeat now (e.g. right after a status change). */
  beat(): void {
    const call = this.call;
    if (call === undefined) return;
    for (const request of this.options.requests()) call.write(request);
  }

  private connect(): void {
    if (this.stopped) return;
    const call = this.options.open();
    this.call = call;
    call.on('data', (response: KeepAliveResponse__Output) => {
      this.backoff.reset();
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
    this.retry = this.runtime.setTimer(() => {
      this.retry = undefined;
      this.connect();
      this.beat();
    }, this.backoff.nextDelayMs());
  }

  /** Every interval, re-armed before the beat so a throwing callback cannot end the loop. */
  private tick(): void {
    this.ticker = this.runtime.setTimer(() => {
      this.ticker = undefined;
      if (this.stopped) return;
      this.tick();
      this.beat();
    }, this.options.intervalMs());
  }

  private drop(): void {
    const call = this.call;
    this.call = undefined;
    if (call === undefined) return;
    cancelQuietly(call);
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker !== undefined) this.runtime.clearTimer(this.ticker);
    if (this.retry !== undefined) this.runtime.clearTimer(this.retry);
    this.ticker = undefined;
    this.retry = undefined;
    this.drop();
  }
}
