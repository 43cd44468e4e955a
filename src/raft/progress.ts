import { Inflights } from './inflights.js';

/**
 * probe: we do not know the follower's log; send one append at a time and wait for the answer.
 * replicate: the follower is caught up to `match`; stream appends optimistically (pipelining),
 *   bounded by inflights.
 * snapshot: the follower needs a snapshot; send nothing else until it is reported.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one follower (etcd-io/raft tracker.Progress). */
export class Progress {
  /** Highest index known to be replicated on the follower. */
  match = 0;
  /** Next index to send. Invariant: match < next. */
  next: number;
  state: ProgressState = 'probe';
  /** In the snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Whether the follower answered since the last CheckQuorum round. */
  recentActive: boolean;
  /** In the probe state: a probe is out, wait for its answer (or a heartbeat answer). */
  probeSent = false;
  /** Latest commit index sent in an append (commit updates go only to who lacks them). */
  sentCommit = 0;
  /** Highest read-confirmation round this follower acknowledged (ReadIndex). */
  readAckRound = 0;
  /** Ticks spent in the snapshot state, so a lost snapshot report cannot stall the follower. */
  snapshotTicks = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(options: {
    next: number;
    isLearner: boolean;
    recentActive: boolean;
    inflightMessagesMax: number;
    inflightBytesMax: number;
  }) {
    this.next = options.next;
    this.isLearner = options.isLearner;
    this.recentActive = options.recentActive;
    this.inflights = new Inflights({
      capacity: options.inflightMessagesMax,
      bytesMax: options.inflightBytesMax,
    });
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      // The snapshot may have been applied: probe from after it rather than from match.
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
  }

  /** An acknowledgement of index n: returns false when it is stale. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.probeSent = false;
    return true;
  }

  /** Records an append of `count` entries starting at `firstIndex` (and `bytes` of them). */
  sentEntries(options: { firstIndex: number; count: number; bytes: number }): void {
    if (this.state === 'replicate') {
      if (options.count > 0) {
        const last = options.firstIndex + options.count - 1;
        this.next = last + 1;
        this.inflights.add(last, options.bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /**
   * The follower rejected an append at `rejected`; `matchHint` is where its log may match ours.
   * Returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // Probes go one at a time, so a rejection of anything but next - 1 is stale.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether flow control forbids sending entries now. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
