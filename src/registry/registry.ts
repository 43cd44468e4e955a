import { assert } from '../core/assert.js';
import { limits as defaultLimits, type Limits } from '../core/limits.js';
import { decodeCommands } from './commands.js';
import { applyMemberChange, type MemberChange } from './members.js';
import {
  formatKey, isHealthy,
  type Command, type CommandResult, type InstanceKey, type InstanceSpec, type Lease,
  type LeaseChange, type LeaseRequest, type LookupQuery, type Member, type RegistryEvent,
  type ServiceSummary, type ServingStatus, type StoredInstance,
} from './model.js';
import {
  decodeSnapshot, SnapshotWriter, type LeaseFields, type RegistryState, type SnapshotSource,
} from './snapshot.js';
import { addMember, memberList, removeMember, type LeaseMembers } from './lease-members.js';
import {
  sameList, sameRecord, storedInstance, withChanges,
} from './stored-instance.js';
import { compare } from './validate.js';
import { LEASE_BYTES, instanceBytes } from './state-size.js';

/** The part of a log entry the registry reads (raft's Entry fits). */
export interface LogEntry {
  readonly index: number;
  readonly data: Uint8Array;
}

type Services = Map<string, Map<string, StoredInstance>>;

interface LeaseRecord {
  readonly id: number;
  readonly ttlMs: number;
  remainingMs: number;
  /** The stored object of every instance bound to it. */
  instances: LeaseMembers<StoredInstance>;
}

export type StateLimits =
  Pick<Limits, 'instancesMax' | 'servicesMax' | 'namespacesMax' | 'leasesMax'>;

/**
 * An empty registry is at revision 1, as etcd's store is, so that a watch's start revision 0
 * can mean "from now" and a client anchored at the very beginning can still resume "after 1"
 * without missing the first change.
 */
export const INITIAL_REVISION = 1;

/**
 * What applying one command did: its result (for the proposer), the events watchers see, and
 * the leases granted or removed (for the leader's lessor). The owner routes each.
 */
export interface Applied {
  readonly result: CommandResult;
  readonly events: readonly RegistryEvent[];
  readonly leaseChanges: readonly LeaseChange[];
}

/** Where a command's events and lease changes are collected while it applies. */
interface Effects {
  events: RegistryEvent[];
  leaseChanges: LeaseChange[];
}

/**
 * The replicated state machine: namespaces -> services -> instances, leases, one global
 * revision bumped by every command that changes what clients see, and the members' addresses.
 * Pure and deterministic: the same commands in the same order give the same state and events
 * on every replica. apply() returns what happened as data (Applied); it calls nobody.
 */
export class Registry {
  private namespaces = new Map<string, Services>();
  private memberTable = new Map<number, Member>();
  private leaseTable = new Map<number, LeaseRecord>();
  private instanceCount = 0;
  private serviceCount = 0;
  private stateBytesValue = 0;
  private revisionValue = INITIAL_REVISION;
  private readonly limits: StateLimits;
  /** The last snapshot's size: the next one's buffer is allocated once, this plus an eighth. */
  private lastSnapshotBytes = 0;

  constructor(options: { limits?: Partial<StateLimits> } = {}) {
    this.limits = { ...defaultLimits, ...options.limits };
  }

  get revision(): number {
    return this.revisionValue;
  }

  get size(): number {
    return this.instanceCount;
  }

  /** The state's weight as the quota counts it (state-size.ts): the same on every replica. */
  get stateBytes(): number {
    return this.stateBytesValue;
  }

  // ---- StateMachine -----------------------------------------------------------------------

  /** Applies an entry's commands in order: what each did, in the same order. */
  apply(entry: LogEntry): Applied[] {
    return decodeCommands(entry.data).map((command) => this.applyCommand(command));
  }

  applyConfChange(change: MemberChange): void {
    applyMemberChange(this.memberTable, change);
  }

  snapshot(): Uint8Array {
    const progress = this.beginSnapshot();
    progress.step(Number.POSITIVE_INFINITY);
    return progress.finish();
  }

  /**
   * The state as of now, to be encoded in steps while commands go on being applied: the
   * instances as they are (a command replaces an instance, never changes it) and copies of
   * the leases' figures (a checkpoint changes those in place). Capturing 60,000 instances is a
   * few milliseconds; encoding them at once was 110-175.
   */
  beginSnapshot(): { step(budget: number): boolean; finish(): Uint8Array } {
    const writer = new SnapshotWriter(this.capture(),
      this.lastSnapshotBytes + (this.lastSnapshotBytes >> 3));
    return {
      step: (budget) => writer.step(budget),
      finish: () => {
        const data = writer.finish();
        this.lastSnapshotBytes = data.byteLength;
        return data;
      },
    };
  }

