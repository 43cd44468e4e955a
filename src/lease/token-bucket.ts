import { assert } from '../core/assert.js';

/**
 * Tokens are counted in thousandths: a refill of elapsedMs * ratePerSecond is then exact for
 * integer clocks and rates, so a long walk in small steps neither gains nor loses a token.
 */
const milliTokensPerToken = 1000;

export interface TokenBucketOptions {
  readonly ratePerSecond: number;
  /** Tokens the bucket holds at most; at least 1, or it could never release anything. */
  readonly burst: number;
}

/** A token bucket on an injected time line (no timers): refilled lazily when asked. */
export class TokenBucket {
  private readonly ratePerSecond: number;
  private readonly capacityMilliTokens: number;
  private milliTokens = 0;
  private refilledAtMs: number;

  constructor(options: TokenBucketOptions, nowMs: number) {
    assert(Number.isFinite(options.ratePerSecond) && options.ratePerSecond > 0,
      `token rate must be > 0 per second, got ${options.ratePerSecond}`);
    assert(Number.isFinite(options.burst) && options.burst >= 1,
      `token burst must be >= 1, got ${options.burst}`);
    this.ratePerSecond = options.ratePerSecond;
    this.capacityMilliTokens = options.burst * milliTokensPerToken;
    this.refilledAtMs = nowMs;
  }

  /** Restarts the bucket at `nowMs` holding `tokens`. */
  reset(nowMs: number, tokens = 0): void {
    assert(tokens >= 0, `a token bucket cannot hold ${tokens} tokens`);
    this.refilledAtMs = nowMs;
    this.milliTokens = Math.min(this.capacityMilliTokens, tokens * milliTokensPerToken);
  }

  /** Whole tokens available at `nowMs`. */
  tokens(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.milliTokens / milliTokensPerToken);
  }

  /** Takes up to `wanted` whole tokens; returns how many it took. */
  take(nowMs: number, wanted: number): number {
    assert(wanted >= 0, `cannot take ${wanted} tokens`);
    const taken = Math.min(wanted, this.tokens(nowMs));
    this.milliTokens -= taken * milliTokensPerToken;
    return taken;
  }

  private refill(nowMs: number): void {
    const elapsedMs = nowMs - this.refilledAtMs;
    if (elapsedMs <= 0) return;
    this.refilledAtMs = nowMs;
    this.milliTokens = Math.min(this.capacityMilliTokens,
      this.milliTokens + elapsedMs * this.ratePerSecond);
  }
}
