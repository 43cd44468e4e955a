/**
 * The registry's data model (proto/roster/v1/registry.proto): what a service instance is, what the
 * replicated commands are, and what applying them produces. Pure data, no behaviour.
 */

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_WEIGHT = 100;

/** Health as the registry records it; pull checks (health/) move it, a quorum confirming. */
export type HealthState = 'passing' | 'warning' | 'critical';

/** Set by the instance itself through its heartbeats: draining means "send no new work". */
export type ServingStatus = 'serving' | 'draining';

/** What a client registers: validated and normalized before it is proposed. */
export interface InstanceSpec {
  readonly namespace: string;
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** Named ports, e.g. { http: 8080, metrics: 9090 }, sorted by name. */
  readonly ports: Readonly<Record<string, number>>;
  readonly protocol: string;
  readonly version: string;
  readonly environment: string;
  readonly region: string;
  readonly zone: string;
  /** Sorted, without duplicates. */
  readonly tags: readonly string[];
  /** Sorted by key. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly priority: number;
  readonly capacity: number;
}

/** An instance as stored: the spec plus what the registry maintains. */
export interface StoredInstance extends InstanceSpec {
  /** 0 when the instance has no lease (persists until deregistered). */
  readonly leaseId: number;
  readonly status: ServingStatus;
  readonly health: HealthState;
  /**
   * Load figures from heartbeats (e.g. { cpu: 0.4, inflight: 12 }), replicated at a bounded
   * rate.
   */
  readonly load: Readonly<Record<string, number>>;
  readonly createRevision: number;
  readonly modRevision: number;
}

export interface InstanceKey {
  readonly namespace: string;
  readonly service: string;
  readonly id: string;
}

/** A cluster member's addresses, replicated so every node can reach every other. */
export interface Member {
  readonly id: number;
  readonly name: string;
  readonly peerAddress: string;
  readonly clientAddress: string;
}

/** A lease: instances bound to it live while it is kept alive. */
export interface Lease {
  readonly id: number;
  readonly ttlMs: number;
  /** The remaining TTL last checkpointed through the log (ttlMs if never): where a new leader
   * restarts the lease's countdown, so a failover neither resets it to full nor expires it. */
  readonly remainingMs: number;
}

/**
 * A registration's lease: a new one with this TTL, or an existing one by id. A new lease's id
 * is drawn at random by the proposer and carried here (grantId), so that apply stays
 * deterministic; commands written without one take the revision as the id.
 */
export type LeaseRequest =
  | { readonly ttlMs: number; readonly grantId?: number }
  | { readonly id: number };

/** The commands of the replicated log (normal entries). */
export type Command =
  | { readonly op: 'register'; readonly instance: InstanceSpec; readonly lease?: LeaseRequest }
  | { readonly op: 'deregister'; readonly key: InstanceKey }
  | { readonly op: 'deregisterLease'; readonly leaseId: number }
  /** Expiry, proposed by the leader's lessor for every lease that lapsed, in one batch. */
  | { readonly op: 'revoke'; readonly leaseIds: readonly number[] }
  /** Remaining TTLs, so that a new leader restarts leases where they were. */
  | { readonly op: 'checkpoint'; readonly leases: readonly (readonly [number, number])[] }
  /** Serving status from heartbeats, for every instance of these leases. */
  | {
    readonly op: 'setStatus';
    readonly leaseIds: readonly number[];
    readonly status: ServingStatus;
  }
  /** Load figures from heartbeats, per lease. */
  | {
    readonly op: 'setLoad';
    readonly updates: readonly (readonly [number, Readonly<Record<string, number>>])[];
  };

/** How the lease table changed (the leader's lessor follows it). */
export type LeaseChange =
  | { readonly type: 'granted'; readonly id: number; readonly ttlMs: number }
  | { readonly type: 'removed'; readonly id: number };

export type EventType = 'PUT' | 'DELETE';
export type EventReason = 'registered' | 'updated' | 'deregistered' | 'expired' | 'health';

/** One change to one instance, at the revision of the command that made it. */
export interface RegistryEvent {
  readonly type: EventType;
  readonly reason: EventReason;
  readonly revision: number;
  readonly instance: StoredInstance;
}

/** Why a command did nothing; the API maps these to error codes. */
export type CommandFailure =
  | { readonly code: 'not_found'; readonly detail: string }
  | { readonly code: 'limit'; readonly detail: string }
  /** The proposer's random lease id is taken by a live lease: draw another and retry. */
  | { readonly code: 'conflict'; readonly detail: string };

export type CommandResult =
  | {
    readonly op: 'register';
    readonly ok: true;
    readonly revision: number;
    readonly created: boolean;
    readonly instance: StoredInstance;
  }
  | {
    readonly op: 'deregister' | 'deregisterLease' | 'revoke' | 'setStatus' | 'setLoad';
    readonly ok: true;
    readonly revision: number;
    /** Instances removed or changed. */
    readonly count: number;
  }
  | { readonly op: 'checkpoint'; readonly ok: true; readonly revision: number }
  | { readonly op: Command['op']; readonly ok: false; readonly failure: CommandFailure };

/** Filters of a lookup; empty fields match everything. */
export interface LookupQuery {
  readonly namespace: string;
  readonly service: string;
  /** An instance must carry every one of these tags. */
  readonly tags: readonly string[];
  readonly version: string;
  readonly zone: string;
  readonly region: string;
  readonly environment: string;
  /** By default only passing/warning, serving instances; true returns all. */
  readonly includeUnhealthy: boolean;
}

export interface ServiceSummary {
  readonly name: string;
  readonly instances: number;
  readonly healthy: number;
}

export function formatKey(key: InstanceKey): string {
  return `${key.namespace}/${key.service}/${key.id}`;
}

/** Healthy as lookups mean it: not critical, and not draining. */
export function isHealthy(instance: StoredInstance): boolean {
  return instance.health !== 'critical' && instance.status === 'serving';
}
