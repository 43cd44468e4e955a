import { RosterError } from '../core/errors.js';
import type { Message, NodeId, RaftStatus } from '../raft/index.js';
import {
  Registry, type Applied, type Command, type CommandResult,
} from '../registry/index.js';
import { WatchHub, type WatchFilter, type WatchSink } from '../watch/index.js';
import { CommandBatcher, type CommandCallback } from './command-batcher.js';
import { LeaseKeeper, type KeepAliveRequest, type LeaseRenewal } from './lease-keeper.js';
import { Membership } from './membership.js';
import { replicaOptionsOf, type RegistryNodeOptions } from './node-options.js';
import { nodeObserver } from './node-observer.js';
import { nodeStatus, type NodeStatus } from './node-status.js';
import { PeerDiscovery } from './peer-discovery.js';
import { Replica } from './replica.js';

export type { RegistryNodeOptions } from './node-options.js';

/**
 * One Roster node: the registry state machine driven by a Replica, with its leases
 * (LeaseKeeper), watchers (WatchHub), members (Membership) and peers (PeerDiscovery). This is
 * the composition root and the callback core: synchronous apart from storage, so the simulator
 * drives exactly this code; registryFacade() makes promises of it for the API. Writes go
 * through Raft on the leader (the API forwards from followers), linearizable reads wait for a
 * ReadIndex barrier, serializable reads read the local registry directly.
 */
export class RegistryNode {
  readonly id: NodeId;
  readonly name: string;
  readonly clusterId: number;
  readonly registry = new Registry();
  readonly hub: WatchHub<Uint8Array>;
  readonly membership: Membership;
  private readonly leases: LeaseKeeper;
  private readonly peers: PeerDiscovery;
  private readonly replica: Replica<CommandResult[]>;
  private readonly batcher: CommandBatcher;
  private readonly options: RegistryNodeOptions;
  private driveScheduled = false;
  private stopTimers: (() => void)[] = [];
  /** Ready once it has applied what was committed when it started, and knows a leader. */
  private readonly commitAtStart: number;
  private wasLeader = false;

  constructor(options: RegistryNodeOptions) {
    this.options = options;
    this.name = options.name;
    this.id = options.id;
    this.clusterId = options.clusterId;
    this.commitAtStart = options.storage.hardState().commit;
    this.peers = new PeerDiscovery({
      id: this.id, onPeer: options.onPeer, onPeerRemoved: options.onPeerRemoved,
    });
    this.replica = this.createReplica(options);
    this.batcher = new CommandBatcher({
      propose: (data, callback) => {
        this.replica.propose(data, callback);
      },
    });
    // The Replica restored the registry from the snapshot: history starts there, and replaying
    // the log after it fills the history with the events since.
    this.hub = new WatchHub<Uint8Array>({
      encode: options.encodeEvent,
      currentState: (filter) => this.registry.instances(filter),
      ...(options.settings.watch.historyEvents === undefined ? {} :
        { historyEventsMax: options.settings.watch.historyEvents }),
    }, this.registry.revision);
    this.leases = new LeaseKeeper({
      registry: this.registry,
      clock: options.clock,
      scheduler: options.scheduler,
      settings: options.settings.leases,
      electionTimeoutMs: this.electionTimeoutMs,
      node: {
        role: () => this.replica.role,
        readBarrier: (callback) => this.readWith(callback),
        propose: (command, callback) => {
          this.proposeWith(command, callback);
        },
      },
      logger: options.logger,
      onRevokeDecided: options.onRevokeDecided,
    });
    this.membership = new Membership({
      id: this.id, replica: this.replica, registry: this.registry, clock: options.clock,
      scheduler: options.scheduler, electionTimeoutMs: this.electionTimeoutMs,
    });
    this.peers.announceMembers(this.registry.members());
    this.peers.announceLog(options.storage);
  }

  private createReplica(options: RegistryNodeOptions): Replica<CommandResult[]> {
    return new Replica<CommandResult[]>(replicaOptionsOf(options, {
      stateMachine: {
        apply: (entry) => this.registry.apply(entry).map((applied) => this.route(applied)),
        snapshot: () => this.registry.snapshot(),
        beginSnapshot: () => this.registry.beginSnapshot(),
        restore: (data) => this.registry.restore(data),
        applyConfChange: (change) => this.registry.applyConfChange(change),
      },
      requestDrive: () => this.requestDrive(),
      observer: nodeObserver({
        registry: this.registry, hub: () => this.hub, peers: this.peers,
        onSoftState: (isLeader) => this.onSoftState(isLeader),
        logger: options.logger, extra: options.observer,
      }),
    }));
  }

