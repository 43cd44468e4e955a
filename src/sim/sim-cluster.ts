import { assert } from '../core/assert.js';
import type { Prng } from '../core/prng.js';
import { confHistoryOf, type NodeId, type RaftStatus, type Snapshot } from '../raft/index.js';
import { Replica } from '../replica/index.js';
import type { AppliedLedger } from './applied-ledger.js';
import type { SafetyChecker } from './check/safety.js';
import type { EventQueue } from './event-queue.js';
import { RegistryLite, type RegistryResult } from './registry-lite.js';
import { SimDisk } from './sim-disk.js';
import type { SimNetwork } from './sim-network.js';
import type { Trace } from './trace.js';

/** Per-seed knobs of the replicas (swarm testing: every seed draws its own). */
export interface ReplicaKnobs {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Liveness optimizations: safety must hold without them, and churn is likelier then. */
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly messageBytesMax: number;
  readonly inflightMessagesMax: number;
  readonly snapshotEntries: number;
  readonly compactionKeepEntries: number;
  readonly diskLatencyMaxMs: number;
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
}

export interface SimNode {
  readonly id: NodeId;
  readonly disk: SimDisk;
  replica: Replica<RegistryResult> | undefined;
  stateMachine: RegistryLite | undefined;
  /** Bumped at every crash and restart: events of an old incarnation are void. */
  incarnation: number;
  driveScheduled: boolean;
  crashes: number;
  /** Voters of its applied configuration when it went down (it campaigns with these). */
  votersWhenDown: readonly NodeId[] | undefined;
}

/**
 * The simulated cluster: real Replicas (Raft + driver) over SimDisk and SimNetwork, ticking on
 * the simulated clock. Crashing a node discards its memory and unsynced writes; restarting it
 * recovers from its disk, exactly as a process would.
 */
export class SimCluster {
  readonly nodes = new Map<NodeId, SimNode>();
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly network: SimNetwork;
  private readonly checker: SafetyChecker;
  private readonly ledger: AppliedLedger;
  private readonly trace: Trace;
  readonly knobs: ReplicaKnobs;
  snapshotsRestored = 0;
  confChangesApplied = 0;
  /** Called when a node becomes leader (the fault injector's churn nemesis listens). */
  onLeaderElected: (id: NodeId, term: number) => void = () => {};

  constructor(options: {
    queue: EventQueue;
    prng: Prng;
    network: SimNetwork;
    checker: SafetyChecker;
    ledger: AppliedLedger;
    trace: Trace;
    knobs: ReplicaKnobs;
  }) {
    this.ledger = options.ledger;
    this.queue = options.queue;
    this.prng = options.prng;
    this.network = options.network;
    this.checker = options.checker;
    this.trace = options.trace;
    this.knobs = options.knobs;
  }

  /** Adds a node with a fresh disk; `bootstrap` for the founding members only. */
  addNode(id: NodeId, bootstrap?: Snapshot): SimNode {
    assert(!this.nodes.has(id), `node ${id} exists`);
    const disk = new SimDisk({
      queue: this.queue, prng: this.prng.fork(), latencyMaxMs: this.knobs.diskLatencyMaxMs,
    });
    if (bootstrap !== undefined) disk.bootstrap(bootstrap, { term: 1, vote: 0, commit: 1 });
    const node: SimNode = {
      id, disk, replica: undefined, stateMachine: undefined, incarnation: 0, driveScheduled: false,
      crashes: 0, votersWhenDown: bootstrap?.metadata.confState.voters,
    };
    this.nodes.set(id, node);
    return node;
  }

