import { assert } from '../core/assert.js';
import { applyToConfState, decodeConfChange } from './conf-change.js';
import type { Progress } from './progress.js';
import { majorityValue } from './quorum.js';
import type { Raft } from './raft.js';
import type { PendingRead } from './read-only.js';
import {
  OK, refused, type LocalResult, type ProposeResult, type Refusal,
} from './results.js';
import { LogCompactedError, SnapshotUnavailableError } from './storage.js';
import {
  NONE, entriesBytes, type Entry, type EntryType, type Message, type NodeId,
} from './types.js';

/** Leader side of Raft: replication, flow control, commit, ReadIndex, transfer. */
export function stepLeader(raft: Raft, message: Message): void {
  if (message.type === 'readIndex') {
    handleReadIndexRequest(raft, message.from, message.context);
    return;
  }
  // Election safety: two leaders in one term is no correct peer (the simulator's checkers
  // catch a real one): ignored, not asserted.
  if (message.type === 'app' || message.type === 'heartbeat' || message.type === 'snap') {
    raft.ignore(message, `a second leader in this leader's own term ${raft.term}`);
    return;
  }
  const progress = raft.progress.get(message.from);
  if (progress === undefined) return;
  if (message.type === 'appResp') handleAppendResponse(raft, message, progress);
  else if (message.type === 'heartbeatResp') handleHeartbeatResponse(raft, message, progress);
}

function handleAppendResponse(raft: Raft, message: Message, progress: Progress): void {
  progress.recentActive = true;
  if (message.reject) {
    // rejectHint/logTerm say where the follower's log may match ours; skip a term at a time.
    let nextProbe = message.rejectHint;
    if (message.logTerm > 0) {
      nextProbe = raft.log.findConflictByTerm(message.rejectHint, message.logTerm).index;
    }
    if (progress.maybeDecrTo(message.index, nextProbe)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      maybeSendAppend(raft, message.from, true);
    }
    return;
  }
  if (message.index > raft.log.lastIndex()) {
    raft.ignore(message, `acknowledges ${message.index}, beyond our last ${raft.log.lastIndex()}`);
    return;
  }
  if (!progress.maybeUpdate(message.index)) return;
  if (progress.state === 'probe') {
    progress.becomeReplicate();
  } else if (progress.state === 'snapshot') {
    // Caught up far enough to continue from the log, whatever snapshot it applied.
    if (progress.match + 1 >= raft.log.firstIndex()) {
      progress.becomeProbe();
      progress.becomeReplicate();
    }
  } else {
    progress.inflights.freeLE(message.index);
  }
  if (raft.maybeCommit()) releasePendingReadIndex(raft);
  raft.appendFlushPending = true;
  if (message.from === raft.leadTransferee && progress.match === raft.log.lastIndex()) {
    sendTimeoutNow(raft, message.from);
  }
}

function handleHeartbeatResponse(raft: Raft, message: Message, progress: Progress): void {
  progress.recentActive = true;
  progress.probeSent = false;
  // If every append in flight was lost, free one slot so the follower can answer again.
  if (progress.state === 'replicate' && progress.inflights.full()) {
    progress.inflights.freeFirstOne();
  }
  if (progress.match < raft.log.lastIndex() || progress.state === 'probe') {
    maybeSendAppend(raft, message.from, true);
  }
  if (message.context > progress.readAckRound) {
    progress.readAckRound = message.context;
    releaseConfirmedReads(raft);
  }
}

/** Appends entries to the leader's log (entries carry their index and term). */
export function appendAsLeader(raft: Raft, entries: readonly Entry[]): void {
  raft.log.append(entries);
  raft.onLogAppended((entries[0] as Entry).index, entries);
  // The leader counts itself as holding these only once they are persisted (leaderPersisted):
  // its appends leave before its own write does.
  raft.appendFlushPending = true;
}

/**
 * The driver persisted the log up to (index, term). A leader now counts itself as holding
 * those entries, which may commit them (a single voter commits only here).
 */
export function leaderPersisted(raft: Raft, index: number, term: number): void {
  if (raft.role !== 'leader' || raft.log.termOrZero(index) !== term) return;
  const self = raft.progress.get(raft.id);
  if (self === undefined || !self.maybeUpdate(index)) return;
  if (raft.maybeCommit()) releasePendingReadIndex(raft);
}

/**
 * Sends an append to `to` if flow control allows: entries from progress.next, or, with
 * sendIfEmpty, an empty one (a probe or a commit update). Falls back to a snapshot when the
 * entries are compacted. Returns whether a message was sent.
 */
