import { AssertionError } from '../core/assert.js';
import { AppliedLedger } from './applied-ledger.js';
import { Prng } from '../core/prng.js';
import type { NodeId, Snapshot } from '../raft/index.js';
import { checkLinearizability } from './check/linearizability.js';
import { rankByLogIndex, registryModelInLogOrder } from './check/log-order-model.js';
import { registryModel } from './check/registry-model.js';
import { InvariantViolation, SafetyChecker } from './check/safety.js';
import { EventQueue } from './event-queue.js';
import { FaultInjector, randomWeather, type FaultProfile } from './faults.js';
import { encodeCommand, RegistryLite } from './registry-lite.js';
import { SimCluster, type ReplicaKnobs } from './sim-cluster.js';
import { HEALTHY_NETWORK, SimNetwork } from './sim-network.js';
import { Trace } from './trace.js';
import { Workload, type RegistryOperation, type WorkloadOptions } from './workload.js';

export interface SeedOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  /** Events in the safety phase. */
  readonly steps: number;
  readonly trace?: boolean;
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
/** Steps of the plain linearizability search per service before the log-order search. */
const PLAIN_SEARCH_STEPS = 500_000;

/**
 * One seeded run: a safety phase of `steps` events under random faults, then a liveness phase
 * on a healed network with every node up, then the linearizability check of the clients'
 * history. Everything derives from the seed, so a seed replays exactly.
 */
export function runSeed(options: SeedOptions): SeedResult {
  const prng = new Prng(options.seed);
  const queue = new EventQueue();
  const trace = new Trace({ enabled: options.trace ?? false });
  const knobs = drawKnobs(prng);
  const network = new SimNetwork({ queue, prng: prng.fork() });
  network.faults = randomWeather(prng);
  const voters = Array.from({ length: options.nodes }, (_, i) => i + 1);
  const bootstrap: Snapshot = {
    metadata: { index: 1, term: 1, confState: { voters, learners: [] } },
    data: new Uint8Array(0),
  };
  let cluster: SimCluster | undefined = undefined;
  const checker = new SafetyChecker({
    bootstrap,
    emptyDigest: new RegistryLite().digest,
    votersOf: (id) => cluster?.votersOf(id),
  });
  const ledger = new AppliedLedger();
  cluster = new SimCluster({ queue, prng: prng.fork(), network, checker, ledger, trace, knobs });
  for (const id of voters) cluster.addNode(id, bootstrap);
  for (const id of voters) cluster.start(id);
  const workload = new Workload({
    queue, prng: prng.fork(), cluster, trace, workload: drawWorkload(prng),
  });
  const faults = new FaultInjector({
    queue, prng: prng.fork(), cluster, network, trace,
    profile: drawFaultProfile(prng, options.nodes), firstNewNodeId: options.nodes + 1,
  });
  const stats: Record<string, number> = {};
  const result = (fields: Partial<SeedResult>): SeedResult => {
    collectStats(stats, { queue, cluster, workload, checker, network });
    return { seed: options.seed, nodes: options.nodes, ok: true, stats, ...fields };
  };
  try {
    workload.start();
    faults.start();
    for (let step = 0; step < options.steps; step++) queue.step();
    faults.stop();
    workload.stop();
    const livenessProblem = runLiveness({ queue, cluster, network, workload, trace });
    if (livenessProblem !== undefined) throw new InvariantViolation('liveness', livenessProblem);
    workload.resolveUnknown(ledger);
    options.onHistory?.(workload.history);
    checkHistory(workload.history, stats);
    return result({});
  } catch (error: unknown) {
    const failure = describeFailure(error);
    return result({ ok: false, ...failure, trace: trace.enabled ? trace.tail() : undefined });
  }
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
}): string | undefined {
  const { queue, cluster, network } = context;
  network.heal();
  network.faults = { ...HEALTHY_NETWORK };
  for (const node of cluster.nodes.values()) if (node.replica === undefined) cluster.start(node.id);
  context.trace.record(queue.nowMs, '-', 'liveness phase: healed, all nodes up');
  const deadlineMs = queue.nowMs + LIVENESS_LIMIT_MS;
  const probe = { sent: false, committed: false };
  let nextCheckMs = queue.nowMs;
  let problem: string | undefined = 'not checked';
  while (queue.nowMs < deadlineMs) {
    if (!queue.step()) return 'the event queue ran dry';
    if (queue.nowMs < nextCheckMs) continue;
    nextCheckMs = queue.nowMs + LIVENESS_CHECK_EVERY_MS;
    problem = convergenceProblem(cluster, context.workload);
    if (problem !== undefined) continue;
    if (probe.committed) return undefined;
    if (!probe.sent) sendProbe(cluster, probe);
  }
  return `not converged after ${LIVENESS_LIMIT_MS} ms healed: ` +
    `${problem ?? 'probe write not committed'}`;
}

