import { assert } from '../core/assert.js';
import type { Clock } from '../core/clock.js';
import type { CheckpointDrift, ExpiryProtection } from '../core/settings.js';
import { DeadlineWheel } from './deadline-wheel.js';
import { LeaseSlots } from './lease-slots.js';
import { SlidingCount } from './sliding-count.js';
import { TokenBucket } from './token-bucket.js';

export interface LeaseInfo {
  readonly id: number;
  readonly ttlMs: number;
  /** The last checkpointed remaining TTL (= ttlMs if never checkpointed). */
  readonly remainingMs: number;
}

export interface ProtectChangeDetail {
  /** Leases due when the decision was taken. */
  readonly due: number;
  readonly leases: number;
  /** Due leases still waiting after that call. */
  readonly deferred: number;
}

export interface LessorOptions extends ExpiryProtection, CheckpointDrift {
  readonly clock: Clock;
  /** Deadline wheel granularity: expiry lags a deadline by at most this much. */
  readonly granularityMs?: number;
  /** For logs and metrics; called on each transition (a demote while protecting included). */
  readonly onProtectChange?: (protecting: boolean, detail: ProtectChangeDetail) => void;
}

export interface DueLeases {
  /** Leases to revoke in one batched Raft proposal; marked revoking. */
  readonly expired: number[];
  readonly protecting: boolean;
  /** Due leases left waiting after this call (held back by protection or by maxCount). */
  readonly deferred: number;
}

export interface LessorStatus {
  readonly primary: boolean;
  readonly leases: number;
  readonly protecting: boolean;
  /** Due leases not yet handed out by due(). */
  readonly deferred: number;
  readonly revoking: number;
  readonly expiredInWindow: number;
}

export const lessorDefaults = {
  protectShare: 0.5,
  protectWindowMs: 10_000,
  protectRatePerSecond: 20,
  protectMinLeases: 10,
  checkpointDriftMs: 1_000,
  checkpointDriftShare: 0.5,
  granularityMs: 10,
} as const;

/**
 * Checkpoint candidates checkpoints() examines in one call. Most are lazily stale entries that
 * only get rescheduled, so this bounds the pause, not the output (maxCount does that).
 */
export const checkpointExaminedPerCallMax = 65_536;

type Settings = { readonly [Name in keyof typeof lessorDefaults]: number };

/**
 * The leader-local lease manager. Heartbeats stay in memory: renew moves a lease in a deadline
 * wheel. What must go through Raft is returned as data: due() names the leases to revoke in
 * one batch, checkpoints() the remaining TTLs worth persisting. Followers hold nothing.
 * Leases live in slots (lease-slots.ts) and both wheels hold slots, not ids: a lease costs
 * a slot's bytes, mostly off the JS heap, rather than objects (BENCHMARKS.md has the figures).
 *
 * Checkpoints use a second wheel, kept lazily: an entry fires when the remaining TTL would
 * have fallen more than the drift below the checkpointed value if the lease were never
 * renewed. Renewals only push that time later, so renew leaves the entry alone (it fires
 * early, is re-checked and rescheduled); only a renew that lifts the remaining TTL more than
 * the drift above a low checkpoint moves it to "now".
 */
export class Lessor {
  private readonly clock: Clock;
  private readonly settings: Settings;
  private readonly onProtectChange: LessorOptions['onProtectChange'];
  private readonly leases = new LeaseSlots();
  private readonly expiry: DeadlineWheel;
  private readonly checkpointQueue: DeadlineWheel;
  private readonly expiredRecently: SlidingCount;
  private readonly expiryTokens: TokenBucket;
  private isPrimary = false;
  private protecting = false;
  private revokingCount = 0;

  constructor(options: LessorOptions) {
    this.clock = options.clock;
    this.settings = resolveSettings(options);
    this.onProtectChange = options.onProtectChange;
    this.expiry = new DeadlineWheel(this.settings.granularityMs);
    this.checkpointQueue = new DeadlineWheel(this.settings.granularityMs);
    this.expiredRecently = new SlidingCount(this.settings.protectWindowMs);
    const rate = this.settings.protectRatePerSecond;
    // A burst below one token would never release a lease: protection must not pin forever.
    this.expiryTokens = new TokenBucket({ ratePerSecond: rate, burst: Math.max(1, rate) },
      this.clock.nowMs());
  }

  get primary(): boolean {
    return this.isPrimary;
  }

