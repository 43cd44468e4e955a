import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  IDLE_CPU_MICROS, REARM_GROWTH_BYTES, startIdleCompaction,
} from '../../src/cli/idle-compaction.js';
import { manualScheduler } from './fake-scheduler.js';

const MB = 2 ** 20;

function harness(collect: (() => void) | undefined): {
  check: (cpuMicros: number, committedBytes: number) => number; stop: () => void;
} {
  const { scheduler, tick } = manualScheduler();
  let cpu = 0;
  let committed = 20 * MB;
  let collections = 0;
  const stop = startIdleCompaction(scheduler, pino({ level: 'silent' }), {
    committedHeapBytes: () => committed,
    cpuMicros: () => cpu,
    collect: collect === undefined ? undefined : () => {
      collections += 1;
      committed = 60 * MB; // what the collection gives back
      collect();
    },
  });
  return {
    check: (cpuSpent, committedBytes) => {
      cpu += cpuSpent;
      committed = committedBytes;
      tick();
      return collections;
    },
    stop,
  };
}

describe('startIdleCompaction', () => {
  it('collects once the process is idle twice after its heap grew, then not again', () => {
    const { check } = harness(() => {});
    const busy = IDLE_CPU_MICROS * 10;
    const idle = IDLE_CPU_MICROS / 10;
    expect(check(busy, 130 * MB)).toBe(0); // loading: busy
    expect(check(idle, 130 * MB)).toBe(0); // one quiet check is not idleness
    expect(check(idle, 130 * MB)).toBe(1);
    expect(check(idle, 60 * MB)).toBe(1); // compacted: nothing more while the heap stays
    expect(check(idle, 60 * MB + REARM_GROWTH_BYTES - 1)).toBe(1);
    expect(check(busy, 60 * MB + REARM_GROWTH_BYTES)).toBe(1); // grew, but busy
    expect(check(idle, 60 * MB + REARM_GROWTH_BYTES)).toBe(1);
    expect(check(idle, 60 * MB + REARM_GROWTH_BYTES)).toBe(2);
  });

  it('leaves a heap that never grew alone, however idle', () => {
    const { check } = harness(() => {});
    for (let round = 0; round < 10; round++) expect(check(0, 20 * MB + MB)).toBe(0);
  });

  it('does nothing without gc (node started without --expose-gc)', () => {
    const { check, stop } = harness(undefined);
    expect(check(0, 500 * MB)).toBe(0);
    expect(check(0, 500 * MB)).toBe(0);
    stop();
  });
});
