import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadApiProtos } from '../../src/wire/index.js';
import type { RegistryClient } from '../../src/api/generated/types/roster/v1/Registry.js';
import type {
  WatchResponse__Output,
} from '../../src/api/generated/types/roster/v1/WatchResponse.js';
import type { WatchUpdate } from '../../src/client/index.js';
import type { WatchManyCall } from '../../src/client/watch-mux.js';
import { TestCluster, waitFor } from './cluster.js';

/** WatchMany: many watches on one stream, each answer tagged with its watch's id. */
let cluster: TestCluster;
let raw: RegistryClient | undefined;

/** A one-node cluster per test (TestCluster reports node output on a test's failure). */
async function startNode(): Promise<void> {
  cluster = await TestCluster.start({ nodes: 1 });
  await cluster.waitForLeader();
  raw = new (loadApiProtos().registry.roster.v1.Registry)(
    cluster.nodes[0]?.client as string, grpc.credentials.createInsecure());
}

afterEach(async () => {
  raw?.close();
  raw = undefined;
  await cluster.stop();
});

/** A raw WatchMany call and everything it received, by watch id. */
function openRaw(): {
  call: WatchManyCall; byId: Map<number, WatchResponse__Output[]>; responses: () => number;
} {
  const call = raw?.WatchMany() as WatchManyCall;
  const byId = new Map<number, WatchResponse__Output[]>();
  let responses = 0;
  call.on('data', (response: WatchResponse__Output) => {
    responses += 1;
    // A response for several watches names them all in watch_ids.
    const ids = response.watch_ids.length > 0 ? response.watch_ids : [response.watch_id];
    for (const id of ids) {
      const list = byId.get(id) ?? [];
      list.push(response);
      byId.set(id, list);
    }
  });
  call.on('error', () => {});
  return { call, byId, responses: () => responses };
}

async function watcherCount(): Promise<number> {
  const client = cluster.client();
  return (await client.status(cluster.nodes[0]?.client as string)).watchers;
}

function eventIds(responses: readonly WatchResponse__Output[] | undefined): string[] {
  return (responses ?? []).flatMap((response) =>
    response.events.map((event) => `${event.type} ${event.instance?.id ?? ''}`));
}

