import type { RosterError } from '../core/errors.js';
import type { ConfChange, NodeId } from '../raft/index.js';
import type { Command, CommandResult, Member, Registry } from '../registry/index.js';
import type { WatchFilter, WatchSink } from '../watch/index.js';
import type { ProposalOutcome } from './interfaces.js';
import type { KeepAliveRequest, LeaseRenewal } from './lease-keeper.js';
import type { MemberOutcome, MemberView, TransferOutcome } from './membership.js';
import type { NodeStatus } from './node-status.js';
import type { RegistryNode } from './registry-node.js';

/** LINEARIZABLE waits for a read barrier; SERIALIZABLE reads this node's state as it is. */
export type ReadConsistency = 'LINEARIZABLE' | 'SERIALIZABLE';

/** The registry's state as the API reads it: synchronously, all at one revision. */
export type RegistryView = Pick<Registry,
  'revision' | 'size' | 'stateBytes' | 'get' | 'lease' | 'lookup' | 'listServices'>;

/** A backup of the registry from one consistent point, encoded a step at a time. */
export interface BackupSource {
  readonly index: number;
  readonly term: number;
  readonly revision: number;
  /** Encodes about `budget` instances more; true once everything is encoded. */
  step(budget: number): boolean;
  /** The bytes encoded since the last take(). */
  take(): Uint8Array;
}

/**
 * Everything the API may ask of a node, and all it may know of what lies below: api/ imports
 * this interface and the registry's model from replica/, nothing else (enforced by the module
 * rule). Writes go through Raft on the leader; reads name their consistency.
 */
export interface RegistryFacade {
  readonly id: NodeId;
  readonly name: string;
  readonly clusterId: number;

  /** Proposes a command here (the leader) and resolves with its result once applied. */
  write(command: Command): Promise<CommandResult>;
  /** The state, once it reflects `consistency` (a read barrier for LINEARIZABLE). */
  read(consistency: ReadConsistency): Promise<RegistryView>;
  /** The state as this node has applied it now, without waiting (what the leader decides on). */
  readonly local: RegistryView;
  /** Renews leases on the leader, answering once leadership is confirmed. */
  keepAlive(request: KeepAliveRequest): Promise<LeaseRenewal[]>;

  /** Starts a watch; startRevision 0 means "from now". Returns its id. */
  watch(filter: WatchFilter, startRevision: number, sink: WatchSink<Uint8Array>): number;
  cancelWatch(id: number): void;
  /** The watch's stream has room again after its sink said it was full. */
  watchDrained(id: number): void;

  /** Allocation-free: called on every request. */
  isLeader(): boolean;
  leaderId(): NodeId;
  /** The leader's names and addresses, for hints and forwarding; undefined when unknown. */
  leader(): Member | undefined;

  members(): MemberView[];
  memberNamed(name: string): MemberView | undefined;
  addMember(member: Member, options?: { replace?: boolean }): Promise<MemberView>;
  promoteMember(id: NodeId): Promise<void>;
  removeMember(id: NodeId): Promise<void>;
  /** Hands leadership over (default: to the most caught-up voter); resolves with the leader. */
  transferLeadership(to?: NodeId, timeoutMs?: number): Promise<NodeId>;

  status(): NodeStatus;
  /** Snapshots at the applied index; resolves once it is durable (a graceful stop). */
  snapshotNow(): Promise<void>;
  /** A backup at a linearizable point. */
  backup(): Promise<BackupSource>;
}

type Settle<Outcome, Value> =
  (outcome: Outcome, resolve: (value: Value) => void, reject: (error: Error) => void) => void;

/**
 * The one promise adapter over the node's callback core: `start` runs the call with a
 * callback, and `settle` resolves or rejects with what it reports (allocating nothing more:
 * writes take this path).
 */
