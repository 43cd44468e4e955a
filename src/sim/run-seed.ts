import { AssertionError } from '../core/assert.js';
import { AppliedLedger } from './applied-ledger.js';
import { Prng } from '../core/prng.js';
import type { Message, NodeId, Snapshot } from '../raft/index.js';
import { checkLinearizability } from './check/linearizability.js';
import { rankByLogIndex, registryModelInLogOrder } from './check/log-order-model.js';
import { registryModel } from './check/registry-model.js';
import { InvariantViolation, SafetyChecker } from './check/safety.js';
import { EventQueue } from './event-queue.js';
import { FaultInjector, randomWeather, type FaultProfile } from './faults.js';
import { Registry, validateInstance } from '../registry/index.js';
import { lessorDefaults } from '../lease/index.js';
import { LeaseCheck } from './check/lease-check.js';
import { EventTruth } from './check/watch-check.js';
import { hashBytes } from './hash.js';
import { SimWatchers } from './sim-watchers.js';
import { Replacer } from './sim-replacer.js';
import { SimCluster, simMember, type ReplicaKnobs } from './sim-cluster.js';
import { HEALTHY_NETWORK, SimNetwork } from './sim-network.js';
import { Trace } from './trace.js';
import { Workload, type RegistryOperation, type WorkloadOptions } from './workload.js';

export interface SeedOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  /** Events in the safety phase. */
  readonly steps: number;
  readonly trace?: boolean;
  /** How many of the last trace lines to keep. */
  readonly traceLines?: number;
  /**
   * A node whose data dir is lost comes back as the member it was, on a fresh bootstrap (the
   * bug member ids drawn per data dir fix): the invariants must catch it.
   */
  readonly amnesia?: boolean;
  /**
   * Messages to step into live nodes at these times, as if they came over the network from
   * outside the cluster (the forged-message property).
   */
  readonly forged?: readonly { readonly atMs: number; readonly message: Message }[];
  /** For tools and tests: receives the clients' history before it is checked. */
  readonly onHistory?: (history: readonly RegistryOperation[]) => void;
}

export interface SeedResult {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly invariant?: string;
  readonly detail?: string;
  readonly trace?: readonly string[];
  readonly stats: Record<string, number>;
}

/** How long the healed cluster may take to converge: 10 s of simulated time. */
const LIVENESS_LIMIT_MS = 10_000;
const LIVENESS_CHECK_EVERY_MS = 20;
/** Slack for the lease drain, beyond the longest TTL and protect mode's pacing. */
const LEASE_DRAIN_SLACK_MS = 10_000;
/** Steps of the plain linearizability search per service before the log-order search. */
const PLAIN_SEARCH_STEPS = 500_000;
const HINT_SEED_SALT = 0x6c6f7374;
const RECONNECT_HINT_SEED_SALT = 0x6261636b;
const FOCUS_SEED_SALT = 0x666f6375;

/**
 * Swarm profiles: most seeds mix every fault; the others aim at one part of the protocol so
 * that its rare bugs show often (mutants that broke ReadIndex, snapshot restore or membership
 * changes were caught in under 4% of mixed seeds). Drawn from a stream of their own, so that
 * the focus disturbs no other draw of the seed.
 */
type Focus = 'mixed' | 'reads' | 'snapshots' | 'membership';

function drawFocus(seed: number): Focus {
  return new Prng(seed ^ FOCUS_SEED_SALT).pick<Focus>(
    ['mixed', 'reads', 'snapshots', 'membership']);
}

/**
 * Snapshots: one after every applied entry, nothing kept below, so a node that missed even a
 * few entries restores one. Reads: no CheckQuorum, so a leader cut off from the others leads
 * on, and only its ReadIndex round keeps its reads from going stale. Membership: slower disks
 * keep changes in flight longer.
 */
