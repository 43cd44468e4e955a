import type { Clock } from '../core/clock.js';
import { RosterError } from '../core/errors.js';
import { NONE, type ConfChange, type LocalResult, type NodeId } from '../raft/index.js';
import {
  encodeMemberContext, type CommandResult, type Member, type Registry,
} from '../registry/index.js';
import type { ProposalOutcome, Scheduler } from './interfaces.js';
import { refusalError } from './refusal-errors.js';
import type { Replica } from './replica.js';

export interface MemberView extends Member {
  readonly learner: boolean;
}

export type MemberOutcome = { readonly member: MemberView } | { readonly error: RosterError };
export type TransferOutcome = { readonly leader: NodeId } | { readonly error: RosterError };

export interface MembershipOptions {
  readonly id: NodeId;
  readonly replica: Replica<CommandResult[]>;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly electionTimeoutMs: number;
}

/**
 * Members and leadership: who is in the cluster (with their addresses), adding, promoting and
 * removing members, and handing leadership over. Every change is a conf entry proposed on the
 * leader; this class decides which entries to propose and waits for what follows them.
 */
export class Membership {
  private readonly options: MembershipOptions;
  private leaderWaiters: (() => void)[] = [];
  /** When each peer was last heard from: a member alive under another data dir is not replaced. */
  private readonly heardFromMs = new Map<NodeId, number>();

  constructor(options: MembershipOptions) {
    this.options = options;
  }

  /** A message arrived from `from` (it is alive, whatever its data dir). */
  heardFrom(from: NodeId): void {
    this.heardFromMs.set(from, this.options.clock.nowMs());
  }

  members(): MemberView[] {
    const { voters, learners } = this.options.replica.status().confState;
    const known = new Map(this.options.registry.members().map((member) => [member.id, member]));
    const ids = [...voters, ...learners].sort((a, b) => a - b);
    return ids.map((id) => {
      const member = known.get(id) ??
        { id, name: `node-${id}`, peerAddress: '', clientAddress: '' };
      return { ...member, learner: learners.includes(id) };
    });
  }

  /** The leader's names and addresses; undefined while no leader is known. */
  leader(): Member | undefined {
    const id = this.options.replica.leaderId;
    return id === 0 ? undefined : this.options.registry.member(id);
  }

  /** What a follower answers a request only the leader can serve. */
  notLeaderError(): RosterError {
    const leader = this.leader();
    if (leader === undefined) return new RosterError('ROSTER_ERR_NO_LEADER');
    return new RosterError('ROSTER_ERR_NOT_LEADER', `leader is ${leader.name}`);
  }

  /** The member called `name`, if any (names are unique among members). */
  memberNamed(name: string): MemberView | undefined {
    return this.members().find((member) => member.name === name);
  }

  /**
   * Adds a node as a learner (it catches up without voting). Adding the same id again is a
   * no-op, so a joining node may retry. A name held by a member with another id is refused,
   * unless `replace`: that member's data dir is gone (the node came back on an empty one), so
   * the old id is removed first and the node joins under its new id, to be promoted once it
   * caught up. Refused while the old id is still heard from: a second process with that name,
   * not a lost disk.
   */
  addMember(
    member: Member, options: { replace?: boolean }, callback: (outcome: MemberOutcome) => void,
  ): void {
    const existing = this.members().find((view) => view.id === member.id);
    if (existing !== undefined) {
      callback({ member: existing });
      return;
    }
    const { name, peerAddress, clientAddress } = member;
    const addLearner = (): void => this.change({
      type: 'addLearner', nodeId: member.id,
      context: encodeMemberContext({ name, peerAddress, clientAddress }),
    }, (outcome) => callback(outcome.status === 'committed'
      ? { member: { ...member, learner: true } } : { error: outcome.error }));
    const namesake = this.memberNamed(member.name);
    if (namesake === undefined) {
      addLearner();
      return;
    }
    const refusal = options.replace === true ? this.aliveRefusal(namesake)
      : new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID',
        `${member.name} is already a member (id ${namesake.id})`);
    if (refusal !== undefined) {
      callback({ error: refusal });
      return;
    }
    this.change({ type: 'remove', nodeId: namesake.id, context: new Uint8Array(0) },
      (outcome) => {
        if (outcome.status === 'committed') addLearner();
        else callback({ error: outcome.error });
      });
  }

  private aliveRefusal(member: MemberView): RosterError | undefined {
    const nowMs = this.options.clock.nowMs();
    const heardMs = member.id === this.options.id ? nowMs : this.heardFromMs.get(member.id);
    const quietMs = heardMs === undefined ? Number.POSITIVE_INFINITY : nowMs - heardMs;
    if (quietMs >= 2 * this.options.electionTimeoutMs) return undefined;
    return new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID', `${member.name} (id ${member.id}) ` +
      `was heard from ${Math.round(quietMs)} ms ago: another process runs under that name`);
  }

  /** Proposes a membership change here (the leader); the callback learns its outcome. */
  change(change: ConfChange, callback: (outcome: ProposalOutcome<CommandResult[]>) => void): void {
    this.options.replica.proposeConfChange(change, callback);
  }

  /** Starts a leadership transfer without waiting for it. */
  startTransfer(to: NodeId): LocalResult {
    return this.options.replica.transferLeadership(to);
  }

  /**
   * Hands leadership to `to` (default: the most caught-up voter) and learns who leads once
   * this node no longer does. Refused for learners and non-members.
   */
  transferLeadership(
    to: NodeId | undefined, timeoutMs: number, callback: (outcome: TransferOutcome) => void,
  ): void {
    const target = to ?? this.bestSuccessor();
    if (target === undefined) {
      callback({ error: new RosterError('ROSTER_ERR_TRANSFER_REFUSED', 'no other voter') });
      return;
    }
    const result = this.options.replica.transferLeadership(target);
    if (!result.ok) {
      callback({ error: refusalError(result.refusal) });
      return;
    }
    if (target === this.options.id) {
      callback({ leader: target });
      return;
    }
    this.waitForLeaderChange(timeoutMs, () => {
      const leader = this.options.replica.leaderId;
      callback(leader === this.options.id
        ? { error: new RosterError('ROSTER_ERR_TIMEOUT',
          `node ${target} did not take over in ${timeoutMs} ms`) }
        : { leader });
    });
  }

  /** The leader may have changed (or the node stopped): transfers waiting on it look again. */
  leadershipChanged(): void {
    const waiters = this.leaderWaiters;
    this.leaderWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private bestSuccessor(): NodeId | undefined {
    const status = this.options.replica.status();
    let best: { id: NodeId; match: number } | undefined;
    for (const id of status.confState.voters) {
      if (id === this.options.id) continue;
      const match = status.progress.get(id)?.match ?? 0;
      if (best === undefined || match > best.match) best = { id, match };
    }
    return best?.id;
  }

  private waitForLeaderChange(timeoutMs: number, done: () => void): void {
    const replica = this.options.replica;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cancel();
      done();
    };
    const cancel = this.options.scheduler.after(timeoutMs, finish);
    // Stepping down first leaves no known leader (NONE) until the successor's first append:
    // wait for it, so the answer names who leads now.
    const check = (): void => {
      const leader = replica.leaderId;
      if ((leader !== this.options.id && leader !== NONE) || replica.isStopped) finish();
      else if (!settled) this.leaderWaiters.push(check);
    };
    this.leaderWaiters.push(check);
  }
}
