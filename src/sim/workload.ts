import { limits } from '../core/limits.js';
import type { Prng } from '../core/prng.js';
import type { NodeId } from '../raft/index.js';
import {
  validateInstance, type Command, type CommandResult, type RegistryEvent,
} from '../registry/index.js';
import type { RosterError } from '../core/errors.js';
import type { LeaseRenewal, ProposalOutcome } from '../replica/index.js';
import type { AppliedLedger } from './applied-ledger.js';
import type { LeaseCheck } from './check/lease-check.js';
import type { Operation } from './check/linearizability.js';
import type { LoggedInput } from './check/log-order-model.js';
import type { RegistryInput, RegistryOutput } from './check/registry-model.js';
import type { EventQueue } from './event-queue.js';
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
  /** Share of registrations that take a lease (then heartbeat it, until they fall silent). */
  readonly leaseShare: number;
  readonly ttlMinMs: number;
  readonly ttlMaxMs: number;
  /** Chance per heartbeat round that a client stops heartbeating one of its leases. */
  readonly abandonChance: number;
  /** Share of requests that are (linearizable) lookups; the rest register and deregister. */
  readonly lookupShare: number;
  /** How often a client sends to the node it last heard lead, rather than to any node. */
  readonly leaderHintShare: number;
}

export type RegistryOperation = Operation<LoggedInput, RegistryOutput>;

interface Call {
  readonly client: number;
  readonly input: RegistryInput;
  readonly callMs: number;
  readonly ttlMs: number | undefined;
  /** The client got its answer or gave up, and moved on. */
  clientDone: boolean;
  /** The op's true outcome is known and recorded (or known to have had no effect). */
  settled: boolean;
  /**
   * Where the write went in the log, once its outcome said: its entry and its slot among the
   * entry's commands (the term only when the outcome was unknown, to resolve it later).
   */
  placed: { readonly index: number; readonly slot: number; readonly term?: number } | undefined;
}

interface OwnedLease {
  readonly ttlMs: number;
  beating: boolean;
}

/**
 * Clients issuing register (some with leases they then heartbeat), deregister and lookup
 * against random nodes, preferring the last leader they heard of, and recording a history for
 * the linearizability checker; the lessor's expiries join the history as expire operations.
 *
 * The simulator knows more than a real client: an op's outcome is recorded when the replica
 * resolves it, even after the client gave up (committed: its effect happened before that
 * moment; refused or lost before any replica saw it: no effect). A write whose replica could
 * not tell (it crashed, or timed out) is resolved at the end against what was actually
 * applied at its (index, term). More facts, never false ones: the check gets stronger and the
 * search stays small.
 */
export class Workload {
  readonly history: RegistryOperation[] = [];
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly cluster: SimCluster;
  private readonly trace: Trace;
  private readonly leaseCheck: LeaseCheck;
  private readonly options: WorkloadOptions;
  private readonly leaderHints: NodeId[];
  private readonly leases: Map<number, OwnedLease>[];
  private stopped = false;
  private endpointSeq = 0;
  private readonly unresolved = new Set<Call>();
  /** Requests whose client has not yet had an answer or given up. */
  outstanding = 0;
  committed = 0;
  unknown = 0;
  rejected = 0;
  heartbeats = 0;
  expired = 0;

  constructor(options: {
    queue: EventQueue; prng: Prng; cluster: SimCluster; trace: Trace; leaseCheck: LeaseCheck;
    workload: WorkloadOptions;
  }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.cluster = options.cluster;
    this.trace = options.trace;
    this.leaseCheck = options.leaseCheck;
    this.options = options.workload;
    this.leaderHints = new Array<NodeId>(this.options.clients).fill(0);
    this.leases = Array.from({ length: this.options.clients }, () => new Map());
    this.cluster.onExpired = (events, decidedAtMs) => this.recordExpiry(events, decidedAtMs);
  }

  start(): void {
    for (let client = 0; client < this.options.clients; client++) {
      this.queue.schedule(this.thinkMs(), () => this.next(client));
      this.scheduleHeartbeat(client);
    }
  }

  /** No new requests; heartbeats go on (leases still being kept alive must stay alive). */
  stop(): void {
    this.stopped = true;
  }

  /** In the end, every client falls silent: their leases expire. */
  abandonAll(): void {
    for (const owned of this.leases) for (const lease of owned.values()) lease.beating = false;
  }

