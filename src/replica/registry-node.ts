import type { Clock } from '../core/clock.js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import {
  decodeConfChange,
  type ConfChange, type Entry, type LocalResult, type Message, type NodeId, type RaftConfig,
  type RaftLogger,
  type Ready,
} from '../raft/index.js';
import {
  Registry, decodeMemberContext, encodeCommand, encodeMemberContext,
  type Command, type CommandResult, type Member, type RegistryEvent,
} from '../registry/index.js';
import type { LogPersister, MemoryStorage } from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import { progressNotice, WatchHub, type WatchFilter, type WatchSink } from '../watch/index.js';
import type { ProposalOutcome, ReplicaObserver, Scheduler } from './interfaces.js';
import {
  LeaseKeeper, type KeepAliveRequest, type LeaseRenewal, type LeaseSettings,
} from './lease-keeper.js';
import { Replica } from './replica.js';

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
  readonly observer?: ReplicaObserver<CommandResult>;
  readonly onRevokeDecided?: (ids: readonly number[], nowMs: number) => void;
  /** The events of each applied command, before any watcher sees them (checkers, audit). */
  readonly onEvents?: (events: readonly RegistryEvent[]) => void;
  /**
   * A member became known or changed address: its conf entry is in the log (at start, or
   * appended since), or a snapshot named it.
   */
  readonly onPeer?: (member: Member) => void;
  /** A member's removal was applied: its connection can go. */
  readonly onPeerRemoved?: (id: NodeId) => void;
  readonly onFatal: (error: Error) => void;
}

export interface MemberView extends Member {
  readonly learner: boolean;
}

export interface NodeStatus {
  readonly id: NodeId;
  readonly name: string;
  readonly role: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly leaderId: NodeId;
  readonly revision: number;
  readonly instances: number;
  readonly ready: boolean;
  readonly leases: number;
  readonly leaseProtection: boolean;
  readonly leasesDeferred: number;
  readonly watchers: number;
}

/**
 * One Roster node: the registry state machine driven by a Replica, its leases (LeaseKeeper)
 * and its watchers (WatchHub). The core is callback-based and synchronous apart from storage,
 * so the simulator drives exactly this code; the promise methods are thin wrappers for the
 * API. Writes go through Raft on the leader (the API forwards from followers), linearizable
 * reads wait for a ReadIndex barrier, serializable reads read the local registry directly.
 */
export class RegistryNode {
  readonly id: NodeId;
  readonly name: string;
  readonly clusterId: number;
  readonly registry = new Registry();
  readonly hub: WatchHub<Uint8Array>;
  private readonly leases: LeaseKeeper;
  private readonly replica: Replica<CommandResult>;
  private readonly options: RegistryNodeOptions;
  private driveScheduled = false;
  private stopTimers: (() => void)[] = [];
  /** Ready once it has applied what was committed when it started, and knows a leader. */
  private readonly commitAtStart: number;
  private leaderWaiters: (() => void)[] = [];
  private wasLeader = false;
  /** When each peer was last heard from: a member alive under another data dir is not replaced. */
  private readonly heardFromMs = new Map<NodeId, number>();

  constructor(options: RegistryNodeOptions) {
    this.options = options;
    this.name = options.name;
    this.id = options.id;
    this.clusterId = options.clusterId;
    this.commitAtStart = options.storage.hardState().commit;
    this.replica = this.createReplica(options);
    // The Replica restored the registry from the snapshot: history starts there, and replaying
    // the log after it fills the history with the events since.
    this.hub = new WatchHub<Uint8Array>({
      encode: options.encodeEvent,
      currentState: (filter) => this.registry.instances(filter),
      ...(options.watchHistoryEvents === undefined ? {} :
        { historyEventsMax: options.watchHistoryEvents }),
    }, this.registry.revision);
    this.leases = new LeaseKeeper({
      registry: this.registry,
      clock: options.clock,
      scheduler: options.scheduler,
      settings: options.leases,
      electionTimeoutMs: options.raft.electionTicks * options.tickMs,
      propose: (command, callback) => this.proposeWith(command, callback),
      readBarrier: (callback) => this.readWith(callback),
      isLeader: () => this.isLeader(),
      notLeaderError: () => this.notLeaderError(),
      logger: options.logger,
      onRevokeDecided: options.onRevokeDecided,
    });
    const onEvents = options.onEvents;
    this.registry.onEvents = onEvents === undefined
      ? (events) => this.hub.publish(events)
      : (events) => {
        onEvents(events);
        this.hub.publish(events);
      };
    this.registry.onLeaseChange = (change) => this.leases.onLeaseChange(change);
    this.announceMembers();
    this.announceLoggedMembers(options.storage);
  }

