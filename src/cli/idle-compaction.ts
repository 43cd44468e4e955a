import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { Scheduler } from '../replica/index.js';

export const IDLE_CHECK_INTERVAL_MS = 5_000;
/**
 * CPU per check interval below which the process counts as idle (5% of a core). A node with
 * no client spends ~2% on its own timers (Raft ticks, watch syncs, health, keepalive pings),
 * so a lower bar is missed by idle nodes as often as not.
 */
export const IDLE_CPU_MICROS = 250_000;
/** Idle checks in a row before compacting: a pause between bursts is not idleness. */
export const IDLE_CHECKS_NEEDED = 2;
/** Heap growth since the last compaction (or start) that makes one worth doing again. */
export const REARM_GROWTH_BYTES = 32 * 1024 * 1024;

export interface IdleCompactionHooks {
  /** Bytes V8 has committed for its heap, and those of buffers outside it. */
  readonly committedHeapBytes: () => number;
  /** Microseconds of CPU (user + system) the process has used so far. */
  readonly cpuMicros: () => number;
  /** A full, compacting collection; undefined when node runs without --expose-gc. */
  readonly collect: (() => void) | undefined;
}

const nodeHooks: IdleCompactionHooks = {
  // Buffers count too: those of closed streams are freed only by a collection, and a process
  // gone quiet runs none (500 unread watch streams left ~1 GB of them behind their close).
  committedHeapBytes: () => getHeapStatistics().total_heap_size + process.memoryUsage().external,
  cpuMicros: () => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  },
  collect: typeof globalThis.gc === 'function' ? () => globalThis.gc?.() : undefined,
};

/**
 * V8 sizes its heap for the load it last saw and gives memory back only through its memory
 * reducer, which a process that went quiet right after a full collection never starts: a
 * follower that applied 100,000 registrations kept ~100 MB of heap pages (and the buffers of
 * its last snapshot) for as long as the cluster stayed idle, twice what it holds live. So
 * once the process has been idle for two checks after its heap grew, it runs one full
 * collection (a pause of tens of ms, when nothing is waiting) and V8 returns the free pages
 * and shrinks the young generation. Needs node's --expose-gc, which bin/roster passes;
 * without it this does nothing.
 */
export function startIdleCompaction(scheduler: Scheduler, logger: Logger,
  hooks: IdleCompactionHooks = nodeHooks): () => void {
  const collect = hooks.collect;
  if (collect === undefined) return () => {};
  let baselineBytes = hooks.committedHeapBytes();
  let lastCpuMicros = hooks.cpuMicros();
  let idleChecks = 0;
  const check = (): void => {
    const cpuMicros = hooks.cpuMicros();
    idleChecks = cpuMicros - lastCpuMicros < IDLE_CPU_MICROS ? idleChecks + 1 : 0;
    lastCpuMicros = cpuMicros;
    const committed = hooks.committedHeapBytes();
    if (idleChecks < IDLE_CHECKS_NEEDED || committed - baselineBytes < REARM_GROWTH_BYTES) {
      baselineBytes = Math.min(baselineBytes, committed);
      return;
    }
    const startedMs = performance.now();
    collect();
    baselineBytes = hooks.committedHeapBytes();
    // The collection's own CPU is not load: it must not reset the idle count.
    lastCpuMicros = hooks.cpuMicros();
    logger.info({ beforeMb: Math.round(committed / 2 ** 20),
      afterMb: Math.round(baselineBytes / 2 ** 20),
      ms: Math.round(performance.now() - startedMs) }, 'idle: heap compacted');
  };
  return scheduler.every(IDLE_CHECK_INTERVAL_MS, check);
}
