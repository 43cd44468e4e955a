/**
 * Building stored instances. They are the bulk of a node's memory (one per registered
 * instance, 100,000s), so they are built field by field: every one then shares one hidden
 * class, where object spread gives each its own (~600 bytes apiece in V8), and empty maps and
 * lists share one frozen object.
 */
import type { InstanceSpec, StoredInstance } from './model.js';

const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});

/**
 * One copy of each of the few distinct namespace, service, zone... strings (each decoded
 * request or snapshot makes its own copy otherwise). Bounded: past the limit, strings are
 * kept as they come.
 */
const INTERNED_MAX = 10_000;
const interned = new Map<string, string>();

export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < INTERNED_MAX) interned.set(value, value);
  return value;
}
const EMPTY_LIST: readonly never[] = Object.freeze([]);

function shared<Value>(record: Readonly<Record<string, Value>>): Readonly<Record<string, Value>> {
  for (const _ in record) return record;
  return EMPTY_RECORD;
}

export type InstanceState = Pick<StoredInstance,
  'leaseId' | 'status' | 'health' | 'load' | 'createRevision' | 'modRevision'>;

/**
 * Builds a stored instance. `sibling` (another instance of the service, or the previous version
 * of this one) lends its tags, metadata and ports when they are equal: the replicas of one
 * deployment usually carry the same ones, and 100,000 copies of one list are megabytes.
 */
export function storedInstance(
  spec: InstanceSpec, state: InstanceState, sibling?: StoredInstance,
): StoredInstance {
  return instanceOf({
    namespace: intern(spec.namespace),
    service: intern(spec.service),
    ports: sibling !== undefined && sameRecord(sibling.ports, spec.ports) ?
      sibling.ports : shared(spec.ports),
    protocol: intern(spec.protocol),
    version: intern(spec.version),
    environment: intern(spec.environment),
    region: intern(spec.region),
    zone: intern(spec.zone),
    tags: sibling !== undefined && sameList(sibling.tags, spec.tags) ? sibling.tags :
      spec.tags.length === 0 ? EMPTY_LIST : spec.tags,
    metadata: sibling !== undefined && sameRecord(sibling.metadata, spec.metadata) ?
      sibling.metadata : shared(spec.metadata),
    weight: spec.weight,
    priority: spec.priority,
    capacity: spec.capacity,
  }, {
    id: spec.id,
    address: spec.address,
    port: spec.port,
    leaseId: state.leaseId,
    status: state.status,
    health: state.health,
    load: state.load,
    createRevision: state.createRevision,
    modRevision: state.modRevision,
  });
}

/** What is an instance's own, beside the fields it shares with the others of its profile. */
export type OwnFields = Pick<StoredInstance, 'id' | 'address' | 'port'> & InstanceState;

/** What the instances of one profile (a deployment's replicas) share. */
export type ProfileFields = Omit<StoredInstance, keyof OwnFields>;

/**
 * The one place an instance object is made: every instance has the same fields in the same
 * order, so one hidden class. `profile` is taken as it is (interned, lists shared): a
 * snapshot's profiles are built by storedInstance once each and lent to all their instances.
 */
export function instanceOf(profile: ProfileFields, own: OwnFields): StoredInstance {
  return {
    namespace: profile.namespace,
    service: profile.service,
    id: own.id,
    address: own.address,
    port: own.port,
    ports: profile.ports,
    protocol: profile.protocol,
    version: profile.version,
    environment: profile.environment,
    region: profile.region,
    zone: profile.zone,
    tags: profile.tags,
    metadata: profile.metadata,
    weight: profile.weight,
    priority: profile.priority,
    capacity: profile.capacity,
    leaseId: own.leaseId,
    status: own.status,
    health: own.health,
    load: shared(own.load),
    createRevision: own.createRevision,
    modRevision: own.modRevision,
  };
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same keys in the same order with the same values (specs are normalized: sorted keys). */
export function sameRecord<Value>(
  a: Readonly<Record<string, Value>>, b: Readonly<Record<string, Value>>,
): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key !== otherKeys[i] || a[key] !== b[key]) return false;
  }
  return true;
}

/** A copy of `instance` with some of its registry-maintained fields changed. */
export function withChanges(
  instance: StoredInstance, changes: Partial<InstanceState>,
): StoredInstance {
  return storedInstance(instance, {
    leaseId: changes.leaseId ?? instance.leaseId,
    status: changes.status ?? instance.status,
    health: changes.health ?? instance.health,
    load: changes.load ?? instance.load,
    createRevision: changes.createRevision ?? instance.createRevision,
    modRevision: changes.modRevision ?? instance.modRevision,
  });
}
