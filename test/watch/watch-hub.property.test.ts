/**
 * Random runs of publish / watch / full / drain / sync / cancel / reset against a reference
 * registry. Every watcher rebuilds its view from its deliveries; at every delivery that claims
 * a revision (events, caughtUp, progress) the view must equal the reference state at that
 * revision for its filter: no gap, no duplicate, no reordering, snapshots that replace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import type { RegistryEvent, StoredInstance } from '../../src/registry/index.js';
import type { WatchDelivery, WatchFilter } from '../../src/watch/index.js';
import {
  ALL, Harness, RecordingSink, filtered, keyString, matches, namespaceFilter, serviceFilter,
  type Change, type Encoded, type HubOverrides,
} from './helpers.js';

const NAMESPACES = ['default', 'prod'] as const;
const SERVICES = ['web', 'db', 'api'] as const;
const IDS = ['a', 'b', 'c'] as const;
const PROGRESS_INTERVAL_MS = 50;
const WATCHERS_MAX = 12;

type Start = { readonly mode: 'now' | 'back' | 'ahead'; readonly by: number };

type Op =
  | { readonly kind: 'publish'; readonly changes: readonly Change[] }
  | { readonly kind: 'watch'; readonly filter: WatchFilter; readonly start: Start }
  | { readonly kind: 'full' | 'drain' | 'cancel'; readonly pick: number }
  | { readonly kind: 'sync'; readonly advanceMs: number }
  | { readonly kind: 'reset'; readonly jump: number; readonly changes: readonly Change[] };

const changesArb: fc.Arbitrary<readonly Change[]> = fc.uniqueArray(
  fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    service: fc.constantFrom(...SERVICES),
    id: fc.constantFrom(...IDS),
    delete: fc.boolean(),
  }),
  { minLength: 1, maxLength: 4, selector: keyString },
);

const filterArb: fc.Arbitrary<WatchFilter> = fc.oneof(
  fc.constant(ALL),
  fc.constantFrom(...NAMESPACES).map(namespaceFilter),
  fc.tuple(fc.constantFrom(...SERVICES), fc.constantFrom(...NAMESPACES))
    .map(([service, namespace]) => serviceFilter(service, namespace)),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: changesArb.map((changes) => ({ kind: 'publish' as const, changes })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('watch' as const),
      filter: filterArb,
      start: fc.record({ mode: fc.constantFrom('now', 'back', 'back', 'ahead'), by: fc.nat(8) }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom('full', 'drain', 'cancel'), pick: fc.nat(40) })
      .filter((op) => op.kind !== 'cancel' || op.pick % 3 === 0),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('sync' as const), advanceMs: fc.nat(60) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reset' as const), jump: fc.nat(3), changes: changesArb,
    }),
  },
);

// size 'max': lengths spread over the whole range, not fast-check's short default.
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' });

const optionsArb: fc.Arbitrary<HubOverrides> = fc.record({
  historyEventsMax: fc.integer({ min: 1, max: 8 }),
  historyBytesMax: fc.integer({ min: 40, max: 400 }),
  snapshotChunkEvents: fc.integer({ min: 1, max: 3 }),
  syncBatchEvents: fc.integer({ min: 1, max: 4 }),
  syncWatchersMax: fc.integer({ min: 1, max: 3 }),
  progressIntervalMs: fc.constant(PROGRESS_INTERVAL_MS),
  progressNoticesPerSyncMax: fc.integer({ min: 1, max: 4 }),
  watchersMax: fc.constant(WATCHERS_MAX),
});

/** What the test knows about one watcher, and the view it rebuilt from its deliveries. */
class WatcherModel {
  processed = 0;
  view: Map<string, StoredInstance> | undefined = undefined;
  last: WatchDelivery<Encoded> | undefined = undefined;
  owesCaughtUp = false;
  cancelled = false;

  constructor(
    readonly id: number,
    readonly filter: WatchFilter,
    /** Its view starts as the reference state at this revision. */
    readonly baseline: number,
    readonly sink: RecordingSink,
  ) {}
}

class Run {
  readonly h: Harness;
  readonly models: WatcherModel[] = [];
  readonly published: RegistryEvent[] = [];
  nowMs = 0;

