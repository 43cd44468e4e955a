import { assert } from '../core/assert.js';
import type { Member, StoredInstance } from './model.js';
import { storedInstance } from './stored-instance.js';

/** The registry's whole state, as a snapshot carries it. */
export interface RegistryState {
  readonly revision: number;
  readonly members: readonly Member[];
  /** [id, ttlMs, remainingMs]; which instances a lease holds is on the instances. */
  readonly leases: readonly (readonly [number, number, number])[];
  readonly instances: readonly StoredInstance[];
}

/**
 * Format 2 writes each instance as an array of its fields in this order, not as an object:
 * the field names were half of a snapshot's bytes, and a snapshot of 100,000 instances is
 * encoded, stored, sent and parsed whole. Format 1 (objects) is still read.
 */
const FORMAT_OBJECTS = 1;
const FORMAT_TUPLES = 2;

type InstanceTuple = [
  namespace: string, service: string, id: string, address: string, port: number,
  ports: StoredInstance['ports'], protocol: string, version: string, environment: string,
  region: string, zone: string, tags: StoredInstance['tags'], metadata: StoredInstance['metadata'],
  weight: number, priority: number, capacity: number, leaseId: number,
  status: StoredInstance['status'], health: StoredInstance['health'], load: StoredInstance['load'],
  createRevision: number, modRevision: number,
];
const TUPLE_LENGTH = 22;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSnapshot(state: RegistryState): Uint8Array {
  const tuples = state.instances.map(toTuple);
  const json = encoder.encode(JSON.stringify({ ...state, instances: tuples }));
  const bytes = new Uint8Array(json.byteLength + 1);
  bytes[0] = FORMAT_TUPLES;
  bytes.set(json, 1);
  return bytes;
}

export function decodeSnapshot(data: Uint8Array): RegistryState {
  const format = data[0];
  assert(data.byteLength > 1 && (format === FORMAT_OBJECTS || format === FORMAT_TUPLES),
    `unknown snapshot format ${String(format)}`);
  const state = JSON.parse(decoder.decode(data.subarray(1))) as RegistryState;
  assert(Number.isSafeInteger(state.revision) && Array.isArray(state.instances) &&
    Array.isArray(state.members), 'snapshot is not a registry state');
  const instances = format === FORMAT_TUPLES
    ? (state.instances as unknown as InstanceTuple[]).map(fromTuple)
    : state.instances.map(fromObject);
  return { ...state, leases: state.leases ?? [], instances };
}

function toTuple(i: StoredInstance): InstanceTuple {
  return [i.namespace, i.service, i.id, i.address, i.port, i.ports, i.protocol, i.version,
    i.environment, i.region, i.zone, i.tags, i.metadata, i.weight, i.priority, i.capacity,
    i.leaseId, i.status, i.health, i.load, i.createRevision, i.modRevision];
}

function fromTuple(tuple: InstanceTuple): StoredInstance {
  assert(Array.isArray(tuple) && tuple.length === TUPLE_LENGTH, 'snapshot instance is malformed');
  const [namespace, service, id, address, port, ports, protocol, version, environment, region,
    zone, tags, metadata, weight, priority, capacity, leaseId, status, health, load,
    createRevision, modRevision] = tuple;
  return storedInstance({
    namespace, service, id, address, port, ports, protocol, version, environment, region, zone,
    tags, metadata, weight, priority, capacity,
  }, { leaseId, status, health, load, createRevision, modRevision });
}

/** Format 1; instances saved before load figures existed have none. */
function fromObject(instance: StoredInstance): StoredInstance {
  return storedInstance(instance, {
    ...instance, load: (instance as { load?: StoredInstance['load'] }).load ?? {},
  });
}
