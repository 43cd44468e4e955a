import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscoveryView, type DiscoveryHost } from '../../src/client/discovery-view.js';
import type { DiscoverFilters, DiscoveredInstance } from '../../src/client/discovered.js';
import type { WatchUpdate } from '../../src/client/watch-stream.js';
import type { LookupRequest } from '../../src/api/generated/types/roster/v1/LookupRequest.js';
import type {
  LookupResponse__Output,
} from '../../src/api/generated/types/roster/v1/LookupResponse.js';
import type { WatchEvent__Output } from '../../src/api/generated/types/roster/v1/WatchEvent.js';
import { ManualRuntime } from './manual-runtime.js';

function instance(id: string, fields: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return {
    namespace: 'default', service: 'web', id, address: '10.0.0.1', port: 80, ports: {},
    protocol: '', version: '', environment: '', region: '', zone: 'a', tags: [], metadata: {},
    weight: 0, priority: 0, capacity: 0, health_check: null, lease_id: 0, status: 'SERVING',
    health: 'PASSING', create_revision: 1, mod_revision: 1, load: {}, ...fields,
  };
}

function put(revision: number, one: DiscoveredInstance): WatchEvent__Output {
  return { type: 'PUT', reason: 'REGISTERED', revision, instance: one };
}

function del(revision: number, id: string): WatchEvent__Output {
  return { type: 'DELETE', reason: 'DEREGISTERED', revision, instance: instance(id) };
}

/** A client as a view sees it: lookups and watches answered by the test. */
class FakeHost implements DiscoveryHost {
  readonly lookups: { request: LookupRequest; resolve(r: LookupResponse__Output): void;
    reject(e: Error): void }[] = [];
  readonly watches: { startRevision: number; onUpdate(u: WatchUpdate): void;
    stopped: boolean }[] = [];

  constructor(readonly runtime: ManualRuntime) {}

  lookup(request: LookupRequest): Promise<LookupResponse__Output> {
    return new Promise((resolve, reject) => this.lookups.push({ request, resolve, reject }));
  }

  watch(_request: unknown, startRevision: number, onUpdate: (u: WatchUpdate) => void) {
    const watch = { startRevision, onUpdate, stopped: false };
    this.watches.push(watch);
    return { stop: () => {
      watch.stopped = true;
    } };
  }

  async answer(revision: number, instances: DiscoveredInstance[]): Promise<void> {
    this.lookups.at(-1)?.resolve({ revision, instances });
    await settle();
  }

