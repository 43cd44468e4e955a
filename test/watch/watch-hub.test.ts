import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import {
  ALL, Harness, RecordingSink, dereg, eventLine, namespaceFilter, reg, serviceFilter,
} from './helpers.js';

const WEB = serviceFilter('web');

describe('start positions', () => {
  it('from now (0) delivers only events published after the watch', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'));
    const { sink } = h.watch(WEB, 0);
    expect(sink.deliveries).toEqual([]);
    h.commit(reg('web', 'b'));
    expect(sink.kinds()).toEqual(['events']);
    expect(sink.eventLines()).toEqual(['PUT default/web/b@2']);
    expect(sink.deliveries[0]?.revision).toBe(2);
  });

  it('watchFromNow announces the current revision at once, then only later events', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'));
    const sink = new RecordingSink();
    h.hub.watchFromNow(WEB, sink, 0);
    expect(sink.kinds()).toEqual(['progress']);
    expect(sink.deliveries[0]?.revision).toBe(1);
    h.commit(reg('web', 'b'));
    expect(sink.kinds()).toEqual(['progress', 'events']);
    expect(sink.eventLines()).toEqual(['PUT default/web/b@2']);
  });

  it('from a revision in the history replays exactly the events after it, then live', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'));
    h.commit(reg('web', 'b'));
    h.commit(dereg('web', 'a'));
    const { sink } = h.watch(WEB, 1);
    expect(sink.eventLines()).toEqual(['PUT default/web/b@2', 'DELETE default/web/a@3']);
    expect(sink.deliveries.at(-1)?.revision).toBe(3);
    expect(h.hub.stats().synced).toBe(1);
    h.commit(reg('web', 'c'));
    expect(sink.eventLines().at(-1)).toBe('PUT default/web/c@4');
    expect(sink.kinds()).not.toContain('snapshot');
  });

  it('from exactly the compact revision replays from the history, without a snapshot', () => {
    const h = new Harness({ historyEventsMax: 2 });
    h.commitMany(4);
    expect(h.hub.compactRevision).toBe(2);
    const { sink } = h.watch(WEB, 2);
    expect(sink.kinds()).toEqual(['events']);
    expect(sink.eventLines()).toEqual(['PUT default/web/i3@3', 'PUT default/web/i4@4']);
  });

  it('from a compacted revision: snapshot chunks, then caughtUp, then live', () => {
    const h = new Harness({ historyEventsMax: 2, snapshotChunkEvents: 2 });
    h.commitMany(5);
    h.commit(dereg('web', 'i2'));
    expect(h.hub.compactRevision).toBe(4);
    const { sink } = h.watch(WEB, 1);
    expect(sink.kinds()).toEqual(['snapshot', 'snapshot', 'caughtUp']);
    expect(sink.deliveries.map((delivery) => delivery.revision)).toEqual([6, 6, 6]);
    const ids = sink.deliveries.flatMap((delivery) => delivery.events)
      .map((event) => event.instance.id);
    expect(ids.sort()).toEqual(['i1', 'i3', 'i4', 'i5']);
    expect(sink.deliveries[0]?.events.every((event) => event.type === 'PUT')).toBe(true);
    expect(sink.deliveries[0]?.parts).toHaveLength(2);
    h.commit(reg('web', 'z'));
    expect(sink.kinds().at(-1)).toBe('events');
    expect(sink.eventLines().at(-1)).toBe('PUT default/web/z@7');
  });

  it('a snapshot of an empty match is one empty chunk, then caughtUp', () => {
    const h = new Harness({ historyEventsMax: 1 });
    h.commitMany(3, 'db');
    const { sink } = h.watch(WEB, 1);
    expect(sink.kinds()).toEqual(['snapshot', 'caughtUp']);
    expect(sink.deliveries[0]?.events).toEqual([]);
    expect(sink.deliveries[0]?.revision).toBe(3);
  });

  it('from a future revision delivers nothing until events above it', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'));
    const { sink } = h.watch(WEB, 3);
    h.commit(reg('web', 'b'));
    h.commit(reg('web', 'c'));
    expect(sink.deliveries).toEqual([]);
    h.commit(reg('web', 'd'));
    expect(sink.eventLines()).toEqual(['PUT default/web/d@4']);
  });

  it('refuses a service without a namespace and a bad start revision (INVALID_ARGUMENT)', () => {
    const h = new Harness();
    const sink = new RecordingSink();
    const invalid = (call: () => unknown): void => {
      expect(call).toThrow();
      try {
        call();
      } catch (error: unknown) {
        expect(isRosterError(error, 'ROSTER_ERR_INVALID_ARGUMENT')).toBe(true);
      }
    };
    invalid(() => h.hub.watch({ namespace: undefined, service: 'web' }, 0, sink, 0));
    invalid(() => h.hub.watch(WEB, -1, sink, 0));
    invalid(() => h.hub.watch(WEB, 1.5, sink, 0));
    expect(h.hub.stats().watchers).toBe(0);
  });
});

