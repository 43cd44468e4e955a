/**
 * Every queue, buffer, map and loop has a named bound here, so none grows without one. Values are
 * defaults; config/ may override the ones users can tune. Units last in names.
 */
export const limits = {
  // Raft replication and flow control.
  /** Bytes of entries in one append message. */
  raftMessageBytesMax: 1024 * 1024,
  /** Append messages in flight to one follower in the replicate state. */
  raftInflightMessagesMax: 256,
  /**
   * Bytes of entries in flight to one follower (0 would mean unlimited; we never use that).
   * A lagging follower takes all of it in one Ready and one LevelDB batch, which LevelDB
   * copies twice (batch, memtable): 16 MiB here once made a follower at 100,000 instances
   * hold a 29 MB batch buffer. 4 MiB is still seconds of the heaviest write load in flight.
   */
  raftInflightBytesMax: 4 * 1024 * 1024,
  /** Bytes of appended but uncommitted entries the leader accepts before refusing proposals. */
  raftUncommittedBytesMax: 64 * 1024 * 1024,
  /**
   * Bytes of committed entries handed to the application in one Ready (at least one entry).
   * Small on purpose: the rest follows a turn of the event loop later, and in that turn the
   * answers of the entries just applied leave, so clients work on them while the next slice
   * is applied. With large slices, requests in flight move as one clump (all applied, all
   * answered, all re-sent, all received) and each process waits on the other (BENCHMARKS.md
   * has how the size was chosen).
   */
  raftCommittedBytesPerReadyMax: 32 * 1024,
  /**
   * Instances or leases of a snapshot encoded per turn of the event loop (one line of the
   * format, ~2-3 ms): requests keep moving while a large registry is written.
   */
  snapshotItemsPerTurn: 1024,
  /** ReadIndex requests a leader holds until its first commit in a new term. */
  raftPendingReadIndexMax: 4096,
  /** Committed entries scanned per page when looking for unapplied conf changes. */
  raftConfScanBytesMax: 8 * 1024 * 1024,
  /** A learner is promoted only when at most this many entries behind the commit index. */
  raftPromoteLagEntriesMax: 1000,

  // Registry: validation (README, Validation).
  serviceNameCharsMax: 63,
  instanceIdCharsMax: 128,
  tagsMax: 64,
  tagCharsMax: 128,
  metadataKeysMax: 64,
  /** Keys and values of one instance's metadata together. */
  metadataBytesMax: 16 * 1024,
  ttlMsMin: 1_000,
  ttlMsMax: 3_600_000,
  /** Hostnames (RFC 1123). */
  addressCharsMax: 253,
  namedPortsMax: 16,
  /** version, environment, region, zone, protocol. */
  labelCharsMax: 64,
  weightMax: 1_000_000,
  capacityMax: 1_000_000_000,
  // Registry: state size, checked when applied so every replica agrees.
  instancesMax: 1_000_000,
  servicesMax: 100_000,
  namespacesMax: 10_000,
  leasesMax: 1_000_000,
  /** Keys of one heartbeat's load figures. */
  loadKeysMax: 16,

  // Cluster identity.
  /** Founders of one cluster (--initial-cluster). */
  foundersMax: 15,
  /** Members a Hello answer may list. */
  clusterMembersMax: 256,

  // Replica.
  /** Commands the leader gathers into one log entry (a power of two: see the simulator). */
  commandsPerEntryMax: 256,
  /** Bytes of the commands gathered into one log entry (a larger command goes alone). */
  commandBatchBytesMax: 64 * 1024,
  /** Proposals awaiting commit on one node. */
  proposalsPendingMax: 65_536,
  /** Read requests waiting for a ReadIndex round on one node. */
  readsPendingMax: 65_536,

  // Client plane (api/): what one client, or all of them together, may cost a node. The ones
  // users tune are `roster serve` flags (README, Limits).
  /**
   * Bytes of one request message, checked from its length prefix before any byte of it is
   * decoded (--max-request-bytes, as etcd names it). The largest valid request, a
   * registration at every limit of README's Validation, is ~30 KiB; etcd allows 1.5 MiB.
   */
  requestBytesMax: 1_572_864,
  /** Bytes of one response message (a Lookup of a large service is the largest). */
  responseBytesMax: 64 * 1024 * 1024,
  /** Client connections open at once (--max-connections); more are closed on accept. */
  connectionsMax: 1024,
  /** Concurrent calls on one connection (--max-streams-per-connection; HTTP/2 setting). */
  streamsPerConnectionMax: 256,
  /** A connection with no call for this long is closed with GOAWAY (--connection-idle-ms). */
  connectionIdleMs: 300_000,
  /**
   * A connection that has moved no byte for this long is destroyed: one that never completes
   * its TLS handshake or HTTP/2 preface. Live connections always move bytes within it (the
   * server's keepalive pings).
   */
  connectionSilentMs: 20_000,
  /** The server pings every connection this often, and closes one whose ping goes unanswered. */
  keepaliveTimeMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  /**
   * Bytes written to one server stream that its client has not taken yet (--max-stream-buffer-
   * bytes). Past it the stream's producer waits (watchers stop being written, KeepAlive stops
   * reading, Snapshot stops encoding) until the client reads.
   */
  streamBufferBytesMax: 256 * 1024,
  /** The same, summed over every stream of the node (--max-buffered-bytes). */
  bufferedBytesMax: 64 * 1024 * 1024,
  /**
   * A stream whose client took none of its buffered bytes for this long is cancelled
   * (--stream-stall-ms), so that clients that never read cannot hold the node's buffers.
   */
  streamStallMs: 30_000,
  /**
   * Calls one connection may start per second (--max-connection-requests-per-second): well
   * above what one client needs (a benchmark client registering at 256 in flight makes ~4,000).
   */
  connectionRequestsPerSecond: 10_000,
  /** Server streams (Watch, WatchMany, KeepAlive, Snapshot) open at once (--max-streams). */
  streamsMax: 10_000,
  /** Streams that have not read for this long may be cancelled when all buffers are full. */
  streamStallMinMs: 2_000,
  /** Cluster.Snapshot streams served at once; more are refused with RESOURCE_EXHAUSTED. */
  snapshotStreamsMax: 2,
  /** Bytes of one Cluster.Snapshot chunk. */
  snapshotChunkBytes: 64 * 1024,
  /** Answers kept by the Lookup cache, and their bytes with their keys. */
  lookupCacheEntriesMax: 512,
  lookupCacheBytesMax: 8 * 1024 * 1024,
  /** Lease ids in one KeepAlive message. */
  keepAliveIdsMax: 10_000,
  /** Lease ids of one KeepAlive stream awaiting their answer; past it the stream is not read. */
  keepAliveIdsInFlightMax: 10_000,
  /**
   * Bytes of registry state (instances and leases, as the registry counts them) past which
   * writes that would add more are refused with RESOURCE_EXHAUSTED (--quota-bytes, like
   * etcd's --quota-backend-bytes). Reads, deregistrations and heartbeats still work.
   */
  quotaBytes: 256 * 1024 * 1024,
} as const;

/** Limit values as numbers (config may override any of them). */
export type Limits = { readonly [Name in keyof typeof limits]: number };

/** The client-plane limits `roster serve` flags set (README, Limits). */
export type ClientLimits = Pick<Limits,
  | 'requestBytesMax' | 'connectionsMax' | 'streamsPerConnectionMax' | 'connectionIdleMs'
  | 'streamBufferBytesMax' | 'bufferedBytesMax' | 'streamStallMs' | 'quotaBytes' | 'streamsMax'
  | 'connectionRequestsPerSecond'>;
