import type { Prng } from '../core/prng.js';
import type { ConfChangeType, NodeId } from '../raft/index.js';
import type { EventQueue } from './event-queue.js';
import { simMemberContext, type SimCluster } from './sim-cluster.js';
import type { Replacer } from './sim-replacer.js';
import type { NetworkFaults, SimNetwork } from './sim-network.js';
import type { Trace } from './trace.js';

export type FaultKind =
  | 'crash' | 'crashLeader' | 'partition' | 'oneWay' | 'isolateLeader' | 'heal' | 'weather'
  | 'addLearner' | 'promote' | 'remove' | 'transfer' | 'churn' | 'briefPartition'
  | 'wipe' | 'loseWrites' | 'changeBurst' | 'isolateLeaderBriefly';

/** How often each fault happens in this seed's run (swarm testing: drawn per seed). */
export interface FaultProfile {
  readonly intervalMinMs: number;
  readonly intervalMaxMs: number;
  readonly weights: Readonly<Record<FaultKind, number>>;
  readonly downtimeMaxMs: number;
  readonly minVoters: number;
  readonly maxVoters: number;
  readonly maxLearners: number;
}

/**
 * Injects faults at random during the safety phase: crashes and restarts, partitions
 * (symmetric, one-way, the leader isolated), network weather, membership changes, leadership
 * transfers, and storage faults: a data dir lost for good (the node comes back empty, under a
 * new id, and takes its old place), or one that lost committed entries it had synced (the
 * node must refuse it at start; then it is replaced the same way).
 */
export class FaultInjector {
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly cluster: SimCluster;
  private readonly network: SimNetwork;
  private readonly trace: Trace;
  private readonly profile: FaultProfile;
  private readonly kinds: FaultKind[];
  private readonly replacer: Replacer;
  private readonly electionTimeoutMs: number;
  private stopped = false;
  /** Until this time, a new leader is often crashed moments after its election. */
  private churnUntilMs = 0;
  readonly counts = new Map<FaultKind, number>();

  constructor(options: {
    queue: EventQueue; prng: Prng; cluster: SimCluster; network: SimNetwork; trace: Trace;
    profile: FaultProfile; replacer: Replacer; electionTimeoutMs: number;
  }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.cluster = options.cluster;
    this.network = options.network;
    this.trace = options.trace;
    this.profile = options.profile;
    this.replacer = options.replacer;
    this.electionTimeoutMs = options.electionTimeoutMs;
    this.kinds = Object.keys(this.profile.weights) as FaultKind[];
  }

  start(): void {
    this.cluster.onLeaderElected = (id) => this.maybeChurn(id);
    this.scheduleNext();
  }

