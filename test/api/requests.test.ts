import { describe, expect, it } from 'vitest';
import {
  validateDeregister, validateId, validateKeepAlive, validateListServices, validateLookup,
  validateRegister, validateWatch,
} from '../../src/api/requests.js';
import type {
  RegisterRequest__Output,
} from '../../src/api/generated/types/roster/v1/RegisterRequest.js';
import { RosterError, type ErrorCode } from '../../src/core/errors.js';

function thrownBy(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RosterError);
    return error as RosterError;
  }
  return expect.fail('expected an error, but nothing was thrown');
}

function refused(fn: () => unknown, field: string, why: string,
  code: ErrorCode = 'ROSTER_ERR_INVALID_ARGUMENT'): void {
  const error = thrownBy(fn);
  expect(error.code).toBe(code);
  expect(error.field).toBe(field);
  expect(error.message).toContain(why);
}

/** Decoded requests as grpc-js hands them over (defaults filled in). */
const instance = {
  namespace: '', service: 'web', id: '', address: '10.0.0.1', port: 80, ports: {},
  protocol: '', version: '', environment: '', region: '', zone: '', tags: [], metadata: {},
  priority: 0, capacity: 0, health_check: null, lease_id: 0, status: 'SERVING_STATUS_UNSPECIFIED',
  health: 'HEALTH_STATE_UNSPECIFIED', create_revision: 0, mod_revision: 0, load: {},
};
const register = (patch: Record<string, unknown>): RegisterRequest__Output =>
  ({ instance, ttl_ms: 0, lease_id: 0, ...patch }) as unknown as RegisterRequest__Output;
const lookup = (patch: Record<string, unknown>) => ({
  namespace: '', service: 'web', tags: [], version: '', zone: '', region: '', environment: '',
  include_unhealthy: false, consistency: 'LINEARIZABLE', ...patch,
}) as Parameters<typeof validateLookup>[0];
const watch = (patch: Record<string, unknown>) => ({
  namespace: '', service: '', start_revision: 0, all_namespaces: false, ...patch,
}) as Parameters<typeof validateWatch>[0];
const keepAlive = (patch: Record<string, unknown>) => ({
  lease_ids: [1], status: 'SERVING_STATUS_UNSPECIFIED', load: {}, ...patch,
}) as Parameters<typeof validateKeepAlive>[0];

const UNSAFE = 2 ** 53 + 2;

