import { InvariantViolation } from './safety.js';

/**
 * No lease expires while its owner keeps heartbeating a leader that has a quorum. Precisely:
 * a heartbeat answered found=true was renewed by a leader whose leadership was then confirmed
 * (a read barrier); the lease's deadline on that leader is the renewal plus the TTL, and any
 * later leader starts it at least an election timeout after taking over. So for a heartbeat
 * sent at time t and answered found=true, no Revoke of the lease may commit that its lessor
 * decided before t + min(TTL, election timeout). (A deposed leader's lessor may decide on a
 * stale view; its proposal cannot commit, so it is not checked.) A grant counts as a
 * heartbeat sent when it was requested.
 */
export class LeaseCheck {
  private readonly lastRenewalSentMs = new Map<number, number>();
  private readonly ttlMs = new Map<number, number>();
  private readonly electionTimeoutMs: number;
  decisions = 0;

  constructor(options: { electionTimeoutMs: number }) {
    this.electionTimeoutMs = options.electionTimeoutMs;
  }

  granted(id: number, ttlMs: number, requestedAtMs: number): void {
    this.ttlMs.set(id, ttlMs);
    this.renewed(id, requestedAtMs);
  }

  /** A heartbeat sent at `sentAtMs` was answered found=true. */
  renewed(id: number, sentAtMs: number): void {
    const previous = this.lastRenewalSentMs.get(id) ?? -Infinity;
    if (sentAtMs > previous) this.lastRenewalSentMs.set(id, sentAtMs);
  }

  /** A committed Revoke of these leases was decided by its leader's lessor at `nowMs`. */
  decided(ids: readonly number[], nowMs: number): void {
    this.decisions += ids.length;
    for (const id of ids) {
      const sentMs = this.lastRenewalSentMs.get(id);
      const ttlMs = this.ttlMs.get(id);
      if (sentMs === undefined || ttlMs === undefined) continue;
      const earliestMs = sentMs + Math.min(ttlMs, this.electionTimeoutMs);
      if (nowMs < earliestMs) {
        throw new InvariantViolation('lease kept alive',
          `lease ${id} (TTL ${ttlMs} ms) expired at ${nowMs} ms although a heartbeat sent at ` +
          `${sentMs} ms was answered: not before ${earliestMs} ms`);
      }
    }
  }
}