  get(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  isUp(id: NodeId): boolean {
    return this.get(id).replica !== undefined;
  }

  start(id: NodeId): void {
    const node = this.get(id);
    assert(node.replica === undefined, `node ${id} is already up`);
    node.incarnation += 1;
    const incarnation = node.incarnation;
    const storage = node.disk.recover();
    this.checker.observeRecovered(id, storage);
    const stateMachine = new RegistryLite();
    const replica = this.buildReplica(node, storage, stateMachine, incarnation);
    node.replica = replica;
    node.stateMachine = stateMachine;
    this.network.attach(id, {
      deliver: (message) => replica.receive(message),
      reportSnapshot: (to, succeeded) => replica.reportSnapshot(to, succeeded),
    });
    this.scheduleTick(node, incarnation, this.prng.intBetween(1, this.knobs.tickMs));
    this.trace.record(this.queue.nowMs, id, `start (incarnation ${incarnation})`);
  }

  /** Process crash: memory and unsynced writes are lost. */
  crash(id: NodeId): void {
    const node = this.get(id);
    if (node.replica === undefined) return;
    node.disk.crash();
    // It will campaign with the latest membership of its durable log.
    node.votersWhenDown = confHistoryOf(node.disk.recover(), 1 << 20).latest().confState.voters;
    node.replica.stop();
    node.replica = undefined;
    node.stateMachine = undefined;
    node.incarnation += 1;
    node.driveScheduled = false;
    node.crashes += 1;
    this.network.detach(id);
    this.trace.record(this.queue.nowMs, id, 'crash');
  }

  private buildReplica(
    node: SimNode,
    storage: ReturnType<SimDisk['recover']>,
    stateMachine: RegistryLite,
    incarnation: number,
  ): Replica<RegistryResult> {
    const knobs = this.knobs;
    const checker = this.checker;
    const id = node.id;
    let replica: Replica<RegistryResult> | undefined = undefined;
    replica = new Replica<RegistryResult>({
      id,
      raft: {
        prng: this.prng.fork(),
        electionTicks: knobs.electionTicks,
        heartbeatTicks: knobs.heartbeatTicks,
        preVote: knobs.preVote,
        checkQuorum: knobs.checkQuorum,
        messageBytesMax: knobs.messageBytesMax,
        inflightMessagesMax: knobs.inflightMessagesMax,
      },
      storage,
      persister: node.disk,
      transport: { send: (messages) => this.network.send(messages) },
      stateMachine,
      requestDrive: () => this.requestDrive(node, incarnation),
      snapshotEntries: knobs.snapshotEntries,
      compactionKeepEntries: knobs.compactionKeepEntries,
      proposalTimeoutTicks: knobs.proposalTimeoutTicks,
      readTimeoutTicks: knobs.readTimeoutTicks,
      observer: {
        onSoftState: (softState, term) => {
          if (softState.role === 'leader') {
            checker.observeLeader(id, term);
            this.onLeaderElected(id, term);
          }
          this.trace.record(this.queue.nowMs, id,
            `${softState.role} term ${term} leader ${softState.leader}`);
        },
        onPersisted: (ready) => {
          const status = replica?.status();
          checker.observePersisted({
            id,
            storage,
            snapshot: ready.snapshot,
            entries: ready.entries,
            hardState: ready.hardState,
            isLeader: status?.role === 'leader',
            term: status?.term ?? 0,
          });
        },
        onApply: (entry, result) => {
          checker.observeApplied(id, entry, stateMachine.digest);
          this.ledger.record(entry.index, { term: entry.term, timeMs: this.queue.nowMs, result });
        },
        onSnapshotRestored: (snapshot) => {
          this.snapshotsRestored += 1;
          checker.observeRestored(id, snapshot, stateMachine.digest);
          this.trace.record(this.queue.nowMs, id, `restored snapshot ${snapshot.metadata.index}`);
        },
        onConfChange: (change, index) => {
          this.confChangesApplied += 1;
          this.trace.record(this.queue.nowMs, id,
            `applied ${change.type} ${change.nodeId} at ${index}`);
        },
      },
    });
    return replica;
  }

  private requestDrive(node: SimNode, incarnation: number): void {
    if (node.driveScheduled || node.incarnation !== incarnation) return;
    node.driveScheduled = true;
    this.queue.schedule(0, () => {
      if (node.incarnation !== incarnation) return;
      node.driveScheduled = false;
      node.replica?.drive();
    });
  }

  private scheduleTick(node: SimNode, incarnation: number, delayMs: number): void {
    this.queue.schedule(delayMs, () => {
      if (node.incarnation !== incarnation || node.replica === undefined) return;
      node.replica.tick();
      this.scheduleTick(node, incarnation, this.knobs.tickMs);
    });
  }

  /** The leader with the highest term among live nodes, if any. */
  leader(): { id: NodeId; status: RaftStatus } | undefined {
    let best: { id: NodeId; status: RaftStatus } | undefined;
    for (const node of this.nodes.values()) {
      const status = node.replica?.status();
      if (status?.role !== 'leader') continue;
      if (best === undefined || status.term > best.status.term) best = { id: node.id, status };
    }
    return best;
  }

  /** The voters node `id` counts when campaigning (last known while it is down). */
  votersOf(id: NodeId): readonly NodeId[] | undefined {
    const node = this.nodes.get(id);
    if (node === undefined) return undefined;
    return node.replica?.status().confState.voters ?? node.votersWhenDown;
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((node) => node.replica !== undefined);
  }
}
