/** The watch hub's seams: what a watcher asks for and what its sink is handed. */
import type { RegistryEvent } from '../registry/index.js';

/**
 * What a watcher follows. namespace undefined: every namespace (service must then be undefined
 * too); service undefined: the whole namespace.
 */
export interface WatchFilter {
  readonly namespace: string | undefined;
  readonly service: string | undefined;
}

export type WatchDeliveryKind = 'events' | 'snapshot' | 'caughtUp' | 'progress';

/**
 * What the hub hands to a sink: `parts` are the encoded events (each encoded once, shared by
 * every watcher that receives it) in revision order.
 *
 * A client rebuilds its view this way: a 'snapshot' delivery that follows anything but a
 * 'snapshot' of the same revision starts a new snapshot (replace the view); further 'snapshot'
 * deliveries of that revision add to it; 'events' apply; 'caughtUp' says the view is complete
 * at its revision; 'progress' says nothing matching happened up to its revision.
 */
export interface WatchDelivery<Encoded> {
  readonly kind: WatchDeliveryKind;
  readonly events: readonly RegistryEvent[];
  readonly parts: readonly Encoded[];
  /**
   * events: the highest revision included; snapshot: the revision the snapshot reflects;
   * caughtUp/progress: the hub's current revision.
   */
  readonly revision: number;
}

export interface WatchSink<Encoded> {
  /**
   * Accepts the delivery (always). Returns false when its buffer is over its high-water mark:
   * the hub stops writing live events to it until onDrain is called.
   */
  write(delivery: WatchDelivery<Encoded>): boolean;
}

const NO_EVENTS: readonly never[] = Object.freeze([]);

/** A delivery without events (caughtUp, progress); one object may go to many watchers. */
export function markerDelivery<Encoded>(
  kind: 'caughtUp' | 'progress', revision: number,
): WatchDelivery<Encoded> {
  return Object.freeze({ kind, events: NO_EVENTS, parts: NO_EVENTS, revision });
}

/** "Nothing matching happened up to this revision": for idle watchers, and a watch's start. */
export function progressNotice<Encoded>(revision: number): WatchDelivery<Encoded> {
  return markerDelivery('progress', revision);
}
