import { assert, getErrorMessage } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import {
  RaftNode, decodeConfChange,
  type ConfChange, type Entry, type LocalResult, type Message, type NodeId, type ProposeResult,
  type RaftConfig, type RaftStatus, type Ready, type Snapshot, type SoftState,
} from '../raft/index.js';
import {
  RELEASED_SNAPSHOT_DATA, isReleasedSnapshotData, type LogPersister, type MemoryStorage,
} from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import type {
  ProposalOutcome, ReadOutcome, ReplicaObserver, SnapshotProgress, StateMachine,
} from './interfaces.js';
import { PendingProposals } from './pending-proposals.js';
import { ReadBatches } from './read-batches.js';

export interface ReplicaOptions<Result> {
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
  /** Take a snapshot after this many entries were applied since the last one. */
  readonly snapshotEntries: number;
  /** Entries kept below a snapshot so slightly lagging followers need no snapshot. */
  readonly compactionKeepEntries: number;
  /**
   * Also take a snapshot once the entries applied since the last one hold this many bytes of
   * data, or as many as the last snapshot if that is more (default: no byte trigger). Entry
   * sizes vary a thousandfold (one register, or a batch of hundreds), so a count alone bounds
   * the log's memory only loosely; and a log smaller than the state is not worth a snapshot
   * (writing one costs its size, and as much again in transient buffers).
   */
  readonly snapshotBytes?: number;
  /** Of the compactionKeepEntries kept, keep no more than this many bytes (default: no cap). */
  readonly compactionKeepBytes?: number;
  /**
   * Instances (or other items) of a snapshot encoded per turn of the event loop, when the
   * state machine encodes in steps (default limits.snapshotItemsPerTurn).
   */
  readonly snapshotItemsPerTurn?: number;
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
  readonly observer?: ReplicaObserver<Result>;
  /** A storage write failed: the node must stop (the host exits; the process restarts). */
  readonly onFatal?: (error: Error) => void;
}

interface PendingSnapshot {
  readonly progress: SnapshotProgress;
  readonly metadata: Snapshot['metadata'];
  readonly compactIndex: number;
}

/**
 * One node's driver (DESIGN.md, replica/): owns the RaftNode and runs the Ready loop in order:
 * persist (one batch) -> send -> apply -> advance. Callback-driven and synchronous apart from
 * the persister's completion, so the simulator runs exactly this code on simulated time.
 */
export class Replica<Result = unknown> {
  readonly id: NodeId;
  private readonly node: RaftNode;
  private readonly options: ReplicaOptions<Result>;
  private readonly proposals: PendingProposals<Result>;
  private readonly reads: ReadBatches;
  private appliedIndex: number;
  /** Data bytes of the entries applied since the last snapshot was taken (or since start). */
  private appliedBytesSinceSnapshot = 0;
  /** Data bytes of the last snapshot this replica took (0 until it takes one). */
  private lastSnapshotBytes = 0;
  private ticks = 0;
  private readyInFlight = false;
  /** From taking a snapshot until it is durable (or abandoned before it was written). */
  private snapshotInFlight = false;
  /** A snapshot being encoded a step per turn; saved once written. */
  private pendingSnapshot: PendingSnapshot | undefined = undefined;
  /** snapshotNow() callers waiting for the snapshot in flight. */
  private snapshotWaiters: ((error?: Error) => void)[] = [];
  private stopped = false;
  private softState: SoftState;

  constructor(options: ReplicaOptions<Result>) {
    this.options = options;
    this.id = options.id;
    const snapshot = options.storage.snapshot();
    options.stateMachine.restore(snapshot.data);
    options.storage.releaseSnapshotData();
    this.appliedIndex = snapshot.metadata.index;
    this.node = new RaftNode({ ...options.raft, id: options.id, storage: options.storage });
    this.proposals = new PendingProposals({ capacity: limits.proposalsPendingMax });
    this.reads = new ReadBatches({ capacity: limits.readsPendingMax });
    const status = this.node.status();
    this.softState = { leader: status.leader, role: status.role };
  }

