/**
 * Lookup answers decoded in one pass, from bytes straight to the plain objects the SDK hands
 * out. proto-loader builds every instance twice (protobufjs's message, then its plain copy),
 * and that was most of a client's work on a lookup of a large service. The objects are the
 * ones proto-loader would build with PROTO_LOADER_OPTIONS (every field present with its
 * default, 64-bit integers as numbers, enums by name, `_weight` naming the set optional), so
 * the generated `__Output` types describe them. Field numbers are registry.proto's; a field
 * this decoder does not know, or of an unexpected wire type, is skipped.
 */
import type { HealthCheck__Output } from '../api/generated/types/roster/v1/HealthCheck.js';
import type { Instance__Output } from '../api/generated/types/roster/v1/Instance.js';
import type { LookupResponse__Output } from '../api/generated/types/roster/v1/LookupResponse.js';
import {
  ProtoDecodeError, ProtoReader, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT,
} from './proto-reader.js';

const SERVING_STATUS_NAMES = ['SERVING_STATUS_UNSPECIFIED', 'SERVING', 'DRAINING'] as const;
const HEALTH_STATE_NAMES =
  ['HEALTH_STATE_UNSPECIFIED', 'PASSING', 'WARNING', 'CRITICAL'] as const;

export function decodeLookupResponse(bytes: Uint8Array): LookupResponse__Output {
  const reader = new ProtoReader(bytes);
  const instances: Instance__Output[] = [];
  let revision = 0;
  while (reader.position < reader.length) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 && wireType === WIRE_LENGTH_DELIMITED) {
      instances.push(decodeInstance(reader, reader.delimitedEnd()));
    } else if (field === 2 && wireType === WIRE_VARINT) {
      revision = reader.uint64();
    } else {
      reader.skip(wireType);
    }
  }
  return { instances, revision };
}

/** An Instance whose bytes run from the reader's position to `end`. */
function decodeInstance(reader: ProtoReader, end: number): Instance__Output {
  const instance: Instance__Output = {
    namespace: '', service: '', id: '', address: '', port: 0, ports: {}, protocol: '',
    version: '', environment: '', region: '', zone: '', tags: [], metadata: {}, priority: 0,
    capacity: 0, health_check: null, lease_id: 0, status: 'SERVING_STATUS_UNSPECIFIED',
    health: 'HEALTH_STATE_UNSPECIFIED', create_revision: 0, mod_revision: 0, load: {},
  };
  while (reader.position < end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    if (wireType === WIRE_LENGTH_DELIMITED) readInstanceBytesField(reader, instance, tag >>> 3);
    else if (wireType === WIRE_VARINT) readInstanceVarintField(reader, instance, tag >>> 3);
    else reader.skip(wireType);
  }
  expectEnd(reader, end, 'Instance');
  return instance;
}

function readInstanceBytesField(reader: ProtoReader, instance: Instance__Output,
  field: number): void {
  switch (field) {
    case 1: instance.namespace = reader.string(); return;
    case 2: instance.service = reader.string(); return;
    case 3: instance.id = reader.string(); return;
    case 4: instance.address = reader.string(); return;
    case 6: readMapEntry(reader, instance.ports, UINT32_VALUE_TAG, readUint32, 0); return;
    case 7: instance.protocol = reader.string(); return;
    case 8: instance.version = reader.string(); return;
    case 9: instance.environment = reader.string(); return;
    case 10: instance.region = reader.string(); return;
    case 11: instance.zone = reader.string(); return;
    case 12: instance.tags.push(reader.string()); return;
    case 13: readMapEntry(reader, instance.metadata, STRING_VALUE_TAG, readString, ''); return;
    case 17: instance.health_check = decodeHealthCheck(reader, reader.delimitedEnd()); return;
    case 25: readMapEntry(reader, instance.load, DOUBLE_VALUE_TAG, readDouble, 0); return;
    default: reader.skip(WIRE_LENGTH_DELIMITED);
  }
}

function readInstanceVarintField(reader: ProtoReader, instance: Instance__Output,
  field: number): void {
  switch (field) {
    case 5: instance.port = reader.uint32(); return;
    case 14:
      instance.weight = reader.uint32();
      instance._weight = 'weight';
      return;
    case 15: instance.priority = reader.int32(); return;
    case 16: instance.capacity = reader.uint32(); return;
    case 20: instance.lease_id = reader.uint64(); return;
    case 21: instance.status = enumName(SERVING_STATUS_NAMES, reader.int32()); return;
    case 22: instance.health = enumName(HEALTH_STATE_NAMES, reader.int32()); return;
    case 23: instance.create_revision = reader.uint64(); return;
    case 24: instance.mod_revision = reader.uint64(); return;
    default: reader.skip(WIRE_VARINT);
  }
}

function decodeHealthCheck(reader: ProtoReader, end: number): HealthCheck__Output {
  const check: HealthCheck__Output = {
    kind: '', target: '', interval_ms: 0, timeout_ms: 0, failures_before_critical: 0,
    successes_before_passing: 0, grpc_service: '',
  };
  while (reader.position < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === WIRE_LENGTH_DELIMITED && field === 1) check.kind = reader.string();
    else if (wireType === WIRE_LENGTH_DELIMITED && field === 2) check.target = reader.string();
    else if (wireType === WIRE_LENGTH_DELIMITED && field === 7) {
      check.grpc_service = reader.string();
    } else if (wireType === WIRE_VARINT && field === 3) check.interval_ms = reader.uint32();
    else if (wireType === WIRE_VARINT && field === 4) check.timeout_ms = reader.uint32();
    else if (wireType === WIRE_VARINT && field === 5) {
      check.failures_before_critical = reader.uint32();
    } else if (wireType === WIRE_VARINT && field === 6) {
      check.successes_before_passing = reader.uint32();
    } else reader.skip(wireType);
  }
  expectEnd(reader, end, 'HealthCheck');
  return check;
}

const MAP_KEY_TAG = (1 << 3) | WIRE_LENGTH_DELIMITED;
const STRING_VALUE_TAG = (2 << 3) | WIRE_LENGTH_DELIMITED;
const UINT32_VALUE_TAG = (2 << 3) | WIRE_VARINT;
const DOUBLE_VALUE_TAG = (2 << 3) | WIRE_FIXED64;
const readString = (reader: ProtoReader): string => reader.string();
const readUint32 = (reader: ProtoReader): number => reader.uint32();
const readDouble = (reader: ProtoReader): number => reader.double();

/** One entry of a map field (a message of key = 1, value = 2), into `map`. */
function readMapEntry<Value>(reader: ProtoReader, map: Record<string, Value>, valueTag: number,
  readValue: (reader: ProtoReader) => Value, empty: Value): void {
  const end = reader.delimitedEnd();
  let key = '';
  let value = empty;
  while (reader.position < end) {
    const tag = reader.uint32();
    if (tag === MAP_KEY_TAG) key = reader.string();
    else if (tag === valueTag) value = readValue(reader);
    else reader.skip(tag & 7);
  }
  expectEnd(reader, end, 'a map entry');
  setEntry(map, key, value);
}

/** A map key is data: `__proto__` becomes an own property, not the object's prototype. */
function setEntry<Value>(map: Record<string, Value>, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key,
      { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
}

/** An enum's name; a number this build does not know (from a newer server) stays a number. */
function enumName<Name extends string>(names: readonly Name[], value: number): Name {
  return names[value] ?? (value as unknown as Name);
}

function expectEnd(reader: ProtoReader, end: number, what: string): void {
  if (reader.position !== end) throw new ProtoDecodeError(`${what} runs past its length`);
}
