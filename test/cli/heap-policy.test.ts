import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  LARGE_HEAP_BYTES, LARGE_HEAP_GROWING_PERCENT, SMALL_HEAP_BYTES, startHeapPolicy,
} from '../../src/cli/heap-policy.js';
import { manualScheduler } from './fake-scheduler.js';

describe('startHeapPolicy', () => {
  it('caps the headroom once the heap is large, and hands sizing back once it is small', () => {
    const { scheduler, tick, stopped } = manualScheduler();
    let used = 10 * 2 ** 20;
    const flags: string[] = [];
    const stop = startHeapPolicy(scheduler, pino({ level: 'silent' }), {
      usedHeapBytes: () => used,
      setFlags: (flag) => flags.push(flag),
    });
    const at = (bytes: number): string[] => {
      used = bytes;
      tick();
      return [...flags];
    };
    expect(at(LARGE_HEAP_BYTES)).toEqual([]);
    const cap = `--heap-growing-percent=${LARGE_HEAP_GROWING_PERCENT}`;
    expect(at(LARGE_HEAP_BYTES + 1)).toEqual([cap]);
    // Between the two bounds nothing changes, in either direction (no flapping).
    expect(at(SMALL_HEAP_BYTES + 1)).toEqual([cap]);
    expect(at(LARGE_HEAP_BYTES * 2)).toEqual([cap]);
    expect(at(SMALL_HEAP_BYTES - 1)).toEqual([cap, '--heap-growing-percent=0']);
    expect(at(SMALL_HEAP_BYTES - 2)).toEqual([cap, '--heap-growing-percent=0']);
    stop();
    expect(stopped()).toBe(true);
  });
});
