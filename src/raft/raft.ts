import { assert } from '../core/assert.js';
import { limits } from '../core/limits.js';
import type { Prng } from '../core/prng.js';
import { sorted } from './conf-change.js';
import { stepCandidate, stepFollower } from './follower.js';
import { confHistoryOf, type ConfHistory } from './conf-history.js';
import { stepLeader, appendAsLeader, sendTimeoutNow } from './leader.js';
import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { majorityValue, voteResult, type VoteResult } from './quorum.js';
import { ReadOnlyQueue } from './read-only.js';
import type { RaftStorage } from './storage.js';
import { refused, type Refusal } from './results.js';
import {
  NONE, makeMessage,
  type ConfState, type Entry, type HardState, type Message, type NodeId, type ReadState,
  type Role, type SoftState,
} from './types.js';

/** Structured logging without a dependency: pino's logger satisfies this. */
export interface RaftLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

const SILENT_LOGGER: RaftLogger = { debug() {}, info() {}, warn() {} };

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  /** Randomizes election timeouts; the simulator passes a seeded one. */
  readonly prng: Prng;
  /** Ticks without hearing from a leader before campaigning (randomized in [e, 2e)). */
  readonly electionTicks: number;
  /** Ticks between leader heartbeats. */
  readonly heartbeatTicks: number;
  /** Last applied index when restarting; defaults to the snapshot's index. */
  readonly applied?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly messageBytesMax?: number;
  readonly inflightMessagesMax?: number;
  readonly inflightBytesMax?: number;
  readonly uncommittedBytesMax?: number;
  readonly committedBytesPerReadyMax?: number;
  readonly pendingReadIndexMax?: number;
  /** A learner may be promoted only when at most this many entries behind the commit index. */
  readonly promoteLagEntriesMax?: number;
  readonly logger?: RaftLogger;
}

export type CampaignKind = 'preElection' | 'election' | 'transfer';

/** vote/preVote context value marking a campaign started by TimeoutNow (leadership transfer). */
export const CAMPAIGN_TRANSFER_CONTEXT = 1;

/**
 * One node's Raft state machine (etcd-io/raft's `raft` struct). It never performs I/O: inputs
 * are ticks, messages and local requests; outputs accumulate in `msgs`, `readStates` and the
 * log's unstable part, and RaftNode hands them out as a Ready. Fields are public to the
 * raft/ module (leader.ts, follower.ts); RaftNode is the only API outside it.
 */
