import { ManualClock } from '../../src/core/clock.js';
import type { ClientRuntime, TimerHandle } from '../../src/client/runtime.js';

interface Timer {
  readonly dueMs: number;
  readonly delayMs: number;
  readonly fn: () => void;
}

/**
 * A ClientRuntime on which time moves only when the test says: timers fire inside advance(),
 * in the order they fall due, and random() returns the draws the test chose (the last one
 * repeats).
 */
export class ManualRuntime implements ClientRuntime {
  private readonly clock: ManualClock;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;
  private readonly draws: number[];
  private waiters: (() => void)[] = [];
  /** Every delay asked of setTimer, in order, including timers since cleared. */
  readonly requestedDelays: number[] = [];

  constructor(options: { startMs?: number; random?: number | readonly number[] } = {}) {
    this.clock = new ManualClock(options.startMs ?? 0);
    const random = options.random ?? 0.5;
    this.draws = typeof random === 'number' ? [random] : [...random];
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { dueMs: this.clock.nowMs() + delayMs, delayMs, fn });
    this.requestedDelays.push(delayMs);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return id;
  }

  /** Resolves when the next timer is set. */
  timerSet(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  random(): number {
    return this.draws.length > 1 ? this.draws.shift() as number : this.draws[0] as number;
  }

  /** The delays of the timers not yet fired nor cleared, oldest first. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.delayMs);
  }

  /** Moves time forward, firing every timer that falls due (also ones set while firing). */
  advance(deltaMs: number): void {
    const endMs = this.clock.nowMs() + deltaMs;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next[1].dueMs > endMs) break;
      this.timers.delete(next[0]);
      this.clock.set(Math.max(this.clock.nowMs(), next[1].dueMs));
      next[1].fn();
    }
    this.clock.set(endMs);
  }

  private earliest(): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    // Map order is creation order, so ties fire in the order they were set.
    for (const entry of this.timers) {
      if (best === undefined || entry[1].dueMs < best[1].dueMs) best = entry;
    }
    return best;
  }
}
