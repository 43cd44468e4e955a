import type { KeepAliveLoop, KeepAliveLoopOptions } from './keepalive-loop.js';
import { LeaseBook, type LeaseBeat } from './lease-book.js';

/** What the holder of a lease hears from the cluster about it. */
export interface LeaseListener {
  /** The leader renewed the lease; it now lapses in remainingMs unless renewed again. */
  renewed(remainingMs: number): void;
  /** The cluster no longer knows the lease (it expired or was revoked). */
  lost(): void;
}

type LoopStarter = (options: Pick<KeepAliveLoopOptions,
  'requests' | 'intervalMs' | 'onLeaseLost' | 'onRenewed'>) => KeepAliveLoop;

/** A heartbeat every third of the shortest TTL, so one lost beat never expires a lease. */
const BEATS_PER_TTL = 3;
const INTERVAL_MIN_MS = 100;

/**
 * Every lease a client keeps alive, on its one KeepAlive stream: registrations attach their
 * lease and hear back about it by id. The stream opens with the first lease.
 */
export class Heartbeats {
  private readonly book = new LeaseBook();
  private readonly listeners = new Map<number, LeaseListener>();
  /** How many attached leases have each TTL: the pace follows the shortest. */
  private readonly ttlCounts = new Map<number, number>();
  private readonly ttlOf = new Map<number, number>();
  private loop: KeepAliveLoop | undefined;

  constructor(private readonly startLoop: LoopStarter) {}

  attach(leaseId: number, ttlMs: number, listener: LeaseListener, beat?: LeaseBeat): void {
    this.detach(leaseId);
    this.listeners.set(leaseId, listener);
    this.book.set(leaseId, beat);
    this.ttlOf.set(leaseId, ttlMs);
    this.ttlCounts.set(ttlMs, (this.ttlCounts.get(ttlMs) ?? 0) + 1);
    this.loop ??= this.startLoop({
      requests: () => this.book.requests(),
      intervalMs: () => this.intervalMs(),
      onLeaseLost: (id) => this.listeners.get(id)?.lost(),
      onRenewed: (id, remainingMs) => this.listeners.get(id)?.renewed(remainingMs),
    });
  }

  /** Changes what the lease's heartbeats carry; beats at once if asked. */
  update(leaseId: number, beat: LeaseBeat, beatNow: boolean): void {
    if (!this.book.has(leaseId)) return;
    this.book.set(leaseId, beat);
    if (beatNow) this.loop?.beat();
  }

  detach(leaseId: number): void {
    const ttlMs = this.ttlOf.get(leaseId);
    if (ttlMs === undefined) return;
    this.ttlOf.delete(leaseId);
    const count = (this.ttlCounts.get(ttlMs) ?? 1) - 1;
    if (count === 0) this.ttlCounts.delete(ttlMs);
    else this.ttlCounts.set(ttlMs, count);
    this.listeners.delete(leaseId);
    this.book.delete(leaseId);
  }

  get leases(): number {
    return this.book.size;
  }

  stop(): void {
    this.loop?.stop();
    this.loop = undefined;
  }

  private intervalMs(): number {
    let shortestMs = Infinity;
    for (const ttlMs of this.ttlCounts.keys()) shortestMs = Math.min(shortestMs, ttlMs);
    if (shortestMs === Infinity) return 1_000;
    return Math.max(INTERVAL_MIN_MS, Math.floor(shortestMs / BEATS_PER_TTL));
  }
}