  private createReplica(options: RegistryNodeOptions): Replica<CommandResult> {
    const extra = options.observer;
    return new Replica<CommandResult>({
      id: this.id,
      raft: { ...options.raft, logger: options.logger },
      storage: options.storage,
      persister: options.persister,
      transport: options.transport,
      stateMachine: this.registry,
      requestDrive: () => this.requestDrive(),
      snapshotEntries: options.snapshotEntries,
      compactionKeepEntries: options.compactionKeepEntries,
      snapshotBytes: options.snapshotBytes,
      compactionKeepBytes: options.compactionKeepBytes,
      snapshotItemsPerTurn: options.snapshotItemsPerTurn,
      proposalTimeoutTicks: options.proposalTimeoutTicks,
      readTimeoutTicks: options.readTimeoutTicks,
      onFatal: options.onFatal,
      observer: {
        onReady: (ready) => extra?.onReady?.(ready),
        onPersisted: (ready) => {
          this.learnPeers(ready);
          extra?.onPersisted?.(ready);
        },
        onApply: (entry, result) => extra?.onApply?.(entry, result),
        onSnapshotRestored: (snapshot) => {
          this.hub.reset(this.registry.revision);
          this.announceMembers();
          // Info, not debug: a follower that keeps needing snapshots is behind the log's
          // retention (--compaction-keep-entries/-bytes), which an operator wants to see.
          options.logger?.info({ index: snapshot.metadata.index,
            bytes: snapshot.data.byteLength }, 'restored a snapshot sent by the leader');
          extra?.onSnapshotRestored?.(snapshot);
        },
        onSnapshotSaved: (snapshot, compactIndex) => {
          options.logger?.debug({ index: snapshot.metadata.index, compactIndex,
            bytes: snapshot.data.byteLength }, 'snapshot saved; log compacted');
          extra?.onSnapshotSaved?.(snapshot, compactIndex);
        },
        onSoftState: (softState, term) => {
          this.onSoftState(softState.role === 'leader');
          extra?.onSoftState?.(softState, term);
        },
        onConfChange: (change, index) => {
          this.onConfApplied(change);
          extra?.onConfChange?.(change, index);
        },
      },
    });
  }

  start(): void {
    const { scheduler, clock } = this.options;
    this.stopTimers = [
      scheduler.every(this.options.tickMs, () => this.replica.tick()),
      scheduler.every(this.options.watchSyncIntervalMs, () => this.hub.sync(clock.nowMs())),
    ];
    this.leases.start();
    this.requestDrive();
  }