  /**
   * Becoming leader, after its term's first entry applied: every lease restarts from its
   * checkpointed remaining TTL plus `extendMs` (one election timeout), so a failover neither
   * resets TTLs to full nor revokes en masse. The extension is not drift: persisted remaining
   * + extension is exactly what the next failover would restore, so it is not checkpointed.
   */
  promote(leases: Iterable<LeaseInfo>, extendMs: number): void {
    assert(!this.isPrimary, 'promote while already primary: demote first');
    assert(Number.isFinite(extendMs) && extendMs >= 0, `extendMs must be >= 0, got ${extendMs}`);
    this.isPrimary = true;
    const nowMs = this.clock.nowMs();
    for (const lease of leases) {
      assert(Number.isFinite(lease.remainingMs) && lease.remainingMs >= 0,
        `lease ${lease.id}: remainingMs must be >= 0, got ${lease.remainingMs}`);
      this.track(lease.id, lease.ttlMs, nowMs + lease.remainingMs + extendMs, lease.remainingMs);
    }
  }

  /** No longer leader: forget every deadline. */
  demote(): void {
    const wasProtecting = this.protecting;
    this.isPrimary = false;
    this.protecting = false;
    this.revokingCount = 0;
    this.leases.clear();
    this.expiry.clear();
    this.checkpointQueue.clear();
    this.expiredRecently.clear();
    if (wasProtecting) this.onProtectChange?.(false, { due: 0, leases: 0, deferred: 0 });
  }

  /** A lease was granted (applied): track it from now with its full TTL. A re-grant restarts. */
  grant(id: number, ttlMs: number): void {
    if (!this.isPrimary) return;
    this.track(id, ttlMs, this.clock.nowMs() + ttlMs, ttlMs);
  }

  /** A lease was removed (revoked, expired or deregistered: applied). */
  forget(id: number): void {
    const slot = this.leases.slotOf(id);
    if (slot === undefined) return;
    if (this.leases.revoking(slot)) this.revokingCount -= 1;
    else this.expiry.unschedule(slot);
    this.checkpointQueue.unschedule(slot);
    this.leases.remove(id);
  }

  /**
   * KeepAlive, the hot path: O(1) hash operations, no allocation. Returns the remaining ms,
   * or undefined when unknown, not primary, or being revoked (the client must register again).
   */
  renew(id: number): number | undefined {
    const leases = this.leases;
    const slot = leases.slotOf(id);
    if (slot === undefined || leases.revoking(slot)) return undefined;
    const nowMs = this.clock.nowMs();
    const ttlMs = leases.ttlMs(slot);
    leases.setDeadlineMs(slot, nowMs + ttlMs);
    this.expiry.schedule(slot, nowMs + ttlMs);
    const checkAtMs = this.checkpointDueAtMs(slot, nowMs, true);
    if (checkAtMs < leases.checkpointAtMs(slot)) this.scheduleCheckpoint(slot, checkAtMs);
    return ttlMs;
  }

  /** Remaining ms (0 once the deadline passed or while revoking); undefined when unknown. */
  remaining(id: number): number | undefined {
    const slot = this.leases.slotOf(id);
    if (slot === undefined) return undefined;
    if (this.leases.revoking(slot)) return 0;
    return Math.max(0, this.leases.deadlineMs(slot) - this.clock.nowMs());
  }

  /**
   * Leases whose deadline passed (their wheel bucket ended), at most maxCount, earliest first,
   * marked revoking. While protecting, only as many as the token bucket allows; the others
   * stay due and renewable, so an owner coming back during protection saves its lease.
   */
  due(maxCount: number): DueLeases {
    assert(Number.isSafeInteger(maxCount) && maxCount >= 0, `maxCount must be >= 0: ${maxCount}`);
    if (!this.isPrimary) return { expired: [], protecting: false, deferred: 0 };
    const nowMs = this.clock.nowMs();
    const dueCount = this.expiry.advance(nowMs);
    const changed = this.updateProtection(nowMs, dueCount);
    const wanted = Math.min(maxCount, dueCount);
    const allowed = this.protecting ? this.expiryTokens.take(nowMs, wanted) : wanted;
    const expired = this.release(allowed);
    this.expiredRecently.add(nowMs, expired.length);
    const deferred = this.expiry.dueSize;
    if (changed) {
      const detail = { due: dueCount, leases: this.leases.size, deferred };
      this.onProtectChange?.(this.protecting, detail);
    }
    return { expired, protecting: this.protecting, deferred };
  }

