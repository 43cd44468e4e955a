import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../replica/index.js';
import type { EventQueue } from './event-queue.js';

/**
 * Timers on the simulated clock for one node incarnation: when the node crashes, `alive`
 * turns false and every pending task of that incarnation silently does nothing.
 */
export function simScheduler(queue: EventQueue, alive: () => boolean): Scheduler {
  return {
    soon(task) {
      queue.schedule(0, () => {
        if (alive()) task();
      });
    },
    every(intervalMs, task) {
      let stopped = false;
      const run = (): void => {
        if (stopped || !alive()) return;
        task();
        queue.schedule(intervalMs, run);
      };
      queue.schedule(intervalMs, run);
      return () => {
        stopped = true;
      };
    },
    after(delayMs, task) {
      let cancelled = false;
      queue.schedule(delayMs, () => {
        if (!cancelled && alive()) task();
      });
      return () => {
        cancelled = true;
      };
    },
  };
}

export function simClock(queue: EventQueue): Clock {
  return { nowMs: () => queue.nowMs };
}