  /** Stops ticking and fails pending requests; in-flight writes are abandoned (not lost). */
  /** A snapshot at the applied index, durable when this resolves (graceful stop). */
  snapshotNow(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replica.snapshotNow((error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  stop(): void {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.leases.stop();
    this.replica.stop();
    this.wakeLeaderWaiters();
  }

  receive(message: Message): void {
    this.heardFromMs.set(message.from, this.options.clock.nowMs());
    this.replica.receive(message);
  }

  reportSnapshot(to: NodeId, succeeded: boolean): void {
    this.replica.reportSnapshot(to, succeeded);
  }

  reportUnreachable(to: NodeId): void {
    this.replica.reportUnreachable(to);
  }

  /** A peer's connection closed: if it was our leader, campaign soon (a liveness hint). */
  reportConnectionLost(to: NodeId): void {
    this.replica.reportConnectionLost(to);
  }

  drive(): void {
    this.replica.drive();
  }

  private requestDrive(): void {
    if (this.driveScheduled) return;
    this.driveScheduled = true;
    this.options.scheduler.soon(() => {
      this.driveScheduled = false;
      this.replica.drive();
    });
  }

  private onSoftState(isLeader: boolean): void {
    if (isLeader !== this.wasLeader) {
      this.wasLeader = isLeader;
      this.leases.onRoleChange(isLeader);
    }
    this.wakeLeaderWaiters();
  }

  // ---- Writes, reads, heartbeats: callbacks (the core) ------------------------------------

  /** Proposes a command here (the leader); the callback learns its outcome once applied. */
  proposeWith(command: Command, callback: (outcome: ProposalOutcome<CommandResult>) => void):
    { index: number; term: number } | undefined {
    return this.replica.propose(encodeCommand(command), callback);
  }

  /** The callback runs once local state reflects every write committed before the call. */
  readWith(callback: (error: RosterError | undefined) => void): void {
    this.replica.read((outcome) =>
      callback(outcome.status === 'ready' ? undefined : outcome.error));
  }

  keepAliveWith(
    request: KeepAliveRequest,
    callback: (result: { renewals: LeaseRenewal[] } | { error: RosterError }) => void,
  ): void {
    this.leases.keepAlive(request, callback);
  }

  // ---- The same, as promises (the API) ----------------------------------------------------

  propose(command: Command): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      this.proposeWith(command, (outcome) => settle(outcome, resolve, reject));
    });
  }

  readBarrier(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readWith((error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  keepAlive(request: KeepAliveRequest): Promise<LeaseRenewal[]> {
    return new Promise((resolve, reject) => {
      this.keepAliveWith(request, (result) => {
        if ('error' in result) reject(result.error);
        else resolve(result.renewals);
      });
    });
  }

  // ---- Watch ------------------------------------------------------------------------------

  /**
   * startRevision 0 means "from now". Now is resolved here, and the sink is told it at once
   * with a progress notice: a client that resumes after a broken stream then knows exactly
   * where it started, even when nothing matching has happened yet (etcd's "created" header).
   */
  watch(filter: WatchFilter, startRevision: number, sink: WatchSink<Uint8Array>): number {
    if (startRevision !== 0) {
      return this.hub.watch(filter, startRevision, sink, this.options.clock.nowMs());
    }
    const now = this.hub.revision;
    const id = this.hub.watch(filter, now, sink, this.options.clock.nowMs());
    sink.write(progressNotice(now));
    return id;
  }

  cancelWatch(id: number): void {
    this.hub.cancel(id);
  }

  watchDrained(id: number): void {
    this.hub.onDrain(id);
  }

  // ---- Membership and leadership ----------------------------------------------------------

  members(): MemberView[] {
    const { voters, learners } = this.replica.status().confState;
    const known = new Map(this.registry.members().map((member) => [member.id, member]));
    const ids = [...voters, ...learners].sort((a, b) => a - b);
    return ids.map((id) => {
      const member = known.get(id) ??
        { id, name: `node-${id}`, peerAddress: '', clientAddress: '' };
      return { ...member, learner: learners.includes(id) };
    });
  }

  /** The member called `name`, if any (names are unique among members). */
  memberNamed(name: string): MemberView | undefined {
    return this.members().find((member) => member.name === name);
  }

  /**
   * Adds a node as a learner (it catches up without voting). Adding the same id again is a
   * no-op, so a joining node may retry. A name held by a member with another id is refused,
   * unless `replace`: that member's data dir is gone (the node came back on an empty one), so
   * the old id is removed first and the node joins under its new id, to be promoted once it
   * caught up. Refused while the old id is still heard from: a second process with that name,
   * not a lost disk.
   */
  addMember(member: Member, options: { replace?: boolean } = {}): Promise<MemberView> {
    return new Promise((resolve, reject) => {
      this.addMemberWith(member, options, (outcome) => {
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.member);
      });
    });
  }

  addMemberWith(
    member: Member,
    options: { replace?: boolean },
    callback: (outcome: { member: MemberView } | { error: RosterError }) => void,
  ): void {
    const existing = this.members().find((view) => view.id === member.id);
    if (existing !== undefined) {
      callback({ member: existing });
      return;
    }
    const { name, peerAddress, clientAddress } = member;
    const addLearner = (): void => this.changeMembershipWith({
      type: 'addLearner', nodeId: member.id,
      context: encodeMemberContext({ name, peerAddress, clientAddress }),
    }, (outcome) => callback(outcome.status === 'committed'
      ? { member: { ...member, learner: true } } : { error: outcome.error }));
    const namesake = this.memberNamed(member.name);
    if (namesake === undefined) {
      addLearner();
      return;
    }
    const refusal = options.replace === true ? this.aliveRefusal(namesake)
      : new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID',
        `${member.name} is already a member (id ${namesake.id})`);
    if (refusal !== undefined) {
      callback({ error: refusal });
      return;
    }
    this.changeMembershipWith({ type: 'remove', nodeId: namesake.id, context: new Uint8Array(0) },
      (outcome) => {
        if (outcome.status === 'committed') addLearner();
        else callback({ error: outcome.error });
      });
  }

  private aliveRefusal(member: MemberView): RosterError | undefined {
    const nowMs = this.options.clock.nowMs();
    const heardMs = member.id === this.id ? nowMs : this.heardFromMs.get(member.id);
    const quietMs = heardMs === undefined ? Number.POSITIVE_INFINITY : nowMs - heardMs;
    if (quietMs >= 2 * this.electionTimeoutMs()) return undefined;
    return new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID', `${member.name} (id ${member.id}) ` +
      `was heard from ${Math.round(quietMs)} ms ago: another process runs under that name`);
  }

