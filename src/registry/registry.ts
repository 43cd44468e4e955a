import { assert } from '../core/assert.js';
import { limits as defaultLimits, type Limits } from '../core/limits.js';
import { decodeCommand } from './commands.js';
import { applyMemberChange, type MemberChange } from './members.js';
import {
  formatKey, isHealthy,
  type Command, type CommandResult, type InstanceKey, type InstanceSpec, type LookupQuery,
  type Member, type RegistryEvent, type ServiceSummary, type StoredInstance,
} from './model.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { compare } from './validate.js';

/** The part of a log entry the registry reads (raft's Entry fits). */
export interface LogEntry {
  readonly index: number;
  readonly data: Uint8Array;
}

type Services = Map<string, Map<string, StoredInstance>>;

export type StateLimits = Pick<Limits, 'instancesMax' | 'servicesMax' | 'namespacesMax'>;

/**
 * The replicated state machine: namespaces -> services -> instances, one global revision
 * bumped by every mutation, and the members' addresses. Pure and deterministic: the same
 * commands in the same order give the same state and events on every replica. Events go to
 * `onEvents` once per command (the watch hub encodes them once for every watcher).
 */
export class Registry {
  private namespaces = new Map<string, Services>();
  private memberTable = new Map<number, Member>();
  private instanceCount = 0;
  private serviceCount = 0;
  private revisionValue = 0;
  private readonly limits: StateLimits;
  onEvents: ((events: readonly RegistryEvent[]) => void) | undefined = undefined;

  constructor(options: { limits?: StateLimits } = {}) {
    this.limits = options.limits ?? defaultLimits;
  }

  get revision(): number {
    return this.revisionValue;
  }

  get size(): number {
    return this.instanceCount;
  }

  // ---- StateMachine -----------------------------------------------------------------------

  apply(entry: LogEntry): CommandResult {
    return this.applyCommand(decodeCommand(entry.data));
  }

  applyConfChange(change: MemberChange): void {
    applyMemberChange(this.memberTable, change);
  }

  snapshot(): Uint8Array {
    const instances: StoredInstance[] = [];
    for (const services of this.namespaces.values()) {
      for (const byId of services.values()) instances.push(...byId.values());
    }
    return encodeSnapshot({
      revision: this.revisionValue,
      members: [...this.memberTable.values()],
      instances,
    });
  }

  restore(data: Uint8Array): void {
    this.namespaces = new Map();
    this.memberTable = new Map();
    this.instanceCount = 0;
    this.serviceCount = 0;
    this.revisionValue = 0;
    if (data.byteLength === 0) return;
    const state = decodeSnapshot(data);
    this.revisionValue = state.revision;
    for (const member of state.members) this.memberTable.set(member.id, member);
    for (const instance of state.instances) this.put(instance);
  }

  // ---- Commands ---------------------------------------------------------------------------

  applyCommand(command: Command): CommandResult {
    switch (command.op) {
      case 'register':
        return this.register(command.instance);
      case 'deregister':
        return this.deregister(command.key);
    }
  }

  private register(spec: InstanceSpec): CommandResult {
    const existing = this.get(spec);
    if (existing !== undefined && sameSpec(existing, spec)) {
      // Re-registering the same thing (a client reconnecting) changes nothing: no revision.
      const revision = this.revisionValue;
      return { op: 'register', ok: true, revision, created: false, instance: existing };
    }
    if (existing === undefined) {
      const detail = this.capacityProblem(spec);
      if (detail !== undefined) {
        return { op: 'register', ok: false, failure: { code: 'limit', detail } };
      }
    }
    const revision = this.revisionValue + 1;
    const instance: StoredInstance = {
      ...spec,
      leaseId: existing?.leaseId ?? 0,
      status: existing?.status ?? 'serving',
      health: existing?.health ?? 'passing',
      createRevision: existing?.createRevision ?? revision,
      modRevision: revision,
    };
    this.revisionValue = revision;
    this.put(instance);
    const reason = existing === undefined ? 'registered' : 'updated';
    this.emit([{ type: 'PUT', reason, revision, instance }]);
    return { op: 'register', ok: true, revision, created: existing === undefined, instance };
  }

  private deregister(key: InstanceKey): CommandResult {
    const existing = this.get(key);
    if (existing === undefined) {
      const detail = `no instance ${formatKey(key)}`;
      return { op: 'deregister', ok: false, failure: { code: 'not_found', detail } };
    }
    const revision = this.revisionValue + 1;
    this.revisionValue = revision;
    this.remove(key);
    const instance = { ...existing, modRevision: revision };
    this.emit([{ type: 'DELETE', reason: 'deregistered', revision, instance }]);
    return { op: 'deregister', ok: true, revision };
  }

  private capacityProblem(spec: InstanceSpec): string | undefined {
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
    if (!instances.has(instance.id)) this.instanceCount += 1;
    instances.set(instance.id, instance);
  }

  private remove(key: InstanceKey): void {
    const services = this.namespaces.get(key.namespace);
    const instances = services?.get(key.service);
    assert(services !== undefined && instances !== undefined && instances.delete(key.id),
      `removing missing instance ${formatKey(key)}`);
    this.instanceCount -= 1;
    // Empty services and namespaces disappear, so listings show what exists.
    if (instances.size === 0) {
      services.delete(key.service);
      this.serviceCount -= 1;
      if (services.size === 0) this.namespaces.delete(key.namespace);
    }
  }

  private emit(events: readonly RegistryEvent[]): void {
    this.onEvents?.(events);
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
  return sameList(stored.tags, spec.tags) &&
    JSON.stringify(stored.metadata) === JSON.stringify(spec.metadata) &&
    JSON.stringify(stored.ports) === JSON.stringify(spec.ports);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