describe('filters', () => {
  it('service, namespace and all-namespace watchers each get exactly what they match', () => {
    const h = new Harness();
    const web = h.watch(WEB, 0).sink;
    const db = h.watch(serviceFilter('db'), 0).sink;
    const prodWeb = h.watch(serviceFilter('web', 'prod'), 0).sink;
    const defaults = h.watch(namespaceFilter('default'), 0).sink;
    const prod = h.watch(namespaceFilter('prod'), 0).sink;
    const all = h.watch(ALL, 0).sink;
    // One command (a lease revoke, say) touching three services in two namespaces.
    h.commit(reg('web', 'a'), reg('db', 'b'), reg('web', 'c', 'prod'));
    h.commit(reg('api', 'd'));
    expect(web.eventLines()).toEqual(['PUT default/web/a@1']);
    expect(db.eventLines()).toEqual(['PUT default/db/b@1']);
    expect(prodWeb.eventLines()).toEqual(['PUT prod/web/c@1']);
    expect(defaults.eventLines())
      .toEqual(['PUT default/web/a@1', 'PUT default/db/b@1', 'PUT default/api/d@2']);
    expect(prod.eventLines()).toEqual(['PUT prod/web/c@1']);
    expect(all.eventLines()).toEqual([
      'PUT default/web/a@1', 'PUT default/db/b@1', 'PUT prod/web/c@1', 'PUT default/api/d@2',
    ]);
    // One delivery per command per watcher, never one per event.
    expect(all.kinds()).toEqual(['events', 'events']);
    expect(defaults.deliveries[0]?.events).toHaveLength(2);
  });

  it('replays from history through the same filter, one delivery per catch-up batch', () => {
    const h = new Harness();
    h.commit(reg('web', 'x'));
    h.commit(reg('web', 'a'), reg('db', 'b'));
    h.commit(reg('web', 'c', 'prod'));
    h.commit(reg('db', 'd'));
    expect(h.watch(WEB, 1).sink.eventLines()).toEqual(['PUT default/web/a@2']);
    expect(h.watch(namespaceFilter('prod'), 1).sink.eventLines()).toEqual(['PUT prod/web/c@3']);
    const db = h.watch(serviceFilter('db'), 1).sink;
    expect(db.kinds()).toEqual(['events']);
    expect(db.eventLines()).toEqual(['PUT default/db/b@2', 'PUT default/db/d@4']);
    expect(db.deliveries[0]?.revision).toBe(4);
    expect(h.watch(ALL, 1).sink.eventLines()).toEqual([
      'PUT default/web/a@2', 'PUT default/db/b@2', 'PUT prod/web/c@3', 'PUT default/db/d@4',
    ]);
  });
});

