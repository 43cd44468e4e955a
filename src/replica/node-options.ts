import type { Clock } from '../core/clock.js';
import type { LeaseSettings } from '../core/settings.js';
import type { NodeId, RaftConfig, RaftLogger } from '../raft/index.js';
import type { Applied, CommandResult, Member, RegistryEvent } from '../registry/index.js';
import type { LogPersister, MemoryStorage } from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import type { ReplicaObserver, Scheduler } from './interfaces.js';

export interface RegistryNodeOptions {
  readonly name: string;
  /** This member's id: its data dir's, drawn when the dir was created. */
  readonly id: NodeId;
  /** The cluster this node belongs to (the simulator's is 1). */
  readonly clusterId: number;
  readonly raft: Omit<RaftConfig, 'id' | 'storage'>;
  readonly tickMs: number;
  readonly storage: MemoryStorage;
  readonly persister: LogPersister;
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly snapshotEntries: number;
  readonly compactionKeepEntries: number;
  readonly snapshotBytes?: number;
  readonly compactionKeepBytes?: number;
  /** See ReplicaOptions.snapshotItemsPerTurn. */
  readonly snapshotItemsPerTurn?: number;
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
  readonly leases: LeaseSettings;
  /** Encodes one watch event for the wire, once for every watcher (api/ provides it). */
  readonly encodeEvent: (event: RegistryEvent) => Uint8Array;
  /** How often watchers are caught up and sent progress notices. */
  readonly watchSyncIntervalMs: number;
  /** Events kept for watchers resuming from an older revision (default 100,000). */
  readonly watchHistoryEvents?: number;
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
