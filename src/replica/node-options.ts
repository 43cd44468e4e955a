import type { Clock } from '../core/clock.js';
import type { LeaseSettings, NodeSettings } from '../core/settings.js';
import type { NodeId, RaftConfig, RaftLogger } from '../raft/index.js';
import type { Applied, CommandResult, Member, RegistryEvent } from '../registry/index.js';
import type { LogPersister, MemoryStorage } from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import type { ReplicaObserver, Scheduler } from './interfaces.js';
import type { ReplicaOptions } from './replica.js';
import type { SnapshotSettings } from './snapshotter.js';

/** Raft's clock: a tick every tickMs, and every timeout counted in ticks. */
export interface RaftTimings {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** A write not applied by then is answered ROSTER_ERR_TIMEOUT (its outcome unknown). */
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
}

/**
 * What a node is set to do, nested by the part that uses it, as NodeSettings is; only Raft's
 * timings differ, in ticks (replicaSettingsOf converts a NodeSettings). The simulator builds
 * one directly, with heartbeats every few ticks.
 */
export interface ReplicaSettings {
  readonly timings: RaftTimings;
  readonly log: SnapshotSettings;
  readonly watch: {
    /** How often watchers are caught up and sent progress notices. */
    readonly syncIntervalMs: number;
    /** Events kept for watchers resuming from an older revision. */
    readonly historyEvents?: number;
  };
  readonly leases: LeaseSettings;
}

/** A node's settings with Raft's timings in ticks of one heartbeat interval. */
export function replicaSettingsOf(settings: NodeSettings): ReplicaSettings {
  const { raft, requests } = settings;
  // config/ made the election timeout at least three heartbeat intervals.
  const ticksOf = (ms: number): number => Math.max(1, Math.round(ms / raft.heartbeatIntervalMs));
  return {
    timings: {
      tickMs: raft.heartbeatIntervalMs,
      electionTicks: ticksOf(raft.electionTimeoutMs),
      heartbeatTicks: 1,
      proposalTimeoutTicks: ticksOf(requests.proposalTimeoutMs),
      readTimeoutTicks: ticksOf(requests.readTimeoutMs),
    },
    log: settings.log,
    watch: settings.watch,
    leases: settings.leases,
  };
}

export interface RegistryNodeOptions {
  readonly name: string;
  /** This member's id: its data dir's, drawn when the dir was created. */
  readonly id: NodeId;
  /** The cluster this node belongs to (the simulator's is 1). */
  readonly clusterId: number;
  readonly settings: ReplicaSettings;
  /** Raft's options but its timings (from settings), id and storage. */
  readonly raft: Omit<RaftConfig, 'id' | 'storage' | 'electionTicks' | 'heartbeatTicks'>;
  readonly storage: MemoryStorage;
  readonly persister: LogPersister;
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** Encodes one watch event for the wire, once for every watcher (api/ provides it). */
  readonly encodeEvent: (event: RegistryEvent) => Uint8Array;
  readonly logger?: RaftLogger;
  /** Extra observers (the simulator's checkers), called after the node's own. */
  readonly observer?: ReplicaObserver<CommandResult[]>;
  readonly onRevokeDecided?: (ids: readonly number[], nowMs: number) => void;
  /** What each command did as it applied, before any watcher sees it (checkers, audit). */
  readonly onApplied?: (applied: Applied) => void;
  /**
   * A member became known or changed address: its conf entry is in the log (at start, or
   * appended since), or a snapshot named it.
   */
  readonly onPeer?: (member: Member) => void;
  /** A member's removal was applied: its connection can go. */
  readonly onPeerRemoved?: (id: NodeId) => void;
  readonly onFatal: (error: Error) => void;
}

/** The Replica's options: the node's, its settings unnested, and what the node supplies. */
export function replicaOptionsOf<Result>(options: RegistryNodeOptions,
  own: Pick<ReplicaOptions<Result>, 'stateMachine' | 'requestDrive' | 'observer'>):
  ReplicaOptions<Result> {
  const { timings, log } = options.settings;
  return {
    id: options.id,
    raft: { ...options.raft, electionTicks: timings.electionTicks,
      heartbeatTicks: timings.heartbeatTicks, logger: options.logger },
    ...log,
    proposalTimeoutTicks: timings.proposalTimeoutTicks,
    readTimeoutTicks: timings.readTimeoutTicks,
    storage: options.storage,
    persister: options.persister,
    transport: options.transport,
    onFatal: options.onFatal,
    ...own,
  };
}
