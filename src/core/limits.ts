/**
 * Every queue, buffer, map and loop has a named bound here (DESIGN.md, Style). Values are
 * defaults; config/ may override the ones users can tune. Units last in names.
 */
export const limits = {
  // Raft replication and flow control.
  /** Bytes of entries in one append message. */
  raftMessageBytesMax: 1024 * 1024,
  /** Append messages in flight to one follower in the replicate state. */
  raftInflightMessagesMax: 256,
  /** Bytes of entries in flight to one follower (0 would mean unlimited; we never use that). */
  raftInflightBytesMax: 16 * 1024 * 1024,
  /** Bytes of appended but uncommitted entries the leader accepts before refusing proposals. */
  raftUncommittedBytesMax: 64 * 1024 * 1024,
  /** Bytes of committed entries handed to the application in one Ready. */
  raftCommittedBytesPerReadyMax: 8 * 1024 * 1024,
  /** ReadIndex requests a leader holds until its first commit in a new term. */
  raftPendingReadIndexMax: 4096,
  /** Committed entries scanned per page when looking for unapplied conf changes. */
  raftConfScanBytesMax: 8 * 1024 * 1024,
  /** A learner is promoted only when at most this many entries behind the commit index. */
  raftPromoteLagEntriesMax: 1000,

  // Replica.
  /** Proposals awaiting commit on one node. */
  proposalsPendingMax: 65_536,
  /** Read requests waiting for a ReadIndex round on one node. */
  readsPendingMax: 65_536,
} as const;

export type Limits = typeof limits;
