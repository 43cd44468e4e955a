import type * as grpc from '@grpc/grpc-js';
import { cancelQuietly } from './cancel-call.js';
import type { WatchEvent__Output } from '../api/generated/types/roster/v1/WatchEvent.js';
import type { WatchRequest } from '../api/generated/types/roster/v1/WatchRequest.js';
import type { WatchResponse__Output } from '../api/generated/types/roster/v1/WatchResponse.js';

/** What a watcher sees: events, the pieces of a snapshot, and markers. */
export type WatchUpdate =
  | {
    readonly kind: 'events';
    readonly events: readonly WatchEvent__Output[];
    readonly revision: number;
  }
  /** A piece of the current state (PUT events); pieces until 'caughtUp' form the snapshot. */
  | {
    readonly kind: 'snapshot';
    readonly events: readonly WatchEvent__Output[];
    readonly revision: number;
  }
  | { readonly kind: 'caughtUp'; readonly revision: number }
  | { readonly kind: 'progress'; readonly revision: number }
  /** The stream broke; it resumes on another node from `revision`. */
  | { readonly kind: 'reconnecting'; readonly revision: number; readonly error: Error };

export interface WatchStreamOptions {
  readonly request: Omit<WatchRequest, 'start_revision'>;
  readonly startRevision: number;
  /** Opens a Watch call on the next endpoint to try (the client rotates endpoints). */
  readonly open: (request: WatchRequest, attempt: number) =>
    grpc.ClientReadableStream<WatchResponse__Output>;
  readonly onUpdate: (update: WatchUpdate) => void;
  readonly backoffMs?: (attempt: number) => number;
}

/**
 * A watch that survives node failures: it remembers the last revision it received in full
 * (events, caught-up and progress notices; not half a snapshot), and when the stream breaks it
 * opens a new one, on another node, from that revision. Events after it arrive once; if the new
 * node's history no longer reaches back that far, it sends a snapshot instead (never a gap).
 */
export class WatchStream {
  private readonly options: WatchStreamOptions;
  private call: grpc.ClientReadableStream<WatchResponse__Output> | undefined;
  private resumeRevision: number;
  private attempt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: WatchStreamOptions) {
    this.options = options;
    this.resumeRevision = options.startRevision;
  }

  /** The revision a resumed stream would start after. */
  get revision(): number {
    return this.resumeRevision;
  }

  start(): void {
    const request: WatchRequest = { ...this.options.request, start_revision: this.resumeRevision };
    const call = this.options.open(request, this.attempt);
    this.call = call;
    let pendingSnapshot = false;
    call.on('data', (response: WatchResponse__Output) => {
      this.attempt = 0;
      const revision = response.revision;
      if (response.snapshot) {
        pendingSnapshot = true;
        this.options.onUpdate({ kind: 'snapshot', events: response.events, revision });
      } else if (response.caught_up) {
        pendingSnapshot = false;
        this.resumeRevision = revision;
        this.options.onUpdate({ kind: 'caughtUp', revision });
      } else if (response.progress) {
        if (!pendingSnapshot) this.resumeRevision = revision;
        this.options.onUpdate({ kind: 'progress', revision });
      } else {
        this.resumeRevision = revision;
        this.options.onUpdate({ kind: 'events', events: response.events, revision });
      }
    });
    call.on('error', (error: Error) => this.reconnect(error));
    call.on('end', () => this.reconnect(new Error('the server ended the watch')));
  }

  private reconnect(error: Error): void {
    if (this.stopped || this.timer !== undefined) return;
    this.drop();
    this.attempt += 1;
    this.options.onUpdate({ kind: 'reconnecting', revision: this.resumeRevision, error });
    const delay = this.options.backoffMs?.(this.attempt) ?? Math.min(2_000, 50 * 2 ** this.attempt);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.start();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.drop();
  }

  private drop(): void {
    const call = this.call;
    this.call = undefined;
    if (call === undefined) return;
    cancelQuietly(call);
  }
}
