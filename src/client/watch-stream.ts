import * as grpc from '@grpc/grpc-js';
import { ERROR_CODE_KEY } from '../core/errors.js';
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
  | { readonly kind: 'reconnecting'; readonly revision: number; readonly error: Error }
  /** The server refused the watch for good (e.g. an invalid service name): nothing follows. */
  | { readonly kind: 'failed'; readonly revision: number; readonly error: grpc.ServiceError };

/** What a watch needs from the stream that carries it (WatchMux). */
export interface WatchCarrier {
  /** Starts carrying the watch: it is created on the current stream (or the next one). */
  add(watch: WatchStream): void;
  /** Cancels the watch; nothing more is delivered to it. */
  remove(watch: WatchStream): void;
}

export interface WatchStreamOptions {
  readonly request: Omit<WatchRequest, 'start_revision'>;
  readonly startRevision: number;
  readonly onUpdate: (update: WatchUpdate) => void;
}

/**
 * One watch that survives node failures: it remembers the last revision it received in full
 * (events, caught-up and progress notices; not half a snapshot), and when its stream breaks it
 * is created again, on another node, from that revision. Events after it arrive once; if the
 * new node's history no longer reaches back that far, it sends a snapshot instead (never a
 * gap). Many watches share one stream (WatchMux); this class is only the watch's own state.
 */
export class WatchStream {
  private readonly options: WatchStreamOptions;
  private readonly carrier: WatchCarrier;
  private resumeRevision: number;
  private pendingSnapshot = false;
  private stopped = false;

  constructor(options: WatchStreamOptions, carrier: WatchCarrier) {
    this.options = options;
    this.carrier = carrier;
    this.resumeRevision = options.startRevision;
  }

  /** The revision a resumed stream would start after. */
  get revision(): number {
    return this.resumeRevision;
  }

  start(): void {
    if (!this.stopped) this.carrier.add(this);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.carrier.remove(this);
  }

  /** The request that creates (or re-creates) this watch where it left off. */
  createRequest(): WatchRequest {
    return { ...this.options.request, start_revision: this.resumeRevision };
  }

  /** A response for this watch (never a `canceled` one: the carrier handles those). */
  receive(response: WatchResponse__Output): void {
    if (this.stopped) return;
    const revision = response.revision;
    if (response.snapshot) {
      this.pendingSnapshot = true;
      this.options.onUpdate({ kind: 'snapshot', events: response.events, revision });
    } else if (response.caught_up) {
      this.pendingSnapshot = false;
      this.resumeRevision = revision;
      this.options.onUpdate({ kind: 'caughtUp', revision });
    } else if (response.progress) {
      if (!this.pendingSnapshot) this.resumeRevision = revision;
      this.options.onUpdate({ kind: 'progress', revision });
    } else {
      this.resumeRevision = revision;
      this.options.onUpdate({ kind: 'events', events: response.events, revision });
    }
  }

  /** Its stream broke, or the server refused it for now: it will be created again. */
  interrupted(error: Error): void {
    if (this.stopped) return;
    // A snapshot cut short is sent again whole: the next 'snapshot' starts it over.
    this.pendingSnapshot = false;
    this.options.onUpdate({ kind: 'reconnecting', revision: this.resumeRevision, error });
  }

  /** The server refused it for good. */
  failed(error: grpc.ServiceError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.onUpdate({ kind: 'failed', revision: this.resumeRevision, error });
  }
}

/** A watch's refusal as the ServiceError a unary call would have failed with. */
export function refusalError(response: WatchResponse__Output): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (response.error_code !== '') metadata.set(ERROR_CODE_KEY, response.error_code);
  const code = response.error_status as grpc.status;
  return Object.assign(new Error(`${code} ${grpc.status[code] ?? ''}: ${response.error_message}`), {
    code, details: response.error_message, metadata,
  });
}
