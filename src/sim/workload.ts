import type { Prng } from '../core/prng.js';
import type { NodeId } from '../raft/index.js';
import type { ProposalOutcome, ReadOutcome } from '../replica/index.js';
import type { AppliedLedger } from './applied-ledger.js';
import type { Operation } from './check/linearizability.js';
import type { LoggedInput } from './check/log-order-model.js';
import type { RegistryInput, RegistryOutput } from './check/registry-model.js';
import type { EventQueue } from './event-queue.js';
import { encodeCommand, type RegistryCommand, type RegistryResult } from './registry-lite.js';
import type { SimCluster } from './sim-cluster.js';
import type { Trace } from './trace.js';

export interface WorkloadOptions {
  readonly clients: number;
  readonly services: readonly string[];
  readonly instancesPerService: number;
  readonly thinkMaxMs: number;
  readonly timeoutMs: number;
  /** Client <-> node latency bounds (the client network never partitions). */
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
}

export type RegistryOperation = Operation<LoggedInput, RegistryOutput>;

interface Call {
  readonly client: number;
  readonly input: RegistryInput;
  readonly callMs: number;
  /** The client got its answer or gave up, and moved on. */
  clientDone: boolean;
  /** The op's true outcome is known and recorded (or known to have had no effect). */
  settled: boolean;
  /** Where the write went in the log, once a replica accepted it. */
  proposal: { index: number; term: number } | undefined;
}

/**
 * Clients issuing register / deregister / lookup against random nodes (preferring the last
 * leader they heard of), recording a history for the linearizability checker.
 *
 * The simulator knows more than a real client: an op's outcome is recorded when the replica
 * resolves it, even after the client gave up (committed: its effect happened before that
 * moment; refused or lost before any replica saw it: no effect). A write whose replica
 * could not tell (it crashed, or timed out) is resolved at the end against what was actually
 * applied at its (index, term). More facts, never false ones: the check gets stronger and the
 * search stays small.
 */
export class Workload {
  readonly history: RegistryOperation[] = [];
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly cluster: SimCluster;
  private readonly trace: Trace;
  private readonly options: WorkloadOptions;
  private readonly leaderHints: NodeId[];
  private stopped = false;
  private endpointSeq = 0;
  private readonly unresolved = new Set<Call>();
  /** Requests whose client has not yet had an answer or given up. */
  outstanding = 0;
  committed = 0;
  unknown = 0;
  rejected = 0;

  constructor(options: {
    queue: EventQueue; prng: Prng; cluster: SimCluster; trace: Trace; workload: WorkloadOptions;
  }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.cluster = options.cluster;
    this.trace = options.trace;
    this.options = options.workload;
    this.leaderHints = new Array<NodeId>(this.options.clients).fill(0);
  }

