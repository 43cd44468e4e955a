import { describe, expect, it } from 'vitest';
import { limits } from '../../src/core/limits.js';
import { Heartbeats } from '../../src/client/heartbeats.js';
import type { KeepAliveLoop, KeepAliveLoopOptions } from '../../src/client/keepalive-loop.js';
import { LeaseBook } from '../../src/client/lease-book.js';

describe('LeaseBook', () => {
  it('groups plain leases, each status, and each lease with load', () => {
    const book = new LeaseBook();
    book.set(1);
    book.set(2);
    book.set(3, { status: 'DRAINING' });
    book.set(4, { status: 'DRAINING' });
    book.set(5, { status: 'SERVING' });
    book.set(6, { load: { cpu: 1 } });
    expect(book.requests()).toEqual([
      { lease_ids: [1, 2] },
      { lease_ids: [6], status: undefined, load: { cpu: 1 } },
      { lease_ids: [3, 4], status: 'DRAINING' },
      { lease_ids: [5], status: 'SERVING' },
    ]);
  });

  it('moves a lease between groups and forgets a deleted one', () => {
    const book = new LeaseBook();
    book.set(1, { status: 'DRAINING' });
    book.set(1);
    book.set(2);
    book.delete(2);
    expect(book.requests()).toEqual([{ lease_ids: [1] }]);
    expect(book.size).toBe(1);
  });

  it('never puts more leases in a message than the server takes', () => {
    const book = new LeaseBook();
    const count = limits.keepAliveIdsMax * 2 + 1;
    for (let id = 1; id <= count; id++) book.set(id);
    const sizes = book.requests().map((request) => request.lease_ids?.length);
    expect(sizes).toEqual([limits.keepAliveIdsMax, limits.keepAliveIdsMax, 1]);
  });
});

type LoopOptions = Parameters<ConstructorParameters<typeof Heartbeats>[0]>[0];

function heartbeats() {
  const started: LoopOptions[] = [];
  const beats: number[] = [];
  const hb = new Heartbeats((options) => {
    started.push(options);
    return { beat: () => beats.push(1), stop: () => {} } as unknown as KeepAliveLoop;
  });
  return { hb, started, beats, loop: (): Pick<KeepAliveLoopOptions, keyof LoopOptions> =>
    started[0] as LoopOptions };
}

describe('Heartbeats', () => {
  it('opens one loop for every lease, paced by the shortest TTL', () => {
    const { hb, started, loop } = heartbeats();
    const quiet = { renewed: () => {}, lost: () => {} };
    hb.attach(1, 9_000, quiet);
    hb.attach(2, 3_000, quiet);
    hb.attach(3, 3_000, quiet);
    expect(started).toHaveLength(1);
    expect(loop().intervalMs()).toBe(1_000);
    hb.detach(2);
    expect(loop().intervalMs()).toBe(1_000);
    hb.detach(3);
    expect(loop().intervalMs()).toBe(3_000);
    expect(loop().requests()).toEqual([{ lease_ids: [1] }]);
  });

  it('routes answers to the lease they name, and none to a detached one', () => {
    const { hb, loop } = heartbeats();
    const heard: string[] = [];
    hb.attach(1, 3_000, { renewed: (ms) => heard.push(`1 renewed ${ms}`),
      lost: () => heard.push('1 lost') });
    hb.attach(2, 3_000, { renewed: () => heard.push('2 renewed'),
      lost: () => heard.push('2 lost') });
    loop().onRenewed?.(1, 2_500);
    loop().onLeaseLost(2);
    hb.detach(1);
    loop().onRenewed?.(1, 2_500);
    expect(heard).toEqual(['1 renewed 2500', '2 lost']);
  });

  it('beats at once only when asked, and only for an attached lease', () => {
    const { hb, beats, loop } = heartbeats();
    hb.attach(1, 3_000, { renewed: () => {}, lost: () => {} });
    hb.update(1, { status: 'DRAINING' }, true);
    hb.update(1, { status: 'DRAINING', load: { cpu: 2 } }, false);
    hb.update(9, { status: 'DRAINING' }, true);
    expect(beats).toEqual([1]);
    expect(loop().requests()).toEqual([
      { lease_ids: [1], status: 'DRAINING', load: { cpu: 2 } }]);
  });
});