describe('encode once', () => {
  it('encodes each event once for 1000 watchers, all handed the same parts', () => {
    const h = new Harness();
    const sinks = Array.from({ length: 1000 }, () => h.watch(WEB, 0).sink);
    const all = h.watch(ALL, 0).sink;
    const events = h.commit(reg('web', 'a'), reg('web', 'b'));
    h.commit(reg('web', 'c'));
    expect(h.encodeCalls).toBe(3);
    expect([...h.encodeCounts.values()]).toEqual([1, 1, 1]);
    const first = sinks[0]?.deliveries[0];
    expect(first?.parts).toEqual([h.encodings.get(events[0]!), h.encodings.get(events[1]!)]);
    for (const sink of sinks) {
      expect(sink.deliveries).toHaveLength(2);
      // The same delivery object (and so the same parts instances) for every watcher.
      expect(sink.deliveries[0]).toBe(first);
      expect(sink.deliveries[0]?.parts[0]).toBe(h.encodings.get(events[0]!));
    }
    // Another filter, another delivery object, but the very same encodings.
    expect(all.deliveries[0]?.parts[1]).toBe(first?.parts[1]);
  });

  it('encodes an event on first use only: replays from the history share it', () => {
    const h = new Harness();
    const events = [...h.commit(reg('web', 'a')), ...h.commit(reg('web', 'b'))];
    expect(h.encodeCalls).toBe(0); // nobody watches yet (as while a node replays its log)
    const sinks = Array.from({ length: 10 }, () => h.watch(WEB, 0).sink);
    expect(sinks[0]?.deliveries).toEqual([]);
    const replays = Array.from({ length: 10 }, () => h.watch(WEB, 1).sink);
    expect(h.encodeCounts.get(events[1]!)).toBe(1); // b, for all ten replays
    expect(h.encodeCounts.has(events[0]!)).toBe(false); // a was never asked for
    for (const sink of replays) {
      expect(sink.deliveries[0]?.parts[0]).toBe(h.encodings.get(events[1]!));
    }
    const live = h.commit(reg('web', 'c'));
    expect(h.encodeCounts.get(live[0]!)).toBe(1);
    expect(h.encodeCalls).toBe(2);
  });

  it('snapshots of one filter at one revision are encoded once for all their watchers', () => {
    const h = new Harness({ historyEventsMax: 1 });
    h.commitMany(5);
    const before = h.encodeCalls;
    const sinks = Array.from({ length: 50 }, () => h.watch(WEB, 1).sink);
    expect(h.encodeCalls - before).toBe(5);
    expect(h.currentStateCalls).toBe(1);
    for (const sink of sinks) expect(sink.deliveries[0]).toBe(sinks[0]?.deliveries[0]);
  });
});

