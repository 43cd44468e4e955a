import { RosterError } from '../core/errors.js';
import {
  decodeConfChange,
  type ConfChange, type Message, type NodeId, type RaftConfig, type RaftLogger, type Ready,
} from '../raft/index.js';
import {
  Registry, decodeMemberContext, encodeCommand, encodeMemberContext, memberIdOf,
  type Command, type CommandResult, type Member, type MemberAddresses,
} from '../registry/index.js';
import type { LogPersister, MemoryStorage } from '../storage/index.js';
import type { Transport } from '../transport/index.js';
import type { ProposalOutcome, Scheduler } from './interfaces.js';
import { Replica } from './replica.js';

export interface RegistryNodeOptions {
  readonly name: string;
  readonly raft: Omit<RaftConfig, 'id' | 'storage'>;
  readonly tickMs: number;
  readonly storage: MemoryStorage;
  readonly persister: LogPersister;
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly snapshotEntries: number;
  readonly compactionKeepEntries: number;
  readonly proposalTimeoutTicks: number;
  readonly readTimeoutTicks: number;
  readonly logger?: RaftLogger;
  /** A peer's address became known (its conf entry was appended, or a snapshot arrived). */
  readonly onPeer?: (id: NodeId, peerAddress: string) => void;
  /** A member's removal was applied: its connection can go. */
  readonly onPeerRemoved?: (id: NodeId) => void;
  readonly onFatal: (error: Error) => void;
}

export interface MemberView extends Member {
  readonly learner: boolean;
}

export interface NodeStatus {
  readonly id: NodeId;
  readonly name: string;
  readonly role: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly leaderId: NodeId;
  readonly revision: number;
  readonly instances: number;
  readonly ready: boolean;
}

/**
 * One Roster node as the API sees it: the registry state machine driven by a Replica,
 * with promises instead of callbacks. Writes go through Raft (on the leader; the API forwards
 * from followers), linearizable reads wait for a ReadIndex barrier, serializable reads read
 * the local registry directly.
 */
export class RegistryNode {
  readonly id: NodeId;
  readonly name: string;
  readonly registry = new Registry();
  private readonly replica: Replica<CommandResult>;
  private readonly options: RegistryNodeOptions;
  private driveScheduled = false;
  private stopTicking: (() => void) | undefined;
  /** Ready once it has applied what was committed when it started, and knows a leader. */
  private readonly commitAtStart: number;
  private leaderWaiters: (() => void)[] = [];

  constructor(options: RegistryNodeOptions) {
    this.options = options;
    this.name = options.name;
    this.id = memberIdOf(options.name);
    this.commitAtStart = options.storage.hardState().commit;
    this.replica = new Replica<CommandResult>({
      id: this.id,
      raft: { ...options.raft, logger: options.logger },
      storage: options.storage,
      persister: options.persister,
      transport: options.transport,
      stateMachine: this.registry,
      requestDrive: () => this.requestDrive(),
      snapshotEntries: options.snapshotEntries,
      compactionKeepEntries: options.compactionKeepEntries,
      proposalTimeoutTicks: options.proposalTimeoutTicks,
      readTimeoutTicks: options.readTimeoutTicks,
      onFatal: options.onFatal,
      observer: {
        onPersisted: (ready) => this.learnPeers(ready),
        onSnapshotRestored: () => this.announceMembers(),
        onSoftState: () => this.wakeLeaderWaiters(),
        onConfChange: (change) => this.onConfApplied(change),
      },
    });
    this.announceMembers();
  }

  start(): void {
    this.stopTicking = this.options.scheduler.every(this.options.tickMs, () => this.replica.tick());
    this.requestDrive();
  }

  /** Stops ticking and fails pending requests; in-flight writes are abandoned (not lost). */
  stop(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    this.replica.stop();
    this.wakeLeaderWaiters();
  }

  receive(message: Message): void {
    this.replica.receive(message);
  }

  reportSnapshot(to: NodeId, succeeded: boolean): void {
    this.replica.reportSnapshot(to, succeeded);
  }

  reportUnreachable(to: NodeId): void {
    this.replica.reportUnreachable(to);
  }

  private requestDrive(): void {
    if (this.driveScheduled) return;
    this.driveScheduled = true;
    this.options.scheduler.soon(() => {
      this.driveScheduled = false;
      this.replica.drive();
    });
  }

  // ---- Writes and reads -------------------------------------------------------------------