  /**
   * The state as of now, like beginSnapshot, for a reader that takes the encoded bytes as
   * they are written (a backup streamed to a client): no buffer the size of the whole state.
   */
  snapshotStream(): {
    readonly revision: number; step(budget: number): boolean; take(): Uint8Array;
  } {
    const writer = new SnapshotWriter(this.capture());
    return {
      revision: this.revisionValue,
      step: (budget) => writer.step(budget),
      take: () => writer.take(),
    };
  }

  private capture(): SnapshotSource {
    const instances: StoredInstance[] = [];
    // A loop, not push(...values): a spread of a million instances overflows the stack.
    for (const services of this.namespaces.values()) {
      for (const byId of services.values()) for (const instance of byId.values()) {
        instances.push(instance);
      }
    }
    const leases: LeaseFields[] = [];
    for (const lease of this.leaseTable.values()) {
      leases.push({ id: lease.id, ttlMs: lease.ttlMs, remainingMs: lease.remainingMs });
    }
    return { revision: this.revisionValue, members: [...this.memberTable.values()], leases,
      instances };
  }

  restore(data: Uint8Array): void {
    this.namespaces = new Map();
    this.memberTable = new Map();
    this.leaseTable = new Map();
    this.instanceCount = 0;
    this.serviceCount = 0;
    this.stateBytesValue = 0;
    this.revisionValue = INITIAL_REVISION;
    if (data.byteLength === 0) return;
    const state = decodeSnapshot(data);
    this.revisionValue = state.revision;
    for (const member of state.members) this.memberTable.set(member.id, member);
    // Index loops: a restore runs once, before the optimizing compiler has seen this code,
    // where destructuring 100,000s of tuples through the iterator protocol costs tens of ms.
    const leases = state.leases;
    for (let i = 0; i < leases.length; i++) {
      const lease = leases[i] as RegistryState['leases'][number];
      const id = lease[0];
      this.leaseTable.set(id, { id, ttlMs: lease[1], remainingMs: lease[2], instances: undefined });
    }
    this.stateBytesValue = this.leaseTable.size * LEASE_BYTES;
    const instances = state.instances;
    for (let i = 0; i < instances.length; i++) this.put(instances[i] as StoredInstance);
  }

  // ---- Commands ---------------------------------------------------------------------------

  applyCommand(command: Command): Applied {
    const effects: Effects = { events: [], leaseChanges: [] };
    const result = this.dispatch(command, effects);
    return { result, events: effects.events, leaseChanges: effects.leaseChanges };
  }

  private dispatch(command: Command, effects: Effects): CommandResult {
    switch (command.op) {
      case 'register':
        return this.register(command.instance, command.lease, effects);
      case 'deregister':
        return this.deregister(command.key, effects);
      case 'deregisterLease':
        return this.removeLeases([command.leaseId], 'deregisterLease', effects);
      case 'revoke':
        return this.removeLeases(command.leaseIds, 'revoke', effects);
      case 'checkpoint':
        return this.checkpoint(command.leases);
      case 'setStatus':
        return this.setStatus(command.leaseIds, command.status, effects);
      case 'setLoad':
        return this.setLoad(command.updates, effects);
    }
  }

  private register(
    spec: InstanceSpec, leaseRequest: LeaseRequest | undefined, effects: Effects,
  ): CommandResult {
    const existing = this.get(spec);
    const wantedLease = leaseRequest !== undefined && 'id' in leaseRequest ? leaseRequest.id : 0;
    if (wantedLease !== 0 && !this.leaseTable.has(wantedLease)) {
      const detail = `lease ${wantedLease} not found or expired: register with a TTL`;
      return { op: 'register', ok: false, failure: { code: 'not_found', detail } };
    }
    const grantsLease = leaseRequest !== undefined && 'ttlMs' in leaseRequest;
    const grantId = grantsLease ? leaseRequest.grantId : undefined;
    if (grantId !== undefined && this.leaseTable.has(grantId)) {
      const detail = `lease id ${grantId} is in use`;
      return { op: 'register', ok: false, failure: { code: 'conflict', detail } };
    }
    if (existing !== undefined && !grantsLease && existing.leaseId === wantedLease &&
      sameSpec(existing, spec)) {
      // Re-registering the same thing (a client reconnecting) changes nothing: no revision.
      const revision = this.revisionValue;
      return { op: 'register', ok: true, revision, created: false, instance: existing };
    }
    const detail = this.capacityProblem(spec, existing === undefined, grantsLease);
    if (detail !== undefined) {
      return { op: 'register', ok: false, failure: { code: 'limit', detail } };
    }
    const revision = this.revisionValue + 1;
    this.revisionValue = revision;
    const leaseId = grantsLease
      ? this.grantLease(grantId ?? this.freeLeaseIdFrom(revision), leaseRequest.ttlMs, effects)
      : wantedLease;
    const instance = storedInstance(spec, {
      leaseId,
      status: existing?.status ?? 'serving',
      health: existing?.health ?? 'passing',
      load: existing?.load ?? {},
      createRevision: existing?.createRevision ?? revision,
      modRevision: revision,
    }, existing ?? this.anyInstanceOf(spec));
    this.put(instance);
    const reason = existing === undefined ? 'registered' : 'updated';
    effects.events.push({ type: 'PUT', reason, revision, instance });
    return { op: 'register', ok: true, revision, created: existing === undefined, instance };
  }

