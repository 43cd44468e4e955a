import {
  INITIAL_REVISION, type RegistryEvent, type StoredInstance,
} from '../../registry/index.js';
import type { WatchDelivery, WatchFilter } from '../../watch/index.js';
import { InvariantViolation } from './safety.js';

/** The instances a lookup on the delivering node returns, if it is at `revision`. */
export type Lookup = (revision: number) => readonly StoredInstance[] | undefined;

/** One event in a form that compares by value. */
function canonical(event: RegistryEvent): string {
  return `${event.revision}|${event.type}|${event.reason}|${JSON.stringify(event.instance)}`;
}

function keyOf(instance: StoredInstance): string {
  return `${instance.namespace}/${instance.service}/${instance.id}`;
}

function matches(filter: WatchFilter, instance: StoredInstance): boolean {
  if (filter.namespace !== undefined && instance.namespace !== filter.namespace) return false;
  return filter.service === undefined || instance.service === filter.service;
}

/**
 * The events every revision produced, as first seen on any node; every other node must
 * produce exactly the same for that revision (a determinism check of the state machine).
 */
export class EventTruth {
  /** Revisions up to the initial one hold nothing. */
  private readonly byRevision = new Map<number, readonly RegistryEvent[]>(
    Array.from({ length: INITIAL_REVISION + 1 }, (_, revision) => [revision, []]));

  record(node: number, events: readonly RegistryEvent[]): void {
    const revision = events[0]?.revision;
    if (revision === undefined) return;
    const known = this.byRevision.get(revision);
    if (known === undefined) {
      this.byRevision.set(revision, events);
      return;
    }
    const same = known.length === events.length &&
      known.every((event, i) => canonical(event) === canonical(events[i] as RegistryEvent));
    if (!same) {
      throw new InvariantViolation('state machine safety',
        `node ${node} produced different events at revision ${revision}`);
    }
  }

  /** An applied command reached this revision (maybe with no events). */
  noteRevision(node: number, revision: number): void {
    if (!this.byRevision.has(revision)) this.byRevision.set(revision, []);
    else if (revision > 0 && this.byRevision.get(revision) === undefined) {
      throw new InvariantViolation('watch', `node ${node}: no record of revision ${revision}`);
    }
  }

  events(revision: number): readonly RegistryEvent[] | undefined {
    return this.byRevision.get(revision);
  }
}

/**
 * A client's watch, possibly resumed on several nodes in turn, checked against the truth:
 * deliveries strictly increase in revision; the events of each delivery are exactly the
 * truth's matching events since the previous delivery (no gap, no duplicate); and the state
 * rebuilt from deliveries (snapshots replace it) equals the truth's state at every event,
 * caught-up and progress revision.
 */
export class CheckedWatcher {
  readonly filter: WatchFilter;
  private readonly truth: EventTruth;
  readonly label: string;
  /** Everything up to here is reflected in `state`. */
  private revision: number;
  private state = new Map<string, StoredInstance>();
  private reference = new Map<string, StoredInstance>();
  private referenceRevision = 0;
  private snapshot: { revision: number; instances: Map<string, StoredInstance> } | undefined;
  private anchored: boolean;
  private lookup: Lookup | undefined;
  /** Deliveries also checked against a lookup at their revision. */
  lookupsCompared = 0;
  deliveries = 0;

  constructor(options: {
    filter: WatchFilter; startRevision: number; truth: EventTruth; label: string;
  }) {
    this.filter = options.filter;
    this.truth = options.truth;
    this.label = options.label;
    this.revision = options.startRevision;
    this.anchored = options.startRevision !== 0;
    // Live from a start revision: the watcher's own state begins as the truth's state there.
    this.advanceReference(options.startRevision);
    this.state = new Map(this.reference);
  }

  /**
   * "From now" (start 0) is anchored by the node's first delivery, a progress notice at its
   * revision: from there the watcher's state is the truth's.
   */
  private anchor(delivery: WatchDelivery<unknown>): void {
    this.anchored = true;
    if (delivery.kind !== 'progress') this.fail(`a watch from now began with ${delivery.kind}`);
    this.advanceReference(delivery.revision);
    this.state = new Map(this.reference);
    this.revision = delivery.revision;
    this.compare(delivery.revision, 'anchor');
  }

  /** Where a resumed stream must start: not in the middle of a snapshot. */
  get resumeRevision(): number {
    return this.revision;
  }