describe('ids: positive safe integers', () => {
  it.each<[unknown, string]>([
    [0, 'got 0'], [-1, 'got -1'], [1.5, 'got 1.5'], [UNSAFE, `got ${UNSAFE}`],
    ['7', 'got "7"'], [Number.NaN, 'got NaN'],
  ])('refuses %j', (value, why) => {
    refused(() => validateId('lease_id', value), 'lease_id', why);
  });

  it('accepts 1 and 2^53 - 1', () => {
    expect(validateId('x', 1)).toBe(1);
    expect(validateId('x', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('Register', () => {
  it.each<[string, Record<string, unknown>, string, string, ErrorCode?]>([
    ['a health check (not implemented)', {
      instance: { ...instance, health_check: { kind: 'http', target: 'http://x/' } },
    }, 'health_check', 'not implemented yet', 'ROSTER_ERR_NOT_IMPLEMENTED'],
    ['ttl_ms and lease_id', { ttl_ms: 5000, lease_id: 3 }, 'lease_id', 'give one, not both'],
    ['a lease id above 2^53', { lease_id: UNSAFE }, 'lease_id', 'must be an integer'],
    ['a TTL of 10 hours', { ttl_ms: 36_000_000 }, 'ttl_ms', 'must be from 1000'],
    ['no instance', { instance: null }, 'service', 'is required'],
    ['metadata with a control character', {
      instance: { ...instance, metadata: { k: 'a\u001b[2J' } },
    }, 'metadata', 'control characters'],
  ])('refuses %s', (_name, patch, field, why, code) => {
    refused(() => validateRegister(register(patch)), field, why, code);
  });

  it('accepts a TTL, a lease id, or neither', () => {
    expect(validateRegister(register({ ttl_ms: 5000 })).lease).toEqual({ ttlMs: 5000 });
    expect(validateRegister(register({ lease_id: 9 })).lease).toEqual({ id: 9 });
    expect(validateRegister(register({})).lease).toBeUndefined();
  });
});

describe('Deregister', () => {
  it('refuses an unsafe lease id and a bad key', () => {
    refused(() => validateDeregister({ namespace: '', service: '', id: '', lease_id: UNSAFE }),
      'lease_id', 'must be an integer');
    refused(() => validateDeregister({ namespace: '', service: 'web', id: 'a b', lease_id: 0 }),
      'id', 'may only contain');
  });
});

describe('Lookup and ListServices', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['100,000 tags', { tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`) }, 'tags',
      'at most 64'],
    ['a 1 MB version', { version: 'v'.repeat(1_000_000) }, 'version', 'at most 64'],
    ['an unknown consistency', { consistency: 7 }, 'consistency', 'LINEARIZABLE or'],
    ['a bad service', { service: 'Web' }, 'service', 'lowercase'],
  ])('refuses %s', (_name, patch, field, why) => {
    refused(() => validateLookup(lookup(patch)), field, why);
  });

  it('refuses a bad namespace or consistency for ListServices', () => {
    refused(() => validateListServices({ namespace: 'A', consistency: 'LINEARIZABLE' }),
      'namespace', 'lowercase');
    refused(() => validateListServices({ namespace: '', consistency: 'SOMETIMES' }),
      'consistency', '"SOMETIMES"');
  });
});

describe('Watch', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a negative start', { start_revision: -1 }, 'start_revision', 'must be 0'],
    ['an unsafe start', { start_revision: UNSAFE }, 'start_revision', 'must be 0'],
    ['all namespaces and a service', { all_namespaces: true, service: 'web' }, 'all_namespaces',
      'leave namespace and service empty'],
    ['a bad service', { service: 'a_b' }, 'service', 'lowercase'],
    ['a 1 MB namespace', { namespace: 'n'.repeat(1_000_000) }, 'namespace', 'at most 63'],
  ])('refuses %s', (_name, patch, field, why) => {
    refused(() => validateWatch(watch(patch)), field, why);
  });

  it('accepts a service watch, a namespace watch and an all-namespaces watch', () => {
    expect(validateWatch(watch({ service: 'web', start_revision: 5 }))).toEqual({
      filter: { namespace: 'default', service: 'web' }, startRevision: 5,
    });
    expect(validateWatch(watch({ namespace: 'prod' })).filter)
      .toEqual({ namespace: 'prod', service: undefined });
    expect(validateWatch(watch({ all_namespaces: true })).filter)
      .toEqual({ namespace: undefined, service: undefined });
  });
});

describe('KeepAlive', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['10,001 lease ids', { lease_ids: Array.from({ length: 10_001 }, (_, i) => i + 1) },
      'lease_ids', 'at most 10000'],
    ['a lease id of 0', { lease_ids: [1, 0] }, 'lease_ids', 'must be an integer'],
    ['an unsafe lease id', { lease_ids: [UNSAFE] }, 'lease_ids', 'must be an integer'],
    ['an unknown status', { status: 9 }, 'status', 'SERVING or DRAINING'],
    ['17 load figures', { load: Object.fromEntries(Array.from({ length: 17 }, (_, i) =>
      [`k${i}`, 1])) }, 'load', 'at most 16'],
    ['a load name with a newline', { load: { 'a\nb': 1 } }, 'load', '"a\\u000ab"'],
    ['an infinite load', { load: { cpu: Number.POSITIVE_INFINITY } }, 'load', 'finite'],
  ])('refuses %s', (_name, patch, field, why) => {
    refused(() => validateKeepAlive(keepAlive(patch)), field, why);
  });

  it('accepts ids, a status and load', () => {
    expect(validateKeepAlive(keepAlive({ status: 'DRAINING', load: { cpu: 0.5 } }))).toEqual({
      ids: [1], status: 'draining', load: { cpu: 0.5 },
    });
  });
});