  private grantLease(id: number, ttlMs: number, effects: Effects): number {
    assert(Number.isSafeInteger(id) && id > 0, `lease id ${id} is not a positive safe integer`);
    assert(!this.leaseTable.has(id), `lease ${id} exists`);
    this.leaseTable.set(id, { id, ttlMs, remainingMs: ttlMs, instances: undefined });
    this.stateBytesValue += LEASE_BYTES;
    effects.leaseChanges.push({ type: 'granted', id, ttlMs });
    return id;
  }

  /**
   * The id of a lease granted by a command that carries none (written before ids were drawn
   * by the proposer): its revision, or the next one free, the same on every replica.
   */
  private freeLeaseIdFrom(revision: number): number {
    let id = revision;
    while (this.leaseTable.has(id)) id += 1;
    return id;
  }

  private addToLease(instance: StoredInstance): void {
    const lease = this.leaseTable.get(instance.leaseId);
    if (lease !== undefined) lease.instances = addMember(lease.instances, instance);
  }

  private removeFromLease(instance: StoredInstance): void {
    const lease = this.leaseTable.get(instance.leaseId);
    if (lease !== undefined) lease.instances = removeMember(lease.instances, instance);
  }

  private deregister(key: InstanceKey, effects: Effects): CommandResult {
    const existing = this.get(key);
    if (existing === undefined) {
      const detail = `no instance ${formatKey(key)}`;
      return { op: 'deregister', ok: false, failure: { code: 'not_found', detail } };
    }
    const revision = this.revisionValue + 1;
    this.revisionValue = revision;
    this.remove(existing);
    const instance = withChanges(existing, { modRevision: revision });
    effects.events.push({ type: 'DELETE', reason: 'deregistered', revision, instance });
    return { op: 'deregister', ok: true, revision, count: 1 };
  }

  /**
   * Removes leases and every instance bound to them, at one revision: a client's deregistration
   * by lease, or the lessor's batched expiry (DELETE with reason 'expired').
   */
  private removeLeases(
    ids: readonly number[], op: 'deregisterLease' | 'revoke', effects: Effects,
  ): CommandResult {
    const leases = ids.map((id) => this.leaseTable.get(id)).filter((lease) => lease !== undefined);
    if (leases.length === 0) {
      if (op === 'revoke') return { op, ok: true, revision: this.revisionValue, count: 0 };
      const detail = `lease ${ids.join(',')} not found`;
      return { op, ok: false, failure: { code: 'not_found', detail } };
    }
    const revision = this.revisionValue + 1;
    this.revisionValue = revision;
    const reason = op === 'revoke' ? 'expired' : 'deregistered';
    const events = effects.events;
    for (const lease of leases) {
      for (const instance of sortedMembers(lease.instances)) {
        assert(this.get(instance) === instance,
          `lease ${lease.id} holds a stale instance ${formatKey(instance)}`);
        this.remove(instance);
        const removed = withChanges(instance, { modRevision: revision });
        events.push({ type: 'DELETE', reason, revision, instance: removed });
      }
      this.leaseTable.delete(lease.id);
      this.stateBytesValue -= LEASE_BYTES;
      effects.leaseChanges.push({ type: 'removed', id: lease.id });
    }
    return { op, ok: true, revision, count: events.length };
  }

