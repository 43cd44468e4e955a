import { assert } from '../core/assert.js';
import type { Prng } from '../core/prng.js';
import {
  confHistoryOf, type Entry, type Message, type NodeId, type RaftStatus, type Snapshot,
} from '../raft/index.js';
import {
  decodeCommands, encodeMemberContext, type CommandResult, type Member, type RegistryEvent,
} from '../registry/index.js';
import type { LeaseSettings } from '../core/settings.js';
import { RegistryNode, type RegistryNodeOptions } from '../replica/index.js';
import type { AppliedLedger } from './applied-ledger.js';
import type { LeaseCheck } from './check/lease-check.js';
import { InvariantViolation, type SafetyChecker } from './check/safety.js';
import type { EventTruth } from './check/watch-check.js';
import type { EventQueue } from './event-queue.js';
import { hashBytes } from './hash.js';
import { SimDisk } from './sim-disk.js';
import type { SimNetwork } from './sim-network.js';
import { messageProblem } from '../transport/index.js';
import { simClock, simScheduler } from './sim-scheduler.js';
import type { Trace } from './trace.js';

/** A typical simulated command's size, for the byte bounds on the log. */
const SIM_ENTRY_BYTES = 100;

/** Per-seed knobs of the nodes (swarm testing: every seed draws its own). */
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
  readonly leases: LeaseSettings;
  readonly watchHistoryEvents: number;
}

export interface SimNode {
  readonly id: NodeId;
  /** The member name: a node that replaces a lost one keeps its name under a new id. */
  readonly name: string;
  readonly disk: SimDisk;
  node: RegistryNode | undefined;
  /** Bumped at every crash and restart: events of an old incarnation are void. */
  incarnation: number;
  crashes: number;
  /** Voters of its durable log's latest membership when it went down (it campaigns with these). */
  votersWhenDown: readonly NodeId[] | undefined;
  /**
   * The peers its transport can reach: what its process learned (members in its snapshot and
   * log, or named by the cluster when it joined). A message to any other is dropped.
   */
  peers: Set<NodeId>;
  /** Its data dir was lost or refused: this id never runs again (a new one takes its place). */
  destroyed: boolean;
}

/** The member addresses a simulated node advertises (only the ids matter to the network). */
export function simMember(id: NodeId, name: string): Member {
  return { id, name, peerAddress: `sim-${id}:7401`, clientAddress: `sim-${id}:7400` };
}

export function simMemberContext(id: NodeId, name: string): Uint8Array {
  const { peerAddress, clientAddress } = simMember(id, name);
  return encodeMemberContext({ name, peerAddress, clientAddress });
}

export interface ClusterChecks {
  readonly safety: SafetyChecker;
  readonly ledger: AppliedLedger;
  readonly truth: EventTruth;
  readonly leases: LeaseCheck;
}

const NO_EVENT_BYTES = new Uint8Array(0);
/** How often a node with nothing on disk asks again for the members (no one answered). */
const MEMBERS_RETRY_MS = 100;

/**
 * The simulated cluster: real RegistryNodes (Raft, replica, registry, lessor, watch hub) over
 * SimDisk and SimNetwork, on the simulated clock. Crashing a node discards its memory and
 * unsynced writes; restarting it recovers from its disk, exactly as a process would.
 */
export class SimCluster {
  readonly nodes = new Map<NodeId, SimNode>();
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly network: SimNetwork;
  private readonly checks: ClusterChecks;
  private readonly trace: Trace;
  readonly knobs: ReplicaKnobs;
  snapshotsRestored = 0;
  confChangesApplied = 0;
  /** Messages the transport's checks dropped (malformed, or from no known peer). */
  dropped = 0;
  /** Nodes whose removal was applied (committed) somewhere; ids are never reused. */
  readonly removed = new Set<NodeId>();
  /** When a lessor decided each Revoke (by term and lease ids): checks and expire ops. */
  readonly revokeDecisions = new Map<string, number>();
  /** Called when a node becomes leader (the fault injector's churn nemesis listens). */
  onLeaderElected: (id: NodeId, term: number) => void = () => {};
  /** A Revoke was applied for the first time, removing these instances (history). */
  onExpired: (events: readonly RegistryEvent[], decidedAtMs: number) => void = () => {};
  /** A node refused its disk at start (it lost synced writes): an operator must replace it. */
  onRefused: (id: NodeId) => void = () => {};

