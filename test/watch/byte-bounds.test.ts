import { describe, expect, it } from 'vitest';
import { Harness, RecordingSink, serviceFilter } from './helpers.js';

const WEB = serviceFilter('web');
/** What the harness counts for one event of ids i1..i9 ("PUT default/web/i1@1 registered"). */
const EVENT_BYTES = 31;

describe('deliveries are bounded in bytes, not only in events', () => {
  it('a snapshot chunk stops before the event that would pass deliveryBytesMax', () => {
    const h = new Harness({ historyEventsMax: 1, deliveryBytesMax: EVENT_BYTES * 2 + 5 });
    h.commitMany(7);
    const { sink } = h.watch(WEB, 1);
    h.hub.sync(0);
    const snapshots = sink.deliveries.filter((delivery) => delivery.kind === 'snapshot');
    expect(snapshots.map((delivery) => delivery.events.length)).toEqual([2, 2, 2, 1]);
    expect(sink.kinds().at(-1)).toBe('caughtUp');
    const ids = snapshots.flatMap((delivery) => delivery.events.map((e) => e.instance.id));
    expect(ids.sort()).toEqual(['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7']);
  });

  it('an event larger than the bound still goes, alone', () => {
    const h = new Harness({ historyEventsMax: 1, deliveryBytesMax: 5 });
    h.commitMany(3);
    const { sink } = h.watch(WEB, 1);
    h.hub.sync(0);
    const snapshots = sink.deliveries.filter((delivery) => delivery.kind === 'snapshot');
    expect(snapshots.map((delivery) => delivery.events.length)).toEqual([1, 1, 1]);
  });

  it('catch-up from the history sends whole revisions up to deliveryBytesMax at a time', () => {
    const h = new Harness({ deliveryBytesMax: EVENT_BYTES * 3 });
    h.commitMany(8);
    const { sink } = h.watch(WEB, 0 + 1);
    for (let round = 0; round < 10; round++) h.hub.sync(0);
    const sizes = sink.deliveries.map((delivery) => delivery.events.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sink.eventLines()).toEqual([2, 3, 4, 5, 6, 7, 8]
      .map((revision) => `PUT default/web/i${revision}@${revision}`));
    expect(h.hub.stats().synced).toBe(1);
  });
});

describe('snapshot encodings kept for other watchers are bounded', () => {
  function encodesFor(memoBytes: number): number {
    const h = new Harness({
      historyEventsMax: 1, snapshotChunkEvents: 2, snapshotMemoBytesMax: memoBytes,
    });
    h.commitMany(6);
    const before = h.encodeCalls;
    h.watch(WEB, 1);
    h.watch(WEB, 1);
    h.hub.sync(0);
    return h.encodeCalls - before;
  }

  it('watchers of one snapshot share its chunks while they fit the memo', () => {
    expect(encodesFor(1024 * 1024)).toBe(6);
  });

  it('with no memo each watcher encodes its own', () => {
    expect(encodesFor(1)).toBe(12);
  });
});

describe('snapshots in progress are capped', () => {
  it('a watcher needing a new snapshot waits until one in progress is done', () => {
    const h = new Harness({
      historyEventsMax: 1, snapshotChunkEvents: 1, snapshotsInProgressMax: 1,
    });
    h.commitMany(4);
    const slowSink = new RecordingSink();
    slowSink.full = true;
    const slowId = h.hub.watch(WEB, 1, slowSink, 0);
    h.hub.sync(0);
    expect(slowSink.kinds()).toEqual(['snapshot']);
    // The slow watcher holds its snapshot (blocked after its first chunk); the revision moves,
    // so a new watcher would need a snapshot of its own.
    h.commitMany(2);
    const next = h.watch(WEB, 1);
    h.hub.sync(0);
    expect(next.sink.deliveries).toEqual([]);
    h.hub.cancel(slowId);
    h.hub.sync(0);
    for (let round = 0; round < 10; round++) h.hub.sync(0);
    expect(next.sink.kinds().filter((kind) => kind === 'snapshot')).toHaveLength(6);
    expect(next.sink.kinds().at(-1)).toBe('caughtUp');
  });

  it('watchers sharing the snapshot at the current revision are not held back', () => {
    const h = new Harness({
      historyEventsMax: 1, snapshotChunkEvents: 1, snapshotsInProgressMax: 1,
    });
    h.commitMany(4);
    const slowSink = new RecordingSink();
    slowSink.full = true;
    h.hub.watch(WEB, 1, slowSink, 0);
    const next = h.watch(WEB, 1);
    for (let round = 0; round < 10; round++) h.hub.sync(0);
    expect(next.sink.kinds().at(-1)).toBe('caughtUp');
  });
});