function focusKnobs(focus: Focus, knobs: ReplicaKnobs): ReplicaKnobs {
  switch (focus) {
    case 'mixed':
      return knobs;
    case 'reads':
      return { ...knobs, checkQuorum: false };
    case 'snapshots':
      // Without CheckQuorum a cut-off leader goes on appending: it comes back with a
      // divergent tail, which the snapshot it is sent must replace.
      return { ...knobs, snapshotEntries: 1, compactionKeepEntries: 0, checkQuorum: false };
    case 'membership':
      return { ...knobs, diskLatencyMaxMs: 3 };
  }
}

/**
 * Reads: many linearizable lookups, all of one service, so a stale answer contradicts a write
 * another client saw acknowledged. Snapshots: busy clients that keep asking the node they last
 * heard lead, so a cut-off leader's tail grows while the new leader's log grows slowly.
 */
function focusWorkload(focus: Focus, workload: WorkloadOptions): WorkloadOptions {
  if (focus === 'reads') {
    return { ...workload, lookupShare: 0.6, clients: 8, services: ['svc-0'] };
  }
  if (focus === 'snapshots') {
    return { ...workload, clients: 8, thinkMaxMs: 2, leaderHintShare: 0.95 };
  }
  return workload;
}

/**
 * Reads and snapshots: the leader cut off for a few election timeouts, then back; faults far
 * enough apart that an election fits between them. Reads: clients keep asking the cut-off
 * leader. Snapshots: it returns with its tail to a leader that has compacted past it.
 * Membership: changes back to back.
 */
function focusFaults(focus: Focus, profile: FaultProfile): FaultProfile {
  const weights = { ...profile.weights };
  switch (focus) {
    case 'mixed':
      return profile;
    case 'reads':
      Object.assign(weights, { isolateLeader: 12, isolateLeaderBriefly: 40, briefPartition: 10,
        oneWay: 6, crash: 2, heal: 8 });
      return { ...profile, weights, intervalMinMs: 200, intervalMaxMs: 800 };
    case 'snapshots':
      Object.assign(weights, { isolateLeader: 0, isolateLeaderBriefly: 40, partition: 2,
        crash: 6, heal: 10 });
      return { ...profile, weights, downtimeMaxMs: 2_000, intervalMinMs: 100, intervalMaxMs: 600 };
    case 'membership':
      // Room for two promotions in flight (or two removals), and partitions to split them.
      Object.assign(weights, { addLearner: 12, promote: 12, remove: 10, changeBurst: 12,
        transfer: 4, crashLeader: 6, churn: 4, partition: 8, heal: 8 });
      return { ...profile, weights, intervalMaxMs: 50, maxVoters: profile.maxVoters + 1,
        maxLearners: 3 };
  }
}

/**
 * One seeded run: a safety phase of `steps` events under random faults, then a liveness phase
 * on a healed network with every node up, then the linearizability check of the clients'
 * history. Everything derives from the seed, so a seed replays exactly.
 */