function sendProbe(cluster: SimCluster, probe: { sent: boolean; committed: boolean }): void {
  const leader = cluster.leader();
  const replica = leader === undefined ? undefined : cluster.get(leader.id).replica;
  if (replica === undefined) return;
  probe.sent = true;
  const data = encodeCommand({
    op: 'register', service: 'probe', instance: 'p', endpoint: '1.1.1.1:1',
  });
  replica.propose(data, (outcome) => {
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
    const replica = cluster.get(id).replica;
    if (replica === undefined) return `member ${id} is down`;
    const status = replica.status();
    if (status.term > leader.status.term) {
      return `member ${id} has a higher term than leader ${leader.id}`;
    }
    if (status.leader !== leader.id) {
      return `member ${id} follows ${status.leader}, not ${leader.id}`;
    }
    if (replica.applied !== leader.status.commit) {
      return `member ${id} applied ${replica.applied} of ${leader.status.commit}`;
    }
  }
  if (leader.status.commit !== leader.status.lastIndex) return 'leader has uncommitted entries';
  for (const node of cluster.upNodes()) {
    const pending = node.replica?.pendingCount();
    if (pending !== undefined && pending.proposals + pending.reads > 0) {
      return `node ${node.id} has ${pending.proposals} proposals and ` +
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
  };
}

function drawFaultProfile(prng: Prng, nodes: number): FaultProfile {
  const weight = (): number => (prng.chance(0.2) ? 0 : prng.intBetween(1, 10));
  return {
    intervalMinMs: 5,
    intervalMaxMs: prng.pick([20, 50, 200, 600]),
    weights: {
      crash: weight(), crashLeader: weight(), partition: weight(), oneWay: weight(),
      isolateLeader: weight(), heal: prng.intBetween(5, 20), weather: weight(),
      addLearner: weight(), promote: weight(), remove: weight(), transfer: weight(),
      churn: weight(), briefPartition: weight(),
    },
    downtimeMaxMs: prng.pick([20, 50, 500, 2000]),
    minVoters: nodes - 1,
    maxVoters: nodes + 1,
    maxLearners: 2,
  };
}

function collectStats(stats: Record<string, number>, context: {
  queue: EventQueue; cluster: SimCluster; workload: Workload; checker: SafetyChecker;
  network: SimNetwork;
}): void {
  stats.simMs = context.queue.nowMs;
  stats.leaders = context.checker.leadersObserved;
  stats.committed = context.workload.committed;
  stats.unknown = context.workload.unknown;
  stats.noEffect = context.workload.rejected;
  stats.delivered = context.network.delivered;
  stats.dropped = context.network.dropped;
  let crashes = 0;
  for (const node of context.cluster.nodes.values()) crashes += node.crashes;
  stats.crashes = crashes;
  stats.nodesEver = context.cluster.nodes.size;
  stats.snapshotsRestored = context.cluster.snapshotsRestored;
  stats.confChangesApplied = context.cluster.confChangesApplied;
}