  // ---- Inputs -------------------------------------------------------------------------------

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
    if (lostWrites !== undefined) {
      this.fail(new RosterError('ROSTER_ERR_CORRUPT_DATA', lostWrites));
      return;
    }
    this.options.requestDrive();
  }

  /**
   * Proposes a command; `callback` learns whether it was applied (with its result). Returns
   * where the entry went in the log, or undefined when refused (the callback says why).
   */
  propose(
    data: Uint8Array,
    callback: (outcome: ProposalOutcome<Result>) => void,
  ): { index: number; term: number } | undefined {
    assert(data.byteLength > 0, 'empty proposals are reserved for leader no-ops');
    return this.track(() => this.node.propose(data), callback);
  }

  proposeConfChange(
    change: ConfChange,
    callback: (outcome: ProposalOutcome<Result>) => void,
  ): { index: number; term: number } | undefined {
    return this.track(() => this.node.proposeConfChange(change), callback);
  }

  private track(
    propose: () => ProposeResult,
    callback: (outcome: ProposalOutcome<Result>) => void,
  ): { index: number; term: number } | undefined {
    const refusal = this.refusal();
    if (refusal !== undefined) {
      callback({ status: 'rejected', error: refusal });
      return undefined;
    }
    const result = propose();
    if (!result.ok) {
      callback({ status: 'rejected', error: result.error });
      return undefined;
    }
    this.proposals.add({
      index: result.index,
      term: result.term,
      deadlineTick: this.ticks + this.options.proposalTimeoutTicks,
      callback,
    });
    this.options.requestDrive();
    return { index: result.index, term: result.term };
  }

  /**
   * A linearizable read barrier: `callback` runs when local state reflects every write that
   * committed before this call; read the state machine synchronously inside it.
   */
  read(callback: (outcome: ReadOutcome) => void): void {
    const refusal = this.stopped ? new RosterError('ROSTER_ERR_STOPPED') :
      this.reads.isFull() ?
        new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', 'too many pending reads') :
        undefined;
    if (refusal !== undefined) {
      callback({ status: 'failed', error: refusal });
      return;
    }
    this.reads.add(callback);
    this.options.requestDrive();
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

  reportSnapshot(to: NodeId, succeeded: boolean): void {
    this.node.reportSnapshot(to, succeeded);
    this.options.requestDrive();
  }

  /** Stops the replica: pending requests fail; in-flight writes are abandoned. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.pendingSnapshot = undefined;
    const error = new RosterError('ROSTER_ERR_STOPPED');
    this.proposals.failAll(error);
    this.reads.failAll(error);
  }

  private refusal(): RosterError | undefined {
    if (this.stopped) return new RosterError('ROSTER_ERR_STOPPED');
    if (this.proposals.isFull()) {
      return new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', 'too many pending proposals');
    }
    return undefined;
  }

  // ---- Observation --------------------------------------------------------------------------

  status(): RaftStatus {
    return this.node.status();
  }

  get applied(): number {
    return this.appliedIndex;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  pendingCount(): { proposals: number; reads: number } {
    return { proposals: this.proposals.size, reads: this.reads.size };
  }

  // ---- The Ready loop -----------------------------------------------------------------------

  /** Processes one Ready if none is in flight. Hosts call this when requestDrive() fires. */
  drive(): void {
    if (this.stopped) return;
    this.stepSnapshot(this.options.snapshotItemsPerTurn ?? limits.snapshotItemsPerTurn);
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
    if (ready.earlyMessages.length > 0) this.send(ready.earlyMessages);
    const needsWrite = ready.hardState !== undefined || ready.snapshot !== undefined ||
      ready.entries.length > 0;
    if (!needsWrite) {
      this.afterPersist(ready);
      return;
    }
    const batch = {
      hardState: ready.hardState,
      snapshot: ready.snapshot,
      entries: ready.entries,
      sync: ready.mustSync,
    };
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
    if (ready.messages.length > 0) this.send(ready.messages);
    if (ready.snapshot !== undefined) {
      this.restoreSnapshot(ready.snapshot);
      storage.releaseSnapshotData();
    }
    for (const entry of ready.committedEntries) {
      this.applyEntry(entry);
      if (this.stopped) return;
    }
    for (const readState of ready.readStates) this.reads.confirm(readState);
    this.node.advance();
    this.readyInFlight = false;
    this.reads.serve(this.appliedIndex);
    this.maybeSnapshot();
    this.options.requestDrive();
  }

  /**
   * Sends, except snapshots whose data the storage released: those leave once read back from
   * disk (a follower that needs one waits a disk read longer; no node holds a second copy of
   * its state for it).
   */
  private send(messages: readonly Message[]): void {
    if (!messages.some(isReleasedSnapshot)) {
      this.options.transport.send(messages);
      return;
    }
    const ready = messages.filter((message) => !isReleasedSnapshot(message));
    if (ready.length > 0) this.options.transport.send(ready);
    for (const message of messages) if (isReleasedSnapshot(message)) this.sendFromDisk(message);
  }

  private sendFromDisk(message: Message): void {
    const wanted = message.snapshot?.metadata.index ?? 0;
    this.options.persister.loadSnapshot((error, snapshot) => {
      if (this.stopped) return;
      if (error !== undefined || snapshot === undefined) {
        this.fail(error ?? new Error('the durable snapshot could not be read'));
        return;
      }
      // Memory only ever records a snapshot after it is durable, and disk only moves forward.
      assert(snapshot.metadata.index >= wanted,
        `durable snapshot ${snapshot.metadata.index} is older than ${wanted}`);
      this.options.transport.send([{ ...message, snapshot }]);
    });
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

  private applyEntry(entry: Entry): void {
    assert(entry.index === this.appliedIndex + 1,
      `applying entry ${entry.index} after ${this.appliedIndex}: a gap`);
    this.appliedIndex = entry.index;
    this.appliedBytesSinceSnapshot += entry.data.byteLength;
    let result: Result | undefined;
    try {
      if (entry.type === 'conf') {
        const change = decodeConfChange(entry.data);
        this.options.stateMachine.applyConfChange?.(change, entry.index);
        this.options.observer?.onConfChange?.(change, entry.index);
      } else if (entry.data.byteLength > 0) {
        result = this.options.stateMachine.apply(entry);
      }
    } catch (error: unknown) {
      // Every replica applies the same entry: a node that cannot must stop, saying which,
      // rather than go on with a state the others do not have.
      this.fail(new RosterError('ROSTER_ERR_INTERNAL', `committed entry ${entry.index} ` +
        `(term ${entry.term}, ${entry.type}) cannot be applied: ${getErrorMessage(error)}`,
      { cause: error }));
      return;
    }
    this.options.observer?.onApply?.(entry, result);
    this.proposals.resolve(entry, result);
  }

  private restoreSnapshot(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    assert(index > this.appliedIndex,
      `snapshot ${index} is not ahead of applied ${this.appliedIndex}`);
    // A snapshot still being encoded describes a state that is gone: drop it.
    this.abandonPendingSnapshot();
    this.options.stateMachine.restore(snapshot.data);
    this.appliedIndex = index;
    this.proposals.failUpTo(index, new RosterError('ROSTER_ERR_LEADERSHIP_LOST',
      `a snapshot at ${index} replaced the log; the proposal's outcome is unknown`));
    this.options.observer?.onSnapshotRestored?.(snapshot);
  }

  /**
   * Snapshots now, if anything was applied since the last snapshot: for a graceful stop, so
   * that the node restarts from the snapshot with no log to replay. `done` runs once it is
   * durable (at once when none is needed; after the one in flight, if one is).
   */
  snapshotNow(done: (error?: Error) => void): void {
    if (this.stopped) {
      done();
      return;
    }
    // One still being encoded is of an earlier index: a fresh one, written at once, replaces
    // it, so that a node stopping now restarts with nothing to replay.
    this.abandonPendingSnapshot();
    if (!this.snapshotInFlight) this.takeSnapshot();
    this.stepSnapshot(Number.POSITIVE_INFINITY);
    if (this.snapshotInFlight) this.snapshotWaiters.push(done);
    else done();
  }

  /**
   * Snapshots the state machine every snapshotEntries applied entries (or snapshotBytes of
   * them) and compacts the log.
   */
  private maybeSnapshot(): void {
    if (this.snapshotInFlight) return;
    const snapshotIndex = this.options.storage.snapshot().metadata.index;
    const dueByCount = this.appliedIndex - snapshotIndex >= this.options.snapshotEntries;
    const bytesDue = Math.max(this.options.snapshotBytes ?? Number.POSITIVE_INFINITY,
      this.lastSnapshotBytes);
    const dueByBytes = this.appliedBytesSinceSnapshot >= bytesDue;
    if (dueByCount || dueByBytes) this.takeSnapshot();
  }

  /**
   * Below a snapshot at `index`: the log keeps the newest compactionKeepEntries entries, fewer
   * if they hold more than compactionKeepBytes. Returns the index to compact up to.
   */
  private compactionIndex(index: number, snapshotIndex: number): number {
    const byCount = Math.max(snapshotIndex, index - this.options.compactionKeepEntries);
    const keepBytes = this.options.compactionKeepBytes;
    if (keepBytes === undefined || byCount >= index) return byCount;
    const kept = this.options.storage.entries(byCount + 1, index + 1, Number.POSITIVE_INFINITY);
    let bytes = 0;
    let first = index + 1;
    for (let at = kept.length - 1; at >= 0; at--) {
      bytes += (kept[at] as Entry).data.byteLength;
      if (bytes > keepBytes) break;
      first -= 1;
    }
    return Math.max(byCount, first - 1);
  }

  private takeSnapshot(): void {
    const storage = this.options.storage;
    const snapshotIndex = storage.snapshot().metadata.index;
    const index = this.appliedIndex;
    if (index <= snapshotIndex) return;
    const confState = this.node.confStateAt(index);
    // A snapshot restored in Raft but not yet applied here has replaced the log: skip.
    if (confState === undefined) return;
    const metadata = { index, term: storage.term(index), confState };
    const compactIndex = this.compactionIndex(index, snapshotIndex);
    this.appliedBytesSinceSnapshot = 0;
    this.snapshotInFlight = true;
    const stateMachine = this.options.stateMachine;
    if (stateMachine.beginSnapshot === undefined) {
      this.saveSnapshot({ metadata, data: stateMachine.snapshot() }, compactIndex);
      return;
    }
    this.pendingSnapshot = { progress: stateMachine.beginSnapshot(), metadata, compactIndex };
    this.stepSnapshot(this.options.snapshotItemsPerTurn ?? limits.snapshotItemsPerTurn);
  }

  /** Encodes the pending snapshot a step further (drive() comes back for more); saves it. */
  private stepSnapshot(budget: number): void {
    const pending = this.pendingSnapshot;
    if (pending === undefined) return;
    if (!pending.progress.step(budget)) {
      this.options.requestDrive();
      return;
    }
    this.pendingSnapshot = undefined;
    this.saveSnapshot({ metadata: pending.metadata, data: pending.progress.finish() },
      pending.compactIndex);
  }

  private abandonPendingSnapshot(): void {
    if (this.pendingSnapshot === undefined) return;
    this.pendingSnapshot = undefined;
    this.snapshotInFlight = false;
  }

  private saveSnapshot(snapshot: Snapshot, compactIndex: number): void {
    const storage = this.options.storage;
    const { index, confState } = snapshot.metadata;
    this.lastSnapshotBytes = snapshot.data.byteLength;
    this.options.persister.saveSnapshot(snapshot, compactIndex, (error?: Error) => {
      this.snapshotInFlight = false;
      const waiters = this.snapshotWaiters;
      this.snapshotWaiters = [];
      if (error !== undefined) {
        for (const waiter of waiters) waiter(error);
        this.fail(error);
        return;
      }
      // Durable now: memory keeps the metadata, and a follower's copy is read from disk.
      if (!this.stopped && storage.createSnapshot({
        index, confState, data: RELEASED_SNAPSHOT_DATA,
      })) {
        storage.compact(compactIndex);
        this.options.observer?.onSnapshotSaved?.(snapshot, compactIndex);
      }
      for (const waiter of waiters) waiter();
    });
  }

  private fail(error: Error): void {
    this.stop();
    if (this.options.onFatal !== undefined) this.options.onFatal(error);
    else throw error;
  }
}

function isReleasedSnapshot(message: Message): boolean {
  return message.type === 'snap' && message.snapshot !== undefined &&
    isReleasedSnapshotData(message.snapshot.data);
}
