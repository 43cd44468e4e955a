/**
 * Every field of every request, validated at the boundary before anything is read, proposed
 * or remembered: what a handler receives from here is well-formed and bounded. The rules of
 * the registry's own fields live in registry/validate.ts (shared with the SDK); this adds
 * those of the wire: ids that must be positive safe integers (uint64 fields arrive as JS
 * numbers, and one above 2^53 has lost its low bits), enum values, and the fields Roster
 * accepts but does not implement yet.
 */
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { quote } from '../core/text.js';
import {
  validateInstance, validateKey, validateLookupQuery, validateName, validateNamespace,
  validateTtlMs,
  type InstanceKey, type InstanceSpec, type LookupQuery, type ServingStatus, type WatchFilter,
} from '../replica/api-surface.js';
import { toRawInstance } from './convert.js';
import type { DeregisterRequest__Output } from './generated/types/roster/v1/DeregisterRequest.js';
import type { KeepAliveRequest__Output } from './generated/types/roster/v1/KeepAliveRequest.js';
import type { LookupRequest__Output } from './generated/types/roster/v1/LookupRequest.js';
import type { RegisterRequest__Output } from './generated/types/roster/v1/RegisterRequest.js';
import type { WatchRequest__Output } from './generated/types/roster/v1/WatchRequest.js';

/** Load figure names: like metadata keys, short. */
const LOAD_KEY = /^[A-Za-z0-9._/-]{1,64}$/;
const CONSISTENCIES: ReadonlySet<unknown> = new Set(['LINEARIZABLE', 'SERIALIZABLE']);

export function invalid(field: string, why: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', `${field} ${why}`, { field });
}

/** A value as an error message shows it: numbers as they are, anything else quoted. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : quote(String(value));
}

/** A lease, member or watch id: 1 to 2^53 - 1 (0 is "none", and is refused here). */
export function validateId(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(field, `must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}, ` +
      `got ${shown(value)}`);
  }
  return value;
}

/** 0 (none) or an id. */
export function optionalId(field: string, value: unknown): number {
  return value === 0 ? 0 : validateId(field, value);
}

export function validateConsistency(value: unknown): 'LINEARIZABLE' | 'SERIALIZABLE' {
  if (!CONSISTENCIES.has(value)) {
    throw invalid('consistency', `must be LINEARIZABLE or SERIALIZABLE, got ${shown(value)}`);
  }
  return value as 'LINEARIZABLE' | 'SERIALIZABLE';
}

export type RegisterLease = { ttlMs: number } | { id: number } | undefined;

export interface ValidRegister {
  readonly instance: InstanceSpec;
  readonly lease: RegisterLease;
}

export function validateRegister(request: RegisterRequest__Output): ValidRegister {
  if (request.instance?.health_check !== null && request.instance?.health_check !== undefined) {
    throw new RosterError('ROSTER_ERR_NOT_IMPLEMENTED',
      'health_check: active health checks are not implemented yet; register without one ' +
      'and keep the instance alive with KeepAlive', { field: 'health_check' });
  }
  const ttlMs = request.ttl_ms;
  const leaseId = optionalId('lease_id', request.lease_id);
  if (ttlMs !== 0 && leaseId !== 0) throw invalid('lease_id', 'and ttl_ms: give one, not both');
  const lease = ttlMs !== 0 ? { ttlMs: validateTtlMs(ttlMs) }
    : leaseId !== 0 ? { id: leaseId } : undefined;
  return { instance: validateInstance(toRawInstance(request.instance)), lease };
}

export function validateDeregister(
  request: DeregisterRequest__Output,
): { leaseId: number } | { key: InstanceKey } {
  const leaseId = optionalId('lease_id', request.lease_id);
  if (leaseId !== 0) return { leaseId };
  return {
    key: validateKey({ namespace: request.namespace, service: request.service, id: request.id }),
  };
}

export function validateLookup(request: LookupRequest__Output): {
  query: LookupQuery; consistency: 'LINEARIZABLE' | 'SERIALIZABLE';
} {
  return {
    query: validateLookupQuery({
      namespace: request.namespace, service: request.service, tags: request.tags,
      version: request.version, zone: request.zone, region: request.region,
      environment: request.environment, includeUnhealthy: request.include_unhealthy,
    }),
    consistency: validateConsistency(request.consistency),
  };
}

export function validateListServices(request: { namespace: string; consistency: unknown }): {
  namespace: string; consistency: 'LINEARIZABLE' | 'SERIALIZABLE';
} {
  return {
    namespace: validateNamespace(request.namespace),
    consistency: validateConsistency(request.consistency),
  };
}

export function validateWatch(request: WatchRequest__Output): {
  filter: WatchFilter; startRevision: number;
} {
  const startRevision = request.start_revision;
  if (!Number.isSafeInteger(startRevision) || startRevision < 0) {
    throw invalid('start_revision',
      `must be 0 (now) or a revision up to ${Number.MAX_SAFE_INTEGER}, ` +
      `got ${shown(startRevision)}`);
  }
  if (request.all_namespaces) {
    if (request.namespace !== '' || request.service !== '') {
      throw invalid('all_namespaces', 'watches every namespace: leave namespace and service empty');
    }
    return { filter: { namespace: undefined, service: undefined }, startRevision };
  }
  return {
    filter: {
      namespace: validateNamespace(request.namespace),
      service: request.service === '' ? undefined
        : validateName('service', request.service, limits.serviceNameCharsMax),
    },
    startRevision,
  };
}

const STATUSES: Readonly<Record<string, ServingStatus | undefined>> = {
  SERVING_STATUS_UNSPECIFIED: undefined, SERVING: 'serving', DRAINING: 'draining',
};

export interface ValidKeepAlive {
  readonly ids: number[];
  readonly status?: ServingStatus;
  readonly load?: Record<string, number>;
}

export function validateKeepAlive(request: KeepAliveRequest__Output): ValidKeepAlive {
  if (request.lease_ids.length > limits.keepAliveIdsMax) {
    throw invalid('lease_ids',
      `must list at most ${limits.keepAliveIdsMax} leases, got ${request.lease_ids.length}`);
  }
  for (const id of request.lease_ids) validateId('lease_ids', id);
  if (!Object.hasOwn(STATUSES, request.status)) {
    throw invalid('status', `must be SERVING or DRAINING, got ${shown(request.status)}`);
  }
  const status = STATUSES[request.status];
  const entries = Object.entries(request.load);
  if (entries.length > limits.loadKeysMax) {
    throw invalid('load', `must have at most ${limits.loadKeysMax} figures, got ${entries.length}`);
  }
  for (const [key, value] of entries) {
    if (!LOAD_KEY.test(key)) {
      throw invalid('load', `name ${quote(key)} must be 1-64 letters, digits and . _ / -`);
    }
    if (!Number.isFinite(value)) throw invalid('load', `${quote(key)} must be a finite number`);
  }
  return {
    ids: request.lease_ids,
    ...(status === undefined ? {} : { status }),
    ...(entries.length === 0 ? {} : { load: request.load }),
  };
}
