/**
 * Exponential backoff with full jitter: the n-th consecutive failure (from 0) waits a uniform
 * random time in [0, min(max, initial * 2^n)), so clients or peers that failed together do not
 * retry together. The random source comes from outside, as everything nondeterministic does
 * in core.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions) {
    this.initialMs = options.initialMs;
    this.maxMs = options.maxMs;
    this.random = options.random;
  }

  /** The delay before the next attempt; each call counts one more consecutive failure. */
  nextDelayMs(): number {
    // Stop doubling once the cap is reached, so the exponent never overflows.
    const ceilingMs = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.floor(this.random() * ceilingMs);
  }

  /** An attempt worked: the next failure starts from the initial delay again. */
  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