  start(): void {
    for (let client = 0; client < this.options.clients; client++) {
      this.queue.schedule(this.prng.intBetween(0, this.options.thinkMaxMs),
        () => this.next(client));
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private next(client: number): void {
    if (this.stopped) return;
    const input = this.chooseInput(client);
    const call: Call = {
      client, input, callMs: this.queue.nowMs, clientDone: false, settled: false,
      proposal: undefined,
    };
    this.outstanding += 1;
    const target = this.chooseTarget(client);
    this.queue.schedule(this.delayMs(), () => this.arrive(call, target));
  }

  private chooseInput(client: number): RegistryInput {
    const options = this.options;
    const service = this.prng.pick(options.services);
    const instance = `i${this.prng.intBelow(options.instancesPerService)}`;
    const roll = this.prng.nextFloat();
    if (roll < 0.4) {
      this.endpointSeq += 1;
      const endpoint = `10.${client}.${this.endpointSeq >> 8}.${this.endpointSeq & 255}:80`;
      return { kind: 'register', service, instance, endpoint };
    }
    if (roll < 0.65) return { kind: 'deregister', service, instance };
    return { kind: 'lookup', service };
  }

  private chooseTarget(client: number): NodeId {
    const hint = this.leaderHints[client] ?? 0;
    if (hint !== 0 && this.prng.chance(0.75)) return hint;
    return this.prng.pick([...this.cluster.nodes.keys()]);
  }

  private delayMs(): number {
    return this.prng.intBetween(this.options.delayMinMs, this.options.delayMaxMs);
  }

  /** The request reaches node `target`; lost, with no effect, if the node is down. */
  private arrive(call: Call, target: NodeId): void {
    const node = this.cluster.nodes.get(target);
    const replica = node?.replica;
    const stateMachine = node?.stateMachine;
    if (replica === undefined || stateMachine === undefined) {
      // Lost with no effect; the client notices only when its deadline passes.
      this.settle(call, undefined);
      this.queue.schedule(this.options.timeoutMs, () => this.clientDone(call));
      return;
    }
    // A replica always answers (applied, refused, timed out, or stopped by a crash), so the
    // client waits for it: concurrency stays bounded by the number of clients, which keeps
    // the linearizability search small even when the cluster stalls for seconds.
    const input = call.input;
    if (input.kind === 'expire') return; // leases join the simulator with issue 4
    if (input.kind === 'lookup') {
      replica.read((outcome: ReadOutcome) => {
        const output: RegistryOutput | undefined = outcome.status === 'ready'
          ? { kind: 'lookup', instances: stateMachine.lookup(input.service) } : undefined;
        this.settle(call, output);
        this.respond(call, replica.status().leader);
      });
      return;
    }
    const command: RegistryCommand = input.kind === 'register'
      ? {
          op: 'register',
          service: input.service,
          instance: input.instance,
          endpoint: input.endpoint,
        }
      : { op: 'deregister', service: input.service, instance: input.instance };
    call.proposal = replica.propose(encodeCommand(command),
      (outcome: ProposalOutcome<RegistryResult>) => {
        if (outcome.status === 'unknown') this.unresolved.add(call);
        else this.settle(call, writeOutput(outcome));
        this.respond(call, replica.status().leader);
      });
  }

  /**
   * After the run: settles every write its replica could not, from the ledger of applied
   * entries. The liveness phase applied everything committed, so what is not there never was.
   */
  resolveUnknown(ledger: AppliedLedger): void {
    for (const call of this.unresolved) {
      if (call.settled || call.proposal === undefined) continue;
      const applied = ledger.get(call.proposal.index);
      if (applied === undefined || applied.term !== call.proposal.term) {
        this.settle(call, undefined);
        continue;
      }
      const output = applied.result === undefined ? undefined : writeOutput({
        status: 'committed', index: call.proposal.index, result: applied.result,
      });
      this.settle(call, output, applied.timeMs);
    }
    this.unresolved.clear();
  }

  /** The answer travels back to the client, which then moves on. */
  private respond(call: Call, leader: NodeId): void {
    this.queue.schedule(this.delayMs(), () => {
      if (leader !== 0) this.leaderHints[call.client] = leader;
      this.clientDone(call);
    });
  }

  /** Records the op's true outcome; `undefined` means it had no effect. */
  private settle(
    call: Call,
    output: RegistryOutput | undefined,
    returnMs = this.queue.nowMs,
  ): void {
    if (call.settled) return;
    call.settled = true;
    if (output === undefined) {
      this.rejected += 1;
    } else {
      const unknown = output.kind === 'unknown';
      if (unknown) this.unknown += 1;
      else this.committed += 1;
      // A committed write carries its log index: the checker's fallback orders writes by it.
      const logIndex = unknown || call.input.kind === 'lookup' ? undefined : call.proposal?.index;
      this.history.push({
        clientId: call.client,
        input: logIndex === undefined ? call.input : { ...call.input, logIndex },
        output,
        call: call.callMs,
        return: unknown ? Infinity : returnMs,
      });
    }
    if (this.trace.enabled) {
      const text = output === undefined ? 'no effect' : JSON.stringify(output);
      this.trace.record(this.queue.nowMs, `c${call.client}`, `${describe(call.input)} -> ${text}`);
    }
  }

  private clientDone(call: Call): void {
    if (call.clientDone) return;
    call.clientDone = true;
    this.outstanding -= 1;
    this.queue.schedule(this.prng.intBetween(0, this.options.thinkMaxMs),
      () => this.next(call.client));
  }
}

function writeOutput(outcome: ProposalOutcome<RegistryResult>): RegistryOutput | undefined {
  if (outcome.status === 'rejected') return undefined;
  if (outcome.status === 'unknown') return { kind: 'unknown' };
  const result = outcome.result;
  if (result.kind === 'register') return { kind: 'register' };
  return { kind: 'deregister', found: result.found };
}

function describe(input: RegistryInput): string {
  switch (input.kind) {
    case 'register':
      return `register ${input.service}/${input.instance}=${input.endpoint}`;
    case 'deregister':
      return `deregister ${input.service}/${input.instance}`;
    case 'lookup':
      return `lookup ${input.service}`;
    case 'expire':
      return `expire ${input.service}`;
  }
}