export function runSeed(options: SeedOptions): SeedResult {
  const prng = new Prng(options.seed);
  const queue = new EventQueue();
  const trace = new Trace({ enabled: options.trace ?? false, capacity: options.traceLines });
  const focus = drawFocus(options.seed);
  const knobs = focusKnobs(focus, drawKnobs(prng));
  // Hints draw from a stream of their own (see SimNetwork): seeds kept as regression cases
  // keep the knobs, workload and faults they were found with.
  const hintPrng = new Prng(options.seed ^ HINT_SEED_SALT);
  const network = new SimNetwork({ queue, prng: prng.fork(), hintPrng,
    reconnectHintPrng: new Prng(options.seed ^ RECONNECT_HINT_SEED_SALT) });
  network.faults = randomWeather(prng);
  const voters = Array.from({ length: options.nodes }, (_, i) => i + 1);
  const bootstrap = bootstrapSnapshot(voters);
  let cluster: SimCluster | undefined = undefined;
  const checks = {
    safety: new SafetyChecker({
      bootstrap,
      emptyDigest: hashBytes(bootstrap.data),
      votersOf: (id) => cluster?.votersOf(id),
    }),
    ledger: new AppliedLedger(),
    truth: new EventTruth(),
    leases: new LeaseCheck({ electionTimeoutMs: knobs.electionTicks * knobs.tickMs }),
  };
  cluster = new SimCluster({ queue, prng: prng.fork(), network, checks, trace, knobs });
  for (const id of voters) cluster.addNode(id, `s${id}`, bootstrap);
  for (const id of voters) cluster.start(id);
  const workloadOptions = focusWorkload(focus, drawWorkload(prng));
  const workload = new Workload({
    queue, prng: prng.fork(), cluster, trace, leaseCheck: checks.leases, workload: workloadOptions,
  });
  const watchers = new SimWatchers({
    queue, prng: prng.fork(), cluster, truth: checks.truth, trace,
    services: workloadOptions.services,
  });
  const replacer = new Replacer({
    queue, cluster, trace, amnesia: options.amnesia === true ? bootstrap : undefined,
  });
  // A node that refused its disk is wiped by its operator and started again: it rejoins.
  cluster.onRefused = (id) => replacer.replace(id);
  const faults = new FaultInjector({
    queue, prng: prng.fork(), cluster, network, trace,
    profile: focusFaults(focus, drawFaultProfile(prng, options.nodes)), replacer,
    electionTimeoutMs: knobs.electionTicks * knobs.tickMs,
  });
  const stats: Record<string, number> = {};
  const result = (fields: Partial<SeedResult>): SeedResult => {
    collectStats(stats, { queue, cluster, workload, checks, network, watchers, replacer });
    return { seed: options.seed, nodes: options.nodes, ok: true, stats, ...fields };
  };
  for (const { atMs, message } of options.forged ?? []) {
    queue.schedule(atMs, () => cluster?.inject(message));
  }
  try {
    workload.start();
    watchers.start(prng.pick([0, 3, 8]));
    faults.start();
    for (let step = 0; step < options.steps; step++) queue.step();
    faults.stop();
    workload.stop();
    const livenessProblem = runLiveness({
      queue, cluster, network, workload, trace, ttlMaxMs: workloadOptions.ttlMaxMs,
    });
    if (livenessProblem !== undefined) throw new InvariantViolation('liveness', livenessProblem);
    watchers.stop();
    workload.resolveUnknown(checks.ledger);
    options.onHistory?.(workload.history);
    checkHistory(workload.history, stats);
    return result({});
  } catch (error: unknown) {
    const failure = describeFailure(error);
    return result({ ok: false, ...failure, trace: trace.enabled ? trace.tail() : undefined });
  }
}

/** The founders' first snapshot: voters 1..n, named s1..sn in the registry's member table. */
function bootstrapSnapshot(voters: readonly NodeId[]): Snapshot {
  const registry = new Registry();
  registry.setMembers(voters.map((id) => simMember(id, `s${id}`)));
  return {
    metadata: { index: 1, term: 1, confState: { voters, learners: [] } },
    data: registry.snapshot(),
  };
}

/**
 * Linearizability of the clients' history: first the plain Wing-Gong/Lowe search. If that runs
 * out of budget (many writes in flight together), search again with committed writes in log
 * order: a linearization found that way is one (a proof), and none means reads or results
 * contradict the log.
 */
function checkHistory(history: readonly RegistryOperation[], stats: Record<string, number>): void {
  const check = checkLinearizability(registryModel, history, { stepBudget: PLAIN_SEARCH_STEPS });
  if (check.outcome === 'ok') return;
  if (check.outcome === 'illegal') throw new InvariantViolation('linearizability', check.detail);
  stats.checkedInLogOrder = 1;
  const ordered = checkLinearizability(registryModelInLogOrder, rankByLogIndex(history));
  if (ordered.outcome !== 'ok') {
    const invariant = `linearizability in log order (${ordered.outcome})`;
    throw new InvariantViolation(invariant, ordered.detail);
  }
}

function describeFailure(error: unknown): { invariant: string; detail: string } {
  if (error instanceof InvariantViolation) {
    return { invariant: error.invariant, detail: error.message };
  }
  if (error instanceof AssertionError) {
    return { invariant: 'assertion', detail: error.stack ?? error.message };
  }
  if (error instanceof Error) return { invariant: 'crash', detail: error.stack ?? error.message };
  return { invariant: 'crash', detail: String(error) };
}