  constructor(options: HubOverrides) {
    this.h = new Harness(options);
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'publish': return this.publish(op.changes);
      case 'watch': return this.watch(op.filter, op.start);
      case 'full': return this.withPick(op.pick, (model) => {
        model.sink.full = true;
      });
      case 'drain': return this.withPick(op.pick, (model) => {
        model.sink.drained();
        this.h.hub.onDrain(model.id);
      });
      case 'cancel': return this.withPick(op.pick, (model) => {
        this.check(model);
        this.h.hub.cancel(model.id);
        model.cancelled = true;
      });
      case 'sync':
        this.nowMs += op.advanceMs;
        return this.h.hub.sync(this.nowMs);
      case 'reset': {
        const revision = this.h.registry.revision + 1 + op.jump;
        this.h.registry.restore(revision, op.changes);
        return this.h.hub.reset(revision);
      }
    }
  }

  /** Everything drained and synced, then one idle interval: every watcher ends on `current`. */
  settle(): void {
    for (const model of this.live()) {
      model.sink.drained();
      this.h.hub.onDrain(model.id);
    }
    for (let round = 0; round < 1000 && this.h.hub.stats().unsynced > 0; round += 1) {
      this.nowMs += 1;
      this.h.hub.sync(this.nowMs);
    }
    expect(this.h.hub.stats().unsynced).toBe(0);
    for (let round = 0; round < 1 + WATCHERS_MAX; round += 1) {
      this.nowMs += PROGRESS_INTERVAL_MS;
      this.h.hub.sync(this.nowMs);
    }
    this.checkAll();
    const current = this.h.registry.revision;
    for (const model of this.live()) {
      if (model.baseline > current) continue;
      expect(model.last?.revision).toBe(current);
      expect(model.view).toEqual(filtered(this.h.registry.state, model.filter));
    }
  }

  checkAll(): void {
    for (const model of this.models) this.check(model);
    const stats = this.h.hub.stats();
    expect(stats.watchers).toBe(this.live().length);
    expect(stats.synced + stats.unsynced).toBe(stats.watchers);
    expect(stats.compactRevision).toBe(this.h.hub.compactRevision);
  }

  /**
   * Every event a watcher was handed was encoded exactly once, whoever else got it; no event
   * was encoded twice; the parts handed out are those encodings. (Events nobody was handed
   * need no encoding.)
   */
  checkEncodings(): void {
    for (const count of this.h.encodeCounts.values()) expect(count).toBe(1);
    for (const model of this.models) {
      for (const delivery of model.sink.deliveries) {
        if (delivery.kind !== 'events') continue;
        delivery.events.forEach((event, index) => {
          expect(this.h.encodeCounts.get(event)).toBe(1);
          expect(delivery.parts[index]).toBe(this.h.encodings.get(event));
        });
      }
    }
  }

  private publish(changes: readonly Change[]): void {
    const events = this.h.registry.command(changes);
    if (events.length === 0) return;
    this.published.push(...events);
    this.h.hub.publish(events);
  }

  private watch(filter: WatchFilter, start: Start): void {
    const current = this.h.registry.revision;
    const startRevision = start.mode === 'now' ? 0
      : start.mode === 'ahead' ? current + start.by : Math.max(0, current - start.by);
    const sink = new RecordingSink();
    try {
      const id = this.h.hub.watch(filter, startRevision, sink, this.nowMs);
      const baseline = startRevision === 0 ? current : startRevision;
      this.models.push(new WatcherModel(id, filter, baseline, sink));
    } catch (error: unknown) {
      expect(isRosterError(error, 'ROSTER_ERR_RESOURCE_EXHAUSTED')).toBe(true);
      expect(this.live()).toHaveLength(WATCHERS_MAX);
    }
  }

  private withPick(pick: number, action: (model: WatcherModel) => void): void {
    const live = this.live();
    const model = live[pick % Math.max(1, live.length)];
    if (model !== undefined) action(model);
  }

  private live(): WatcherModel[] {
    return this.models.filter((model) => !model.cancelled);
  }

  private check(model: WatcherModel): void {
    const deliveries = model.sink.deliveries;
    if (model.cancelled) expect(deliveries.length).toBe(model.processed);
    expect(model.sink.writesWhileBlocked).toBe(0);
    for (; model.processed < deliveries.length; model.processed += 1) {
      const delivery = deliveries[model.processed] as WatchDelivery<Encoded>;
      this.checkDelivery(model, delivery);
      model.last = delivery;
    }
  }

  private checkDelivery(model: WatcherModel, delivery: WatchDelivery<Encoded>): void {
    expect(delivery.parts).toHaveLength(delivery.events.length);
    expect(delivery.revision).toBeGreaterThanOrEqual(model.last?.revision ?? 0);
    switch (delivery.kind) {
      case 'snapshot': return this.applySnapshot(model, delivery);
      case 'events': return this.applyEvents(model, delivery);
      case 'caughtUp':
        expect(model.owesCaughtUp).toBe(true);
        model.owesCaughtUp = false;
        return this.expectView(model, delivery.revision);
      case 'progress':
        // A watcher that starts in the future hears the current revision, which is below it.
        if (delivery.revision < model.baseline) return;
        return this.expectView(model, delivery.revision);
    }
  }

  private applySnapshot(model: WatcherModel, delivery: WatchDelivery<Encoded>): void {
    const continues = model.last?.kind === 'snapshot' &&
      model.last.revision === delivery.revision;
    if (!continues || model.view === undefined) model.view = new Map();
    for (const event of delivery.events) {
      expect(event.type).toBe('PUT');
      expect(matches(model.filter, event.instance)).toBe(true);
      model.view.set(keyString(event.instance), event.instance);
    }
    model.owesCaughtUp = true;
  }

  private applyEvents(model: WatcherModel, delivery: WatchDelivery<Encoded>): void {
    expect(delivery.events.length).toBeGreaterThan(0);
    // Strictly after everything delivered before: no duplicate, no reordering.
    expect(delivery.revision).toBeGreaterThan(model.last?.revision ?? -1);
    expect(delivery.events.at(-1)?.revision).toBe(delivery.revision);
    const view = this.viewOf(model);
    let previous = Math.max(model.last?.revision ?? 0, model.baseline);
    delivery.events.forEach((event, index) => {
      expect(event.revision).toBeGreaterThanOrEqual(previous);
      expect(event.revision).toBeGreaterThan(model.baseline);
      previous = event.revision;
      expect(matches(model.filter, event.instance)).toBe(true);
      // The very encoding made at publish, not a copy.
      expect(delivery.parts[index]).toBe(this.h.encodings.get(event));
      applyEvent(view, event);
    });
    this.expectView(model, delivery.revision);
  }

  private viewOf(model: WatcherModel): Map<string, StoredInstance> {
    model.view ??= filtered(this.h.registry.stateAt(model.baseline), model.filter);
    return model.view;
  }

  private expectView(model: WatcherModel, revision: number): void {
    const expected = filtered(this.h.registry.stateAt(revision), model.filter);
    expect(this.viewOf(model)).toEqual(expected);
  }
}

function applyEvent(view: Map<string, StoredInstance>, event: RegistryEvent): void {
  const key = keyString(event.instance);
  // A DELETE of something the view lacks, or a first registration of something it has,
  // would mean an event was missed.
  if (event.type === 'DELETE') {
    expect(view.has(key)).toBe(true);
    view.delete(key);
    return;
  }
  expect(view.has(key)).toBe(event.reason !== 'registered');
  view.set(key, event.instance);
}

describe('WatchHub against a reference registry (property)', () => {
  it('every watcher\'s deliveries rebuild the reference state, in strict revision order', () => {
    fc.assert(
      fc.property(optionsArb, opsArb, (options, ops) => {
        const run = new Run(options);
        for (const op of ops) {
          run.apply(op);
          run.checkAll();
          const stats = run.h.hub.stats();
          expect(stats.historyEvents).toBeLessThanOrEqual(options.historyEventsMax ?? 0);
          expect(stats.historyBytes).toBeLessThanOrEqual(options.historyBytesMax ?? 0);
        }
        run.settle();
        run.checkEncodings();
      }),
      { numRuns: 300 },
    );
  });
});
