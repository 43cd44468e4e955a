import type { Raft } from './raft.js';
import { NONE, type Entry, type Message, type NodeId } from './types.js';

/** Follower side of Raft: AppendEntries, heartbeats, InstallSnapshot, forwarded reads. */
export function stepFollower(raft: Raft, message: Message): void {
  switch (message.type) {
    case 'app':
    case 'heartbeat':
    case 'snap':
      if (!acceptLeader(raft, message)) return;
      if (message.type === 'app') handleAppendEntries(raft, message);
      else if (message.type === 'heartbeat') handleHeartbeat(raft, message);
      else handleSnapshot(raft, message);
      return;
    case 'timeoutNow':
      // Leadership transfer: campaign at once, skipping pre-vote and the lease check. Only
      // our leader hands its leadership over.
      if (message.from !== raft.lead) {
        raft.ignore(message, `TimeoutNow from ${message.from}, not the leader ${raft.lead}`);
        return;
      }
      raft.hup('transfer');
      return;
    case 'readIndexResp':
      // A read point only our leader can vouch for.
      if (message.from !== raft.lead) {
        raft.ignore(message, `read index from ${message.from}, not the leader ${raft.lead}`);
        return;
      }
      raft.readStates.push({ index: message.index, context: message.context });
      return;
    default:
      return;
  }
}

/** Candidate and pre-candidate: a leader of our term wins; count (pre-)votes. */
export function stepCandidate(raft: Raft, message: Message): void {
  switch (message.type) {
    case 'app':
    case 'heartbeat':
    case 'snap':
      raft.becomeFollower(message.term, message.from);
      stepFollower(raft, message);
      return;
    case 'voteResp':
      if (raft.role === 'candidate') raft.handleVoteResponse(message);
      return;
    case 'preVoteResp':
      if (raft.role === 'preCandidate') raft.handleVoteResponse(message);
      return;
    default:
      return;
  }
}

/**
 * The transport saw the connection to `id` close: its process died or restarted, which on a
 * reset connection is known at once. A follower that loses its leader this way need not sit
 * out a whole election timeout: it forgets the leader, which also ends the CheckQuorum lease so
 * it grants pre-votes to the others who lost it too, and campaigns within a few ticks.
 *
 * The survivors take turns, one tick apart in the order of their ids, rather than drawing
 * random delays: followers that lost the same leader learn it in the same instant, and two
 * that campaigned in one instant would split the vote and fall back to a full, randomized
 * timeout. A survivor whose log is behind loses its pre-vote and the next one's turn comes.
 *
 * This is a liveness hint only; safety never depends on it. A wrong hint (a healthy leader
 * behind one flapping link) costs at most a pre-vote the other followers refuse while they
 * still hear from the leader, and the leader's next heartbeat restores it here.
 */
export function leaderConnectionLost(raft: Raft, id: NodeId): void {
  if (raft.role !== 'follower' || raft.lead !== id || !raft.promotable()) return;
  raft.lead = NONE;
  const turn = raft.voters.filter((voter) => voter !== id && voter < raft.id).length;
  const soonTicks = 1 + turn;
  raft.electionElapsed =
    Math.max(raft.electionElapsed, raft.randomizedElectionTimeout - soonTicks);
  raft.logger.info({ id: raft.id, term: raft.term, lead: id, campaignInTicks: soonTicks },
    'connection to the leader lost');
}

/**
 * Election safety: one leader per term. A second one in our term is no correct peer (the
 * simulator's checkers catch a real double leader on its own): ignored, not asserted.
 */
function acceptLeader(raft: Raft, message: Message): boolean {
  if (raft.lead !== NONE && raft.lead !== message.from) {
    raft.ignore(message, `a second leader in term ${raft.term} (following ${raft.lead})`);
    return false;
  }
  raft.electionElapsed = 0;
  raft.lead = message.from;
  return true;
}

function handleAppendEntries(raft: Raft, message: Message): void {
  const log = raft.log;
  if (message.index < log.committed) {
    raft.send({ type: 'appResp', to: message.from, index: log.committed });
    return;
  }
  const appended = log.maybeAppend({
    index: message.index,
    logTerm: message.logTerm,
    committed: message.commit,
    entries: message.entries,
  });
  if (appended === 'conflictsWithCommitted') {
    raft.ignore(message, `entries that differ from committed ones (commit ${log.committed})`);
    return;
  }
  if (appended !== undefined) {
    if (appended.appended.length > 0) {
      raft.onLogAppended((appended.appended[0] as Entry).index, appended.appended);
    }
    raft.send({ type: 'appResp', to: message.from, index: appended.lastNewIndex });
    return;
  }
  // Our log does not match at message.index: hint where it may, so the leader can skip back
  // a whole term per round trip instead of one entry.
  const hint = log.findConflictByTerm(Math.min(message.index, log.lastIndex()), message.logTerm);
  raft.send({
    type: 'appResp',
    to: message.from,
    index: message.index,
    reject: true,
    rejectHint: hint.index,
    logTerm: hint.term,
  });
}

function handleHeartbeat(raft: Raft, message: Message): void {
  // A leader tells a follower to commit no further than that follower acknowledged holding
  // (broadcastHeartbeat). Entries acknowledged are synced first and only ever replaced by a
  // leader of a later term, so a log ending below that lost synced writes: this node may not
  // go on (it would vote as if it had them). Reported, not asserted: the driver stops the node.
  if (message.commit > raft.log.lastIndex()) {
    raft.lostWrites ??= `leader ${message.from} (term ${raft.term}) knows this node acknowledged ` +
      `entries up to ${message.commit}, but its log ends at ${raft.log.lastIndex()}: ` +
      'synced writes were lost';
    return;
  }
  raft.log.commitTo(message.commit);
  raft.send({ type: 'heartbeatResp', to: message.from, context: message.context });
}

function handleSnapshot(raft: Raft, message: Message): void {
  const snapshot = message.snapshot;
  if (snapshot === undefined) {
    raft.ignore(message, 'snap without a snapshot');
    return;
  }
  const { index, term } = snapshot.metadata;
  if (index <= raft.log.committed) {
    raft.send({ type: 'appResp', to: message.from, index: raft.log.committed });
    return;
  }
  if (raft.log.matchTerm(index, term)) {
    // We already have the snapshot's last entry: just fast-forward the commit index.
    raft.log.commitTo(index);
    raft.send({ type: 'appResp', to: message.from, index: raft.log.committed });
    return;
  }
  raft.log.restore(snapshot);
  // The snapshot's membership is the truth as of its index, even one that predates our own
  // addition (a joining node): later conf entries in the log bring it up to date.
  raft.onSnapshotRestored(index, snapshot.metadata.confState);
  raft.logger.info({ id: raft.id, index, term }, 'restored snapshot');
  raft.send({ type: 'appResp', to: message.from, index: raft.log.lastIndex() });
}
