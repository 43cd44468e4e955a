/** Closed-loop load: N workers, each issuing its next request when the last one answers. */
import { percentiles, type Percentiles } from './stats.js';

export interface ClosedLoopResult {
  /** Requests completed inside the measured window, per second. */
  readonly opsPerSecond: number;
  /** Latency (ms) of the requests started inside the window. */
  readonly latency: Percentiles;
  readonly errors: number;
  readonly firstError: string | undefined;
}

/**
 * Runs `op` from `concurrency` workers for warmupMs + durationMs; only the window after the
 * warm-up counts. `onWindow` is called as the window opens and closes (for CPU sampling).
 */
export async function closedLoop(options: {
  concurrency: number; warmupMs: number; durationMs: number;
  op: (sequence: number) => Promise<unknown>;
  onWindow?: (edge: 'start' | 'end') => void;
}): Promise<ClosedLoopResult> {
  const startMs = performance.now();
  const windowStartMs = startMs + options.warmupMs;
  const endMs = windowStartMs + options.durationMs;
  const latencies: number[] = [];
  let completedInWindow = 0;
  let sequence = 0;
  let errors = 0;
  let firstError: string | undefined;
  const timers = [
    setTimeout(() => options.onWindow?.('start'), options.warmupMs),
    setTimeout(() => options.onWindow?.('end'), options.warmupMs + options.durationMs),
  ];
  const worker = async (): Promise<void> => {
    while (performance.now() < endMs) {
      const issuedMs = performance.now();
      try {
        await options.op(sequence++);
      } catch (error: unknown) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        continue;
      }
      const doneMs = performance.now();
      if (doneMs >= windowStartMs && doneMs <= endMs) completedInWindow += 1;
      if (issuedMs >= windowStartMs && doneMs <= endMs) latencies.push(doneMs - issuedMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  for (const timer of timers) clearTimeout(timer);
  return {
    opsPerSecond: completedInWindow / (options.durationMs / 1000),
    latency: percentiles(latencies),
    errors,
    firstError,
  };
}

/** Runs `op` for sequence numbers 0..count-1 with `concurrency` in flight; fails on an error. */
export async function runAll(
  count: number, concurrency: number, op: (sequence: number) => Promise<unknown>,
): Promise<{ opsPerSecond: number }> {
  const startMs = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { opsPerSecond: count / ((performance.now() - startMs) / 1000) };
}
