import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import type { Scheduler } from '../replica/index.js';

/** Live heap above which the old generation's headroom is capped. */
export const LARGE_HEAP_BYTES = 96 * 1024 * 1024;
/** Back to V8's own sizing below this (hysteresis: no flapping around one size). */
export const SMALL_HEAP_BYTES = 48 * 1024 * 1024;
/** Old-generation headroom over what survived the last full GC, for a large heap. */
export const LARGE_HEAP_GROWING_PERCENT = 50;
const CHECK_INTERVAL_MS = 5_000;

/**
 * V8 lets the old generation grow to up to 4x what survived the last full GC when it judges
 * GC cheap, which a busy server's allocation pattern makes it judge: a leader holding many
 * instances keeps a heap over twice its live data. Capping the headroom at 50% keeps resident
 * memory near the live data and loads as fast (a lower cap costs more full collections for
 * no gain; BENCHMARKS.md has the figures). A small heap keeps V8's own
 * sizing: there a cap means a full GC every few MB of garbage, a quarter more CPU per write
 * for no memory worth saving. The flag is read whenever V8 sizes the heap, so it can change
 * as the registry grows and shrinks.
 */
export function startHeapPolicy(scheduler: Scheduler, logger: Logger, v8 = {
  usedHeapBytes: (): number => getHeapStatistics().used_heap_size,
  setFlags: setFlagsFromString,
}): () => void {
  let capped = false;
  const check = (): void => {
    const used = v8.usedHeapBytes();
    if (!capped && used > LARGE_HEAP_BYTES) {
      capped = true;
      v8.setFlags(`--heap-growing-percent=${LARGE_HEAP_GROWING_PERCENT}`);
      logger.info({ usedMb: Math.round(used / 2 ** 20) }, 'large heap: capping its headroom');
    } else if (capped && used < SMALL_HEAP_BYTES) {
      capped = false;
      v8.setFlags('--heap-growing-percent=0');
      logger.info({ usedMb: Math.round(used / 2 ** 20) }, 'small heap: V8 sizes it again');
    }
  };
  return scheduler.every(CHECK_INTERVAL_MS, check);
}
