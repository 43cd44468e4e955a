/**
 * The watch hub's named bounds (a named limit on every queue, buffer, map and
 * loop). Values are defaults; the node passes overrides through WatchHubOptions.
 */
export const watchLimits = {
  /**
   * Events kept in the replay history; older ones are compacted away. Each costs ~500 bytes
   * (event, encoding, slot); a watcher further behind gets a snapshot, which is as correct and
   * is sent in chunks. Minutes of a busy registry's changes; --watch-history-events raises it.
   */
  historyEventsMax: 20_000,
  /** Encoded bytes kept in the replay history. */
  historyBytesMax: 16 * 1024 * 1024,
  /** Watchers on one node; more are refused with RESOURCE_EXHAUSTED. */
  watchersMax: 100_000,
  /** Events in one snapshot delivery. */
  snapshotChunkEvents: 1000,
  /**
   * Bytes (as eventBytes counts them) of one snapshot or catch-up delivery, one response on
   * the wire: a stream is bounded in bytes, and a delivery is what one write can add to it.
   * A single command's events still go together (a watcher sees whole revisions).
   */
  deliveryBytesMax: 64 * 1024,
  /**
   * Snapshots being sent at once, each holding the list of its instances: watchers that need
   * another one wait their turn (a snapshot at the current revision is shared, not counted).
   */
  snapshotsInProgressMax: 16,
  /** Encoded chunks one snapshot keeps for the other watchers it is sent to, in bytes. */
  snapshotMemoBytesMax: 2 * 1024 * 1024,
  /** History events one unsynced watcher scans (and snapshot events it is sent) per sync(). */
  syncBatchEvents: 1000,
  /** Unsynced watchers served per sync() (etcd's maxWatchersPerSync). */
  syncWatchersMax: 512,
  /** A synced watcher that was sent nothing for this long gets a progress notice. */
  progressIntervalMs: 5_000,
  /** Progress notices per sync(); the rest wait for the next call. */
  progressNoticesPerSyncMax: 10_000,
} as const;