  /**
   * Leader churn: crash a fresh leader within milliseconds, before its first entries spread,
   * and bring it back soon. This is what builds the divergent uncommitted tails of Figure 8.
   */
  private maybeChurn(id: NodeId): void {
    if (this.stopped || this.queue.nowMs >= this.churnUntilMs || !this.prng.chance(0.6)) return;
    const incarnation = this.cluster.get(id).incarnation;
    // Right away (its no-op never leaves) or a little later (mid catch-up of a follower).
    const delayMs = this.prng.chance(0.5)
      ? this.prng.intBetween(0, 6)
      : this.prng.intBetween(0, 80);
    this.queue.schedule(delayMs, () => {
      if (this.stopped || this.cluster.get(id).incarnation !== incarnation) return;
      this.trace.record(this.queue.nowMs, id, 'churn: crash the new leader');
      this.crash(id, this.prng.intBetween(1, 120));
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private scheduleNext(): void {
    const delay = this.prng.intBetween(this.profile.intervalMinMs, this.profile.intervalMaxMs);
    this.queue.schedule(delay, () => {
      if (this.stopped) return;
      const kind = this.chooseKind();
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      this.inject(kind);
      this.scheduleNext();
    });
  }

  private chooseKind(): FaultKind {
    let total = 0;
    for (const kind of this.kinds) total += this.profile.weights[kind];
    let roll = this.prng.nextFloat() * total;
    for (const kind of this.kinds) {
      roll -= this.profile.weights[kind];
      if (roll < 0) return kind;
    }
    return 'heal';
  }

  private inject(kind: FaultKind): void {
    switch (kind) {
      case 'crash':
        this.crash(this.randomUpNode());
        return;
      case 'crashLeader':
        this.crash(this.cluster.leader()?.id);
        return;
      case 'partition':
        this.partition();
        return;
      case 'oneWay':
        this.oneWay();
        return;
      case 'isolateLeader':
        this.isolate(this.cluster.leader()?.id);
        return;
      case 'isolateLeaderBriefly':
        // About an election: the others elect a new leader and make a little progress, then
        // the old one, with whatever it appended alone, comes back.
        this.isolate(this.cluster.leader()?.id,
          this.prng.intBetween(2 * this.electionTimeoutMs, 4 * this.electionTimeoutMs));
        return;
      case 'heal':
        this.network.heal();
        this.trace.record(this.queue.nowMs, '-', 'heal network');
        return;
      case 'weather':
        this.network.faults = randomWeather(this.prng);
        this.trace.record(this.queue.nowMs, '-', `weather ${JSON.stringify(this.network.faults)}`);
        return;
      case 'addLearner':
      case 'promote':
      case 'remove':
        this.changeMembership(kind);
        return;
      case 'transfer':
        this.transfer();
        return;
      case 'churn':
        this.churnUntilMs = this.queue.nowMs + this.prng.intBetween(200, 3000);
        this.trace.record(this.queue.nowMs, '-', `churn until ${this.churnUntilMs}ms`);
        return;
      case 'briefPartition':
        this.briefPartition();
        return;
      case 'wipe':
        this.wipe();
        return;
      case 'loseWrites':
        this.loseWrites();
        return;
      case 'changeBurst':
        // Two changes asked for at once (a script adding members quickly): the second must be
        // refused while the first is not committed.
        this.changeMembership(this.prng.pick(['addLearner', 'promote', 'remove'] as const));
        this.changeMembership(this.prng.pick(['promote', 'remove'] as const));
        return;
    }
  }

  private randomUpNode(): NodeId | undefined {
    const up = this.cluster.upNodes();
    return up.length === 0 ? undefined : this.prng.pick(up).id;
  }

  private crash(id: NodeId | undefined, downtimeMs?: number): void {
    if (id === undefined) return;
    this.cluster.crash(id);
    // Most crashed nodes come back; some stay down until the liveness phase.
    if (downtimeMs === undefined && !this.prng.chance(0.9)) return;
    const incarnation = this.cluster.get(id).incarnation;
    const delayMs = downtimeMs ?? this.prng.intBetween(1, this.profile.downtimeMaxMs);
    this.queue.schedule(delayMs, () => {
      const node = this.cluster.get(id);
      if (this.stopped || node.incarnation !== incarnation || node.node !== undefined ||
        node.destroyed) {
        return;
      }
      this.cluster.start(id);
    });
  }

  private partition(): void {
    const ids = [...this.cluster.nodes.keys()];
    const side = new Set(ids.filter(() => this.prng.chance(0.5)));
    for (const a of ids) {
      for (const b of ids) if (side.has(a) !== side.has(b)) this.network.cutLink(a, b);
    }
    this.trace.record(this.queue.nowMs, '-', `partition {${[...side].join(',')}} | rest`);
  }

  /** Cuts the links of a random pair of groups for a moment, then restores just those links. */
  private briefPartition(): void {
    const ids = [...this.cluster.nodes.keys()];
    const side = new Set(ids.filter(() => this.prng.chance(0.5)));
    const cut: [NodeId, NodeId][] = [];
    for (const a of ids) {
      for (const b of ids) {
        if (side.has(a) === side.has(b) || this.network.isCut(a, b)) continue;
        this.network.cutLink(a, b);
        cut.push([a, b]);
      }
    }
    this.trace.record(this.queue.nowMs, '-', `brief partition {${[...side].join(',')}} | rest`);
    this.queue.schedule(this.prng.intBetween(5, 300), () => {
      for (const [a, b] of cut) this.network.restoreLink(a, b);
    });
  }

  private oneWay(): void {
    const ids = [...this.cluster.nodes.keys()];
    const from = this.prng.pick(ids);
    const to = this.prng.pick(ids);
    if (from === to) return;
    this.network.cutLink(from, to);
    this.trace.record(this.queue.nowMs, '-', `cut ${from}->${to}`);
  }

  /** Cuts every link of node `id`; after `forMs`, if given, restores just those links. */
  private isolate(id: NodeId | undefined, forMs?: number): void {
    if (id === undefined) return;
    const cut: [NodeId, NodeId][] = [];
    for (const other of this.cluster.nodes.keys()) {
      if (other === id) continue;
      for (const [a, b] of [[id, other], [other, id]] as const) {
        if (this.network.isCut(a, b)) continue;
        this.network.cutLink(a, b);
        cut.push([a, b]);
      }
    }
    this.trace.record(this.queue.nowMs, id,
      forMs === undefined ? 'isolated' : `isolated for ${forMs}ms`);
    if (forMs === undefined) return;
    this.queue.schedule(forMs, () => {
      for (const [a, b] of cut) this.network.restoreLink(a, b);
    });
  }

  private changeMembership(type: ConfChangeType): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const { voters, learners } = leader.status.confState;
    let target: NodeId | undefined;
    if (type === 'addLearner') {
      if (learners.length >= this.profile.maxLearners) return;
      target = this.cluster.allocateId();
      this.cluster.addNode(target, `s${target}`);
      this.cluster.start(target);
    } else if (type === 'promote') {
      if (learners.length === 0 || voters.length >= this.profile.maxVoters) return;
      target = this.prng.pick(learners);
    } else {
      // A voter lost with its disk still counts until replaced: keep the quorum reachable.
      if (this.replacer.inProgress) return;
      const removable = voters.length > this.profile.minVoters
        ? [...voters, ...learners]
        : learners;
      if (removable.length === 0) return;
      target = this.prng.pick(removable);
    }
    const node = this.cluster.get(leader.id).node;
    const context = type === 'addLearner'
      ? simMemberContext(target, this.cluster.get(target).name) : new Uint8Array(0);
    node?.membership.change({ type, nodeId: target, context }, (outcome) => {
      this.trace.record(this.queue.nowMs, leader.id, `${type} ${target}: ${outcome.status}`);
    });
    this.trace.record(this.queue.nowMs, leader.id, `propose ${type} ${target}`);
  }

  /** A data dir lost for good: the node comes back empty under a new id and rejoins. */
  private wipe(): void {
    if (!this.replacer.canReplace()) return;
    const candidates = [...this.cluster.nodes.values()].filter((node) => !node.destroyed);
    if (candidates.length === 0) return;
    const target = this.prng.pick(candidates).id;
    this.trace.record(this.queue.nowMs, target, 'wipe: its data dir is lost');
    this.replacer.replace(target);
  }

  /**
   * Committed entries the node had synced vanish while it is down; at restart it must refuse
   * its disk (then an operator wipes it: SimCluster.onRefused replaces it).
   */
  private loseWrites(): void {
    if (!this.replacer.canReplace()) return;
    const id = this.randomUpNode();
    if (id === undefined) return;
    const simNode = this.cluster.get(id);
    this.cluster.crash(id);
    if (!simNode.disk.loseCommittedEntries(this.prng)) {
      this.cluster.start(id);
      return;
    }
    this.trace.record(this.queue.nowMs, id, 'lost committed entries it had synced');
    this.replacer.doom(id);
    const incarnation = simNode.incarnation;
    this.queue.schedule(this.prng.intBetween(1, this.profile.downtimeMaxMs), () => {
      if (simNode.incarnation === incarnation && simNode.node === undefined &&
        !simNode.destroyed) {
        this.cluster.start(id);
      }
    });
  }

  private transfer(): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const voters = leader.status.confState.voters.filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const target = this.prng.pick(voters);
    const result = this.cluster.get(leader.id).node?.membership.startTransfer(target);
    this.trace.record(this.queue.nowMs, leader.id,
      `transfer to ${target}: ${result?.ok ? 'started' : 'refused'}`);
  }
}

export function randomWeather(prng: Prng): NetworkFaults {
  const delayMaxMs = prng.intBetween(1, 8);
  return {
    lossRate: prng.chance(0.3) ? 0 : prng.nextFloat() * 0.2,
    duplicateRate: prng.chance(0.5) ? 0 : prng.nextFloat() * 0.08,
    longDelayRate: prng.chance(0.4) ? 0 : prng.nextFloat() * 0.15,
    delayMinMs: 1,
    delayMaxMs,
    longDelayMaxMs: delayMaxMs + prng.intBetween(5, 120),
    holdRate: prng.chance(0.5) ? 0 : prng.nextFloat() * 0.02,
    holdMaxMs: prng.pick([500, 2_000, 5_000]),
  };
}