function maybeSendAppend(raft: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const progress = raft.progress.get(to);
  assert(progress !== undefined, `no progress for ${to}`);
  if (progress.isPaused()) return false;
  const lastIndex = raft.log.lastIndex();
  assert(progress.next <= lastIndex + 1, `next ${progress.next} beyond last index ${lastIndex}`);
  const prevIndex = progress.next - 1;
  let prevTerm: number;
  let entries: Entry[];
  try {
    prevTerm = raft.log.term(prevIndex);
    entries = raft.log.entriesFrom(progress.next, raft.messageBytesMax);
  } catch (error: unknown) {
    if (error instanceof LogCompactedError) return maybeSendSnapshot(raft, to, progress);
    throw error;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  const bytes = entriesBytes(entries);
  const commit = raft.log.committed;
  raft.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit });
  progress.sentEntries({ firstIndex: progress.next, count: entries.length, bytes });
  progress.sentCommit = commit;
  return true;
}

function maybeSendSnapshot(raft: Raft, to: NodeId, progress: Progress): boolean {
  // An unresponsive follower is not worth a snapshot yet; heartbeats tell when it is back.
  if (!progress.recentActive) return false;
  let snapshot;
  try {
    snapshot = raft.log.snapshot();
  } catch (error: unknown) {
    if (error instanceof SnapshotUnavailableError) return false;
    throw error;
  }
  assert(snapshot.metadata.index > 0, 'need a non-empty snapshot to send');
  progress.becomeSnapshot(snapshot.metadata.index);
  raft.send({ type: 'snap', to, snapshot });
  raft.logger.debug({ id: raft.id, to, index: snapshot.metadata.index }, 'sent snapshot');
  return true;
}

/**
 * Sends what accumulated since the last Ready: one read-confirmation heartbeat round for all
 * new ReadIndex requests, and appends (new entries, commit updates) to every follower as far
 * as flow control allows. Proposals between two Readys thus travel in one message.
 */
export function flushLeader(raft: Raft): void {
  if (raft.role !== 'leader') return;
  const stepDown = raft.removalCommitted();
  if (stepDown) raft.commitFlushPending = true;
  const round = raft.readOnly.takeRoundToSend();
  if (round > 0) raft.broadcastHeartbeat(round);
  if (!raft.appendFlushPending && !raft.commitFlushPending) return;
  const committed = raft.log.committed;
  for (const [id, progress] of raft.progress) {
    if (id === raft.id) continue;
    const needsCommit = raft.commitFlushPending && progress.sentCommit < committed;
    if (!maybeSendAppend(raft, id, needsCommit)) continue;
    while (maybeSendAppend(raft, id, false)) {
      // Pipelining: keep sending while entries remain and inflights allow.
    }
  }
  raft.appendFlushPending = false;
  raft.commitFlushPending = false;
  if (stepDown) raft.stepDownAfterRemoval();
}

export function sendTimeoutNow(raft: Raft, to: NodeId): void {
  raft.send({ type: 'timeoutNow', to });
}

// ---- Proposals ------------------------------------------------------------------------------

export function propose(raft: Raft, data: Uint8Array, type: EntryType): ProposeResult {
  if (raft.role !== 'leader') return raft.notLeaderRefusal();
  if (!raft.voters.includes(raft.id)) return refused('being-removed', 'this node is being removed');
  if (raft.leadTransferee !== NONE) {
    return refused('transferring',
      `leadership is being transferred to node ${raft.leadTransferee}`);
  }
  if (type === 'conf') {
    const problem = confChangeProblem(raft, data);
    if (problem !== undefined) return { ok: false, refusal: problem };
  }
  const bytes = data.byteLength;
  if (raft.uncommittedBytes > 0 && raft.uncommittedBytes + bytes > raft.uncommittedBytesMax) {
    return refused('uncommitted-full',
      `uncommitted log is full (${raft.uncommittedBytes} bytes); retry`);
  }
  raft.uncommittedBytes += bytes;
  const entry: Entry = { term: raft.term, index: raft.log.lastIndex() + 1, type, data };
  appendAsLeader(raft, [entry]);
  if (type === 'conf') raft.pendingConfIndex = entry.index;
  return { ok: true, index: entry.index, term: entry.term };
}

function confChangeProblem(raft: Raft, data: Uint8Array): Refusal | undefined {
  if (raft.pendingConfIndex > raft.log.committed) {
    return { reason: 'conf-change-pending',
      detail: `entry ${raft.pendingConfIndex} not yet committed (commit ${raft.log.committed})` };
  }
  const change = decodeConfChange(data);
  const before = raft.confState();
  const after = applyToConfState(before, change);
  if (after === before) {
    return { reason: 'conf-change-invalid',
      detail: `${change.type} of node ${change.nodeId} does not apply to voters ` +
        `[${before.voters.join(',')}] learners [${before.learners.join(',')}]` };
  }
  if (after.voters.length === 0) {
    return { reason: 'conf-change-invalid', detail: 'cannot remove the last voter' };
  }
  if (change.type === 'promote') {
    const progress = raft.progress.get(change.nodeId);
    const lag = raft.log.committed - (progress?.match ?? 0);
    if (progress === undefined || progress.state !== 'replicate' ||
      lag > raft.promoteLagEntriesMax) {
      return { reason: 'conf-change-invalid',
        detail: `learner ${change.nodeId} has not caught up (${lag} entries behind); retry later` };
    }
  }
  return undefined;
}

