import { assert } from '../core/assert.js';
import { encodeConfChange } from './conf-change.js';
import {
  flushLeader, leaderPersisted, peerReconnected, propose, readIndex, reduceUncommittedBytes,
  reportSnapshot, reportUnreachable, transferLeadership,
} from './leader.js';
import { leaderConnectionLost } from './follower.js';
import { Raft, type RaftConfig } from './raft.js';
import { refused, type LocalResult, type ProposeResult } from './results.js';
import {
  hardStatesEqual,
  type ConfChange, type ConfState, type Entry, type HardState, type Message, type NodeId,
  type ProgressSnapshot, type Ready, type Role, type SoftState,
} from './types.js';

/** What a Ready handed out, so advance() knows what became stable and applied. */
interface Outstanding {
  readonly lastEntry: { index: number; term: number } | undefined;
  readonly snapshotIndex: number;
  readonly committedEntries: readonly Entry[];
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly leader: NodeId;
  readonly role: Role;
  readonly leadTransferee: NodeId;
  readonly confState: ConfState;
  /** The log index of the entry (or snapshot) that set confState: committed once <= commit. */
  readonly confIndex: number;
  /** Messages ignored because no correct peer sends them (Raft.ignore). */
  readonly protocolViolations: number;
  /** Leader only: its view of each member. */
  readonly progress: ReadonlyMap<NodeId, ProgressSnapshot>;
}

/**
 * The driver's API to Raft (etcd-io/raft's RawNode). Synchronous and pure: tick(), step(),
 * propose(), readIndex() change state; ready() hands out what to persist, send and apply;
 * advance() acknowledges it. At most one Ready is outstanding; steps between ready() and
 * advance() are allowed and show up in the next Ready.
 */
export class RaftNode {
  private readonly raft: Raft;
  private previousSoftState: SoftState;
  private previousHardState: HardState;
  private outstanding: Outstanding | undefined = undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.previousSoftState = this.raft.softState();
    this.previousHardState = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  /** This node's role now (status() without its allocations, for every request's path). */
  get role(): Role {
    return this.raft.role;
  }