  async promoteMember(id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'promote', nodeId: id, context: new Uint8Array(0) });
  }

  async removeMember(id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'remove', nodeId: id, context: new Uint8Array(0) });
  }

  /** Proposes a membership change here (the leader); the callback learns its outcome. */
  changeMembershipWith(
    change: ConfChange,
    callback: (outcome: ProposalOutcome<CommandResult>) => void,
  ): void {
    this.replica.proposeConfChange(change, callback);
  }

  /** Starts a leadership transfer without waiting for it (the simulator's nemesis). */
  startTransfer(to: NodeId): LocalResult {
    return this.replica.transferLeadership(to);
  }

  private changeMembership(change: ConfChange): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replica.proposeConfChange(change, (outcome) => settle(outcome, () => resolve(), reject));
    });
  }

  /**
   * Hands leadership to `to` (default: the most caught-up voter) and waits until this node is
   * no longer leader. Refused for learners and non-members.
   */
  async transferLeadership(to?: NodeId, timeoutMs = this.electionTimeoutMs() * 3): Promise<NodeId> {
    const target = to ?? this.bestSuccessor();
    if (target === undefined) {
      throw new RosterError('ROSTER_ERR_TRANSFER_REFUSED', 'no other voter');
    }
    const result = this.replica.transferLeadership(target);
    if (!result.ok) throw result.error;
    if (target === this.id) return this.id;
    await this.waitForLeaderChange(timeoutMs);
    const leader = this.leaderId();
    if (leader === this.id) {
      throw new RosterError('ROSTER_ERR_TIMEOUT',
        `node ${target} did not take over in ${timeoutMs} ms`);
    }
    return leader;
  }

  private bestSuccessor(): NodeId | undefined {
    const status = this.replica.status();
    let best: { id: NodeId; match: number } | undefined;
    for (const id of status.confState.voters) {
      if (id === this.id) continue;
      const match = status.progress.get(id)?.match ?? 0;
      if (best === undefined || match > best.match) best = { id, match };
    }
    return best?.id;
  }

  private waitForLeaderChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.scheduler.after(timeoutMs, () => resolve());
      const check = (): void => {
        if (this.leaderId() !== this.id || this.replica.isStopped) {
          cancel();
          resolve();
        } else {
          this.leaderWaiters.push(check);
        }
      };
      this.leaderWaiters.push(check);
    });
  }

  private wakeLeaderWaiters(): void {
    const waiters = this.leaderWaiters;
    this.leaderWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private electionTimeoutMs(): number {
    return this.options.raft.electionTicks * this.options.tickMs;
  }

  private notLeaderError(): RosterError {
    const leader = this.leader();
    if (leader === undefined) return new RosterError('ROSTER_ERR_NO_LEADER');
    return new RosterError('ROSTER_ERR_NOT_LEADER', `leader is ${leader.name}`);
  }

  // ---- Peers ------------------------------------------------------------------------------

  /** Conf entries take effect when appended, so their addresses are needed right away. */
  private learnPeers(ready: Ready): void {
    for (const entry of ready.entries) this.announceConfEntry(entry);
  }

  private announceMembers(): void {
    for (const member of this.registry.members()) {
      if (member.id !== this.id) this.options.onPeer?.(member);
    }
  }

  /**
   * Members added by conf entries of the recovered log, which the registry has not applied
   * yet: without them a restarted node could not reach members added since its snapshot.
   */
  private announceLoggedMembers(storage: MemoryStorage): void {
    let index = storage.firstIndex();
    const end = storage.lastIndex() + 1;
    while (index < end) {
      const page = storage.entries(index, end, limits.raftConfScanBytesMax);
      for (const entry of page) this.announceConfEntry(entry);
      index += page.length;
    }
  }

  private announceConfEntry(entry: Entry): void {
    if (entry.type !== 'conf') return;
    const change = decodeConfChange(entry.data);
    const addresses = decodeMemberContext(change.context);
    if (addresses !== undefined && change.nodeId !== this.id) {
      this.options.onPeer?.({ id: change.nodeId, ...addresses });
    }
  }

  private onConfApplied(change: ConfChange): void {
    if (change.type === 'remove' && change.nodeId !== this.id) {
      this.options.onPeerRemoved?.(change.nodeId);
    }
  }

  // ---- Status -----------------------------------------------------------------------------

  isLeader(): boolean {
    return this.replica.status().role === 'leader';
  }

  leaderId(): NodeId {
    return this.replica.status().leader;
  }

  leader(): Member | undefined {
    const id = this.leaderId();
    return id === 0 ? undefined : this.registry.member(id);
  }

  pendingCount(): { proposals: number; reads: number } {
    return this.replica.pendingCount();
  }

  get applied(): number {
    return this.replica.applied;
  }

  get isStopped(): boolean {
    return this.replica.isStopped;
  }

  raftStatus(): ReturnType<Replica<CommandResult>['status']> {
    return this.replica.status();
  }

  status(): NodeStatus {
    const status = this.replica.status();
    const isLearner = status.confState.learners.includes(this.id);
    const leases = this.leases.lessor.status();
    return {
      id: this.id,
      name: this.name,
      role: isLearner && status.role === 'follower' ? 'learner' : status.role,
      term: status.term,
      commitIndex: status.commit,
      appliedIndex: this.replica.applied,
      firstIndex: status.firstIndex,
      lastIndex: status.lastIndex,
      snapshotIndex: this.options.storage.snapshot().metadata.index,
      leaderId: status.leader,
      revision: this.registry.revision,
      instances: this.registry.size,
      ready: status.leader !== 0 && this.replica.applied >= this.commitAtStart,
      leases: leases.leases,
      leaseProtection: leases.protecting,
      leasesDeferred: leases.deferred,
      watchers: this.hub.stats().watchers,
    };
  }

  /** The registry's state now, for backups (after a read barrier, it is linearizable). */
  snapshotData(): { index: number; term: number; revision: number; data: Uint8Array } {
    const index = this.replica.applied;
    return {
      index,
      term: this.options.storage.term(Math.max(index, this.options.storage.firstIndex() - 1)),
      revision: this.registry.revision,
      data: this.registry.snapshot(),
    };
  }
}

function settle<Result>(
  outcome: ProposalOutcome<Result>,
  resolve: (result: Result) => void,
  reject: (error: RosterError) => void,
): void {
  if (outcome.status === 'committed') resolve(outcome.result);
  else reject(outcome.error);
}
