/**
 * Test doubles for the watch hub: hand-built registry events, a reference registry that keeps
 * its state at every revision, and sinks that record deliveries and can be made "full".
 */
import { expect } from 'vitest';
import type { EventReason, RegistryEvent, StoredInstance } from '../../src/registry/index.js';
import {
  WatchHub,
  type WatchDelivery, type WatchFilter, type WatchHubOptions, type WatchSink,
} from '../../src/watch/index.js';

/** An encoding with identity, so tests can tell a shared encoding from a re-encoding. */
export interface Encoded {
  readonly text: string;
}

export interface Key {
  readonly namespace: string;
  readonly service: string;
  readonly id: string;
}

export function keyString(key: Key): string {
  return `${key.namespace}/${key.service}/${key.id}`;
}

export function storedInstance(
  key: Key, revisions: { createRevision: number; modRevision: number },
): StoredInstance {
  return {
    ...key,
    address: '10.0.0.1', port: 8080, ports: {}, protocol: 'http', version: '1.0.0',
    environment: 'prod', region: 'eu', zone: 'eu-1', tags: [], metadata: {}, weight: 100,
    priority: 0, capacity: 0, leaseId: 0, status: 'serving', health: 'passing', load: {},
    ...revisions,
  };
}

export function matches(filter: WatchFilter, instance: StoredInstance): boolean {
  if (filter.namespace === undefined) return true;
  if (filter.namespace !== instance.namespace) return false;
  return filter.service === undefined || filter.service === instance.service;
}

export type State = ReadonlyMap<string, StoredInstance>;

export function filtered(state: State, filter: WatchFilter): Map<string, StoredInstance> {
  return new Map([...state].filter(([, instance]) => matches(filter, instance)));
}

/** A change to apply: PUT (register or update) or DELETE of one instance. */
export interface Change extends Key {
  readonly delete?: boolean;
}

/**
 * The reference registry: applies changes as one command (one revision) and remembers its
 * state at every revision, so a watcher's view can be compared at any delivery's revision.
 */
export class ReferenceRegistry {
  private readonly current = new Map<string, StoredInstance>();
  private readonly states = new Map<number, State>();
  revision: number;

  constructor(initialRevision = 0) {
    this.revision = initialRevision;
    this.states.set(initialRevision, new Map());
  }

  get state(): State {
    return this.current;
  }

  /** The events of one command at the next revision (a DELETE of an absent key is skipped). */
  command(changes: readonly Change[]): RegistryEvent[] {
    const revision = this.revision + 1;
    const events: RegistryEvent[] = [];
    for (const change of changes) {
      const event = this.change(change, revision);
      if (event !== undefined) events.push(event);
    }
    if (events.length > 0) this.commit(revision);
    return events;
  }

  /** A restored snapshot: the state jumps to `revision` with these changes, and no events. */
  restore(revision: number, changes: readonly Change[]): void {
    for (const change of changes) this.change(change, revision);
    this.commit(revision);
  }

  /** The state at `revision` (the latest recorded at or below it). */
  stateAt(revision: number): State {
    for (let candidate = revision; candidate >= 0; candidate -= 1) {
      const state = this.states.get(candidate);
      if (state !== undefined) return state;
    }
    return new Map();
  }

  matching(filter: WatchFilter): StoredInstance[] {
    return [...this.current.values()].filter((instance) => matches(filter, instance));
  }

  private change(change: Change, revision: number): RegistryEvent | undefined {
    const key = keyString(change);
    const existing = this.current.get(key);
    if (change.delete === true) {
      if (existing === undefined) return undefined;
      this.current.delete(key);
      const instance = { ...existing, modRevision: revision };
      return { type: 'DELETE', reason: 'deregistered', revision, instance };
    }
    const createRevision = existing?.createRevision ?? revision;
    const instance = storedInstance(change, { createRevision, modRevision: revision });
    this.current.set(key, instance);
    const reason: EventReason = existing === undefined ? 'registered' : 'updated';
    return { type: 'PUT', reason, revision, instance };
  }

  private commit(revision: number): void {
    this.revision = revision;
    // A copy: the current map goes on changing with the next command.
    this.states.set(revision, new Map(this.current));
  }
}