  /** Records remaining TTLs; changes nothing clients see (no revision, no event). */
  private checkpoint(pairs: readonly (readonly [number, number])[]): CommandResult {
    for (const [id, remainingMs] of pairs) {
      const lease = this.leaseTable.get(id);
      if (lease !== undefined) lease.remainingMs = Math.max(0, Math.min(lease.ttlMs, remainingMs));
    }
    return { op: 'checkpoint', ok: true, revision: this.revisionValue };
  }

  private setStatus(
    ids: readonly number[], status: ServingStatus, effects: Effects,
  ): CommandResult {
    return this.updateLeaseInstances('setStatus', ids.map((id) => [id, (instance) =>
      (instance.status === status ? undefined : withChanges(instance, { status }))]), effects);
  }

  private setLoad(
    updates: readonly (readonly [number, Readonly<Record<string, number>>])[],
    effects: Effects,
  ): CommandResult {
    return this.updateLeaseInstances('setLoad', updates.map(([id, load]) => [id, (instance) =>
      (sameLoad(instance.load, load) ? undefined : withChanges(instance, { load: { ...load } }))]),
    effects);
  }

  /** Applies `change` to every instance of each lease; one revision if anything changed. */
  private updateLeaseInstances(
    op: 'setStatus' | 'setLoad',
    changes: readonly [number, (instance: StoredInstance) => StoredInstance | undefined][],
    effects: Effects,
  ): CommandResult {
    const updated: StoredInstance[] = [];
    for (const [id, change] of changes) {
      for (const instance of sortedMembers(this.leaseTable.get(id)?.instances)) {
        const next = change(instance);
        if (next !== undefined) updated.push(next);
      }
    }
    if (updated.length === 0) return { op, ok: true, revision: this.revisionValue, count: 0 };
    const revision = this.revisionValue + 1;
    this.revisionValue = revision;
    for (const instance of updated) {
      const stored = withChanges(instance, { modRevision: revision });
      this.put(stored);
      effects.events.push({ type: 'PUT', reason: 'updated', revision, instance: stored });
    }
    return { op, ok: true, revision, count: updated.length };
  }

  private capacityProblem(
    spec: InstanceSpec,
    isNew: boolean,
    grantsLease: boolean,
  ): string | undefined {
    if (grantsLease && this.leaseTable.size >= this.limits.leasesMax) {
      return `at most ${this.limits.leasesMax} leases`;
    }
    if (!isNew) return undefined;
    const services = this.namespaces.get(spec.namespace);
    if (services === undefined && this.namespaces.size >= this.limits.namespacesMax) {
      return `at most ${this.limits.namespacesMax} namespaces`;
    }
    if (services?.has(spec.service) !== true && this.serviceCount >= this.limits.servicesMax) {
      return `at most ${this.limits.servicesMax} services`;
    }
    if (this.instanceCount >= this.limits.instancesMax) {
      return `at most ${this.limits.instancesMax} instances`;
    }
    return undefined;
  }

  private put(instance: StoredInstance): void {
    let services = this.namespaces.get(instance.namespace);
    if (services === undefined) {
      services = new Map();
      this.namespaces.set(instance.namespace, services);
    }
    let instances = services.get(instance.service);
    if (instances === undefined) {
      instances = new Map();
      services.set(instance.service, instances);
      this.serviceCount += 1;
    }
    const previous = instances.get(instance.id);
    if (previous === undefined) {
      this.instanceCount += 1;
    } else {
      this.stateBytesValue -= instanceBytes(previous);
      if (previous.leaseId !== 0) this.removeFromLease(previous);
    }
    this.stateBytesValue += instanceBytes(instance);
    instances.set(instance.id, instance);
    if (instance.leaseId !== 0) this.addToLease(instance);
  }

  private remove(instance: StoredInstance): void {
    const services = this.namespaces.get(instance.namespace);
    const instances = services?.get(instance.service);
    assert(services !== undefined && instances !== undefined && instances.delete(instance.id),
      `removing missing instance ${formatKey(instance)}`);
    this.instanceCount -= 1;
    this.stateBytesValue -= instanceBytes(instance);
    if (instance.leaseId !== 0) this.removeFromLease(instance);
    // Empty services and namespaces disappear, so listings show what exists.
    if (instances.size === 0) {
      services.delete(instance.service);
      this.serviceCount -= 1;
      if (services.size === 0) this.namespaces.delete(instance.namespace);
    }
  }

  private anyInstanceOf(key: { namespace: string; service: string }): StoredInstance | undefined {
    return this.namespaces.get(key.namespace)?.get(key.service)?.values().next().value;
  }

  // ---- Queries ----------------------------------------------------------------------------

