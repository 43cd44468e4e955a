import {
  parseConfChange, type Entry, type Message, type Snapshot,
} from '../raft/index.js';

/**
 * No term, index, commit or context of a real cluster comes near this (2^48: an election a
 * millisecond for 8,900 years). A bigger one is a forgery or a bug, and a term at 2^53 would
 * leave Raft no room to count: refused at the boundary, never persisted.
 */
export const RAFT_NUMBER_MAX = 2 ** 48;

/** Voters and learners a snapshot may name. */
export const SNAPSHOT_MEMBERS_MAX = 256;

const LEADER_TYPES = new Set<Message['type']>(['app', 'heartbeat', 'snap']);
/** A node at term 0 (it joined and heard from no leader yet) only ever answers. */
const TERM_REQUIRED = new Set<Message['type']>(
  ['app', 'heartbeat', 'snap', 'vote', 'preVote', 'timeoutNow']);

/**
 * What is wrong with a message a peer sent, in words; undefined when it is well formed. These
 * checks need no Raft state; they keep what a peer sends away from the core's assertions,
 * which are for our own invariants.
 */
export function messageProblem(message: Message): string | undefined {
  const { from, to } = message;
  if (from <= 0 || to <= 0 || from === to) return `from ${from} to ${to}`;
  for (const [field, value] of [['term', message.term], ['logTerm', message.logTerm],
    ['index', message.index], ['commit', message.commit], ['rejectHint', message.rejectHint],
    ['context', message.context]] as const) {
    if (value > RAFT_NUMBER_MAX) return `${field} ${value} is beyond ${RAFT_NUMBER_MAX}`;
  }
  if (message.term === 0 && TERM_REQUIRED.has(message.type)) {
    return `${message.type} without a term`;
  }
  if (message.logTerm > message.term) {
    return `log term ${message.logTerm} beyond the message's term ${message.term}`;
  }
  if ((message.type === 'snap') !== (message.snapshot !== undefined)) {
    return message.type === 'snap' ? 'snap without a snapshot' : `${message.type} with a snapshot`;
  }
  if (message.entries.length > 0 && message.type !== 'app') {
    return `${message.type} with entries`;
  }
  if (message.type === 'app') return entriesProblem(message);
  if (message.snapshot !== undefined) return snapshotProblem(message.snapshot, message.term);
  return undefined;
}

/** Whether the message can only come from a leader of its term (the membership gate uses it). */
export function isLeaderMessage(message: Message): boolean {
  return LEADER_TYPES.has(message.type);
}

/** Entries follow index, one after another, in terms that never decrease or pass the leader's. */
function entriesProblem(message: Message): string | undefined {
  // Only the empty log's index 0 has term 0.
  if (message.index > 0 && message.logTerm === 0) return `index ${message.index} of term 0`;
  let previousTerm = message.logTerm;
  for (let i = 0; i < message.entries.length; i++) {
    const entry = message.entries[i] as Entry;
    if (entry.index !== message.index + 1 + i) {
      return `entry ${i} has index ${entry.index}, not ${message.index + 1 + i}`;
    }
    if (entry.term < previousTerm || entry.term > message.term) {
      return `entry ${entry.index} has term ${entry.term} (after ${previousTerm}, ` +
        `leader term ${message.term})`;
    }
    previousTerm = entry.term;
    if (entry.type === 'conf') {
      const change = parseConfChange(entry.data);
      if (typeof change === 'string') return `entry ${entry.index}: ${change}`;
    }
  }
  return undefined;
}

/** A membership that can be in effect: some voter, known ids, none twice. */
function snapshotProblem(snapshot: Snapshot, term: number): string | undefined {
  const { index, term: snapshotTerm, confState } = snapshot.metadata;
  if (index < 1 || index > RAFT_NUMBER_MAX) return `snapshot index ${index}`;
  if (snapshotTerm < 1 || snapshotTerm > term) {
    return `snapshot term ${snapshotTerm} (message term ${term})`;
  }
  const ids = [...confState.voters, ...confState.learners];
  if (confState.voters.length === 0) return 'a snapshot naming no voter';
  if (ids.length > SNAPSHOT_MEMBERS_MAX) return `a snapshot naming ${ids.length} members`;
  if (new Set(ids).size !== ids.length) return 'a snapshot naming a member twice';
  if (ids.some((id) => id <= 0)) return 'a snapshot naming member 0';
  return undefined;
}
