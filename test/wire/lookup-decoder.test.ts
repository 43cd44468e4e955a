import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../src/api/generated/types/roster/v1/Instance.js';
import type {
  LookupResponse, LookupResponse__Output,
} from '../../src/api/generated/types/roster/v1/LookupResponse.js';
import { decodeLookupResponse } from '../../src/wire/lookup-decoder.js';
import { ProtoDecodeError } from '../../src/wire/proto-reader.js';
import { loadApiProtos, PROTO_LOADER_OPTIONS, protoDirectory } from '../../src/wire/index.js';

/** proto-loader's own codec for LookupResponse: the reference the hand decoder must match. */
const reference = (() => {
  const definition = protoLoader.loadSync('roster/v1/registry.proto',
    { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDirectory()] });
  const service = definition['roster.v1.Registry'] as protoLoader.ServiceDefinition;
  const lookup = service['Lookup'] as protoLoader.MethodDefinition<object, object>;
  return {
    encode: (response: LookupResponse): Buffer => lookup.responseSerialize(response),
    decode: (bytes: Buffer): LookupResponse__Output =>
      lookup.responseDeserialize(bytes) as LookupResponse__Output,
  };
})();

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ minLength: 20, maxLength: 80 }));
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const uint64 = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const mapOf = <Value>(value: fc.Arbitrary<Value>): fc.Arbitrary<Record<string, Value>> =>
  fc.dictionary(text, value, { maxKeys: 4 });
const healthCheck = fc.record({
  kind: text, target: text, interval_ms: uint32, timeout_ms: uint32,
  failures_before_critical: uint32, successes_before_passing: uint32, grpc_service: text,
}, { requiredKeys: [] });

const instance: fc.Arbitrary<Instance> = fc.record({
  namespace: text, service: text, id: text, address: text, port: uint32,
  ports: mapOf(uint32), protocol: text, version: text, environment: text, region: text,
  zone: text, tags: fc.array(text, { maxLength: 5 }), metadata: mapOf(text),
  weight: uint32, priority: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  capacity: uint32, health_check: healthCheck, lease_id: uint64,
  status: fc.constantFrom('SERVING_STATUS_UNSPECIFIED', 'SERVING', 'DRAINING'),
  health: fc.constantFrom('HEALTH_STATE_UNSPECIFIED', 'PASSING', 'WARNING', 'CRITICAL'),
  create_revision: uint64, mod_revision: uint64,
  load: mapOf(fc.oneof(fc.double(), fc.constant(0.5))),
}, { requiredKeys: [] });

const lookupResponse = fc.record({
  instances: fc.array(instance, { maxLength: 6 }), revision: uint64,
}, { requiredKeys: [] });

describe('decodeLookupResponse', () => {
  it('builds the objects proto-loader builds, for any answer', () => {
    fc.assert(fc.property(lookupResponse, (response) => {
      const bytes = reference.encode(response);
      expect(decodeLookupResponse(bytes)).toStrictEqual(reference.decode(bytes));
    }), { numRuns: 400 });
  });

  it('keeps a `__proto__` map key as data', () => {
    const bytes = reference.encode({
      instances: [{ id: 'a', metadata: { ['__proto__']: 'x', team: 'core' } }],
    });
    const decoded = decodeLookupResponse(bytes).instances[0];
    expect(Object.getPrototypeOf(decoded?.metadata)).toBe(Object.prototype);
    expect(Object.entries(decoded?.metadata ?? {})).toEqual([['__proto__', 'x'], ['team', 'core']]);
  });

  it('skips fields it does not know, of every wire type, at every level', () => {
    const known = reference.encode({ instances: [{ id: 'a', port: 80 }], revision: 7 });
    const unknownFields = Buffer.from([
      ...varint((90 << 3) | 0), ...varint(150),
      ...varint((31 << 3) | 1), 1, 2, 3, 4, 5, 6, 7, 8,
      ...varint((30 << 3) | 5), 1, 2, 3, 4,
      ...varint((29 << 3) | 2), 2, 0x41, 0x42,
    ]);
    const instanceBytes = Buffer.concat([
      reference.encode({ instances: [{ id: 'a', port: 80 }] }).subarray(2), unknownFields]);
    const withUnknown = Buffer.concat([
      Buffer.from([(1 << 3) | 2, instanceBytes.length]), instanceBytes, unknownFields,
      Buffer.from([(2 << 3) | 0, 7]),
    ]);
    expect(decodeLookupResponse(withUnknown)).toStrictEqual(decodeLookupResponse(known));
    expect(decodeLookupResponse(withUnknown)).toStrictEqual(reference.decode(withUnknown));
  });

  it('keeps an enum value it does not know as its number', () => {
    const status = [...varint((21 << 3) | 0), 9];
    const bytes = Buffer.from([(1 << 3) | 2, status.length, ...status]);
    expect(decodeLookupResponse(bytes).instances[0]?.status).toBe(9);
  });

  it('throws ProtoDecodeError for every truncation of an instance', () => {
    const bytes = reference.encode({
      instances: [{ id: 'web-1', address: '10.0.0.1', port: 80, tags: ['a'],
        metadata: { k: 'v' }, load: { cpu: 0.25 }, health_check: { kind: 'http' } }],
      revision: 300,
    });
    // Every cut inside the first field (the instance) leaves it unfinished.
    const instanceEnd = 2 + (bytes[1] as number);
    for (let cut = 1; cut < instanceEnd; cut++) {
      expect(() => decodeLookupResponse(bytes.subarray(0, cut)), `cut at ${cut}`)
        .toThrow(ProtoDecodeError);
    }
  });

  it('decodes or throws ProtoDecodeError for any bytes, and never hangs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeLookupResponse(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtoDecodeError);
      }
    }), { numRuns: 2_000 });
  });

  it('is what the SDK and the forwarder decode Lookup answers with', () => {
    const lookup = loadApiProtos().registry.roster.v1.Registry.service.Lookup;
    expect(lookup.responseDeserialize).toBe(decodeLookupResponse);
  });
});

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}