  /** The leader this node knows of now (0: none). */
  get leader(): NodeId {
    return this.raft.lead;
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  /**
   * Why this node's log cannot be trusted, once a leader showed that writes it had synced are
   * gone; the driver must stop the node (it must not vote or ack with what is left).
   */
  lostWrites(): string | undefined {
    return this.raft.lostWrites;
  }

  /** Starts an election now (tests, and a single node that should not wait). */
  campaign(): void {
    this.raft.hup('election');
  }

  /** Appends `data` if this node is leader; returns the entry's (index, term) or why not. */
  propose(data: Uint8Array): ProposeResult {
    return propose(this.raft, data, 'normal');
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return propose(this.raft, encodeConfChange(change), 'conf');
  }

  /**
   * Asks for a linearizable read point. A ReadState with this context appears in a later
   * Ready once leadership is confirmed; nothing appears if leadership is lost (time out).
   */
  readIndex(context: number): LocalResult {
    return readIndex(this.raft, context);
  }

  transferLeadership(to: NodeId): LocalResult {
    if (to === this.raft.id && this.raft.role !== 'leader') {
      return refused('transfer-refused', 'ask the leader');
    }
    return transferLeadership(this.raft, to);
  }

  reportSnapshot(to: NodeId, succeeded: boolean): void {
    reportSnapshot(this.raft, to, succeeded);
  }

  reportUnreachable(to: NodeId): void {
    reportUnreachable(this.raft, to);
  }

  /** The transport heard from `to` again (see peerReconnected). */
  reportPeerReconnected(to: NodeId): void {
    peerReconnected(this.raft, to);
  }

  /** The transport's connection to `to` closed (see leaderConnectionLost). */
  reportConnectionLost(to: NodeId): void {
    leaderConnectionLost(this.raft, to);
  }

  hasReady(): boolean {
    const raft = this.raft;
    if (raft.msgs.length > 0 || raft.readStates.length > 0) return true;
    if (raft.log.unstable.entries.length > 0 || raft.log.unstable.snapshot !== undefined) {
      return true;
    }
    if (raft.role === 'leader' && (raft.appendFlushPending || raft.commitFlushPending)) return true;
    if (raft.role === 'leader' && raft.readOnly.hasOpenRound()) return true;
    // Field by field: hasReady runs on every drive and should not allocate.
    const soft = this.previousSoftState;
    if (raft.lead !== soft.leader || raft.role !== soft.role) return true;
    const hard = this.previousHardState;
    if (raft.term !== hard.term || raft.vote !== hard.vote || raft.log.committed !== hard.commit) {
      return true;
    }
    return this.outstanding === undefined && raft.log.hasNextCommittedEntries();
  }

  ready(): Ready {
    assert(this.outstanding === undefined, 'advance() the previous Ready before taking another');
    const raft = this.raft;
    flushLeader(raft);
    const softState = raft.softState();
    const hardState = raft.hardState();
    const entries = raft.log.unstableEntries();
    const snapshot = raft.log.unstable.snapshot;
    const committedEntries = raft.log.nextCommittedEntries();
    const hardChanged = !hardStatesEqual(hardState, this.previousHardState);
    const [earlyMessages, messages] = splitEarly(raft.msgs, this.previousHardState.term);
    const mustSync = entries.length > 0 || snapshot !== undefined ||
      hardState.term !== this.previousHardState.term ||
      hardState.vote !== this.previousHardState.vote;
    const ready: Ready = {
      softState: softStatesEqual(softState, this.previousSoftState) ? undefined : softState,
      hardState: hardChanged ? hardState : undefined,
      snapshot,
      entries,
      committedEntries,
      earlyMessages,
      messages,
      readStates: raft.readStates,
      mustSync,
    };
    raft.msgs = [];
    raft.readStates = [];
    this.previousSoftState = softState;
    this.previousHardState = hardState;
    const last = entries[entries.length - 1];
    this.outstanding = {
      lastEntry: last === undefined ? undefined : { index: last.index, term: last.term },
      snapshotIndex: snapshot?.metadata.index ?? 0,
      committedEntries,
    };
    return ready;
  }

  /**
   * The driver persisted, sent and applied the outstanding Ready. (Conf entries took effect
   * when appended; applying them changes nothing here.)
   */
  advance(): void {
    const outstanding = this.outstanding;
    assert(outstanding !== undefined, 'advance() without an outstanding Ready');
    this.outstanding = undefined;
    const raft = this.raft;
    const lastEntry = outstanding.lastEntry;
    if (lastEntry !== undefined) {
      raft.log.stableTo(lastEntry.index, lastEntry.term);
      leaderPersisted(raft, lastEntry.index, lastEntry.term);
    }
    if (outstanding.snapshotIndex > 0) raft.log.stableSnapTo(outstanding.snapshotIndex);
    const committed = outstanding.committedEntries;
    const lastCommitted = committed[committed.length - 1];
    if (lastCommitted !== undefined) {
      raft.log.appliedTo(lastCommitted.index);
      reduceUncommittedBytes(raft, committed);
    } else if (outstanding.snapshotIndex > raft.log.applied) {
      raft.log.appliedTo(outstanding.snapshotIndex);
    }
    raft.confHistory.prune(raft.log.applied);
  }

  status(): RaftStatus {
    const raft = this.raft;
    const progress = new Map<NodeId, ProgressSnapshot>();
    if (raft.role === 'leader') {
      for (const [id, pr] of raft.progress) {
        progress.set(id, {
          match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner,
        });
      }
    }
    return {
      id: raft.id,
      term: raft.term,
      vote: raft.vote,
      commit: raft.log.committed,
      applied: raft.log.applied,
      lastIndex: raft.log.lastIndex(),
      firstIndex: raft.log.firstIndex(),
      leader: raft.lead,
      role: raft.role,
      leadTransferee: raft.leadTransferee,
      confState: raft.confState(),
      confIndex: raft.confHistory.latest().index,
      protocolViolations: raft.protocolViolations,
      progress,
    };
  }

  /**
   * The membership as of an applied log index (what a snapshot taken there records);
   * undefined if a newer snapshot replaced the log meanwhile.
   */
  confStateAt(index: number): ConfState | undefined {
    return this.raft.confHistory.at(index);
  }
}

function softStatesEqual(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

/** Message types only a leader sends, which speak for no state of this Ready's write. */
const EARLY_TYPES: ReadonlySet<Message['type']> =
  new Set(['app', 'heartbeat', 'snap', 'timeoutNow']);

/**
 * Splits a Ready's messages into those that may leave before its write (a leader's, of the
 * term already persisted: a node that just became leader of a single-node cluster, or learned
 * a higher term, has not written that term yet) and the rest.
 */
function splitEarly(
  all: readonly Message[], persistedTerm: number,
): [early: Message[], late: Message[]] {
  const early: Message[] = [];
  const late: Message[] = [];
  for (const message of all) {
    if (message.term === persistedTerm && EARLY_TYPES.has(message.type)) early.push(message);
    else late.push(message);
  }
  return [early, late];
}