  constructor(options: {
    queue: EventQueue; prng: Prng; network: SimNetwork; checks: ClusterChecks; trace: Trace;
    knobs: ReplicaKnobs;
  }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.network = options.network;
    this.checks = options.checks;
    this.trace = options.trace;
    this.knobs = options.knobs;
  }

  /** Adds a node with a fresh disk; `bootstrap` for the founding members only. */
  addNode(id: NodeId, name: string, bootstrap?: Snapshot): SimNode {
    assert(!this.nodes.has(id), `node ${id} exists`);
    const disk = new SimDisk({
      queue: this.queue, prng: this.prng.fork(), latencyMaxMs: this.knobs.diskLatencyMaxMs,
    });
    if (bootstrap !== undefined) disk.bootstrap(bootstrap, { term: 1, vote: 0, commit: 1 });
    const node: SimNode = {
      id, name, disk, node: undefined, incarnation: 0, crashes: 0,
      votersWhenDown: bootstrap?.metadata.confState.voters, peers: new Set(), destroyed: false,
    };
    this.nodes.set(id, node);
    return node;
  }

  /** A node id never used before in this run (ids are never reused). */
  allocateId(): NodeId {
    let max = 0;
    for (const id of this.nodes.keys()) max = Math.max(max, id);
    return max + 1;
  }

