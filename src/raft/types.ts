/**
 * The vocabulary of the Raft core, in the paper's terms (etcd-io/raft's shapes). Indexes and
 * terms are plain numbers: safe integers reach 2^53, far beyond any log we will write.
 */

/** A node's id: a positive safe integer. 0 means "none". */
export type NodeId = number;
export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'conf';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must be durable before any message of the same Ready is sent (Raft §5, Figure 2). */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

/** Membership: voters decide; learners receive the log but neither vote nor count to quorum. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export const EMPTY_CONF_STATE: ConfState = Object.freeze({ voters: [], learners: [] });

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The state machine's serialized state at metadata.index; empty for the bootstrap snapshot. */
  readonly data: Uint8Array;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  metadata: Object.freeze({ index: 0, term: 0, confState: EMPTY_CONF_STATE }),
  data: new Uint8Array(0),
});

export type ConfChangeType = 'addLearner' | 'promote' | 'remove';

/** A single-server membership change, carried in a 'conf' entry. */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to Raft: the replica puts the node's peer address here. */
  readonly context: Uint8Array;
}

export type MessageType =
  | 'app' // leader -> follower: entries (possibly none) after (index, logTerm)
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap' // leader -> follower: InstallSnapshot
  | 'timeoutNow' // leader -> transferee: campaign now
  | 'readIndex' // follower -> leader: confirm leadership for a read
  | 'readIndexResp';

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** Term of the entry at `index` (app), or of the candidate's last entry (vote). */
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly snapshot: Snapshot | undefined;
  /**
   * readIndex/readIndexResp: the requester's context. heartbeat/heartbeatResp: the leader's
   * read-confirmation round. vote/preVote: 1 when the campaign is a leadership transfer.
   */
  readonly context: number;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state that is useful to observe but never persisted. */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/** A read-only copy of the leader's view of one member, for status. */
export interface ProgressSnapshot {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly isLearner: boolean;
}

/** A linearizable read point: once applied >= index, reads for `context` may be served. */
export interface ReadState {
  readonly index: number;
  readonly context: number;
}

/**
 * Everything the driver must do, in order: persist (hardState, snapshot, entries; one synced
 * batch) -> send messages -> apply snapshot and committed entries -> advance().
 */
export interface Ready {
  readonly softState: SoftState | undefined;
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly committedEntries: readonly Entry[];
  /**
   * A leader's appends, heartbeats, snapshots and TimeoutNow of a term already on disk: they
   * may leave before this Ready is persisted, so the leader writes its log while followers
   * write theirs (Raft thesis §10.2.1). The leader counts its own entries toward commit only
   * once advance() says they are persisted.
   */
  readonly earlyMessages: readonly Message[];
  /** Messages that may leave only after this Ready is persisted (votes, acks...). */
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  /** False when only volatile fields changed and the write need not be synced. */
  readonly mustSync: boolean;
}

export function hardStatesEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Builds a message with every field set, so all messages share one hidden class. */
export function makeMessage(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): Message {
  return {
    type: fields.type,
    from: fields.from ?? NONE,
    to: fields.to,
    term: fields.term ?? 0,
    logTerm: fields.logTerm ?? 0,
    index: fields.index ?? 0,
    entries: fields.entries ?? NO_ENTRIES,
    commit: fields.commit ?? 0,
    reject: fields.reject ?? false,
    rejectHint: fields.rejectHint ?? 0,
    snapshot: fields.snapshot,
    context: fields.context ?? 0,
  };
}

export const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

export function entryBytes(entry: Entry): number {
  // Data plus a fixed overhead for term, index and type.
  return entry.data.byteLength + 24;
}

export function entriesBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entryBytes(entry);
  return total;
}