  private next(client: number): void {
    if (this.stopped) return;
    const input = this.chooseInput(client);
    const leased = input.kind === 'register' && this.prng.chance(this.options.leaseShare);
    const ttlMs = leased
      ? this.prng.intBetween(this.options.ttlMinMs, this.options.ttlMaxMs) : undefined;
    const call: Call = {
      client, input, callMs: this.queue.nowMs, ttlMs, clientDone: false, settled: false,
      placed: undefined,
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
    const writes = 1 - options.lookupShare;
    if (roll < writes * (2 / 3)) {
      this.endpointSeq += 1;
      const endpoint = `10.${client}.${this.endpointSeq >> 8}.${this.endpointSeq & 255}:80`;
      return { kind: 'register', service, instance, endpoint };
    }
    if (roll < writes) return { kind: 'deregister', service, instance };
    return { kind: 'lookup', service };
  }

  private chooseTarget(client: number): NodeId {
    const hint = this.leaderHints[client] ?? 0;
    if (hint !== 0 && this.prng.chance(this.options.leaderHintShare)) return hint;
    return this.prng.pick([...this.cluster.nodes.keys()]);
  }

  private thinkMs(): number {
    return this.prng.intBetween(0, this.options.thinkMaxMs);
  }

  private delayMs(): number {
    return this.prng.intBetween(this.options.delayMinMs, this.options.delayMaxMs);
  }

  /** The request reaches node `target`; lost, with no effect, if the node is down. */
  private arrive(call: Call, target: NodeId): void {
    const node = this.cluster.nodes.get(target)?.node;
    if (node === undefined) {
      // Lost with no effect; the client notices only when its deadline passes.
      this.settle(call, undefined);
      this.queue.schedule(this.options.timeoutMs, () => this.clientDone(call));
      return;
    }
    // A replica always answers (applied, refused, timed out, or stopped by a crash), so the
    // client waits for it: concurrency stays bounded by the number of clients, which keeps
    // the linearizability search small even when the cluster stalls for seconds.
    const input = call.input;
    if (input.kind === 'lookup') {
      node.readWith((error) => {
        const output: RegistryOutput | undefined = error !== undefined ? undefined : {
          kind: 'lookup',
          instances: node.registry.lookup({
            namespace: 'default', service: input.service, tags: [], version: '', zone: '',
            region: '', environment: '', includeUnhealthy: true,
          }).map((instance) => [instance.id, `${instance.address}:${instance.port}`] as const),
        };
        this.settle(call, output);
        this.respond(call, node.leaderId());
      });
      return;
    }
    if (input.kind === 'expire') return;
    node.proposeWith(this.commandOf(call), (outcome) => {
      const { slot } = outcome;
      if (outcome.status === 'committed') call.placed = { index: outcome.index, slot };
      if (outcome.status === 'unknown') {
        call.placed = { index: outcome.index, slot, term: outcome.term };
        this.unresolved.add(call);
      } else {
        this.settle(call, writeOutput(outcome));
      }
      if (outcome.status === 'committed') this.adoptLease(call, outcome.result);
      this.respond(call, node.leaderId());
    });
  }

  private commandOf(call: Call): Command {
    const input = call.input;
    if (input.kind === 'register') {
      const [address, port] = input.endpoint.split(':');
      const instance = validateInstance({
        service: input.service, id: input.instance, address, port: Number(port),
      });
      return call.ttlMs === undefined ? { op: 'register', instance }
        : { op: 'register', instance, lease: { ttlMs: call.ttlMs } };
    }
    if (input.kind !== 'deregister') throw new Error(`no command for ${input.kind}`);
    return {
      op: 'deregister', key: { namespace: 'default', service: input.service, id: input.instance },
    };
  }

  /** A leased registration committed: its client now owns the lease and heartbeats it. */
  private adoptLease(call: Call, result: CommandResult): void {
    if (call.ttlMs === undefined || result.op !== 'register' || !result.ok) return;
    const leaseId = result.instance.leaseId;
    this.leaseCheck.granted(leaseId, call.ttlMs, call.callMs);
    this.leases[call.client]?.set(leaseId, { ttlMs: call.ttlMs, beating: true });
  }

  /** The answer travels back to the client, which then moves on. */
  private respond(call: Call, leader: NodeId): void {
    this.queue.schedule(this.delayMs(), () => {
      if (leader !== 0) this.leaderHints[call.client] = leader;
      this.clientDone(call);
    });
  }

  // ---- Heartbeats -------------------------------------------------------------------------

  private scheduleHeartbeat(client: number): void {
    const intervalMs = Math.max(10, Math.floor(this.options.ttlMinMs / 3));
    this.queue.schedule(intervalMs, () => {
      this.heartbeat(client);
      this.scheduleHeartbeat(client);
    });
  }

  /** One KeepAlive for every lease the client still beats, to the node it thinks leads. */
  private heartbeat(client: number): void {
    const owned = this.leases[client] as Map<number, OwnedLease>;
    for (const [id, lease] of owned) {
      if (lease.beating && this.prng.chance(this.options.abandonChance)) {
        lease.beating = false;
        this.trace.record(this.queue.nowMs, `c${client}`, `falls silent on lease ${id}`);
      }
      if (!lease.beating) owned.delete(id);
    }
    const ids = [...owned.keys()];
    if (ids.length === 0) return;
    const sentAtMs = this.queue.nowMs;
    const target = this.chooseTarget(client);
    this.queue.schedule(this.delayMs(), () => {
      const node = this.cluster.nodes.get(target)?.node;
      if (node === undefined) return;
      this.heartbeats += 1;
      node.keepAliveWith({ ids }, (result) => {
        const leader = node.leaderId();
        this.queue.schedule(this.delayMs(),
          () => this.heartbeatAnswered(client, result, sentAtMs, leader));
      });
    });
  }

  private heartbeatAnswered(
    client: number,
    result: { renewals: readonly LeaseRenewal[] } | { error: RosterError },
    sentAtMs: number,
    leader: NodeId,
  ): void {
    if ('error' in result) {
      // Not the leader (or not ready yet): follow the leader the node names.
      this.leaderHints[client] = leader;
      return;
    }
    const owned = this.leases[client] as Map<number, OwnedLease>;
    if (this.trace.enabled) {
      const renewed = result.renewals.map((renewal) => `${renewal.id}${renewal.found ? '' : '?'}`);
      this.trace.record(this.queue.nowMs, `c${client}`,
        `heartbeat sent at ${sentAtMs} via n${leader}: ${renewed.join(',')}`);
    }
    for (const renewal of result.renewals) {
      if (renewal.found) this.leaseCheck.renewed(renewal.id, sentAtMs);
      else owned.delete(renewal.id);
    }
  }

  // ---- History ----------------------------------------------------------------------------

  /** A Revoke removed these instances: expire ops, from the lessor's decision to the apply. */
  private recordExpiry(events: readonly RegistryEvent[], decidedAtMs: number): void {
    const byService = new Map<string, string[]>();
    for (const event of events) {
      if (event.type !== 'DELETE' || event.instance.namespace !== 'default') continue;
      const ids = byService.get(event.instance.service) ?? [];
      ids.push(event.instance.id);
      byService.set(event.instance.service, ids);
    }
    for (const [service, instances] of byService) {
      this.expired += instances.length;
      this.history.push({
        clientId: -1,
        input: { kind: 'expire', service, instances },
        output: { kind: 'expire' },
        call: decidedAtMs,
        return: this.queue.nowMs,
      });
    }
  }

  /**
   * After the run: settles every write its replica could not, from the ledger of applied
   * entries. The liveness phase applied everything committed, so what is not there never was.
   */
  resolveUnknown(ledger: AppliedLedger): void {
    for (const call of this.unresolved) {
      if (call.settled || call.placed?.term === undefined) continue;
      const { index, slot, term } = call.placed;
      const applied = ledger.get(index);
      const result = applied?.results?.[slot];
      if (applied === undefined || result === undefined || applied.term !== term) {
        this.settle(call, undefined);
        continue;
      }
      const output = writeOutput({ status: 'committed', index, result });
      this.settle(call, output, applied.timeMs);
    }
    this.unresolved.clear();
  }

  /** Records the op's true outcome; `undefined` means it had no effect. */
  private settle(
    call: Call, output: RegistryOutput | undefined, returnMs = this.queue.nowMs,
  ): void {
    if (call.settled) return;
    call.settled = true;
    if (output === undefined) {
      this.rejected += 1;
    } else {
      const unknown = output.kind === 'unknown';
      if (unknown) this.unknown += 1;
      else this.committed += 1;
      // A committed write carries its place in the log: the checker's fallback orders writes
      // by it. Slots are fractions of an index, exact in binary (commandsPerEntryMax is 2^8).
      const placed = unknown || call.input.kind === 'lookup' ? undefined : call.placed;
      const logIndex = placed === undefined ? undefined
        : placed.index + placed.slot / limits.commandsPerEntryMax;
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
    this.queue.schedule(this.thinkMs(), () => this.next(call.client));
  }
}

function writeOutput(outcome: ProposalOutcome<CommandResult>): RegistryOutput | undefined {
  if (outcome.status === 'rejected') return undefined;
  if (outcome.status === 'unknown') return { kind: 'unknown' };
  const result = outcome.result;
  if (result.op === 'register') return result.ok ? { kind: 'register' } : undefined;
  if (result.op === 'deregister') {
    if (result.ok) return { kind: 'deregister', found: true };
    return result.failure.code === 'not_found' ? { kind: 'deregister', found: false } : undefined;
  }
  return undefined;
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
      return `expire ${input.service}/${input.instances.join(',')}`;
  }
}
