import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { isServiceError } from '../../src/client/index.js';
import { ELECTION_MS, TestCluster, sleep, waitFor } from './cluster.js';

let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('registrations under faults, real processes', () => {
  it('every acknowledged registration survives kills and cut links; none twice', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const acked = new Set<string>();
    let running = true;
    const writers = Array.from({ length: 4 }, (_, writer) => (async () => {
      const client = cluster?.client(cluster.nodes.map((node) => node.client));
      for (let i = 0; running && i < 100_000; i++) {
        const id = `w${writer}-${i}`;
        try {
          const instance = { service: 'pay', id, address: '10.2.0.1', port: 443 };
          await client?.registerOnce({ instance });
          acked.add(id);
        } catch {
          // Not acknowledged: it may or may not have been applied, and that is allowed.
        }
      }
    })());
    const names = cluster.nodes.map((node) => node.name);
    for (let round = 0; round < 4; round++) {
      await sleep(800);
      const victim = names[round % names.length] as string;
      if (round % 2 === 0) {
        await cluster.kill(victim);
        await sleep(ELECTION_MS);
        cluster.restart(victim);
      } else {
        const leader = (await cluster.leader()) ?? victim;
        cluster.isolate(leader);
        await sleep(ELECTION_MS * 2);
        cluster.heal();
      }
    }
    await sleep(1_000);
    running = false;
    await Promise.all(writers);
    await cluster.waitForLeader();
    const client = cluster.client();
    const final = await waitFor(() => client.lookup({ service: 'pay' }), {
      timeoutMs: 20_000, what: 'a final linearizable lookup',
    });
    const ids = final.instances.map((one) => one.id);
    expect(new Set(ids).size).toBe(ids.length);
    const present = new Set(ids);
    const lost = [...acked].filter((id) => !present.has(id));
    expect(lost).toEqual([]);
    expect(acked.size).toBeGreaterThan(50);
    console.log(`chaos: ${acked.size} acknowledged, ${ids.length} present, 0 lost`);
  }, 120_000);
});

describe('bad input is refused with INVALID_ARGUMENT and changes nothing', () => {
  const good = { service: 'web', address: '10.0.0.1', port: 8080 };
  const cases: [string, Record<string, unknown>, string][] = [
    ['service missing', { ...good, service: '' }, 'service'],
    ['service uppercase', { ...good, service: 'Web' }, 'service'],
    ['service starting with a digit', { ...good, service: '1web' }, 'service'],
    ['service of 64 characters', { ...good, service: `a${'b'.repeat(63)}` }, 'service'],
    ['namespace with underscore', { ...good, namespace: 'my_ns' }, 'namespace'],
    ['instance id with a space', { ...good, id: 'a b' }, 'id'],
    ['instance id of 129 characters', { ...good, id: 'x'.repeat(129) }, 'id'],
    ['address neither IP nor hostname', { ...good, address: 'not an address!' }, 'address'],
    ['address 256.1.1.1', { ...good, address: '256.1.1.1' }, 'address'],
    ['port missing', { ...good, port: 0 }, 'port'],
    ['65 tags', { ...good, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, 'tags'],
    ['a tag of 129 characters', { ...good, tags: ['t'.repeat(129)] }, 'tags'],
    ['65 metadata keys', {
      ...good, metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
    }, 'metadata'],
    ['metadata over 16 KiB', { ...good, metadata: { big: 'x'.repeat(16 * 1024) } }, 'metadata'],
    ['weight above the maximum', { ...good, weight: 2_000_000 }, 'weight'],
    ['named port out of range', { ...good, ports: { http: 70_000 } }, 'port'],
  ];

  it('each validation rule of the README', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const client = cluster.client();
    await client.registerOnce({ instance: good });
    const before = await client.listServices({});
    for (const [name, instance, field] of cases) {
      const error = await client.registerOnce({ instance })
        .then(() => undefined, (caught: unknown) => caught);
      expect(isServiceError(error), name).toBe(true);
      if (!isServiceError(error)) continue;
      expect(error.code, name).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details, name).toContain(field);
    }
    const ttl = await client.registerOnce({ instance: good, ttl_ms: 10 })
      .catch((caught: unknown) => caught);
    expect(isServiceError(ttl) && ttl.code === grpc.status.INVALID_ARGUMENT).toBe(true);
    const badLookup = await client.lookup({ service: 'Bad!' })
      .catch((caught: unknown) => caught);
    expect(isServiceError(badLookup) && badLookup.code === grpc.status.INVALID_ARGUMENT).toBe(true);
    const missing = await client.deregister({ service: 'web', id: 'nope' })
      .catch((caught: unknown) => caught);
    expect(isServiceError(missing) && missing.code === grpc.status.NOT_FOUND).toBe(true);
    const after = await client.listServices({});
    expect(after.revision).toBe(before.revision);
    expect(after.services).toEqual(before.services);
  }, 60_000);
});