describe('WatchMany, real process', () => {
  it('refuses a bad watch with its own error and keeps the stream and its other watches',
    async () => {
      await startNode();
      const { call, byId } = openRaw();
      call.write({ watch_id: 1, create: { service: 'good' } });
      call.write({ watch_id: 1, create: { service: 'other' } });
      call.write({ watch_id: 0, create: { service: 'good' } });
      call.write({ watch_id: 2, create: { service: 'Not_A_Name' } });
      call.write({ watch_id: 3 });
      await waitFor(() => (byId.size >= 4 ? true : undefined),
        { timeoutMs: 10_000, what: 'answers for every watch id' });
      // Watch 1 was created (anchored by a progress notice); its duplicate was refused.
      expect(byId.get(1)?.[0]?.progress).toBe(true);
      const refusals = [...byId.values()].flat().filter((response) => response.canceled);
      expect(refusals.map((response) => [response.watch_id, response.error_status,
        response.error_code])).toEqual([
        [1, grpc.status.INVALID_ARGUMENT, 'ROSTER_ERR_INVALID_ARGUMENT'],
        [0, grpc.status.INVALID_ARGUMENT, 'ROSTER_ERR_INVALID_ARGUMENT'],
        [2, grpc.status.INVALID_ARGUMENT, 'ROSTER_ERR_INVALID_ARGUMENT'],
        [3, grpc.status.INVALID_ARGUMENT, 'ROSTER_ERR_INVALID_ARGUMENT'],
      ]);
      expect(refusals[0]?.error_message).toContain('already in use');
      expect(refusals[2]?.error_message).toContain('service');

      const client = cluster.client();
      await client.registerOnce({ instance: { service: 'good', id: 'g1', address: '10.0.0.1',
        port: 80 } });
      await waitFor(() => (eventIds(byId.get(1)).length > 0 ? true : undefined),
        { timeoutMs: 10_000, what: 'the event on watch 1' });
      expect(eventIds(byId.get(1))).toEqual(['PUT g1']);

      // Cancelled: confirmed, and the node drops the watcher.
      call.write({ watch_id: 1, cancel: true });
      await waitFor(() => (byId.get(1)?.some((response) => response.canceled) ? true : undefined),
        { timeoutMs: 10_000, what: 'the cancel confirmation' });
      await waitFor(async () => ((await watcherCount()) === 0 ? true : undefined),
        { timeoutMs: 10_000, what: 'no watchers left' });
      call.cancel();
    }, 30_000);

  it('a paused stream holds its watches back; on drain every watch catches up in order',
    async () => {
      await startNode();
      const { call, byId, responses } = openRaw();
      const watches = 50;
      for (let id = 1; id <= watches; id++) {
        call.write({ watch_id: id, create: { service: 'bulk' } });
      }
      await waitFor(() => (byId.size === watches ? true : undefined),
        { timeoutMs: 10_000, what: 'every watch anchored' });
      // The 50 watches follow the same service: one change is one response naming them all.
      const client = cluster.client();
      const before = responses();
      await client.registerOnce({ instance: { service: 'bulk', id: 'first', address: '10.0.0.2',
        port: 80 } });
      await waitFor(() => (eventIds(byId.get(watches)).length === 1 ? true : undefined),
        { timeoutMs: 10_000, what: 'the first event' });
      expect(responses() - before).toBe(1);
      for (let id = 1; id <= watches; id++) expect(eventIds(byId.get(id))).toEqual(['PUT first']);
      // Stop reading: HTTP/2 flow control fills, the server's writes report no room.
      call.pause();
      const writes = 60;
      const blob = 'x'.repeat(8_000);
      for (let i = 0; i < writes; i++) {
        await client.registerOnce({ instance: { service: 'bulk', id: `b${i}`, address: '10.0.0.2',
          port: 80, metadata: { blob } } });
      }
      call.resume();
      const expected = ['PUT first', ...Array.from({ length: writes }, (_, i) => `PUT b${i}`)];
      await waitFor(() => {
        for (let id = 1; id <= watches; id++) {
          if (eventIds(byId.get(id)).length < expected.length) return undefined;
        }
        return true;
      }, { timeoutMs: 30_000, what: 'every event at every watch' });
      for (let id = 1; id <= watches; id++) {
        expect(eventIds(byId.get(id))).toEqual(expected);
        const revisions = (byId.get(id) ?? []).flatMap((r) => r.events.map((e) => e.revision));
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      }
      call.cancel();
      await waitFor(async () => ((await watcherCount()) === 0 ? true : undefined),
        { timeoutMs: 10_000, what: 'the cancelled stream\'s watchers dropped' });
    }, 60_000);

  it('the SDK puts a client\'s watches on one stream; stop() cancels one, a refusal fails one',
    async () => {
      await startNode();
      const client = cluster.client();
      const seen = new Map<string, string[]>();
      const services = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
      const anchored = new Set<string>();
      const streams = services.map((service) => client.watch({ service }, 0, (update) => {
        anchored.add(service);
        if (update.kind !== 'events') return;
        const ids = seen.get(service) ?? [];
        for (const event of update.events) ids.push(event.instance?.id ?? '');
        seen.set(service, ids);
      }));
      await waitFor(() => (anchored.size === services.length ? true : undefined),
        { timeoutMs: 10_000, what: 'every watch anchored' });
      expect(await watcherCount()).toBe(services.length);
      for (const service of services) {
        await client.registerOnce({ instance: { service, id: `${service}-a`, address: '10.0.0.3',
          port: 80 } });
      }
      await waitFor(() => (services.every((s) => seen.get(s)?.length === 1) ? true : undefined),
        { timeoutMs: 10_000, what: 'one event per watch' });
      for (const service of services) expect(seen.get(service)).toEqual([`${service}-a`]);

      streams[0]?.stop();
      await waitFor(async () => ((await watcherCount()) === services.length - 1 ? true
        : undefined), { timeoutMs: 10_000, what: 'the stopped watch gone from the node' });
      await client.registerOnce({ instance: { service: 'svc-0', id: 'late', address: '10.0.0.3',
        port: 80 } });
      await client.registerOnce({ instance: { service: 'svc-1', id: 'late', address: '10.0.0.3',
        port: 80 } });
      await waitFor(() => (seen.get('svc-1')?.includes('late') ? true : undefined),
        { timeoutMs: 10_000, what: 'the later event on a live watch' });
      expect(seen.get('svc-0')).toEqual(['svc-0-a']);

      const updates: WatchUpdate[] = [];
      client.watch({ service: 'Bad Name' }, 0, (update) => updates.push(update));
      const failed = await waitFor(() => updates.find((update) => update.kind === 'failed'),
        { timeoutMs: 10_000, what: 'the refusal' });
      expect(failed.kind === 'failed' && failed.error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(updates.map((update) => update.kind)).toEqual(['failed']);

      for (const stream of streams) stream.stop();
      await waitFor(async () => ((await watcherCount()) === 0 ? true : undefined),
        { timeoutMs: 10_000, what: 'every watch gone once all stopped' });
    }, 30_000);
});