export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly prng: Prng;
  readonly logger: RaftLogger;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly messageBytesMax: number;
  readonly inflightMessagesMax: number;
  readonly inflightBytesMax: number;
  readonly uncommittedBytesMax: number;
  readonly pendingReadIndexMax: number;
  readonly promoteLagEntriesMax: number;

  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';

  /** Membership at every point of the log; the latest one is in effect. */
  readonly confHistory: ConfHistory;
  /** The latest membership, sorted. */
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  /** Leader's view of every member (and of itself). */
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  msgs: Message[] = [];
  readStates: ReadState[] = [];
  readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  pendingReadIndex: { from: NodeId; context: number }[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf entry; another may be proposed only once it is committed. */
  pendingConfIndex = 0;
  uncommittedBytes = 0;
  /** Leader: appends (new entries) are waiting to be sent at the next Ready. */
  appendFlushPending = false;
  /** Leader: the commit index advanced and followers should hear of it. */
  commitFlushPending = false;
  /** Set when a leader showed that this node's log lost writes it had synced (follower.ts). */
  lostWrites: string | undefined = undefined;
  /**
   * Messages ignored because no correct peer sends them (a second leader in a term, an
   * acknowledgement of entries this leader does not have...): a forgery or a bug elsewhere,
   * never a reason for this node to stop.
   */
  protocolViolations = 0;

  constructor(config: RaftConfig) {
    assert(Number.isSafeInteger(config.id) && config.id > 0, `bad node id ${config.id}`);
    assert(config.heartbeatTicks >= 1, 'heartbeatTicks must be >= 1');
    assert(config.electionTicks > config.heartbeatTicks,
      'electionTicks must exceed heartbeatTicks');
    this.id = config.id;
    this.prng = config.prng;
    this.logger = config.logger ?? SILENT_LOGGER;
    this.electionTimeout = config.electionTicks;
    this.heartbeatTimeout = config.heartbeatTicks;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.messageBytesMax = config.messageBytesMax ?? limits.raftMessageBytesMax;
    this.inflightMessagesMax = config.inflightMessagesMax ?? limits.raftInflightMessagesMax;
    this.inflightBytesMax = config.inflightBytesMax ?? limits.raftInflightBytesMax;
    this.uncommittedBytesMax = config.uncommittedBytesMax ?? limits.raftUncommittedBytesMax;
    this.pendingReadIndexMax = config.pendingReadIndexMax ?? limits.raftPendingReadIndexMax;
    this.promoteLagEntriesMax = config.promoteLagEntriesMax ?? limits.raftPromoteLagEntriesMax;
    this.log = new RaftLog({
      storage: config.storage,
      committedBytesPerReadyMax:
        config.committedBytesPerReadyMax ?? limits.raftCommittedBytesPerReadyMax,
    });
    // Conf entries in the stable log are in effect from the moment they were appended.
    this.confHistory = confHistoryOf(config.storage, limits.raftConfScanBytesMax);
    this.syncMembership();
    this.loadHardState(config.storage.initialState().hardState);
    if (config.applied !== undefined && config.applied > 0) this.log.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  private loadHardState(hardState: HardState): void {
    if (hardState.term === 0 && hardState.vote === NONE && hardState.commit === 0) return;
    assert(hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(),
      `hard state commit ${hardState.commit} out of range ` +
      `[${this.log.committed}, ${this.log.lastIndex()}]: log truncated or corrupt`);
    this.log.committed = hardState.commit;
    this.term = hardState.term;
    this.vote = hardState.vote;
  }

  // ---- Observation ------------------------------------------------------------------------

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  confState(): ConfState {
    return { voters: this.voters.slice(), learners: this.learners.slice() };
  }

  /** Whether this node may become leader: it is a voter of its latest configuration. */
  promotable(): boolean {
    return this.voters.includes(this.id);
  }

  isLearner(): boolean {
    return this.learners.includes(this.id);
  }

  // ---- Transitions --------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = NONE;
    this.votes.clear();
    // A leader's own match counts only entries already on its disk (see leaderPersisted).
    const stableIndex = this.log.stableLastIndex();
    this.progress = new Map();
    for (const id of [...this.voters, ...this.learners]) {
      const progress = this.newProgress(this.learners.includes(id), false);
      if (id === this.id) progress.match = stableIndex;
      this.progress.set(id, progress);
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
    this.appendFlushPending = false;
    this.commitFlushPending = false;
  }

  newProgress(isLearner: boolean, recentActive: boolean): Progress {
    return new Progress({
      next: this.log.lastIndex() + 1,
      isLearner,
      recentActive,
      inflightMessagesMax: this.inflightMessagesMax,
      inflightBytesMax: this.inflightBytesMax,
    });
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout =
      this.electionTimeout + this.prng.intBelow(this.electionTimeout);
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.logger.debug({ id: this.id, term, lead }, 'became follower');
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become pre-candidate');
    // A pre-candidate keeps its term and vote: only a won pre-vote may disturb the cluster.
    this.votes.clear();
    this.lead = NONE;
    this.role = 'preCandidate';
    this.logger.debug({ id: this.id, term: this.term }, 'became pre-candidate');
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.logger.debug({ id: this.id, term: this.term }, 'became candidate');
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', `only a candidate can become leader (was ${this.role})`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.progress.get(this.id);
    assert(self !== undefined, 'a leader is a member of its configuration');
    self.becomeReplicate();
    self.recentActive = true;
    // The empty entry commits everything before it (§5.4.2, entries of earlier terms commit
    // only through one of the current term). A conf change must wait for it to be applied:
    // the fix to single-server changes (Ongaro, raft-dev 2015).
    const index = this.log.lastIndex() + 1;
    appendAsLeader(this, [{ term: this.term, index, type: 'normal', data: EMPTY_DATA }]);
    this.pendingConfIndex = index;
    this.logger.info({ id: this.id, term: this.term }, 'became leader');
  }

  // ---- Time ---------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed += 1;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup('election');
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed += 1;
    this.electionElapsed += 1;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.stepDownUnlessQuorumActive();
      if (this.role !== 'leader') return;
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = NONE;
    }
    this.tickSnapshotStates();
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.readOnly.lastSentRound);
    }
  }

  /** A snapshot whose report was lost must not stall its follower forever. */
  private tickSnapshotStates(): void {
    const timeoutTicks = this.electionTimeout * 10;
    for (const progress of this.progress.values()) {
      if (progress.state !== 'snapshot') continue;
      progress.snapshotTicks += 1;
      if (progress.snapshotTicks > timeoutTicks) {
        progress.pendingSnapshot = 0;
        progress.becomeProbe();
      }
    }
  }

  private stepDownUnlessQuorumActive(): void {
    const active = new Map<NodeId, boolean>();
    for (const id of this.voters) {
      active.set(id, id === this.id || (this.progress.get(id)?.recentActive ?? false));
    }
    if (voteResult(this.voters, active) !== 'won') {
      this.logger.warn({ id: this.id, term: this.term }, 'stepped down: quorum not active');
      this.becomeFollower(this.term, NONE);
      return;
    }
    for (const [id, progress] of this.progress) {
      if (id !== this.id) progress.recentActive = false;
    }
  }

  broadcastHeartbeat(round: number): void {
    for (const [id, progress] of this.progress) {
      if (id !== this.id) this.sendHeartbeat(id, progress, round);
    }
  }

  sendHeartbeat(to: NodeId, progress: Progress, round: number): void {
    // A follower may lack entries up to our commit: never tell it to commit past its match.
    const commit = Math.min(progress.match, this.log.committed);
    this.send({ type: 'heartbeat', to, commit, context: round });
  }

  // ---- Elections ----------------------------------------------------------------------------

  hup(kind: 'election' | 'transfer'): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) return;
    this.campaign(kind === 'transfer' ? 'transfer' : this.preVote ? 'preElection' : 'election');
  }

  private campaign(kind: CampaignKind): void {
    let voteType: 'vote' | 'preVote';
    let term: number;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      voteType = 'preVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'vote';
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') {
      // A single-voter configuration wins at once.
      if (kind === 'preElection') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    const context = kind === 'transfer' ? CAMPAIGN_TRANSFER_CONTEXT : 0;
    for (const voter of this.voters) {
      if (voter === this.id) continue;
      this.send({ type: voteType, to: voter, term, index: lastIndex, logTerm, context });
    }
  }

  private poll(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.voters, this.votes);
  }

  /** Candidate side: a (pre-)vote answer arrived. */
  handleVoteResponse(message: Message): void {
    const result = this.poll(message.from, !message.reject);
    if (result === 'won') {
      if (this.role === 'preCandidate') this.campaign('election');
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NONE);
    }
  }

  // ---- Messages -----------------------------------------------------------------------------

  send(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): void {
    const isVoteTraffic = fields.type === 'vote' || fields.type === 'preVote' ||
      fields.type === 'voteResp' || fields.type === 'preVoteResp';
    // Vote traffic carries an explicit term (a pre-vote's is in the future); all else ours.
    assert(!isVoteTraffic || fields.term !== undefined, `${fields.type} needs an explicit term`);
    this.msgs.push(makeMessage({ ...fields, from: this.id, term: fields.term ?? this.term }));
  }

  /** Counts and logs a message no correct peer would send; the caller drops it. */
  ignore(message: Message, why: string): void {
    this.protocolViolations += 1;
    this.logger.debug({ id: this.id, term: this.term, from: message.from, type: message.type,
      messageTerm: message.term, why }, 'ignored a message no correct peer sends');
  }

  step(message: Message): void {
    if (message.to !== this.id) {
      this.ignore(message, `addressed to ${message.to}`);
      return;
    }
    if (message.term > this.term) {
      if (!this.acceptHigherTerm(message)) return;
    } else if (message.term < this.term) {
      this.answerStaleTerm(message);
      return;
    }
    if (message.type === 'vote' || message.type === 'preVote') {
      this.handleVoteRequest(message);
      return;
    }
    switch (this.role) {
      case 'leader':
        stepLeader(this, message);
        return;
      case 'candidate':
      case 'preCandidate':
        stepCandidate(this, message);
        return;
      case 'follower':
        stepFollower(this, message);
        return;
    }
  }

  /** Returns false when the message must be ignored. */
  private acceptHigherTerm(message: Message): boolean {
    if (message.type === 'vote' || message.type === 'preVote') {
      const force = message.context === CAMPAIGN_TRANSFER_CONTEXT;
      // CheckQuorum's lease: while we hear from a leader, a partitioned node rejoining with a
      // higher term cannot depose it.
      const inLease = this.checkQuorum && this.lead !== NONE &&
        this.electionElapsed < this.electionTimeout;
      if (!force && inLease) return false;
    }
    if (message.type === 'preVote') return true; // a pre-vote never changes our term
    if (message.type === 'preVoteResp' && !message.reject) return true; // bump when we win
    const fromLeader = message.type === 'app' || message.type === 'heartbeat' ||
      message.type === 'snap';
    this.becomeFollower(message.term, fromLeader ? message.from : NONE);
    return true;
  }

  private answerStaleTerm(message: Message): void {
    if ((this.checkQuorum || this.preVote) &&
      (message.type === 'heartbeat' || message.type === 'app')) {
      // A leader of an old term (e.g. just back from a partition) learns of our term and steps
      // down; without this it could keep its followers' terms below ours forever.
      this.send({ type: 'appResp', to: message.from });
    } else if (message.type === 'preVote' || message.type === 'vote') {
      // The refusal carries our term so the candidate catches up (§5.1). Ignoring it instead
      // (as etcd-io/raft does for votes) can stall an election without PreVote: a voter that
      // missed the entry adding the candidate keeps raising its own term by campaigning, and
      // never asks the one candidate that could win.
      const type = message.type === 'vote' ? 'voteResp' : 'preVoteResp';
      this.send({ type, to: message.from, term: this.term, reject: true });
    }
  }

  private handleVoteRequest(message: Message): void {
    const canVote = this.vote === message.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (message.type === 'preVote' && message.term > this.term);
    const responseType = message.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && this.log.isUpToDate(message.index, message.logTerm)) {
      // Answer with the request's term: a pre-candidate ignores answers of other terms.
      this.send({ type: responseType, to: message.from, term: message.term });
      if (message.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = message.from;
      }
    } else {
      this.send({ type: responseType, to: message.from, term: this.term, reject: true });
    }
  }

  // ---- Membership ---------------------------------------------------------------------------

  /** Entries were appended from index `from` on (replacing what was there). */
  onLogAppended(from: number, entries: readonly Entry[]): void {
    if (this.confHistory.onAppend(from, entries)) this.syncMembership();
  }

  /** A snapshot replaced the log: its membership is the truth as of its index. */
  onSnapshotRestored(index: number, confState: ConfState): void {
    this.confHistory.reset({ index, confState });
    this.syncMembership();
  }

  /** Makes voters, learners and progress follow the latest membership. */
  private syncMembership(): void {
    const latest = this.confHistory.latest().confState;
    this.voters = sorted(latest.voters);
    this.learners = sorted(latest.learners);
    const isMember = (id: NodeId): boolean =>
      this.voters.includes(id) || this.learners.includes(id);
    for (const id of [...this.progress.keys()]) {
      // A leader removing itself keeps leading (without counting itself) until that commits.
      if (!isMember(id) && !(id === this.id && this.role === 'leader')) this.progress.delete(id);
    }
    for (const id of [...this.voters, ...this.learners]) {
      const existing = this.progress.get(id);
      const isLearner = this.learners.includes(id);
      // A new member counts as recently active, so CheckQuorum does not fire before it speaks.
      if (existing === undefined) this.progress.set(id, this.newProgress(isLearner, true));
      else existing.isLearner = isLearner;
    }
    if (this.role !== 'leader') return;
    if (this.leadTransferee !== NONE && !this.voters.includes(this.leadTransferee)) {
      this.leadTransferee = NONE;
    }
    // The quorum changed: commit may advance, and new members need appends.
    this.maybeCommit();
    this.appendFlushPending = true;
  }

  /**
   * A leader whose own removal committed: tell followers the commit index, hand leadership to
   * the most caught-up voter so the cluster does not wait an election timeout, step down.
   */
  stepDownAfterRemoval(): void {
    let successor = NONE;
    let successorMatch = -1;
    for (const id of this.voters) {
      const match = this.progress.get(id)?.match ?? 0;
      if (match > successorMatch) {
        successor = id;
        successorMatch = match;
      }
    }
    if (successor !== NONE && successorMatch === this.log.lastIndex()) {
      sendTimeoutNow(this, successor);
    }
    this.logger.info({ id: this.id, term: this.term, successor }, 'removed leader stepped down');
    this.becomeFollower(this.term, NONE);
  }

  /** Whether this leader was removed and its removal is committed. */
  removalCommitted(): boolean {
    return this.role === 'leader' && !this.voters.includes(this.id) &&
      this.log.committed >= this.confHistory.latest().index;
  }

  /** Leader: commit what a quorum of voters has; true when the commit index advanced. */
  maybeCommit(): boolean {
    const quorumIndex = majorityValue(this.voters, (id) => this.progress.get(id)?.match ?? 0);
    if (!this.log.maybeCommit(quorumIndex, this.term)) return false;
    this.commitFlushPending = true;
    return true;
  }

  // ---- Local requests -----------------------------------------------------------------------

  notLeaderRefusal(): { readonly ok: false; readonly refusal: Refusal } {
    if (this.lead === NONE) return refused('no-leader');
    return refused('not-leader', `leader is node ${this.lead}`);
  }
}

const EMPTY_DATA = new Uint8Array(0);