  /** The stream broke: a snapshot in progress is abandoned (the next node sends its own). */
  detach(): void {
    this.snapshot = undefined;
  }

  /**
   * One delivery. `lookup` reads the delivering node's registry (what a lookup there would
   * answer) when it is at the given revision: the rebuilt state must agree with it too.
   */
  receive(delivery: WatchDelivery<unknown>, lookup?: Lookup): void {
    this.deliveries += 1;
    this.lookup = lookup;
    if (!this.anchored) {
      this.anchor(delivery);
      return;
    }
    if (delivery.kind === 'snapshot') {
      if (this.snapshot === undefined || this.snapshot.revision !== delivery.revision) {
        this.snapshot = { revision: delivery.revision, instances: new Map() };
      }
      for (const event of delivery.events) {
        this.snapshot.instances.set(keyOf(event.instance), event.instance);
      }
      return;
    }
    this.finishSnapshot();
    if (delivery.kind === 'events') this.receiveEvents(delivery);
    else this.checkAt(delivery.revision, delivery.kind);
  }

  private finishSnapshot(): void {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return;
    this.snapshot = undefined;
    if (snapshot.revision < this.revision) {
      this.fail(`snapshot at revision ${snapshot.revision} after reaching ${this.revision}`);
    }
    this.state = snapshot.instances;
    this.revision = snapshot.revision;
    this.compare(snapshot.revision, 'snapshot');
  }

  private receiveEvents(delivery: WatchDelivery<unknown>): void {
    if (delivery.revision <= this.revision) {
      this.fail(`events at revision ${delivery.revision} after reaching ${this.revision}`);
    }
    const expected: string[] = [];
    for (let revision = this.revision + 1; revision <= delivery.revision; revision++) {
      const events = this.truth.events(revision);
      if (events === undefined) this.fail(`the truth lacks revision ${revision}`);
      for (const event of events ?? []) {
        if (matches(this.filter, event.instance)) expected.push(canonical(event));
      }
    }
    const got = delivery.events.map(canonical);
    if (got.length !== expected.length || got.some((event, i) => event !== expected[i])) {
      this.fail(`events up to revision ${delivery.revision}: got ${got.length} ` +
        `(${got.slice(0, 3).join('; ')}), expected ${expected.length} ` +
        `(${expected.slice(0, 3).join('; ')})`);
    }
    for (const event of delivery.events) {
      if (event.type === 'PUT') this.state.set(keyOf(event.instance), event.instance);
      else this.state.delete(keyOf(event.instance));
    }
    this.revision = delivery.revision;
    this.compare(delivery.revision, 'events');
  }

  private checkAt(revision: number, kind: string): void {
    if (revision < this.revision) {
      this.fail(`${kind} at revision ${revision} after reaching ${this.revision}`);
    }
    this.revision = revision;
    this.compare(revision, kind);
  }

  private compare(revision: number, kind: string): void {
    this.advanceReference(revision);
    const differs = this.state.size !== this.reference.size ||
      [...this.reference].some(([key, instance]) =>
        JSON.stringify(this.state.get(key)) !== JSON.stringify(instance));
    if (differs) {
      this.fail(`after ${kind} at revision ${revision} the watcher holds ${this.state.size} ` +
        `instances, the truth ${this.reference.size}`);
    }
    const lookedUp = this.lookup?.(revision);
    if (lookedUp === undefined) return;
    this.lookupsCompared += 1;
    const disagrees = lookedUp.length !== this.state.size || lookedUp.some((instance) =>
      JSON.stringify(this.state.get(keyOf(instance))) !== JSON.stringify(instance));
    if (disagrees) {
      this.fail(`after ${kind} at revision ${revision} the watcher holds ${this.state.size} ` +
        `instances, a lookup on its node ${lookedUp.length}`);
    }
  }

  private advanceReference(revision: number): void {
    for (let next = this.referenceRevision + 1; next <= revision; next++) {
      const events = this.truth.events(next);
      if (events === undefined) this.fail(`the truth lacks revision ${next}`);
      for (const event of events ?? []) {
        if (!matches(this.filter, event.instance)) continue;
        if (event.type === 'PUT') this.reference.set(keyOf(event.instance), event.instance);
        else this.reference.delete(keyOf(event.instance));
      }
      this.referenceRevision = next;
    }
  }

  private fail(detail: string): never {
    throw new InvariantViolation('watch', `${this.label}: ${detail}`);
  }
}
