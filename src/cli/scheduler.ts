import type { Scheduler } from '../replica/index.js';

/** The real timers, built only here (DESIGN.md: cli/ builds real clocks). */
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
