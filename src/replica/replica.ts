import { assert } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import {
  RaftNode,
  type ConfChange, type LocalResult, type Message, type NodeId, type ProposeResult,
  type RaftConfig, type RaftStatus, type Ready, type Role, type SoftState,
} from '../raft/index.js';
import type { LogPersister, MemoryStorage } from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import { Applier } from './applier.js';
import type { ProposalOutcome, ReadOutcome, ReplicaObserver, StateMachine } from './interfaces.js';
import { Outbox } from './outbox.js';
import { PendingProposals } from './pending-proposals.js';
import { ReadBatches } from './read-batches.js';
import { Snapshotter, type SnapshotSettings } from './snapshotter.js';

export interface ReplicaOptions<Result> extends SnapshotSettings {
  readonly id: NodeId;
  /** Raft settings; id and storage come from here. */
  readonly raft: Omit<RaftConfig, 'id' | 'storage'>;
  /** The stable log as recovered from disk; the replica keeps it in step with the persister. */
  readonly storage: MemoryStorage;
  readonly persister: LogPersister;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<Result>;
  /** The replica has work: the host should call drive() soon (coalescing many inputs). */
  readonly requestDrive: () => void;
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
  readonly observer?: ReplicaObserver<Result>;
  /** A storage write failed: the node must stop (the host exits; the process restarts). */
  readonly onFatal?: (error: Error) => void;
}

type ProposalCallback<Result> = (outcome: ProposalOutcome<Result>) => void;
/** Where a proposal's entry went in the log; undefined when it was refused. */
type Placed = { index: number; term: number } | undefined;

/**
 * One node's driver (docs/ARCHITECTURE.md, The Ready loop): owns the RaftNode and runs the
 * Ready loop in order: persist (one batch) -> send -> apply -> advance. Callback-driven and
 * synchronous apart from the persister's completion, so the simulator runs exactly this code
 * on simulated time.
 */
export class Replica<Result = unknown> {
  readonly id: NodeId;
  private readonly node: RaftNode;
  private readonly options: ReplicaOptions<Result>;
  private readonly proposals: PendingProposals<Result>;
  private readonly reads: ReadBatches;
  private readonly snapshots: Snapshotter;
  private readonly applier: Applier<Result>;
  private readonly outbox: Outbox;
  private ticks = 0;
  private readyInFlight = false;
  private stopped = false;
  private softState: SoftState;

  constructor(options: ReplicaOptions<Result>) {
    this.options = options;
    this.id = options.id;
    const snapshot = options.storage.snapshot();
    options.stateMachine.restore(snapshot.data);
    options.storage.releaseSnapshotData();
    this.node = new RaftNode({ ...options.raft, id: options.id, storage: options.storage });
    this.proposals = new PendingProposals({ capacity: limits.proposalsPendingMax });
    this.applier = new Applier({
      stateMachine: options.stateMachine, proposals: this.proposals, observer: options.observer,
      appliedIndex: snapshot.metadata.index,
    });
    this.outbox = new Outbox({
      transport: options.transport, persister: options.persister,
      failed: (error) => this.fail(error),
    });
    this.reads = new ReadBatches({ capacity: limits.readsPendingMax });
    this.softState = { leader: this.node.leader, role: this.node.role };
    this.snapshots = new Snapshotter(options, {
      confStateAt: (index) => this.node.confStateAt(index),
      requestDrive: () => this.options.requestDrive(),
      saved: (snapshot, compactIndex) =>
        this.options.observer?.onSnapshotSaved?.(snapshot, compactIndex),
      failed: (error) => this.fail(error),
      isStopped: () => this.stopped,
    });
  }

  tick(): void {
    if (this.stopped) return;
    this.ticks += 1;
    this.node.tick();
    this.proposals.expire(this.ticks);
    this.reads.expire(this.ticks);
    this.options.requestDrive();
  }

  receive(message: Message): void {
    if (this.stopped) return;
    this.node.step(message);
    const lostWrites = this.node.lostWrites();
    if (lostWrites !== undefined) this.fail(new RosterError('ROSTER_ERR_CORRUPT_DATA', lostWrites));
    else this.options.requestDrive();
  }

  /**
   * Proposes a command; `callback` learns whether it was applied (with its result). Returns
   * where the entry went in the log, or undefined when refused (the callback says why).
   */
  propose(data: Uint8Array, callback: ProposalCallback<Result>): Placed {
    assert(data.byteLength > 0, 'empty proposals are reserved for leader no-ops');
    return this.track(() => this.node.propose(data), callback);
  }

  proposeConfChange(change: ConfChange, callback: ProposalCallback<Result>): Placed {
    return this.track(() => this.node.proposeConfChange(change), callback);
  }

  private track(propose: () => ProposeResult, callback: ProposalCallback<Result>): Placed {
    if (this.stopped) {
      callback({ status: 'rejected', error: new RosterError('ROSTER_ERR_STOPPED') });
      return undefined;
    }
    const placed = this.proposals.place(propose, callback,
      this.ticks + this.options.proposalTimeoutTicks);
    if (placed !== undefined) this.options.requestDrive();
    return placed;
  }

  /**
   * A linearizable read barrier: `callback` runs when local state reflects every write that
   * committed before this call; read the state machine synchronously inside it.
   */
  read(callback: (outcome: ReadOutcome) => void): void {
    if (this.stopped) callback({ status: 'failed', error: new RosterError('ROSTER_ERR_STOPPED') });
    else if (this.reads.add(callback)) this.options.requestDrive();
  }