  /** Proposes a command here (the leader); resolves with its result once applied. */
  propose(command: Command): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      this.replica.propose(encodeCommand(command), (outcome) => {
        settle(outcome, resolve, reject);
      });
    });
  }

  /** Resolves when local state reflects every write committed before the call. */
  readBarrier(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replica.read((outcome) => {
        if (outcome.status === 'ready') resolve();
        else reject(outcome.error);
      });
    });
  }

  // ---- Membership and leadership ----------------------------------------------------------

  members(): MemberView[] {
    const { voters, learners } = this.replica.status().confState;
    const known = new Map(this.registry.members().map((member) => [member.id, member]));
    const ids = [...voters, ...learners].sort((a, b) => a - b);
    return ids.map((id) => {
      const member = known.get(id) ??
        { id, name: `node-${id}`, peerAddress: '', clientAddress: '' };
      return { ...member, learner: learners.includes(id) };
    });
  }

  /** Adds a node as a learner (it catches up without voting). */
  async addMember(addresses: MemberAddresses): Promise<MemberView> {
    const id = memberIdOf(addresses.name);
    if (this.members().some((member) => member.id === id)) {
      throw new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID',
        `${addresses.name} is already a member`);
    }
    await this.changeMembership({
      type: 'addLearner', nodeId: id, context: encodeMemberContext(addresses),
    });
    return { id, ...addresses, learner: true };
  }

  async promoteMember(id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'promote', nodeId: id, context: new Uint8Array(0) });
  }

  async removeMember(id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'remove', nodeId: id, context: new Uint8Array(0) });
  }

  private changeMembership(change: ConfChange): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replica.proposeConfChange(change, (outcome) => {
        settle(outcome, () => resolve(), reject);
      });
    });
  }

  /**
   * Hands leadership to `to` (default: the most caught-up voter) and waits until this node is
   * no longer leader. Refused for learners and non-members.
   */
  async transferLeadership(to?: NodeId, timeoutMs = this.electionTimeoutMs() * 3): Promise<NodeId> {
    const target = to ?? this.bestSuccessor();
    if (target === undefined) {
      throw new RosterError('ROSTER_ERR_TRANSFER_REFUSED', 'no other voter');
    }
    const result = this.replica.transferLeadership(target);
    if (!result.ok) throw result.error;
    if (target === this.id) return this.id;
    await this.waitForLeaderChange(timeoutMs);
    const leader = this.leaderId();
    if (leader === this.id) {
      throw new RosterError('ROSTER_ERR_TIMEOUT',
        `node ${target} did not take over in ${timeoutMs} ms`);
    }
    return leader;
  }

  private bestSuccessor(): NodeId | undefined {
    const status = this.replica.status();
    let best: { id: NodeId; match: number } | undefined;
    for (const id of status.confState.voters) {
      if (id === this.id) continue;
      const match = status.progress.get(id)?.match ?? 0;
      if (best === undefined || match > best.match) best = { id, match };
    }
    return best?.id;
  }

  private waitForLeaderChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.scheduler.after(timeoutMs, () => resolve());
      const check = (): void => {
        if (this.leaderId() !== this.id || this.replica.isStopped) {
          cancel();
          resolve();
        } else {
          this.leaderWaiters.push(check);
        }
      };
      this.leaderWaiters.push(check);
    });
  }

  private wakeLeaderWaiters(): void {
    const waiters = this.leaderWaiters;
    this.leaderWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private electionTimeoutMs(): number {
    return this.options.raft.electionTicks * this.options.tickMs;
  }

  // ---- Peers ------------------------------------------------------------------------------

  /** Conf entries take effect when appended, so their addresses are needed right away. */
  private learnPeers(ready: Ready): void {
    for (const entry of ready.entries) {
      if (entry.type !== 'conf') continue;
      const change = decodeConfChange(entry.data);
      const addresses = decodeMemberContext(change.context);
      if (addresses !== undefined && change.nodeId !== this.id) {
        this.options.onPeer?.(change.nodeId, addresses.peerAddress);
      }
    }
  }

  private announceMembers(): void {
    for (const member of this.registry.members()) {
      if (member.id !== this.id) this.options.onPeer?.(member.id, member.peerAddress);
    }
  }

  private onConfApplied(change: ConfChange): void {
    if (change.type === 'remove' && change.nodeId !== this.id) {
      this.options.onPeerRemoved?.(change.nodeId);
    }
  }

  // ---- Status -----------------------------------------------------------------------------

  isLeader(): boolean {
    return this.replica.status().role === 'leader';
  }

  leaderId(): NodeId {
    return this.replica.status().leader;
  }

  leader(): Member | undefined {
    const id = this.leaderId();
    return id === 0 ? undefined : this.registry.member(id);
  }

  status(): NodeStatus {
    const status = this.replica.status();
    const isLearner = status.confState.learners.includes(this.id);
    return {
      id: this.id,
      name: this.name,
      role: isLearner && status.role === 'follower' ? 'learner' : status.role,
      term: status.term,
      commitIndex: status.commit,
      appliedIndex: this.replica.applied,
      firstIndex: status.firstIndex,
      lastIndex: status.lastIndex,
      snapshotIndex: this.options.storage.snapshot().metadata.index,
      leaderId: status.leader,
      revision: this.registry.revision,
      instances: this.registry.size,
      ready: status.leader !== 0 && this.replica.applied >= this.commitAtStart,
    };
  }

  /** The registry's state now, for backups (after a read barrier, it is linearizable). */
  snapshotData(): { index: number; term: number; revision: number; data: Uint8Array } {
    const index = this.replica.applied;
    return {
      index,
      term: this.options.storage.term(Math.max(index, this.options.storage.firstIndex() - 1)),
      revision: this.registry.revision,
      data: this.registry.snapshot(),
    };
  }
}

function settle<Result>(
  outcome: ProposalOutcome<Result>,
  resolve: (result: Result) => void,
  reject: (error: RosterError) => void,
): void {
  if (outcome.status === 'committed') resolve(outcome.result);
  else reject(outcome.error);
}