/**
 * Heal everything and require convergence within the limit: a leader of the highest term,
 * every member following it with everything applied, no request left pending, and a last
 * write that commits and reaches every member.
 */
function runLiveness(context: {
  queue: EventQueue; cluster: SimCluster; network: SimNetwork; workload: Workload; trace: Trace;
  ttlMaxMs: number;
}): string | undefined {
  const { queue, cluster, network } = context;
  network.heal();
  network.faults = { ...HEALTHY_NETWORK };
  for (const node of cluster.nodes.values()) {
    if (node.node === undefined && !node.destroyed) cluster.start(node.id);
  }
  stopRemovedNodes(cluster, context.trace, queue.nowMs);
  context.trace.record(queue.nowMs, '-', 'liveness phase: healed, all nodes up');
  const converged = runUntil(queue, LIVENESS_LIMIT_MS, () => {
    // A removal may commit only now, with the removed node already leading on alone.
    stopRemovedNodes(cluster, context.trace, queue.nowMs);
    return convergenceProblem(cluster, context.workload);
  });
  if (converged !== undefined) {
    return `not converged after ${LIVENESS_LIMIT_MS} ms healed: ${converged}`;
  }
  const probe = { sent: false, committed: false };
  const probed = runUntil(queue, LIVENESS_LIMIT_MS, () => {
    if (!probe.sent) sendProbe(cluster, probe);
    return probe.committed ? undefined : 'probe write not committed';
  });
  if (probed !== undefined) return `after converging: ${probed}`;
  return drainLeases(context);
}

/**
 * Every owner falls silent: every lease must expire, within the longest TTL, an election
 * timeout, and protect mode's pacing (it only slows expiry down, never stops it).
 */
function drainLeases(context: {
  queue: EventQueue; cluster: SimCluster; workload: Workload; trace: Trace; ttlMaxMs: number;
}): string | undefined {
  const { queue, cluster } = context;
  const knobs = cluster.knobs;
  // Removals that committed while converging.
  stopRemovedNodes(cluster, context.trace, queue.nowMs);
  const leasesOnLeader = (): number | undefined => {
    const leader = cluster.leader();
    return leader === undefined ? undefined : cluster.get(leader.id).node?.registry.leases().length;
  };
  const ratePerSecond =
    knobs.leases.protect.protectRatePerSecond ?? lessorDefaults.protectRatePerSecond;
  const pacingMs = ((leasesOnLeader() ?? 0) / ratePerSecond) * 1000;
  const limitMs = context.ttlMaxMs + knobs.electionTicks * knobs.tickMs + pacingMs +
    LEASE_DRAIN_SLACK_MS;
  context.workload.abandonAll();
  const expired = runUntil(queue, limitMs, () => {
    const leases = leasesOnLeader();
    if (leases === undefined) return 'no leader';
    return leases === 0 ? undefined : `${leases} leases never expired`;
  });
  return expired === undefined ? undefined
    : `after every owner fell silent, within ${Math.round(limitMs)} ms: ${expired}`;
}

/**
 * Without PreVote and CheckQuorum, a removed node that never learned of its removal either
 * campaigns forever, deposing every leader (Raft dissertation, section 4.2.3), or, if it was
 * leading, leads on alone, its proposals never committing. Roster always runs with both; the
 * simulator turns them off only to test safety. So in that case the nodes whose removal
 * committed are shut down for the liveness phase, as an operator does after a removal.
 */
function stopRemovedNodes(cluster: SimCluster, trace: Trace, nowMs: number): void {
  if (cluster.knobs.preVote || cluster.knobs.checkQuorum) return;
  for (const id of cluster.removed) {
    if (cluster.get(id).node === undefined) continue;
    trace.record(nowMs, id, 'removed: shut down');
    cluster.crash(id);
  }
}