  update(update: WatchUpdate): void {
    this.watches.at(-1)?.onUpdate(update);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const views: DiscoveryView[] = [];
let dir: string | undefined;

afterEach(async () => {
  for (const view of views.splice(0)) view.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(filters: DiscoverFilters = {}, options = {}) {
  const runtime = new ManualRuntime({ startMs: 1_000_000, random: 0.5 });
  const host = new FakeHost(runtime);
  const view = new DiscoveryView(host, 'web', filters, options);
  views.push(view);
  const changes: string[][] = [];
  const signals: string[] = [];
  view.on('change', (set) => changes.push(set.map((one) => one.id)));
  view.on('stale', () => signals.push('stale'));
  view.on('fresh', () => signals.push('fresh'));
  view.start();
  return { runtime, host, view, changes, signals };
}

const ids = (view: DiscoveryView): string[] => view.instances().map((one) => one.id).sort();

describe('DiscoveryView', () => {
  it('looks up every instance, then watches from the revision the answer reflects', async () => {
    const { host, view, signals } = open({ tags: ['x'] });
    expect(host.lookups[0]?.request).toMatchObject({ service: 'web', namespace: 'default',
      include_unhealthy: true, consistency: 'SERIALIZABLE', tags: ['x'] });
    expect(view.stale).toBe(true);
    await host.answer(7, [instance('a', { tags: ['x'] }), instance('b', { tags: ['x'] })]);
    await view.ready();
    expect(ids(view)).toEqual(['a', 'b']);
    expect(view.revision).toBe(7);
    expect(host.watches[0]?.startRevision).toBe(7);
    expect(view.stale).toBe(false);
    expect(view.ageMs).toBe(0);
    expect(signals).toEqual(['fresh']);
  });

  it('follows PUT and DELETE events, filtered as Lookup filters', async () => {
    const { host, view, changes } = open({ zone: 'a' });
    await host.answer(1, [instance('a')]);
    host.update({ kind: 'events', revision: 3, events: [
      put(2, instance('b')), put(3, instance('c', { zone: 'b' }))] });
    expect(ids(view)).toEqual(['a', 'b']);
    host.update({ kind: 'events', revision: 4, events: [del(4, 'a')] });
    expect(ids(view)).toEqual(['b']);
    // An instance moved out of the filter leaves the set.
    host.update({ kind: 'events', revision: 5, events: [put(5, instance('b', { zone: 'c' }))] });
    expect(ids(view)).toEqual([]);
    expect(view.revision).toBe(5);
    expect(changes).toEqual([['a'], ['a', 'b'], ['b'], []]);
  });

  it('hides draining and critical instances unless asked, and shows them back', async () => {
    const { host, view } = open();
    await host.answer(1, [instance('a'), instance('b', { status: 'DRAINING' })]);
    expect(ids(view)).toEqual(['a']);
    host.update({ kind: 'events', revision: 2, events: [
      put(2, instance('a', { health: 'CRITICAL' })), put(2, instance('b'))] });
    expect(ids(view)).toEqual(['b']);
    const all = open({ includeUnhealthy: true });
    await all.host.answer(1, [instance('a', { health: 'CRITICAL' })]);
    expect(ids(all.view)).toEqual(['a']);
  });

  it('is stale while its stream is down, with its age, and fresh when it resumes', async () => {
    const { runtime, host, view, signals } = open();
    await host.answer(1, [instance('a')]);
    host.update({ kind: 'reconnecting', revision: 1, error: new Error('gone') });
    expect(view.stale).toBe(true);
    runtime.advance(2_500);
    expect(view.ageMs).toBe(2_500);
    expect(ids(view)).toEqual(['a']);
    host.update({ kind: 'progress', revision: 1 });
    expect(view.stale).toBe(false);
    expect(signals).toEqual(['fresh', 'stale', 'fresh']);
  });

  it('calls itself stale after a silence longer than staleAfterMs', async () => {
    const { runtime, host, view } = open({}, { staleAfterMs: 15_000 });
    await host.answer(1, [instance('a')]);
    runtime.advance(10_000);
    host.update({ kind: 'progress', revision: 1 });
    runtime.advance(14_999);
    expect(view.stale).toBe(false);
    runtime.advance(1);
    expect(view.stale).toBe(true);
    expect(view.ageMs).toBe(15_000);
  });

  it('replaces the whole set with a snapshot once it has caught up', async () => {
    const { host, view, changes } = open();
    await host.answer(1, [instance('a'), instance('b')]);
    host.update({ kind: 'reconnecting', revision: 1, error: new Error('gone') });
    host.update({ kind: 'snapshot', revision: 90, events: [put(80, instance('c'))] });
    expect(ids(view)).toEqual(['a', 'b']);
    host.update({ kind: 'snapshot', revision: 90, events: [put(85, instance('b'))] });
    host.update({ kind: 'caughtUp', revision: 90 });
    expect(ids(view)).toEqual(['b', 'c']);
    expect(view.revision).toBe(90);
    expect(changes.at(-1)?.sort()).toEqual(['b', 'c']);
  });

  it('retries a failed lookup with backoff, and stops at a refusal', async () => {
    const { runtime, host, view } = open();
    host.lookups[0]?.reject(Object.assign(new Error('down'), { code: grpc.status.UNAVAILABLE }));
    await settle();
    expect(runtime.pendingDelays()).toEqual([100]);
    runtime.advance(100);
    expect(host.lookups).toHaveLength(2);
    const errors: Error[] = [];
    view.on('error', (error) => errors.push(error));
    host.lookups[1]?.reject(Object.assign(new Error('bad name'),
      { code: grpc.status.INVALID_ARGUMENT }));
    await settle();
    expect(errors.map((error) => error.message)).toEqual(['bad name']);
    runtime.advance(60_000);
    expect(host.lookups).toHaveLength(2);
  });

  it('close stops the watch and every timer', async () => {
    const { runtime, host, view } = open();
    await host.answer(1, [instance('a')]);
    view.close();
    expect(host.watches[0]?.stopped).toBe(true);
    expect(runtime.pendingDelays()).toEqual([]);
  });

  it('picks by policy among what it shows', async () => {
    const { host, view } = open();
    await host.answer(1, [instance('a', { status: 'DRAINING' }), instance('b')]);
    for (let i = 0; i < 5; i++) expect(view.pick('round-robin')?.id).toBe('b');
  });
});

describe('DiscoveryView file cache', () => {
  it('writes the set and serves it, stale, to a view started while the cluster is down',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'roster-view-'));
      const cacheFile = join(dir, 'web.json');
      const first = open({}, { cacheFile });
      await first.host.answer(4, [instance('a'), instance('b')]);
      const writtenAtMs = first.runtime.nowMs();
      first.runtime.advance(1_000);
      await waitForFile(cacheFile);
      first.view.close();

      const second = open({}, { cacheFile });
      second.runtime.advance(5_000);
      await second.view.ready();
      expect(ids(second.view)).toEqual(['a', 'b']);
      expect(second.view.revision).toBe(4);
      expect(second.view.stale).toBe(true);
      expect(second.view.ageMs).toBe(second.runtime.nowMs() - writtenAtMs);
      // The cluster's answer replaces the file's.
      await second.host.answer(9, [instance('c')]);
      expect(ids(second.view)).toEqual(['c']);
      expect(second.view.stale).toBe(false);
    });

  it('ignores a damaged or foreign file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-view-'));
    const cacheFile = join(dir, 'web.json');
    for (const content of ['{not json', JSON.stringify({ format: 1, namespace: 'default',
      service: 'other', revision: 1, currentAtMs: 1, instances: [] })]) {
      await writeFile(cacheFile, content);
      const { view } = open({}, { cacheFile });
      let ready = false;
      void view.ready().then(() => {
        ready = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ready).toBe(false);
      expect(view.instances()).toEqual([]);
    }
  });
});

async function waitForFile(path: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  for (let i = 0; i < 100; i++) {
    try {
      JSON.parse(await readFile(path, 'utf8'));
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`${path} was never written`);
}