  get(key: InstanceKey): StoredInstance | undefined {
    return this.namespaces.get(key.namespace)?.get(key.service)?.get(key.id);
  }

  /** Matching instances, sorted by id. */
  lookup(query: LookupQuery): StoredInstance[] {
    const instances = this.namespaces.get(query.namespace)?.get(query.service);
    if (instances === undefined) return [];
    const matches: StoredInstance[] = [];
    for (const instance of instances.values()) {
      if (matchesQuery(instance, query)) matches.push(instance);
    }
    return matches.sort((a, b) => compare(a.id, b.id));
  }

  /** Every instance of a namespace (or all), for watch snapshots; sorted by service then id. */
  instances(
    filter: { namespace: string | undefined; service: string | undefined },
  ): StoredInstance[] {
    const result: StoredInstance[] = [];
    const namespaces = filter.namespace === undefined ?
      [...this.namespaces.keys()] : [filter.namespace];
    for (const namespace of namespaces.sort(compare)) {
      const services = this.namespaces.get(namespace);
      if (services === undefined) continue;
      const names = filter.service === undefined ?
        [...services.keys()].sort(compare) : [filter.service];
      for (const name of names) {
        const byId = services.get(name);
        if (byId !== undefined) {
          result.push(...[...byId.values()].sort((a, b) => compare(a.id, b.id)));
        }
      }
    }
    return result;
  }

  /** Every service of a namespace with its instance and healthy counts, sorted by name. */
  listServices(namespace: string): ServiceSummary[] {
    const services = this.namespaces.get(namespace);
    if (services === undefined) return [];
    const summaries: ServiceSummary[] = [];
    for (const [name, instances] of services) {
      let healthy = 0;
      for (const instance of instances.values()) if (isHealthy(instance)) healthy += 1;
      summaries.push({ name, instances: instances.size, healthy });
    }
    return summaries.sort((a, b) => compare(a.name, b.name));
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()].sort(compare);
  }

  lease(id: number): Lease | undefined {
    const lease = this.leaseTable.get(id);
    return lease === undefined ? undefined :
      { id: lease.id, ttlMs: lease.ttlMs, remainingMs: lease.remainingMs };
  }

  /** Every lease, for a new leader's lessor. */
  leases(): Lease[] {
    return [...this.leaseTable.values()]
      .map(({ id, ttlMs, remainingMs }) => ({ id, ttlMs, remainingMs }));
  }

  /** The instances bound to a lease. */
  leaseInstances(id: number): StoredInstance[] {
    return sortedMembers(this.leaseTable.get(id)?.instances);
  }

  members(): Member[] {
    return [...this.memberTable.values()].sort((a, b) => a.id - b.id);
  }

  member(id: number): Member | undefined {
    return this.memberTable.get(id);
  }

  /** Seeds the member table of a founding cluster (the bootstrap snapshot carries it). */
  setMembers(members: readonly Member[]): void {
    this.memberTable = new Map(members.map((member) => [member.id, member]));
  }
}

/** A lease's instances in formatKey() order: the same order, hence events, on every replica. */
function sortedMembers(members: LeaseMembers<StoredInstance>): StoredInstance[] {
  const list = memberList(members);
  if (list.length < 2) return list;
  return list.map((instance) => [formatKey(instance), instance] as const)
    .sort(([a], [b]) => compare(a, b)).map(([, instance]) => instance);
}

function matchesQuery(instance: StoredInstance, query: LookupQuery): boolean {
  if (!query.includeUnhealthy && !isHealthy(instance)) return false;
  if (query.version !== '' && instance.version !== query.version) return false;
  if (query.zone !== '' && instance.zone !== query.zone) return false;
  if (query.region !== '' && instance.region !== query.region) return false;
  if (query.environment !== '' && instance.environment !== query.environment) return false;
  for (const tag of query.tags) if (!instance.tags.includes(tag)) return false;
  return true;
}

const SPEC_FIELDS = [
  'address', 'port', 'protocol', 'version', 'environment', 'region', 'zone', 'weight',
  'priority', 'capacity',
] as const;

/** Whether a registration would change nothing (specs are normalized: sorted tags and keys). */
function sameSpec(stored: StoredInstance, spec: InstanceSpec): boolean {
  for (const field of SPEC_FIELDS) if (stored[field] !== spec[field]) return false;
  return sameList(stored.tags, spec.tags) && sameRecord(stored.metadata, spec.metadata) &&
    sameRecord(stored.ports, spec.ports);
}

function sameLoad(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