  transferLeadership(to: NodeId): LocalResult {
    const result = this.node.transferLeadership(to);
    this.options.requestDrive();
    return result;
  }

  reportUnreachable(to: NodeId): void {
    this.node.reportUnreachable(to);
    this.options.requestDrive();
  }

  reportConnectionLost(to: NodeId): void {
    this.node.reportConnectionLost(to);
    this.options.requestDrive();
  }

  reportPeerReconnected(to: NodeId): void {
    this.node.reportPeerReconnected(to);
    this.options.requestDrive();
  }

  reportSnapshot(to: NodeId, succeeded: boolean): void {
    this.node.reportSnapshot(to, succeeded);
    this.options.requestDrive();
  }

  /** Stops the replica: pending requests fail; in-flight writes are abandoned. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.snapshots.abandon();
    this.outbox.stop();
    const error = new RosterError('ROSTER_ERR_STOPPED');
    this.proposals.failAll(error);
    this.reads.failAll(error);
  }

  status(): RaftStatus {
    return this.node.status();
  }

  /** The role now, allocating nothing: what every request's path asks. */
  get role(): Role {
    return this.node.role;
  }

  /** The leader known now (0: none), allocating nothing. */
  get leaderId(): NodeId {
    return this.node.leader;
  }

  get applied(): number {
    return this.applier.applied;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  pendingCount(): { proposals: number; reads: number } {
    return { proposals: this.proposals.size, reads: this.reads.size };
  }

  /** Processes one Ready if none is in flight. Hosts call this when requestDrive() fires. */
  drive(): void {
    if (this.stopped) return;
    this.snapshots.step();
    if (this.readyInFlight) return;
    if (this.reads.hasWaiting()) {
      this.reads.issue((context) => this.node.readIndex(context),
        this.ticks + this.options.readTimeoutTicks);
    }
    if (!this.node.hasReady()) return;
    const ready = this.node.ready();
    this.readyInFlight = true;
    this.options.observer?.onReady?.(ready);
    if (ready.softState !== undefined) this.onSoftState(ready.softState);
    // A leader's appends leave now: followers write while this node writes.
    if (ready.earlyMessages.length > 0) this.outbox.send(ready.earlyMessages);
    const needsWrite = ready.hardState !== undefined || ready.snapshot !== undefined ||
      ready.entries.length > 0;
    if (!needsWrite) {
      this.afterPersist(ready);
      return;
    }
    const { hardState, snapshot, entries } = ready;
    const batch = { hardState, snapshot, entries, sync: ready.mustSync };
    if (!batch.sync && ready.snapshot === undefined && ready.entries.length === 0) {
      // Only the commit index moved: apply now and let the write follow (in order with later
      // ones). Waiting for it would add a disk write to every request's latency.
      this.options.persister.persist(batch, (error?: Error) => {
        if (error !== undefined) this.fail(error);
        else if (!this.stopped) this.options.observer?.onPersisted?.(ready);
      });
      this.afterPersist(ready, false);
      return;
    }
    this.options.persister.persist(batch, (error?: Error) => {
      if (error !== undefined) {
        this.fail(error);
        return;
      }
      this.afterPersist(ready);
    });
  }

  /** `persisted` is false when the write is still under way (a commit-only write). */
  private afterPersist(ready: Ready, persisted = true): void {
    if (this.stopped) return;
    const storage = this.options.storage;
    if (ready.snapshot !== undefined) storage.applySnapshot(ready.snapshot);
    storage.append(ready.entries);
    if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
    if (persisted) this.options.observer?.onPersisted?.(ready);
    // Only now may messages leave: votes and acks speak for state that is durable.
    if (ready.messages.length > 0) this.outbox.send(ready.messages);
    if (ready.snapshot !== undefined) {
      // A snapshot still being encoded describes a state that is gone: drop it.
      this.snapshots.abandon();
      this.applier.restore(ready.snapshot);
      storage.releaseSnapshotData();
    }
    for (const entry of ready.committedEntries) {
      this.snapshots.countApplied(entry);
      const error = this.applier.apply(entry);
      if (error !== undefined) {
        this.fail(error);
        return;
      }
    }
    for (const readState of ready.readStates) this.reads.confirm(readState);
    this.node.advance();
    this.readyInFlight = false;
    const applied = this.applier.applied;
    this.reads.serve(applied);
    this.snapshots.maybeTake(applied);
    this.options.requestDrive();
  }

  private onSoftState(softState: SoftState): void {
    const previous = this.softState;
    this.softState = softState;
    if (previous.leader !== softState.leader) {
      this.reads.failInFlight(new RosterError('ROSTER_ERR_LEADERSHIP_LOST',
        `leader changed from ${previous.leader} to ${softState.leader}`));
    }
    this.options.observer?.onSoftState?.(softState, this.node.status().term);
  }

  /** Snapshots now if anything was applied since the last (graceful stop); `done` once durable. */
  snapshotNow(done: (error?: Error) => void): void {
    if (this.stopped) done();
    else this.snapshots.snapshotNow(this.applier.applied, done);
  }

  private fail(error: Error): void {
    this.stop();
    if (this.options.onFatal !== undefined) this.options.onFatal(error);
    else throw error;
  }
}