describe('slow watchers', () => {
  it('a full sink never blocks publish; others keep receiving; drain + sync catch it up', () => {
    const h = new Harness();
    const slow = h.watch(WEB, 0);
    const fast = h.watch(WEB, 0).sink;
    slow.sink.full = true;
    h.commit(reg('web', 'a'));
    expect(h.hub.stats()).toMatchObject({ synced: 1, unsynced: 1 });
    h.commit(reg('web', 'b'));
    h.commit(reg('db', 'x'));
    h.commit(dereg('web', 'a'));
    expect(fast.eventLines())
      .toEqual(['PUT default/web/a@1', 'PUT default/web/b@2', 'DELETE default/web/a@4']);
    // It accepted the write that filled it, and was written nothing after.
    expect(slow.sink.eventLines()).toEqual(['PUT default/web/a@1']);
    h.hub.sync(100);
    expect(slow.sink.deliveries).toHaveLength(1);
    slow.sink.drained();
    h.hub.onDrain(slow.id);
    h.hub.sync(200);
    expect(slow.sink.eventLines())
      .toEqual(['PUT default/web/a@1', 'PUT default/web/b@2', 'DELETE default/web/a@4']);
    expect(slow.sink.writesWhileBlocked).toBe(0);
    expect(h.hub.stats()).toMatchObject({ synced: 2, unsynced: 0 });
    h.commit(reg('web', 'c'));
    expect(slow.sink.eventLines().at(-1)).toBe('PUT default/web/c@5');
  });

  it('a watcher behind the compacted history gets snapshot + caughtUp, never a gap', () => {
    const h = new Harness({ historyEventsMax: 3 });
    const slow = h.watch(WEB, 0);
    slow.sink.full = true;
    h.commit(reg('web', 'a'));
    h.commit(reg('web', 'b'));
    h.commit(dereg('web', 'a'));
    h.commitMany(4, 'web');
    expect(h.hub.compactRevision).toBeGreaterThan(1);
    slow.sink.drained();
    h.hub.onDrain(slow.id);
    h.hub.sync(100);
    const after = slow.sink.deliveries.slice(1);
    expect(after.map((delivery) => delivery.kind)).toEqual(['snapshot', 'caughtUp']);
    const ids = after[0]?.events.map((event) => event.instance.id).sort();
    expect(ids).toEqual(['b', 'i4', 'i5', 'i6', 'i7']);
    expect(after[0]?.revision).toBe(7);
    expect(after[1]?.revision).toBe(7);
    h.commit(reg('web', 'z'));
    expect(slow.sink.eventLines().at(-1)).toBe('PUT default/web/z@8');
  });

  it('a sink that fills during catch-up stops there and resumes after the next drain', () => {
    const h = new Harness({ syncBatchEvents: 2 });
    const slow = h.watch(WEB, 0);
    slow.sink.full = true;
    h.commitMany(7);
    slow.sink.drained();
    h.hub.onDrain(slow.id);
    slow.sink.full = true;
    h.hub.sync(100);
    expect(slow.sink.eventLines()).toEqual(['PUT default/web/i1@1', 'PUT default/web/i2@2',
      'PUT default/web/i3@3']);
    h.hub.sync(200);
    expect(slow.sink.deliveries).toHaveLength(2);
    slow.sink.drained();
    h.hub.onDrain(slow.id);
    h.hub.sync(300);
    h.hub.sync(400);
    expect(slow.sink.eventLines()).toHaveLength(7);
    expect(slow.sink.writesWhileBlocked).toBe(0);
    expect(h.hub.stats().synced).toBe(1);
  });

  it('a snapshot that fills the sink resumes at its next chunk after the drain', () => {
    const h = new Harness({ historyEventsMax: 1, snapshotChunkEvents: 2 });
    h.commitMany(5);
    const sink = new RecordingSink();
    sink.full = true;
    const id = h.hub.watch(WEB, 1, sink, 0);
    expect(sink.kinds()).toEqual(['snapshot']);
    h.commit(reg('web', 'late'));
    sink.drained();
    h.hub.onDrain(id);
    h.hub.sync(100);
    expect(sink.kinds()).toEqual(['snapshot', 'snapshot', 'snapshot', 'events', 'caughtUp']);
    expect(sink.deliveries.slice(0, 3).map((delivery) => delivery.revision)).toEqual([5, 5, 5]);
    expect(sink.deliveries.flatMap((delivery) => delivery.events).map(eventLine).slice(5))
      .toEqual(['PUT default/web/late@6']);
    expect(sink.deliveries.at(-1)?.revision).toBe(6);
  });

  it('a watcher demoted by a progress notice is covered to it: no snapshot for older evictions',
    () => {
      const h = new Harness({ historyEventsMax: 2, progressIntervalMs: 100 });
      const web = h.watch(WEB, 0, 0);
      // Revisions 1-5 do not match it; the history keeps only 4-5.
      h.commitMany(5, 'db');
      web.sink.full = true;
      h.hub.sync(100);
      expect(web.sink.kinds()).toEqual(['progress']);
      expect(web.sink.deliveries[0]?.revision).toBe(5);
      expect(h.hub.stats().unsynced).toBe(1);
      h.commitMany(1, 'db');
      expect(h.hub.compactRevision).toBe(4);
      web.sink.drained();
      h.hub.onDrain(web.id);
      h.hub.sync(150);
      expect(web.sink.kinds()).toEqual(['progress']);
      expect(h.hub.stats().synced).toBe(1);
    });

  it('survives sinks that cancel watchers from inside write()', () => {
    const h = new Harness();
    const victim = new RecordingSink();
    let victimId = 0;
    let selfId = 0;
    let killerWrites = 0;
    // Cancels a later watcher of its group and itself, then reports full: the hub must not
    // write to either again, nor demote a cancelled watcher.
    const killer = {
      write: (): boolean => {
        killerWrites += 1;
        h.hub.cancel(victimId);
        h.hub.cancel(selfId);
        return false;
      },
    };
    selfId = h.hub.watch(WEB, 0, killer, 0);
    victimId = h.hub.watch(WEB, 0, victim, 0);
    const other = h.watch(WEB, 0).sink;
    h.commit(reg('web', 'a'));
    h.commit(reg('web', 'b'));
    expect(killerWrites).toBe(1);
    expect(victim.deliveries).toEqual([]);
    expect(other.eventLines()).toEqual(['PUT default/web/a@1', 'PUT default/web/b@2']);
    expect(h.hub.stats()).toMatchObject({ watchers: 1, synced: 1, unsynced: 0 });
  });

  it('onDrain and cancel of unknown or synced watchers change nothing', () => {
    const h = new Harness();
    const { id, sink } = h.watch(WEB, 0);
    h.hub.onDrain(id);
    h.hub.onDrain(999);
    h.hub.cancel(999);
    h.commit(reg('web', 'a'));
    expect(sink.eventLines()).toEqual(['PUT default/web/a@1']);
    h.hub.cancel(id);
    h.hub.cancel(id);
    h.commit(reg('web', 'b'));
    expect(sink.deliveries).toHaveLength(1);
    expect(h.hub.stats()).toMatchObject({ watchers: 0, synced: 0, unsynced: 0 });
  });
});

