import type { ClientLimits } from './limits.js';

/**
 * A node's settings, nested by the part of the node that uses them. config/ builds one from
 * the flags (each validated against its bounds) over these defaults, and it is passed on as
 * it is: no other module holds a default of its own for any of these.
 */
export interface NodeSettings {
  readonly raft: {
    readonly heartbeatIntervalMs: number;
    /** At least three heartbeat intervals. */
    readonly electionTimeoutMs: number;
  };
  readonly log: {
    /** Take a snapshot after this many entries were applied since the last one. */
    readonly snapshotEntries: number;
    /** ... or once the entries applied since the last one hold this many bytes. */
    readonly snapshotBytes: number;
    /** Entries kept below a snapshot, so that slightly lagging followers need none. */
    readonly compactionKeepEntries: number;
    /** Of those, keep at most this many bytes. */
    readonly compactionKeepBytes: number;
  };
  readonly requests: {
    /** A write not applied by then answers ROSTER_ERR_TIMEOUT (its outcome unknown). */
    readonly proposalTimeoutMs: number;
    /** A linearizable read not confirmed by then answers ROSTER_ERR_TIMEOUT. */
    readonly readTimeoutMs: number;
    /** A write a follower relays waits this long at most for the leader's answer. */
    readonly forwardTimeoutMs: number;
  };
  readonly watch: {
    /** How often watchers that fell behind are caught up and sent progress notices. */
    readonly syncIntervalMs: number;
    /** Events kept for watchers resuming from an older revision. */
    readonly historyEvents: number;
  };
  readonly api: {
    readonly limits: ClientLimits;
    /** How often grpc.health.v1's answer follows the node's readiness. */
    readonly healthIntervalMs: number;
    /** On SIGTERM, calls in flight get this long to finish before the node stops. */
    readonly drainMs: number;
  };
  readonly membership: {
    /** How often a learner asks to be promoted until it is. */
    readonly promoteRetryMs: number;
  };
  readonly leases: LeaseSettings;
}

/** The leader's lease keeping (replica/lease-keeper.ts over lease/lessor.ts). */
export interface LeaseSettings {
  /** How often the leader looks for lapsed leases (expiry lags a deadline by at most this). */
  readonly checkIntervalMs: number;
  /** How often remaining TTLs that drifted are checkpointed through the log. */
  readonly checkpointIntervalMs: number;
  /** Load figures of one lease are replicated at most this often. */
  readonly loadIntervalMs: number;
  readonly revokeBatchMax: number;
  readonly checkpointBatchMax: number;
  /** Expiry protection when many leases lapse at once; what is left out, the lessor decides. */
  readonly protect: ExpiryProtection;
  /** How far a remaining TTL may drift before it is checkpointed (lessor defaults). */
  readonly checkpointDrift?: CheckpointDrift;
}

/** Options of lease/lessor.ts, settable here; each left out takes the lessor's default. */
export interface ExpiryProtection {
  /** Protect when more than this share of the leases lapse within the window. */
  readonly protectShare?: number;
  readonly protectWindowMs?: number;
  /** Expiries allowed per second while protecting (burst: the same, at least 1). */
  readonly protectRatePerSecond?: number;
  /** Below this many leases, never protect. */
  readonly protectMinLeases?: number;
}

export interface CheckpointDrift {
  readonly checkpointDriftMs?: number;
  /** The drift is also at least this share of each lease's TTL (default 0.5). */
  readonly checkpointDriftShare?: number;
}

/** The defaults of everything in NodeSettings but the client limits (core/limits.ts). */
export const DEFAULT_SETTINGS: Omit<NodeSettings, 'api'> & {
  readonly api: Omit<NodeSettings['api'], 'limits'>;
} = {
  raft: { heartbeatIntervalMs: 100, electionTimeoutMs: 1_000 },
  log: {
    snapshotEntries: 10_000,
    snapshotBytes: 4 * 1024 * 1024,
    compactionKeepEntries: 5_000,
    compactionKeepBytes: 1024 * 1024,
  },
  requests: { proposalTimeoutMs: 10_000, readTimeoutMs: 5_000, forwardTimeoutMs: 5_000 },
  watch: { syncIntervalMs: 100, historyEvents: 20_000 },
  api: { healthIntervalMs: 250, drainMs: 2_000 },
  membership: { promoteRetryMs: 500 },
  leases: {
    checkIntervalMs: 20,
    checkpointIntervalMs: 1_000,
    loadIntervalMs: 5_000,
    revokeBatchMax: 10_000,
    checkpointBatchMax: 10_000,
    protect: {},
  },
};