/** Records every delivery; `full` makes write() report a buffer over its high-water mark. */
export class RecordingSink implements WatchSink<Encoded> {
  readonly deliveries: WatchDelivery<Encoded>[] = [];
  full = false;
  /** Writes received after a write returned false and before the test called onDrain. */
  writesWhileBlocked = 0;
  private awaitingDrain = false;

  write(delivery: WatchDelivery<Encoded>): boolean {
    if (this.awaitingDrain) this.writesWhileBlocked += 1;
    this.deliveries.push(delivery);
    if (this.full) this.awaitingDrain = true;
    return !this.full;
  }

  /** The buffer emptied: the caller then tells the hub (onDrain). */
  drained(): void {
    this.full = false;
    this.awaitingDrain = false;
  }

  kinds(): string[] {
    return this.deliveries.map((delivery) => delivery.kind);
  }

  /** "PUT web/a@3"-style lines of every event delivered, in order. */
  eventLines(): string[] {
    return this.deliveries.flatMap((delivery) => delivery.events.map(eventLine));
  }

  take(): WatchDelivery<Encoded>[] {
    return this.deliveries.splice(0, this.deliveries.length);
  }
}

export function eventLine(event: RegistryEvent): string {
  const { namespace, service, id } = event.instance;
  return `${event.type} ${namespace}/${service}/${id}@${event.revision}`;
}

export const ALL: WatchFilter = { namespace: undefined, service: undefined };

export function serviceFilter(service: string, namespace = 'default'): WatchFilter {
  return { namespace, service };
}

export function namespaceFilter(namespace: string): WatchFilter {
  return { namespace, service: undefined };
}

export type HubOverrides = Partial<
  Omit<WatchHubOptions<Encoded>, 'encode' | 'eventBytes' | 'currentState'>
>;

/** A hub over a reference registry, with encode calls counted per event object. */
export class Harness {
  readonly registry: ReferenceRegistry;
  readonly hub: WatchHub<Encoded>;
  /** How many times each event object was encoded, and what it was encoded to. */
  readonly encodeCounts = new Map<RegistryEvent, number>();
  readonly encodings = new Map<RegistryEvent, Encoded>();
  encodeCalls = 0;
  currentStateCalls = 0;

  constructor(overrides: HubOverrides = {}, initialRevision = 0) {
    this.registry = new ReferenceRegistry(initialRevision);
    this.hub = new WatchHub<Encoded>({
      encode: (event) => this.encode(event),
      eventBytes: (event) => `${eventLine(event)} ${event.reason}`.length,
      currentState: (filter) => {
        this.currentStateCalls += 1;
        return this.registry.matching(filter);
      },
      ...overrides,
    }, initialRevision);
  }

  /** One command: applied to the reference, then published, as the state machine does. */
  commit(...changes: Change[]): RegistryEvent[] {
    const events = this.registry.command(changes);
    expect(events.length).toBeGreaterThan(0);
    this.hub.publish(events);
    return events;
  }

  /** `count` commands, each registering one instance of `service`. */
  commitMany(count: number, service = 'web', namespace = 'default'): void {
    for (let index = 0; index < count; index += 1) {
      this.commit({ namespace, service, id: `i${this.registry.revision + 1}` });
    }
  }

  watch(
    filter: WatchFilter, startRevision: number, nowMs = 0,
  ): { id: number; sink: RecordingSink } {
    const sink = new RecordingSink();
    const id = this.hub.watch(filter, startRevision, sink, nowMs);
    return { id, sink };
  }

  private encode(event: RegistryEvent): Encoded {
    this.encodeCalls += 1;
    this.encodeCounts.set(event, (this.encodeCounts.get(event) ?? 0) + 1);
    const encoded = { text: `${eventLine(event)} ${event.reason}` };
    this.encodings.set(event, encoded);
    return encoded;
  }
}

/** A put of default/<service>/<id>. */
export function reg(service: string, id: string, namespace = 'default'): Change {
  return { namespace, service, id };
}

export function dereg(service: string, id: string, namespace = 'default'): Change {
  return { namespace, service, id, delete: true };
}