/** Committed entries handed to the application no longer count as uncommitted. */
export function reduceUncommittedBytes(raft: Raft, entries: readonly Entry[]): void {
  if (raft.role !== 'leader') return;
  let bytes = 0;
  for (const entry of entries) bytes += entry.data.byteLength;
  raft.uncommittedBytes = Math.max(0, raft.uncommittedBytes - bytes);
}

// ---- ReadIndex ------------------------------------------------------------------------------

/** Local request on this node: confirm leadership and return a read point as a ReadState. */
export function readIndex(raft: Raft, context: number): LocalResult {
  if (raft.role === 'leader') {
    if (!handleReadIndexRequest(raft, raft.id, context)) {
      return refused('reads-full', 'too many pending reads');
    }
    return OK;
  }
  if (raft.lead === NONE) return refused('no-leader');
  raft.send({ type: 'readIndex', to: raft.lead, context });
  return OK;
}

/** Returns false when the request had to be dropped (pending queue full). */
function handleReadIndexRequest(raft: Raft, from: NodeId, context: number): boolean {
  if (raft.voters.length === 1 && raft.voters[0] === raft.id) {
    respondToRead(raft, { round: 0, index: raft.log.committed, from, context });
    return true;
  }
  if (!committedEntryInCurrentTerm(raft)) {
    // Our commit index may lag the true one until an entry of this term commits (§6.4 step 1).
    if (raft.pendingReadIndex.length >= raft.pendingReadIndexMax) return false;
    raft.pendingReadIndex.push({ from, context });
    return true;
  }
  if (raft.readOnly.size >= raft.pendingReadIndexMax) return false;
  raft.readOnly.add({ index: raft.log.committed, from, context });
  return true;
}

function committedEntryInCurrentTerm(raft: Raft): boolean {
  return raft.log.termOrZero(raft.log.committed) === raft.term;
}

function releasePendingReadIndex(raft: Raft): void {
  if (raft.pendingReadIndex.length === 0 || !committedEntryInCurrentTerm(raft)) return;
  const pending = raft.pendingReadIndex;
  raft.pendingReadIndex = [];
  for (const request of pending) handleReadIndexRequest(raft, request.from, request.context);
}

/** Releases the reads of every round a quorum of voters has acknowledged. */
function releaseConfirmedReads(raft: Raft): void {
  const confirmedRound = majorityValue(raft.voters, (id) =>
    id === raft.id ? raft.readOnly.lastSentRound : raft.progress.get(id)?.readAckRound ?? 0);
  for (const read of raft.readOnly.release(confirmedRound)) respondToRead(raft, read);
}

function respondToRead(raft: Raft, read: PendingRead): void {
  if (read.from === raft.id || read.from === NONE) {
    raft.readStates.push({ index: read.index, context: read.context });
  } else {
    raft.send({ type: 'readIndexResp', to: read.from, index: read.index, context: read.context });
  }
}

// ---- Leadership transfer and reports --------------------------------------------------------

export function transferLeadership(raft: Raft, to: NodeId): LocalResult {
  if (raft.role !== 'leader') return raft.notLeaderRefusal();
  if (to === raft.id) return OK;
  const progress = raft.progress.get(to);
  if (progress === undefined) {
    return refused('transfer-refused', `node ${to} is not a member`);
  }
  if (progress.isLearner) {
    return refused('transfer-refused', `node ${to} is a learner`);
  }
  if (raft.leadTransferee === to) return OK;
  raft.leadTransferee = to;
  // The transfer must finish within an election timeout (tickHeartbeat abandons it).
  raft.electionElapsed = 0;
  if (progress.match === raft.log.lastIndex()) sendTimeoutNow(raft, to);
  else maybeSendAppend(raft, to, true);
  return OK;
}

export function reportSnapshot(raft: Raft, to: NodeId, succeeded: boolean): void {
  const progress = raft.progress.get(to);
  if (raft.role !== 'leader' || progress === undefined || progress.state !== 'snapshot') return;
  if (!succeeded) progress.pendingSnapshot = 0;
  progress.becomeProbe();
  // Success: wait for the follower's answer. Failure: wait for a heartbeat answer to retry.
  progress.probeSent = true;
}

/**
 * The transport heard from `to` again: its process restarted, or a link came back. A heartbeat
 * now, not at the next heartbeat tick, tells it who leads (and its answer shows how far behind
 * it is), so a restarted follower forwards and serves within a round trip. A liveness hint
 * like reportUnreachable: one more heartbeat is always safe.
 */
export function peerReconnected(raft: Raft, to: NodeId): void {
  const progress = raft.progress.get(to);
  if (raft.role !== 'leader' || progress === undefined || to === raft.id) return;
  raft.sendHeartbeat(to, progress, raft.readOnly.lastSentRound);
}

export function reportUnreachable(raft: Raft, to: NodeId): void {
  const progress = raft.progress.get(to);
  if (raft.role !== 'leader' || progress === undefined) return;
  if (progress.state === 'replicate') progress.becomeProbe();
}
