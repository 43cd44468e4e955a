import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../core/backoff.js';
import type { WatchManyRequest } from '../api/generated/types/roster/v1/WatchManyRequest.js';
import type { WatchResponse__Output } from '../api/generated/types/roster/v1/WatchResponse.js';
import { cancelQuietly } from './cancel-call.js';
import { realRuntime, type ClientRuntime, type TimerHandle } from './runtime.js';
import { refusalError, type WatchCarrier, type WatchStream } from './watch-stream.js';

export type WatchManyCall = grpc.ClientDuplexStream<WatchManyRequest, WatchResponse__Output>;

export interface WatchMuxOptions {
  /** Opens a WatchMany call; attempt > 0 after a failure (the client moves to another node). */
  readonly open: (attempt: number) => WatchManyCall;
  /** Time, timers and randomness (default: the real ones). */
  readonly runtime?: ClientRuntime;
}

/**
 * Reopening the stream, and re-creating a refused watch: 100 ms, doubling to 2 s. Jittered, so
 * the watchers of a cluster that restarted do not all come back in the same instant.
 */
const WATCH_BACKOFF = { initialMs: 100, maxMs: 2_000 };

/**
 * All of a client's watches on one WatchMany stream: one HTTP/2 stream carries every watch's
 * events, as etcd's client does, instead of one stream per watch; and a change that several
 * of them follow arrives once, naming them all (watch_ids), decoded once and shared. The
 * stream opens with the first watch and closes with the last. When it breaks, every watch is
 * told and, after a backoff, created again on a new stream (on another node) from its own
 * last revision.
 */
export class WatchMux implements WatchCarrier {
  private readonly options: WatchMuxOptions;
  private readonly runtime: ClientRuntime;
  private readonly watches = new Map<number, WatchStream>();
  private readonly ids = new Map<WatchStream, number>();
  /** Watches the server refused for now, re-created after a backoff. */
  private readonly retryTimers = new Map<WatchStream, TimerHandle>();
  /** Each refused watch's own backoff; dropped when it receives anything. */
  private readonly refusals = new Map<WatchStream, Backoff>();
  /** Consecutive failures of the stream; reset by any response. */
  private readonly reopenBackoff: Backoff;
  private call: WatchManyCall | undefined;
  private reopenTimer: TimerHandle | undefined;
  private nextId = 1;

  constructor(options: WatchMuxOptions) {
    this.options = options;
    this.runtime = options.runtime ?? realRuntime;
    this.reopenBackoff = this.newBackoff();
  }

  add(watch: WatchStream): void {
    if (this.ids.has(watch)) return;
    const id = this.nextId++;
    this.watches.set(id, watch);
    this.ids.set(watch, id);
    if (this.call !== undefined) this.create(this.call, id, watch);
    else if (this.reopenTimer === undefined) this.open();
  }

  remove(watch: WatchStream): void {
    const id = this.ids.get(watch);
    if (id === undefined) return;
    this.forget(watch, id);
    if (this.watches.size === 0) {
      this.close();
    } else {
      this.call?.write({ watch_id: id, cancel: true });
    }
  }

  /** Stops every watch's stream (the watches are not told: their owner is going away). */
  close(): void {
    if (this.reopenTimer !== undefined) this.runtime.clearTimer(this.reopenTimer);
    this.reopenTimer = undefined;
    for (const timer of this.retryTimers.values()) this.runtime.clearTimer(timer);
    this.retryTimers.clear();
    const call = this.call;
    this.call = undefined;
    if (call !== undefined) cancelQuietly(call);
  }

  private forget(watch: WatchStream, id: number): void {
    this.watches.delete(id);
    this.ids.delete(watch);
    const timer = this.retryTimers.get(watch);
    if (timer !== undefined) this.runtime.clearTimer(timer);
    this.retryTimers.delete(watch);
    this.refusals.delete(watch);
  }

  private open(): void {
    const call = this.options.open(this.reopenBackoff.consecutiveFailures);
    this.call = call;
    call.on('data', (response: WatchResponse__Output) => {
      this.reopenBackoff.reset();
      this.receive(call, response);
    });
    call.on('error', (error: Error) => this.broken(call, error));
    call.on('end', () => this.broken(call, new Error('the server ended the watch stream')));
    for (const [id, watch] of this.watches) this.create(call, id, watch);
  }

  private create(call: WatchManyCall, id: number, watch: WatchStream): void {
    call.write({ watch_id: id, create: watch.createRequest() });
  }

  private receive(call: WatchManyCall, response: WatchResponse__Output): void {
    if (response.watch_ids.length > 0) {
      // One response for several watches (they follow the same thing): decoded once, shared.
      for (const id of response.watch_ids) this.watches.get(id)?.receive(response);
      return;
    }
    const watch = this.watches.get(response.watch_id);
    // Late answers for a cancelled watch, or our own cancel confirmed.
    if (watch === undefined) return;
    if (!response.canceled) {
      this.refusals.delete(watch);
      watch.receive(response);
      return;
    }
    const error = refusalError(response);
    if (response.error_status === grpc.status.INVALID_ARGUMENT) {
      this.forget(watch, response.watch_id);
      watch.failed(error);
      return;
    }
    // Refused for now (a node's watcher limit, an unexpected cancel): try again later.
    watch.interrupted(error);
    let backoff = this.refusals.get(watch);
    if (backoff === undefined) {
      backoff = this.newBackoff();
      this.refusals.set(watch, backoff);
    }
    const timer = this.runtime.setTimer(() => {
      this.retryTimers.delete(watch);
      if (this.call === call && this.watches.get(response.watch_id) === watch) {
        this.create(call, response.watch_id, watch);
      }
    }, backoff.nextDelayMs());
    this.retryTimers.set(watch, timer);
  }

  private broken(call: WatchManyCall, error: Error): void {
    if (this.call !== call) return;
    this.close();
    if (this.watches.size === 0) return;
    for (const watch of this.watches.values()) watch.interrupted(error);
    const delayMs = this.reopenBackoff.nextDelayMs();
    this.reopenTimer = this.runtime.setTimer(() => {
      this.reopenTimer = undefined;
      if (this.watches.size > 0) this.open();
    }, delayMs);
  }

  private newBackoff(): Backoff {
    return new Backoff({ ...WATCH_BACKOFF, random: () => this.runtime.random() });
  }
}