  /**
   * What a command did goes where it belongs: lease changes to the lease keeper, events to the
   * watch hub (and the simulator's checkers first); the result to the proposer.
   */
  private route(applied: Applied): CommandResult {
    for (const change of applied.leaseChanges) this.leases.onLeaseChange(change);
    this.options.onApplied?.(applied);
    if (applied.events.length > 0) this.hub.publish(applied.events);
    return applied.result;
  }

  start(): void {
    const { scheduler, clock, settings } = this.options;
    this.stopTimers = [
      scheduler.every(settings.timings.tickMs, () => this.replica.tick()),
      scheduler.every(settings.watch.syncIntervalMs, () => this.hub.sync(clock.nowMs())),
    ];
    this.leases.start();
    this.requestDrive();
  }

  /** Stops ticking and fails pending requests; in-flight writes are abandoned (not lost). */
  stop(): void {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.leases.stop();
    this.batcher.failAll(new RosterError('ROSTER_ERR_STOPPED'));
    this.replica.stop();
    this.membership.leadershipChanged();
  }

  /** Takes a snapshot at the applied index; `done` runs once it is durable (graceful stop). */
  snapshotNow(done: (error?: Error) => void): void {
    this.replica.snapshotNow(done);
  }

  receive(message: Message): void {
    this.membership.heardFrom(message.from);
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

  /** A peer opened a stream to us (it restarted, or a link came back): a liveness hint. */
  reportPeerReconnected(to: NodeId): void {
    this.replica.reportPeerReconnected(to);
  }

  private requestDrive(): void {
    if (this.driveScheduled) return;
    this.driveScheduled = true;
    this.options.scheduler.soon(() => {
      this.driveScheduled = false;
      this.batcher.flush();
      this.replica.drive();
    });
  }

  private onSoftState(isLeader: boolean): void {
    if (isLeader !== this.wasLeader) {
      this.wasLeader = isLeader;
      this.leases.onRoleChange(isLeader);
    }
    this.membership.leadershipChanged();
  }

  /**
   * Proposes a command here (the leader); the callback learns its outcome once applied. On
   * the leader, the commands proposed in one turn go into one entry (CommandBatcher) when the
   * node next drives its replica; elsewhere the replica refuses them at once.
   */
  proposeWith(command: Command, callback: CommandCallback): void {
    this.batcher.add(command, callback);
    if (this.replica.role === 'leader' && !this.replica.isStopped) this.requestDrive();
    else this.batcher.flush();
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
    if (this.replica.role !== 'leader') {
      callback({ error: this.membership.notLeaderError() });
      return;
    }
    this.leases.keepAlive(request, callback);
  }

  /** startRevision 0 means "from now" (WatchHub.watchFromNow). */
  watch(filter: WatchFilter, startRevision: number, sink: WatchSink<Uint8Array>): number {
    const nowMs = this.options.clock.nowMs();
    return startRevision === 0 ? this.hub.watchFromNow(filter, sink, nowMs)
      : this.hub.watch(filter, startRevision, sink, nowMs);
  }

  cancelWatch(id: number): void {
    this.hub.cancel(id);
  }

  watchDrained(id: number): void {
    this.hub.onDrain(id);
  }

  isLeader(): boolean {
    return this.replica.role === 'leader';
  }

  leaderId(): NodeId {
    return this.replica.leaderId;
  }

  get electionTimeoutMs(): number {
    const { timings } = this.options.settings;
    return timings.electionTicks * timings.tickMs;
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

  raftStatus(): RaftStatus {
    return this.replica.status();
  }

  status(): NodeStatus {
    return nodeStatus({
      id: this.id,
      name: this.name,
      raft: this.replica.status(),
      appliedIndex: this.replica.applied,
      snapshotIndex: this.options.storage.snapshot().metadata.index,
      commitAtStart: this.commitAtStart,
      revision: this.registry.revision,
      instances: this.registry.size,
      leases: this.leases.lessor.status(),
      watchers: this.hub.stats().watchers,
    });
  }
}
