import type { NodeId } from './types.js';

export interface PendingRead {
  /** The confirmation round whose quorum of heartbeat acks releases this read. */
  readonly round: number;
  /** The leader's commit index when the request arrived: the read point. */
  readonly index: number;
  /** Who asked: the leader itself or a follower that forwarded the request. */
  readonly from: NodeId;
  readonly context: number;
}

/**
 * ReadIndex requests waiting for the leader to confirm it is still leader (Raft thesis §6.4).
 * Requests are batched into rounds: all requests that arrive between two broadcasts share one
 * heartbeat round, and a quorum acknowledging round r releases every request of rounds <= r.
 * Round numbers are leader-local and never reused, so requesters' contexts cannot collide.
 */
export class ReadOnlyQueue {
  private queue: PendingRead[] = [];
  private head = 0;
  private nextRound = 1;
  private roundOpen = false;
  /** The most recent round sent in heartbeats. */
  lastSentRound = 0;

  get size(): number {
    return this.queue.length - this.head;
  }

  /** Whether requests arrived since the last broadcast (a round waits to be sent). */
  hasOpenRound(): boolean {
    return this.roundOpen;
  }

  add(options: { index: number; from: NodeId; context: number }): void {
    this.queue.push({ round: this.nextRound, ...options });
    this.roundOpen = true;
  }

  /** Closes the open round for broadcasting; 0 when no request is waiting for one. */
  takeRoundToSend(): number {
    if (!this.roundOpen) return 0;
    this.roundOpen = false;
    this.lastSentRound = this.nextRound;
    this.nextRound += 1;
    return this.lastSentRound;
  }

  /** Removes and returns every request whose round is <= confirmedRound. */
  release(confirmedRound: number): PendingRead[] {
    const released: PendingRead[] = [];
    while (this.head < this.queue.length) {
      const read = this.queue[this.head] as PendingRead;
      if (read.round > confirmedRound) break;
      released.push(read);
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return released;
  }

  /** Drops every pending request (leadership lost; requesters time out and retry). */
  reset(): void {
    this.queue = [];
    this.head = 0;
    this.roundOpen = false;
  }
}
