import type { Clock } from '../core/clock.js';
import type { LeaseSettings } from '../core/settings.js';
import { RosterError } from '../core/errors.js';
import { Lessor } from '../lease/index.js';
import type { RaftLogger, Role } from '../raft/index.js';
import type {
  Command, CommandResult, LeaseChange, Registry, ServingStatus,
} from '../registry/index.js';
import type { ProposalOutcome, Scheduler } from './interfaces.js';

/** At most this many Revoke proposals in flight: expiry never floods the log. */
const REVOKES_IN_FLIGHT_MAX = 4;

/** One KeepAlive message: leases to renew, and optionally a status and load for them. */
export interface KeepAliveRequest {
  readonly ids: readonly number[];
  readonly status?: ServingStatus;
  readonly load?: Readonly<Record<string, number>>;
}

export interface LeaseRenewal {
  readonly id: number;
  readonly remainingMs: number;
  readonly found: boolean;
}

/** What the lease keeper needs of its node: its role, a read barrier, and proposing. */
export interface LeaseKeeperPort {
  /** The role now; called on every KeepAlive, so it must allocate nothing. */
  role(): Role;
  /** Confirms leadership (a ReadIndex round, batched with every other read). */
  readBarrier(callback: (error: RosterError | undefined) => void): void;
  /** Proposes a command here (the leader); the callback learns its outcome. */
  propose(command: Command, callback: (outcome: ProposalOutcome<CommandResult>) => void): void;
}

export interface LeaseKeeperOptions {
  readonly registry: Registry;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly settings: LeaseSettings;
  readonly electionTimeoutMs: number;
  readonly node: LeaseKeeperPort;
  readonly logger?: RaftLogger;
  /** The simulator's checkers: the lessor decided these leases expired, at this time. */
  readonly onRevokeDecided?: (ids: readonly number[], nowMs: number) => void;
}

/**
 * Leases on one node (docs/ARCHITECTURE.md, Leases). Heartbeats are not Raft writes: the
 * leader's lessor keeps deadlines in memory and renews them on KeepAlive; only grants (with
 * registrations), batched Revokes of lapsed leases, and checkpoints of drifted remaining TTLs
 * go through the log. A new leader starts tracking once an entry of its term is applied (a
 * read barrier proves it), from each lease's checkpointed remaining TTL plus an election
 * timeout: a failover neither resets TTLs to full nor expires leases en masse.
 */
export class LeaseKeeper {
  readonly lessor: Lessor;
  private readonly options: LeaseKeeperOptions;
  private stopTimers: (() => void)[] = [];
  private revokesInFlight = 0;
  /** A read barrier for promotion is in flight. */
  private promoting = false;
  /** Promotion in progress or done for this leadership (bumped on every role change). */
  private leadership = 0;
  private readonly pendingStatus = new Map<ServingStatus, Set<number>>();
  private readonly pendingLoad = new Map<number, Readonly<Record<string, number>>>();
  private readonly loadSentAtMs = new Map<number, number>();

  constructor(options: LeaseKeeperOptions) {
    this.options = options;
    const logger = options.logger;
    this.lessor = new Lessor({
      clock: options.clock,
      ...options.settings.protect,
      ...options.settings.checkpointDrift,
      onProtectChange: (protecting, detail) => {
        const message = protecting ?
          'lease protection on: expiry rate-limited' : 'lease protection off';
        logger?.warn({ ...detail, protecting }, message);
      },
    });
  }

  start(): void {
    const { scheduler, settings } = this.options;
    this.stopTimers = [
      scheduler.every(settings.checkIntervalMs, () => this.expireLapsed()),
      scheduler.every(settings.checkpointIntervalMs, () => this.checkpointDrifted()),
    ];
  }

  stop(): void {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.lessor.demote();
  }

  /** Follows the registry's lease table (on every node; the lessor ignores it unless primary). */
  onLeaseChange(change: LeaseChange): void {
    if (change.type === 'granted') {
      this.lessor.grant(change.id, change.ttlMs);
      return;
    }
    this.lessor.forget(change.id);
    this.loadSentAtMs.delete(change.id);
    this.pendingLoad.delete(change.id);
  }

  /** Leadership changed: promote after a read barrier proves an entry of the term applied. */
  onRoleChange(isLeader: boolean): void {
    this.leadership += 1;
    this.promoting = false;
    this.lessor.demote();
    this.pendingStatus.clear();
    this.pendingLoad.clear();
    this.loadSentAtMs.clear();
    if (isLeader) this.promote();
  }