/** Runs events until `problem` reports none (checked every few ms), or the limit passes. */
function runUntil(queue: EventQueue, limitMs: number, problem: () => string | undefined):
  string | undefined {
  const deadlineMs = queue.nowMs + limitMs;
  let last: string | undefined = problem();
  let nextCheckMs = queue.nowMs + LIVENESS_CHECK_EVERY_MS;
  while (last !== undefined && queue.nowMs < deadlineMs) {
    if (!queue.step()) return 'the event queue ran dry';
    if (queue.nowMs < nextCheckMs) continue;
    nextCheckMs = queue.nowMs + LIVENESS_CHECK_EVERY_MS;
    last = problem();
  }
  return last;
}

function sendProbe(cluster: SimCluster, probe: { sent: boolean; committed: boolean }): void {
  const leader = cluster.leader();
  const node = leader === undefined ? undefined : cluster.get(leader.id).node;
  if (node === undefined) return;
  probe.sent = true;
  const instance = validateInstance({ service: 'probe', id: 'p', address: '1.1.1.1', port: 1 });
  node.proposeWith({ op: 'register', instance }, (outcome) => {
    if (outcome.status === 'committed') probe.committed = true;
    else probe.sent = false; // retry at the next check
  });
}

function convergenceProblem(cluster: SimCluster, workload: Workload): string | undefined {
  const leader = cluster.leader();
  if (leader === undefined) return 'no leader';
  const { voters, learners } = leader.status.confState;
  const members: NodeId[] = [...voters, ...learners];
  for (const id of members) {
    const node = cluster.get(id).node;
    if (node === undefined) return `member ${id} is down`;
    const status = node.raftStatus();
    if (status.term > leader.status.term) {
      return `member ${id} has a higher term than leader ${leader.id}`;
    }
    if (status.leader !== leader.id) {
      return `member ${id} follows ${status.leader}, not ${leader.id}`;
    }
    if (node.applied !== leader.status.commit) {
      return `member ${id} applied ${node.applied} of ${leader.status.commit}`;
    }
  }
  if (leader.status.commit !== leader.status.lastIndex) return 'leader has uncommitted entries';
  for (const simNode of cluster.upNodes()) {
    const pending = simNode.node?.pendingCount();
    if (pending !== undefined && pending.proposals + pending.reads > 0) {
      return `node ${simNode.id} has ${pending.proposals} proposals and ` +
        `${pending.reads} reads pending`;
    }
  }
  if (workload.outstanding > 0) return `${workload.outstanding} client requests outstanding`;
  return undefined;
}

function drawKnobs(prng: Prng): ReplicaKnobs {
  return {
    tickMs: 10,
    electionTicks: prng.pick([5, 10, 10, 20]),
    heartbeatTicks: prng.pick([1, 1, 2, 3]),
    preVote: prng.chance(0.7),
    checkQuorum: prng.chance(0.7),
    messageBytesMax: prng.pick([1, 256, 1024, 64 * 1024]),
    inflightMessagesMax: prng.pick([1, 4, 64]),
    snapshotEntries: prng.pick([8, 32, 100, 400]),
    compactionKeepEntries: prng.pick([0, 5, 50]),
    diskLatencyMaxMs: prng.pick([0, 1, 3]),
    // A stale uncommitted tail is only settled by this timeout (nothing truncates it until the
    // leader's log grows past it); the ledger then tells what really happened.
    proposalTimeoutTicks: 200,
    readTimeoutTicks: 50,
    leases: {
      checkIntervalMs: prng.pick([5, 10, 30]),
      checkpointIntervalMs: prng.pick([20, 100, 500]),
      loadIntervalMs: 100,
      revokeBatchMax: prng.pick([1, 10, 1000]),
      checkpointBatchMax: prng.pick([1, 100]),
      // Small drifts checkpoint the simulator's short TTLs, so failovers restore from them.
      // A share above 1/3 keeps healthy leases (renewed every TTL/3) from checkpointing, as
      // in production; below it every renewal would be a log write.
      checkpointDrift: {
        checkpointDriftMs: prng.pick([5, 50, 1_000]),
        checkpointDriftShare: prng.pick([0.35, 0.5]),
      },
      protect: {
        protectShare: prng.pick([0.3, 0.5, 1.01]),
        protectWindowMs: prng.pick([200, 1000]),
        protectRatePerSecond: prng.pick([5, 50]),
        protectMinLeases: prng.pick([2, 10]),
      },
    },
    watchHistoryEvents: prng.pick([5, 50, 100_000]),
  };
}