  get(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  /** Starts a node from its disk; a disk that fails the recovery check is refused instead. */
  start(id: NodeId): void {
    const simNode = this.get(id);
    assert(simNode.node === undefined, `node ${id} is already up`);
    assert(!simNode.destroyed, `node ${id} was destroyed`);
    const problem = simNode.disk.recoveryProblem();
    if (problem !== undefined) {
      this.trace.record(this.queue.nowMs, id, `refused its disk: ${problem}`);
      this.onRefused(id);
      return;
    }
    simNode.incarnation += 1;
    const incarnation = simNode.incarnation;
    // A process knows the peers its log names; one that joined and has no snapshot yet asks
    // the cluster for its members until it hears, as roster serve does.
    simNode.peers = new Set();
    if (simNode.disk.knowsNoMembers()) this.askForMembers(simNode, incarnation);
    const storage = simNode.disk.recover();
    this.checks.safety.observeRecovered(id, storage);
    const node = this.buildNode(simNode, storage, incarnation);
    simNode.node = node;
    this.network.attach(id, {
      // A stream's first batch says where its sender listens (GrpcTransport.onPeerAddress).
      deliver: (message) => {
        // What a correct node sends must pass the checks the transport applies to strangers.
        const problem = messageProblem(message);
        if (problem !== undefined) {
          throw new InvariantViolation('well-formed messages', `${message.type} from ` +
            `${message.from} to ${message.to} would be dropped as malformed: ${problem}`);
        }
        simNode.peers.add(message.from);
        this.admit(simNode, message);
      },
      reportSnapshot: (to, succeeded) => node.reportSnapshot(to, succeeded),
      connectionLost: (peer) => {
        this.trace.record(this.queue.nowMs, id, `connection to ${peer} lost`);
        node.reportConnectionLost(peer);
      },
      peerReconnected: (peer) => {
        this.trace.record(this.queue.nowMs, id, `${peer} reconnected`);
        node.reportPeerReconnected(peer);
      },
    });
    node.start();
    this.trace.record(this.queue.nowMs, id, `start (incarnation ${incarnation})`);
  }

  /**
   * The node's data dir is gone for good (lost, or refused and wiped): it is stopped and never
   * runs again; a node of the same name and a new id may take its place.
   */
  destroy(id: NodeId): void {
    const simNode = this.get(id);
    this.crash(id);
    simNode.destroyed = true;
    this.checks.safety.forget(id);
    this.trace.record(this.queue.nowMs, id, 'data dir destroyed');
  }

  private askForMembers(simNode: SimNode, incarnation: number): void {
    for (const id of this.memberIds()) simNode.peers.add(id);
    if (simNode.peers.size > 0) return;
    this.queue.schedule(MEMBERS_RETRY_MS, () => {
      if (simNode.incarnation === incarnation) this.askForMembers(simNode, incarnation);
    });
  }

  /** What a join answer tells the joining node: every member, so it can answer them. */
  learnMembers(id: NodeId): void {
    const simNode = this.get(id);
    for (const member of this.memberIds()) simNode.peers.add(member);
  }

  /**
   * A message that did not come from a simulated node (the forged-message property): if its
   * target runs, it meets the same checks as any other, and teaches it no peer.
   */
  inject(message: Message): void {
    const simNode = this.nodes.get(message.to);
    if (simNode?.node !== undefined) this.admit(simNode, message);
  }

  /** The transport's checks (PeerGate), then the node. */
  private admit(simNode: SimNode, message: Message): void {
    if (messageProblem(message) !== undefined || !simNode.peers.has(message.from)) {
      this.dropped += 1;
      return;
    }
    simNode.node?.receive(message);
  }

  /** Every member id any running node knows of (what a Hello or join answer would list). */
  memberIds(): Set<NodeId> {
    const ids = new Set<NodeId>();
    for (const simNode of this.upNodes()) {
      for (const member of simNode.node?.membership.members() ?? []) ids.add(member.id);
    }
    return ids;
  }

  /** Process crash: memory and unsynced writes are lost. */
  crash(id: NodeId): void {
    const simNode = this.get(id);
    if (simNode.node === undefined) return;
    simNode.disk.crash();
    simNode.votersWhenDown =
      confHistoryOf(simNode.disk.recover(), 1 << 20).latest().confState.voters;
    simNode.node.stop();
    simNode.node = undefined;
    simNode.incarnation += 1;
    simNode.crashes += 1;
    this.network.detach(id);
    this.trace.record(this.queue.nowMs, id, 'crash');
  }

  private buildNode(
    simNode: SimNode,
    storage: ReturnType<SimDisk['recover']>,
    incarnation: number,
  ): RegistryNode {
    const knobs = this.knobs;
    const id = simNode.id;
    const alive = (): boolean => simNode.incarnation === incarnation;
    let node: RegistryNode | undefined = undefined;
    node = new RegistryNode({
      name: simNode.name,
      id,
      clusterId: 1,
      settings: {
        timings: {
          tickMs: knobs.tickMs,
          electionTicks: knobs.electionTicks,
          heartbeatTicks: knobs.heartbeatTicks,
          proposalTimeoutTicks: knobs.proposalTimeoutTicks,
          readTimeoutTicks: knobs.readTimeoutTicks,
        },
        log: {
          snapshotEntries: knobs.snapshotEntries,
          compactionKeepEntries: knobs.compactionKeepEntries,
          // Byte bounds near the count bounds (a command is ~100 bytes), so either may fire
          // first; derived, not drawn, so every seed keeps its trace.
          snapshotBytes: knobs.snapshotEntries * SIM_ENTRY_BYTES,
          compactionKeepBytes: knobs.compactionKeepEntries * SIM_ENTRY_BYTES,
          // Snapshots written a few items per turn (1, 4 or 64), so that entries are applied,
          // and snapshots restored, while one is being encoded.
          snapshotItemsPerTurn: knobs.inflightMessagesMax,
        },
        watch: { syncIntervalMs: 50, historyEvents: knobs.watchHistoryEvents },
        leases: knobs.leases,
      },
      raft: {
        prng: this.prng.fork(),
        preVote: knobs.preVote,
        checkQuorum: knobs.checkQuorum,
        messageBytesMax: knobs.messageBytesMax,
        // As etcd-raft defaults it; from one entry per Ready up, so sliced applies are explored.
        committedBytesPerReadyMax: knobs.messageBytesMax,
        inflightMessagesMax: knobs.inflightMessagesMax,
      },
      storage,
      persister: simNode.disk,
      transport: { send: (messages) => this.sendFrom(simNode, messages) },
      scheduler: simScheduler(this.queue, alive),
      clock: simClock(this.queue),
      encodeEvent: () => NO_EVENT_BYTES,
      onRevokeDecided: (ids, nowMs) => {
        // The Revoke is proposed at once, in this leader's term: that names the decision.
        const term = node?.raftStatus().term ?? 0;
        this.revokeDecisions.set(decisionKey(term, ids), nowMs);
        this.trace.record(nowMs, id, `lessor: expire leases ${ids.join(',')}`);
      },
      onPeer: (member) => simNode.peers.add(member.id),
      onPeerRemoved: (peer) => simNode.peers.delete(peer),
      onFatal: (error) => {
        throw error;
      },
      observer: this.observer(id, storage, () => node),
      // The truth: the events each revision produced, recorded before any watcher sees them.
      onApplied: ({ events, result }) => {
        this.checks.truth.record(id, events);
        if (result.ok) this.checks.truth.noteRevision(id, result.revision);
      },
    });
    return node;
  }

  private observer(id: NodeId, storage: ReturnType<SimDisk['recover']>,
    node: () => RegistryNode | undefined): NonNullable<RegistryNodeOptions['observer']> {
    const safety = this.checks.safety;
    return {
      onSoftState: (softState, term) => {
        if (softState.role === 'leader') {
          safety.observeLeader(id, term);
          this.onLeaderElected(id, term);
        }
        this.trace.record(this.queue.nowMs, id,
          `${softState.role} term ${term} leader ${softState.leader}`);
      },
      onPersisted: (ready) => {
        const status = node()?.raftStatus();
        safety.observePersisted({
          id, storage, snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState,
          isLeader: status?.role === 'leader', term: status?.term ?? 0,
        });
      },
      onApply: (entry, result) => this.onApply(id, entry, result, node()),
      onSnapshotRestored: (snapshot) => {
        this.snapshotsRestored += 1;
        safety.observeRestored(id, snapshot, digestOf(node()));
        this.trace.record(this.queue.nowMs, id, `restored snapshot ${snapshot.metadata.index}`);
      },
      onConfChange: (change, index) => {
        this.confChangesApplied += 1;
        if (change.type === 'remove') this.removed.add(change.nodeId);
        this.trace.record(this.queue.nowMs, id,
          `applied ${change.type} ${change.nodeId} at ${index}`);
      },
    };
  }

  private onApply(id: NodeId, entry: Entry, results: CommandResult[] | undefined,
    node: RegistryNode | undefined): void {
    this.checks.safety.observeApplied(id, entry, digestOf(node));
    const first = this.checks.ledger.get(entry.index) === undefined;
    this.checks.ledger.record(entry.index, { term: entry.term, timeMs: this.queue.nowMs, results });
    if (!first || !results?.some((result) => result.op === 'revoke' && result.ok)) return;
    const commands = decodeCommands(entry.data);
    for (const [slot, command] of commands.entries()) {
      const result = results[slot];
      if (command.op !== 'revoke' || result?.op !== 'revoke' || !result.ok) continue;
      // Only a committed Revoke matters: a deposed leader's lessor may decide on a stale view,
      // but its proposal cannot commit.
      const decidedAtMs = this.revokeDecisions.get(decisionKey(entry.term, command.leaseIds));
      assert(decidedAtMs !== undefined, `revoke at ${entry.index} was never decided by a lessor`);
      this.checks.leases.decided(command.leaseIds, decidedAtMs);
      if ('count' in result && result.count > 0) {
        this.onExpired(this.checks.truth.events(result.revision) ?? [], decidedAtMs);
      }
    }
  }

  /** Like a real transport: a message to a peer the node has no address for is dropped. */
  private sendFrom(simNode: SimNode, messages: readonly Message[]): void {
    const reachable = messages.filter((message) => simNode.peers.has(message.to));
    if (reachable.length > 0) this.network.send(reachable);
    if (reachable.length === messages.length) return;
    for (const message of messages) {
      if (simNode.peers.has(message.to) || message.type !== 'snap') continue;
      const incarnation = simNode.incarnation;
      this.queue.schedule(1, () => {
        if (simNode.incarnation === incarnation) simNode.node?.reportSnapshot(message.to, false);
      });
    }
  }

  /** The leader with the highest term among live nodes, if any. */
  leader(): { id: NodeId; status: RaftStatus } | undefined {
    let best: { id: NodeId; status: RaftStatus } | undefined;
    for (const simNode of this.nodes.values()) {
      const status = simNode.node?.raftStatus();
      if (status?.role !== 'leader') continue;
      if (best === undefined || status.term > best.status.term) best = { id: simNode.id, status };
    }
    return best;
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((simNode) => simNode.node !== undefined);
  }

  /** The voters node `id` counts when campaigning (last known while it is down). */
  votersOf(id: NodeId): readonly NodeId[] | undefined {
    const simNode = this.nodes.get(id);
    if (simNode === undefined) return undefined;
    return simNode.node?.raftStatus().confState.voters ?? simNode.votersWhenDown;
  }
}

function decisionKey(term: number, leaseIds: readonly number[]): string {
  return `${term}|${leaseIds.join(',')}`;
}

/** The whole registry state as one number: equal states give equal digests on every node. */
function digestOf(node: RegistryNode | undefined): number {
  return node === undefined ? 0 : hashBytes(node.registry.snapshot());
}