  /**
   * Starts tracking deadlines once a read barrier confirms this leadership. A barrier that
   * fails (it timed out while a quorum was unreachable) is retried by the check loop: a
   * leader whose lessor never started would let no lease expire and answer no KeepAlive.
   */
  private promote(): void {
    const node = this.options.node;
    if (this.promoting || this.lessor.primary || node.role() !== 'leader') return;
    this.promoting = true;
    const leadership = this.leadership;
    node.readBarrier((error) => {
      // A newer role change owns the promotion now.
      if (leadership !== this.leadership) return;
      this.promoting = false;
      if (error !== undefined || node.role() !== 'leader') return;
      this.lessor.promote(this.options.registry.leases(), this.options.electionTimeoutMs);
      this.options.logger?.info({ leases: this.lessor.status().leases }, 'lessor promoted');
    });
  }

  /**
   * On the leader: renews leases (in memory), queues status and load changes, and answers once
   * leadership is confirmed: a found=true answer comes from a leader that had a quorum.
   */
  keepAlive(
    request: KeepAliveRequest,
    callback: (result: { renewals: LeaseRenewal[] } | { error: RosterError }) => void,
  ): void {
    if (!this.lessor.primary) {
      const error = new RosterError('ROSTER_ERR_NOT_READY',
        'leases are being restored after an election');
      callback({ error });
      return;
    }
    const renewals = request.ids.map((id): LeaseRenewal => {
      const remainingMs = this.lessor.renew(id);
      return { id, remainingMs: remainingMs ?? 0, found: remainingMs !== undefined };
    });
    const found = renewals.filter((renewal) => renewal.found).map((renewal) => renewal.id);
    if (request.status !== undefined) this.queueStatus(found, request.status);
    if (request.load !== undefined) this.queueLoad(found, request.load);
    this.options.node.readBarrier((error) =>
      callback(error === undefined ? { renewals } : { error }));
  }

  private queueStatus(ids: readonly number[], status: ServingStatus): void {
    for (const id of ids) {
      // Only a change is worth a log entry.
      const differs = this.options.registry.leaseInstances(id).some((one) => one.status !== status);
      if (!differs) continue;
      let queued = this.pendingStatus.get(status);
      if (queued === undefined) {
        queued = new Set();
        this.pendingStatus.set(status, queued);
      }
      queued.add(id);
    }
  }

  private queueLoad(ids: readonly number[], load: Readonly<Record<string, number>>): void {
    const nowMs = this.options.clock.nowMs();
    for (const id of ids) {
      const sentAtMs = this.loadSentAtMs.get(id);
      if (sentAtMs !== undefined && nowMs - sentAtMs < this.options.settings.loadIntervalMs) {
        continue;
      }
      this.loadSentAtMs.set(id, nowMs);
      this.pendingLoad.set(id, load);
    }
  }

  /** Every check interval: propose one Revoke for what lapsed, and flush heartbeat changes. */
  private expireLapsed(): void {
    if (!this.lessor.primary) {
      this.promote();
      return;
    }
    this.flushHeartbeatChanges();
    if (this.revokesInFlight >= REVOKES_IN_FLIGHT_MAX) return;
    const due = this.lessor.due(this.options.settings.revokeBatchMax);
    if (due.expired.length === 0) return;
    const ids = due.expired;
    this.options.onRevokeDecided?.(ids, this.options.clock.nowMs());
    this.revokesInFlight += 1;
    this.options.node.propose({ op: 'revoke', leaseIds: ids }, (outcome) => {
      this.revokesInFlight -= 1;
      // Refused or overwritten: due again, so expiry is retried, never forgotten. An unknown
      // outcome (timed out) stays revoking: the entry is in this leader's log and commits
      // while it leads, so renewing the lease now would promise a lease that is about to go.
      // A new leader's lessor starts again from the registry.
      if (outcome.status === 'rejected') this.lessor.revokeFailed(ids);
    });
  }

  private flushHeartbeatChanges(): void {
    for (const [status, ids] of this.pendingStatus) {
      this.options.node.propose({ op: 'setStatus', leaseIds: [...ids], status }, () => {});
    }
    this.pendingStatus.clear();
    if (this.pendingLoad.size === 0) return;
    const updates = [...this.pendingLoad];
    this.pendingLoad.clear();
    this.options.node.propose({ op: 'setLoad', updates }, () => {});
  }

  private checkpointDrifted(): void {
    if (!this.lessor.primary) return;
    const leases = this.lessor.checkpoints(this.options.settings.checkpointBatchMax);
    if (leases.length > 0) this.options.node.propose({ op: 'checkpoint', leases }, () => {});
  }
}
