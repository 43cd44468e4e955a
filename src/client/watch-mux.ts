import * as grpc from '@grpc/grpc-js';
import type { WatchManyRequest } from '../api/generated/types/roster/v1/WatchManyRequest.js';
import type { WatchResponse__Output } from '../api/generated/types/roster/v1/WatchResponse.js';
import { cancelQuietly } from './cancel-call.js';
import { refusalError, type WatchCarrier, type WatchStream } from './watch-stream.js';

export type WatchManyCall = grpc.ClientDuplexStream<WatchManyRequest, WatchResponse__Output>;

export interface WatchMuxOptions {
  /** Opens a WatchMany call; attempt > 0 after a failure (the client moves to another node). */
  readonly open: (attempt: number) => WatchManyCall;
  /** Delay before reopening after the attempt-th consecutive failure. */
  readonly backoffMs?: (attempt: number) => number;
}

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
  private readonly watches = new Map<number, WatchStream>();
  private readonly ids = new Map<WatchStream, number>();
  /** Watches the server refused for now, re-created after a backoff. */
  private readonly retryTimers = new Map<WatchStream, NodeJS.Timeout>();
  /** Consecutive refusals per watch, for its backoff; cleared when it receives anything. */
  private readonly refusals = new Map<WatchStream, number>();
  private call: WatchManyCall | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private attempt = 0;

  constructor(options: WatchMuxOptions) {
    this.options = options;
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
    if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    const call = this.call;
    this.call = undefined;
    if (call !== undefined) cancelQuietly(call);
  }

  private forget(watch: WatchStream, id: number): void {
    this.watches.delete(id);
    this.ids.delete(watch);
    const timer = this.retryTimers.get(watch);
    if (timer !== undefined) clearTimeout(timer);
    this.retryTimers.delete(watch);
    this.refusals.delete(watch);
  }

  private open(): void {
    const call = this.options.open(this.attempt);
    this.call = call;
    call.on('data', (response: WatchResponse__Output) => {
      this.attempt = 0;
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
    const refusals = (this.refusals.get(watch) ?? 0) + 1;
    this.refusals.set(watch, refusals);
    const timer = setTimeout(() => {
      this.retryTimers.delete(watch);
      if (this.call === call && this.watches.get(response.watch_id) === watch) {
        this.create(call, response.watch_id, watch);
      }
    }, this.backoffMs(refusals));
    this.retryTimers.set(watch, timer);
  }

  private broken(call: WatchManyCall, error: Error): void {
    if (this.call !== call) return;
    this.close();
    if (this.watches.size === 0) return;
    this.attempt += 1;
    for (const watch of this.watches.values()) watch.interrupted(error);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.watches.size > 0) this.open();
    }, this.backoffMs(this.attempt));
  }

  private backoffMs(attempt: number): number {
    return this.options.backoffMs?.(attempt) ?? Math.min(2_000, 50 * 2 ** attempt);
  }
}