function promised<Outcome, Value>(
  start: (callback: (outcome: Outcome) => void) => void,
  settle: Settle<Outcome, Value>,
): Promise<Value> {
  return new Promise((resolve, reject) => {
    start((outcome) => settle(outcome, resolve, reject));
  });
}

function committed<Result>(
  outcome: ProposalOutcome<Result>, resolve: (result: Result) => void,
  reject: (error: Error) => void,
): void {
  if (outcome.status === 'committed') resolve(outcome.result);
  else reject(outcome.error);
}

/** For outcomes that are either `{ error }` or carry the value under `key`. */
function valueOr<Key extends string, Value>(key: Key): Settle<{ error: RosterError } |
  { readonly [K in Key]: Value }, Value> {
  return (outcome, resolve, reject) => {
    if ('error' in outcome) reject(outcome.error);
    else resolve((outcome as { readonly [K in Key]: Value })[key]);
  };
}

type KeepAliveOutcome = { renewals: LeaseRenewal[] } | { error: RosterError };

/** The facade of a node: its callback core, as promises. */
export function registryFacade(node: RegistryNode): RegistryFacade {
  const state: RegistryView = node.registry;
  const readBarrier = (): Promise<RegistryView> => promised<RosterError | undefined, RegistryView>(
    (callback) => node.readWith(callback),
    (error, resolve, reject) => (error === undefined ? resolve(state) : reject(error)));
  const propose = (command: Command): Promise<CommandResult> =>
    promised<ProposalOutcome<CommandResult>, CommandResult>((callback) => {
      node.proposeWith(command, callback);
    }, committed);
  const changeMembership = (change: ConfChange): Promise<void> =>
    promised<ProposalOutcome<CommandResult[]>, CommandResult[]>(
      (callback) => node.membership.change(change, callback), committed).then(() => undefined);
  return {
    id: node.id,
    name: node.name,
    clusterId: node.clusterId,
    write: propose,
    read: (consistency) =>
      (consistency === 'SERIALIZABLE' ? Promise.resolve(state) : readBarrier()),
    local: state,
    keepAlive: (request) => promised<KeepAliveOutcome, LeaseRenewal[]>(
      (callback) => node.keepAliveWith(request, callback), valueOr('renewals')),
    watch: (filter, startRevision, sink) => node.watch(filter, startRevision, sink),
    cancelWatch: (id) => node.cancelWatch(id),
    watchDrained: (id) => node.watchDrained(id),
    isLeader: () => node.isLeader(),
    leaderId: () => node.leaderId(),
    leader: () => node.membership.leader(),
    members: () => node.membership.members(),
    memberNamed: (name) => node.membership.memberNamed(name),
    addMember: (member, options = {}) => promised<MemberOutcome, MemberView>(
      (callback) => node.membership.addMember(member, options, callback), valueOr('member')),
    promoteMember: (id) =>
      changeMembership({ type: 'promote', nodeId: id, context: new Uint8Array(0) }),
    removeMember: (id) =>
      changeMembership({ type: 'remove', nodeId: id, context: new Uint8Array(0) }),
    transferLeadership: (to, timeoutMs = node.electionTimeoutMs * 3) =>
      promised<TransferOutcome, NodeId>(
        (callback) => node.membership.transferLeadership(to, timeoutMs, callback),
        valueOr('leader')),
    snapshotNow: () => promised<Error | undefined, void>((callback) => node.snapshotNow(callback),
      (error, resolve, reject) => (error === undefined ? resolve() : reject(error))),
    status: () => node.status(),
    backup: async () => {
      await readBarrier();
      // Captured in the turn the barrier resolved, so index, revision and state agree. After
      // a barrier every applied entry from its commit on is of the current term: the term is
      // the applied index's.
      const stream = node.registry.snapshotStream();
      return {
        index: node.applied,
        term: node.raftStatus().term,
        revision: stream.revision,
        step: (budget) => stream.step(budget),
        take: () => stream.take(),
      };
    },
  };
}
