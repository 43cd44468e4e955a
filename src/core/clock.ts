/**
 * Time as an injected dependency: pure modules take a Clock (or ticks), never Date.now, so the
 * simulator can drive the real code on simulated time.
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin. */
  nowMs(): number;
}

/** The in-memory twin of the real clock: time moves only when a test or the simulator says. */
export class ManualClock implements Clock {
  private currentMs: number;

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  advance(deltaMs: number): void {
    if (!(deltaMs >= 0)) throw new RangeError(`clock cannot go back (delta ${deltaMs} ms)`);
    this.currentMs += deltaMs;
  }

  set(nowMs: number): void {
    if (!(nowMs >= this.currentMs)) throw new RangeError(`clock cannot go back to ${nowMs} ms`);
    this.currentMs = nowMs;
  }
}