  /**
   * The Revoke proposal for these failed: they become due again (if still tracked). They stay
   * counted in the expiry window: failures are rare, and counting twice only makes protection
   * slightly more eager, never expiry faster.
   */
  revokeFailed(ids: readonly number[]): void {
    const nowMs = this.clock.nowMs();
    for (const id of ids) {
      const slot = this.leases.slotOf(id);
      if (slot === undefined || !this.leases.revoking(slot)) continue;
      this.leases.setRevoking(slot, false);
      this.revokingCount -= 1;
      // Its deadline has passed, so it lands in an ended bucket: due on the next call.
      this.expiry.schedule(slot, this.leases.deadlineMs(slot));
      this.scheduleCheckpoint(slot, this.checkpointDueAtMs(slot, nowMs, false));
    }
  }

  /**
   * Leases whose remaining TTL drifted more than checkpointDriftMs from the last checkpointed
   * value, at most maxCount, as [id, remainingMs]; recorded as checkpointed. A lease renewed
   * after a low checkpoint drifts up and is checkpointed again, so a failover never restarts
   * it from a stale, low value. Downward drift is noticed at most one granularity late.
   */
  checkpoints(maxCount: number): [number, number][] {
    assert(Number.isSafeInteger(maxCount) && maxCount >= 0, `maxCount must be >= 0: ${maxCount}`);
    const result: [number, number][] = [];
    if (!this.isPrimary) return result;
    const nowMs = this.clock.nowMs();
    this.checkpointQueue.advance(nowMs);
    for (let examined = 0; result.length < maxCount && examined < checkpointExaminedPerCallMax;
      examined++) {
      const slot = this.checkpointQueue.popDue();
      if (slot === undefined) break;
      const id = this.leases.id(slot);
      assert(this.leases.slotOf(id) === slot, `checkpoint queue holds untracked slot ${slot}`);
      assert(!this.leases.revoking(slot), `checkpoint queue holds revoking lease ${id}`);
      const remainingMs = Math.floor(Math.max(0, this.leases.deadlineMs(slot) - nowMs));
      if (Math.abs(remainingMs - this.leases.checkpointedMs(slot)) > this.driftMs(slot)) {
        result.push([id, remainingMs]);
        this.leases.setCheckpointedMs(slot, remainingMs);
      }
      // Not before now (the drift is within bounds), so this loop never sees it again.
      this.scheduleCheckpoint(slot, this.checkpointDueAtMs(slot, nowMs, false));
    }
    return result;
  }

  status(): LessorStatus {
    const nowMs = this.clock.nowMs();
    return {
      primary: this.isPrimary,
      leases: this.leases.size,
      protecting: this.protecting,
      deferred: this.isPrimary ? this.expiry.advance(nowMs) : 0,
      revoking: this.revokingCount,
      expiredInWindow: this.expiredRecently.total(nowMs),
    };
  }

  /** For tests and metrics: the wheels' sizes, which must stay bounded by the lease count. */
  internalSizes(): { buckets: number; heapEntries: number; scheduled: number } {
    return {
      buckets: this.expiry.bucketCount() + this.checkpointQueue.bucketCount(),
      heapEntries: this.expiry.heapEntryCount() + this.checkpointQueue.heapEntryCount(),
      scheduled: this.expiry.size + this.checkpointQueue.size,
    };
  }

  /** Expiry-wheel buckets (for tests). */
  bucketCount(): number {
    return this.expiry.bucketCount();
  }

  private track(id: number, ttlMs: number, deadlineMs: number, checkpointedMs: number): void {
    assert(Number.isSafeInteger(id), `lease id must be a safe integer, got ${id}`);
    assert(Number.isFinite(ttlMs) && ttlMs > 0, `lease ${id}: ttlMs must be > 0, got ${ttlMs}`);
    this.forget(id);
    const slot = this.leases.add(id, ttlMs, deadlineMs, checkpointedMs);
    this.expiry.schedule(slot, deadlineMs);
    this.scheduleCheckpoint(slot, this.checkpointDueAtMs(slot, this.clock.nowMs(), false));
  }

  /**
   * When the lease's drift first exceeds the limit if it is not renewed: at once (one
   * granularity back, so the bucket has already ended) for an upward drift a renew just
   * caused; when the remaining TTL falls below checkpointed - drift otherwise; never if that
   * floor is not above zero (the remaining TTL cannot go below zero).
   */
  private checkpointDueAtMs(slot: number, nowMs: number, upward: boolean): number {
    const driftMs = this.driftMs(slot);
    const deadlineMs = this.leases.deadlineMs(slot);
    const checkpointedMs = this.leases.checkpointedMs(slot);
    if (upward && deadlineMs - nowMs - checkpointedMs > driftMs) {
      return nowMs - this.settings.granularityMs;
    }
    const floorMs = checkpointedMs - driftMs;
    return floorMs > 0 ? deadlineMs - floorMs : Number.POSITIVE_INFINITY;
  }