describe('progress', () => {
  it('goes only to synced watchers idle for progressIntervalMs', () => {
    const h = new Harness({ progressIntervalMs: 1000 });
    const idle = h.watch(WEB, 0, 0).sink;
    const busy = h.watch(serviceFilter('db'), 0, 0).sink;
    const slow = h.watch(serviceFilter('api'), 0, 0).sink;
    slow.full = true;
    h.commit(reg('api', 'x'));
    h.hub.sync(600);
    h.commit(reg('db', 'a'));
    h.hub.sync(999);
    expect(idle.deliveries).toEqual([]);
    h.hub.sync(1000);
    expect(idle.kinds()).toEqual(['progress']);
    expect(idle.deliveries[0]?.revision).toBe(2);
    expect(busy.kinds()).toEqual(['events']);
    expect(slow.kinds()).toEqual(['events']);
    h.hub.sync(1599);
    expect(busy.kinds()).toEqual(['events']);
    h.hub.sync(1600);
    expect(busy.kinds()).toEqual(['events', 'progress']);
    // The idle one was written at 1000: its next notice is due at 2000.
    expect(idle.kinds()).toEqual(['progress']);
    h.hub.sync(2000);
    expect(idle.kinds()).toEqual(['progress', 'progress']);
    expect(slow.kinds()).toEqual(['events']);
  });

  it('never takes a watcher backwards: one resumed from beyond this node waits for it', () => {
    const h = new Harness({ progressIntervalMs: 100 });
    h.commit(reg('web', 'a'));
    // Resumed here after revision 3, which this node (at 1) has not applied yet.
    const ahead = h.watch(WEB, 3, 0).sink;
    h.hub.sync(100);
    h.hub.sync(200);
    expect(ahead.deliveries).toEqual([]);
    h.commit(reg('db', 'x'));
    h.commit(reg('db', 'y'));
    h.hub.sync(300);
    expect(ahead.kinds()).toEqual(['progress']);
    expect(ahead.deliveries[0]?.revision).toBe(3);
    h.commit(reg('web', 'b'));
    expect(ahead.eventLines()).toEqual(['PUT default/web/b@4']);
  });

  it('sends at most progressNoticesPerSyncMax per sync, the rest at the next', () => {
    const h = new Harness({ progressIntervalMs: 10, progressNoticesPerSyncMax: 3 });
    const sinks = Array.from({ length: 5 }, () => h.watch(WEB, 0, 0).sink);
    h.hub.sync(10);
    expect(sinks.map((sink) => sink.deliveries.length)).toEqual([1, 1, 1, 0, 0]);
    h.hub.sync(11);
    expect(sinks.map((sink) => sink.deliveries.length)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('reset', () => {
  it('sends every watcher a fresh snapshot + caughtUp at sync, then live events', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'), reg('db', 'b'));
    const web = h.watch(WEB, 0).sink;
    const all = h.watch(ALL, 0).sink;
    const blocked = h.watch(serviceFilter('db'), 0);
    blocked.sink.full = true;
    h.commit(reg('db', 'c'));
    h.registry.restore(10, [dereg('web', 'a'), reg('web', 'n')]);
    h.hub.reset(10);
    expect(h.hub.stats()).toMatchObject({
      historyEvents: 0, historyBytes: 0, compactRevision: 10, synced: 0, unsynced: 3,
    });
    expect(h.hub.revision).toBe(10);
    h.commit(reg('web', 'm'));
    expect(web.deliveries).toEqual([]);
    h.hub.sync(100);
    expect(web.kinds()).toEqual(['snapshot', 'caughtUp']);
    expect(web.deliveries[0]?.revision).toBe(11);
    expect(web.eventLines().sort()).toEqual(['PUT default/web/m@11', 'PUT default/web/n@11']);
    expect(all.kinds()).toEqual(['events', 'snapshot', 'caughtUp']);
    expect(all.deliveries[1]?.events).toHaveLength(4);
    // A blocked watcher gets its snapshot once drained.
    expect(blocked.sink.kinds()).toEqual(['events']);
    blocked.sink.drained();
    h.hub.onDrain(blocked.id);
    h.hub.sync(200);
    expect(blocked.sink.kinds()).toEqual(['events', 'snapshot', 'caughtUp']);
    h.commit(reg('web', 'o'));
    expect(web.kinds().at(-1)).toBe('events');
  });

  it('to the same revision: a snapshot under way goes on (same state), the others restart', () => {
    const h = new Harness({ historyEventsMax: 1, snapshotChunkEvents: 1, syncBatchEvents: 1 });
    h.commitMany(3);
    const midway = h.watch(WEB, 1).sink;
    const live = h.watch(WEB, 0).sink;
    expect(midway.kinds()).toEqual(['snapshot']);
    h.hub.reset(3);
    h.hub.sync(100);
    h.hub.sync(200);
    h.hub.sync(300);
    expect(midway.kinds()).toEqual(['snapshot', 'snapshot', 'snapshot', 'caughtUp']);
    expect(midway.eventLines().map((line) => line.split(' ')[1]).sort())
      .toEqual(['default/web/i1@3', 'default/web/i2@3', 'default/web/i3@3']);
    expect(live.kinds()).toEqual(['snapshot', 'snapshot', 'snapshot', 'caughtUp']);
  });

  it('leaves alone a watcher that starts beyond the restored revision', () => {
    const h = new Harness();
    h.commit(reg('web', 'a'));
    const future = h.watch(WEB, 20).sink;
    h.registry.restore(10, [reg('web', 'b')]);
    h.hub.reset(10);
    h.hub.sync(100);
    expect(future.deliveries).toEqual([]);
    expect(h.hub.stats().synced).toBe(1);
  });
});

describe('bounds', () => {
  it('the history evicts the oldest whole revisions by count; compactRevision advances', () => {
    const h = new Harness({ historyEventsMax: 4 });
    h.commit(reg('web', 'a'), reg('web', 'b'));
    h.commit(reg('web', 'c'), reg('web', 'd'));
    expect(h.hub.stats()).toMatchObject({ historyEvents: 4, compactRevision: 0 });
    h.commit(reg('web', 'e'));
    expect(h.hub.stats()).toMatchObject({ historyEvents: 3, compactRevision: 1 });
    h.commit(reg('web', 'f'), reg('web', 'g'), reg('web', 'h'), reg('web', 'i'), reg('web', 'j'));
    // One command larger than the whole history: nothing of it can be kept.
    expect(h.hub.stats()).toMatchObject({ historyEvents: 0, compactRevision: 4 });
  });

  it('the history evicts by encoded bytes', () => {
    const h = new Harness({ historyBytesMax: 100 });
    h.commitMany(10);
    const { historyBytes, historyEvents, compactRevision } = h.hub.stats();
    expect(historyBytes).toBeLessThanOrEqual(100);
    expect(historyEvents).toBeLessThan(10);
    expect(compactRevision).toBe(10 - historyEvents);
    expect(historyBytes + 'PUT default/web/iN@N registered'.length).toBeGreaterThan(100);
  });

  it('refuses watchers beyond watchersMax with RESOURCE_EXHAUSTED; cancel makes room', () => {
    const h = new Harness({ watchersMax: 2 });
    const first = h.watch(WEB, 0);
    h.watch(ALL, 0);
    let caught: unknown;
    try {
      h.watch(WEB, 0);
    } catch (error: unknown) {
      caught = error;
    }
    expect(isRosterError(caught, 'ROSTER_ERR_RESOURCE_EXHAUSTED')).toBe(true);
    h.hub.cancel(first.id);
    expect(() => h.watch(WEB, 0)).not.toThrow();
    expect(h.hub.stats().watchers).toBe(2);
  });

  it('sync catches a watcher up by at most syncBatchEvents per call', () => {
    const h = new Harness({ syncBatchEvents: 3 });
    const slow = h.watch(ALL, 0);
    slow.sink.full = true;
    h.commitMany(10);
    slow.sink.drained();
    h.hub.onDrain(slow.id);
    const counts: number[] = [];
    for (let round = 1; round <= 4; round += 1) {
      const before = slow.sink.eventLines().length;
      h.hub.sync(round * 100);
      counts.push(slow.sink.eventLines().length - before);
    }
    expect(counts).toEqual([3, 3, 3, 0]);
    expect(slow.sink.eventLines()).toHaveLength(10);
    expect(h.hub.stats().synced).toBe(1);
  });

  it('a watcher scans at most syncBatchEvents history events even when few match', () => {
    const h = new Harness({ syncBatchEvents: 4 });
    h.commit(reg('web', 'a'));
    h.commitMany(9, 'db');
    h.commit(reg('web', 'b'));
    const web = h.watch(WEB, 1).sink;
    expect(web.deliveries).toEqual([]);
    expect(h.hub.stats().unsynced).toBe(1);
    h.hub.sync(100);
    expect(web.deliveries).toEqual([]);
    h.hub.sync(200);
    expect(web.eventLines()).toEqual(['PUT default/web/b@11']);
    expect(h.hub.stats().synced).toBe(1);
  });

  it('never splits a revision: one larger than the batch goes alone', () => {
    const h = new Harness({ syncBatchEvents: 2 });
    h.commit(reg('web', 'x'));
    h.commit(reg('web', 'a'), reg('web', 'b'), reg('web', 'c'));
    h.commit(reg('web', 'd'));
    const sink = h.watch(WEB, 1).sink;
    expect(sink.deliveries.map((delivery) => delivery.events.length)).toEqual([3]);
    h.hub.sync(100);
    expect(sink.deliveries.map((delivery) => delivery.revision)).toEqual([2, 3]);
  });

  it('sync serves at most syncWatchersMax watchers per call, round-robin', () => {
    const h = new Harness({ syncWatchersMax: 2, syncBatchEvents: 1 });
    const slow = Array.from({ length: 3 }, () => h.watch(WEB, 0));
    for (const watcher of slow) watcher.sink.full = true;
    h.commitMany(3);
    for (const watcher of slow) {
      watcher.sink.drained();
      h.hub.onDrain(watcher.id);
    }
    const progress = (): number[] => slow.map((watcher) => watcher.sink.eventLines().length);
    expect(progress()).toEqual([1, 1, 1]);
    h.hub.sync(100);
    expect(progress()).toEqual([2, 2, 1]);
    h.hub.sync(200);
    expect(progress()).toEqual([3, 2, 2]);
    h.hub.sync(300);
    h.hub.sync(400);
    expect(progress()).toEqual([3, 3, 3]);
    expect(h.hub.stats()).toMatchObject({ synced: 3, unsynced: 0 });
  });
});
