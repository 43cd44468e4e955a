/** A pending timer, as setTimer returned it (never undefined): only handed back to clearTimer. */
export type TimerHandle = unknown;

/**
 * Everything the SDK takes from its environment besides the network: time, timers and
 * randomness. The real ones are the default; a test or simulator passes its own, so retries,
 * heartbeats and reconnects run on its time and its dice.
 */
export interface ClientRuntime {
  /**
   * Milliseconds since the Unix epoch: gRPC deadlines are dates, so this is the wall clock,
   * not core's monotonic Clock (a simulated one may start anywhere near now).
   */
  nowMs(): number;
  /** Runs fn once, delayMs from now. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending timer; one that has fired or was cleared is ignored. */
  clearTimer(handle: TimerHandle): void;
  /** Uniform in [0, 1): the jitter of every backoff. */
  random(): number;
}

export const realRuntime: ClientRuntime = Object.freeze({
  nowMs: () => Date.now(),
  setTimer: (fn: () => void, delayMs: number) => setTimeout(fn, delayMs),
  clearTimer: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
  random: () => Math.random(),
});

/** Resolves after delayMs on the runtime's timers. */
export function sleep(runtime: ClientRuntime, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    runtime.setTimer(resolve, delayMs);
  });
}