function drawWorkload(prng: Prng): WorkloadOptions {
  const serviceCount = prng.intBetween(2, 4);
  return {
    clients: prng.intBetween(3, 8),
    services: Array.from({ length: serviceCount }, (_, i) => `svc-${i}`),
    instancesPerService: prng.intBetween(2, 5),
    thinkMaxMs: prng.pick([2, 10, 40]),
    timeoutMs: 400,
    delayMinMs: 1,
    delayMaxMs: 3,
    leaseShare: prng.pick([0, 0.3, 0.7]),
    ttlMinMs: 150,
    ttlMaxMs: prng.pick([300, 600]),
    abandonChance: prng.pick([0, 0.02, 0.1]),
    lookupShare: 0.4,
    leaderHintShare: 0.75,
  };
}

function drawFaultProfile(prng: Prng, nodes: number): FaultProfile {
  const weight = (): number => (prng.chance(0.2) ? 0 : prng.intBetween(1, 10));
  // Rarer than the rest: each takes a node out until its replacement has caught up.
  const storageWeight = (): number => (prng.chance(0.4) ? 0 : prng.intBetween(1, 3));
  return {
    intervalMinMs: 5,
    intervalMaxMs: prng.pick([20, 50, 200, 600]),
    weights: {
      crash: weight(), crashLeader: weight(), partition: weight(), oneWay: weight(),
      isolateLeader: weight(), heal: prng.intBetween(5, 20), weather: weight(),
      addLearner: weight(), promote: weight(), remove: weight(), transfer: weight(),
      churn: weight(), briefPartition: weight(), wipe: storageWeight(),
      loseWrites: storageWeight(), changeBurst: 0, isolateLeaderBriefly: 0,
    },
    downtimeMaxMs: prng.pick([20, 50, 500, 2000]),
    minVoters: nodes - 1,
    maxVoters: nodes + 1,
    maxLearners: 2,
  };
}

function collectStats(stats: Record<string, number>, context: {
  queue: EventQueue; cluster: SimCluster; workload: Workload;
  checks: { safety: SafetyChecker; leases: LeaseCheck }; network: SimNetwork; watchers: SimWatchers;
  replacer: Replacer;
}): void {
  stats.replaced = context.replacer.replaced;
  stats.gateDropped = context.cluster.dropped;
  stats.simMs = context.queue.nowMs;
  stats.leaders = context.checks.safety.leadersObserved;
  stats.heartbeats = context.workload.heartbeats;
  stats.expired = context.workload.expired;
  stats.expiryDecisions = context.checks.leases.decisions;
  stats.watchers = context.watchers.watchers.length;
  stats.watchDeliveries = context.watchers.watchers.reduce((sum, one) => sum + one.deliveries, 0);
  stats.watchResumes = context.watchers.resumes;
  stats.watchLookupsCompared =
    context.watchers.watchers.reduce((sum, one) => sum + one.lookupsCompared, 0);
  stats.committed = context.workload.committed;
  stats.unknown = context.workload.unknown;
  stats.noEffect = context.workload.rejected;
  stats.delivered = context.network.delivered;
  stats.dropped = context.network.dropped;
  stats.connectionHints = context.network.connectionHints;
  let crashes = 0;
  for (const node of context.cluster.nodes.values()) crashes += node.crashes;
  stats.crashes = crashes;
  stats.nodesEver = context.cluster.nodes.size;
  stats.snapshotsRestored = context.cluster.snapshotsRestored;
  stats.confChangesApplied = context.cluster.confChangesApplied;
}