  /**
   * The drift worth a checkpoint: at least a share of the lease's TTL, so a healthy lease
   * (renewed every TTL/3, its remaining TTL between 2/3 and all of it) is never checkpointed;
   * only a silent one is, at most twice on its way down. Checkpoint traffic follows the
   * leases that are dying, not the number of leases.
   */
  private driftMs(slot: number): number {
    const shareMs = this.leases.ttlMs(slot) * this.settings.checkpointDriftShare;
    return Math.max(this.settings.checkpointDriftMs, shareMs);
  }

  private scheduleCheckpoint(slot: number, atMs: number): void {
    this.leases.setCheckpointAtMs(slot, atMs);
    if (atMs === Number.POSITIVE_INFINITY) this.checkpointQueue.unschedule(slot);
    else this.checkpointQueue.schedule(slot, atMs);
  }

  /** Hands out the `count` earliest due leases, marked revoking. */
  private release(count: number): number[] {
    const expired: number[] = [];
    for (let index = 0; index < count; index++) {
      const slot = this.expiry.popDue();
      assert(slot !== undefined, `due count said ${count} leases were due, found ${index}`);
      const id = this.leases.id(slot);
      assert(this.leases.slotOf(id) === slot, `expiry wheel holds untracked slot ${slot}`);
      this.leases.setRevoking(slot, true);
      this.revokingCount += 1;
      this.scheduleCheckpoint(slot, Number.POSITIVE_INFINITY);
      expired.push(id);
    }
    return expired;
  }

  /**
   * Protect when, of the leases alive during the window (tracked and not revoking, plus those
   * expired in the window), more than protectShare lapsed (due now, or expired in the window),
   * and there are at least protectMinLeases of them. Counting the expired ones on both sides
   * keeps the share honest after their revokes are applied and forgotten. Returns whether the
   * mode changed. Entering starts the bucket empty, so a burst of lapses is released at the
   * rate from the first second on; the rate is > 0, so protection never pins a lease forever.
   */
  private updateProtection(nowMs: number, dueCount: number): boolean {
    const expiredCount = this.expiredRecently.total(nowMs);
    const population = this.leases.size - this.revokingCount + expiredCount;
    const lapsed = dueCount + expiredCount;
    const protect = population >= this.settings.protectMinLeases &&
      lapsed > this.settings.protectShare * population;
    if (protect === this.protecting) return false;
    this.protecting = protect;
    if (protect) this.expiryTokens.reset(nowMs, 0);
    return true;
  }
}

function resolveSettings(options: LessorOptions): Settings {
  const settings: Settings = {
    protectShare: options.protectShare ?? lessorDefaults.protectShare,
    protectWindowMs: options.protectWindowMs ?? lessorDefaults.protectWindowMs,
    protectRatePerSecond: options.protectRatePerSecond ?? lessorDefaults.protectRatePerSecond,
    protectMinLeases: options.protectMinLeases ?? lessorDefaults.protectMinLeases,
    checkpointDriftMs: options.checkpointDriftMs ?? lessorDefaults.checkpointDriftMs,
    checkpointDriftShare: options.checkpointDriftShare ?? lessorDefaults.checkpointDriftShare,
    granularityMs: options.granularityMs ?? lessorDefaults.granularityMs,
  };
  assert(Number.isFinite(settings.protectShare) && settings.protectShare > 0,
    `protectShare must be > 0, got ${settings.protectShare}`);
  assert(Number.isFinite(settings.protectWindowMs) && settings.protectWindowMs > 0,
    `protectWindowMs must be > 0, got ${settings.protectWindowMs}`);
  assert(Number.isFinite(settings.protectRatePerSecond) && settings.protectRatePerSecond > 0,
    `protectRatePerSecond must be > 0 (protection must never stop expiry), ` +
    `got ${settings.protectRatePerSecond}`);
  assert(Number.isSafeInteger(settings.protectMinLeases) && settings.protectMinLeases >= 0,
    `protectMinLeases must be an integer >= 0, got ${settings.protectMinLeases}`);
  assert(Number.isFinite(settings.checkpointDriftMs) && settings.checkpointDriftMs >= 0,
    `checkpointDriftMs must be >= 0, got ${settings.checkpointDriftMs}`);
  assert(Number.isFinite(settings.granularityMs) && settings.granularityMs > 0,
    `granularityMs must be > 0, got ${settings.granularityMs}`);
  return Object.freeze(settings);
}
