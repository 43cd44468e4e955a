import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../replica/index.js';

/** Monotonic milliseconds (never jumps with the wall clock): lease deadlines depend on it. */
export function monotonicClock(): Clock {
  return { nowMs: () => performance.now() };
}

/** The real timers, built only here: only cli/ builds real clocks (docs/ARCHITECTURE.md). */
export function realScheduler(): Scheduler {
  return {
    soon(task) {
      setImmediate(task);
    },
    every(intervalMs, task) {
      const timer = setInterval(task, intervalMs);
      return () => clearInterval(timer);
    },
    after(delayMs, task) {
      const timer = setTimeout(task, delayMs);
      return () => clearTimeout(timer);
    },
  };
}
