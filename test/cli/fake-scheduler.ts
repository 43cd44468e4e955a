import type { Scheduler } from '../../src/replica/index.js';

/** A Scheduler whose one periodic task a test runs by hand with tick(). */
export function manualScheduler(): {
  scheduler: Scheduler; tick: () => void; stopped: () => boolean;
} {
  let task: (() => void) | undefined;
  let stopped = false;
  const scheduler: Scheduler = {
    soon: () => {},
    after: () => () => {},
    every: (_ms, run) => {
      task = run;
      return () => {
        stopped = true;
      };
    },
  };
  return { scheduler, tick: () => task?.(), stopped: () => stopped };
}
