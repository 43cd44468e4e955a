import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveryView, Registration } from '../../src/client/index.js';
import { ELECTION_MS, TestCluster, waitFor } from './cluster.js';

let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const ids = (view: DiscoveryView): string[] => view.instances().map((one) => one.id).sort();

function until(view: DiscoveryView, expected: string[], what: string): Promise<true> {
  return waitFor(() => (JSON.stringify(ids(view)) === JSON.stringify(expected) ? true : undefined),
    { timeoutMs: ELECTION_MS * 15, what: `${what} (view: ${ids(view).join(',')})` });
}

function eventsOf(registration: Registration): string[] {
  const events: string[] = [];
  for (const name of ['registered', 'lost', 'restored', 'closed'] as const) {
    registration.on(name, () => events.push(name));
  }
  return events;
}

describe('registrations and discovery views, real processes', () => {
  it('follow the cluster through a leader crash and a whole-cluster outage', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const registrar = cluster.client();
    const view = cluster.client().discover('api', {}, { staleAfterMs: 3_000 });
    await view.ready();
    expect(ids(view)).toEqual([]);

    const instance = (id: string) => ({ service: 'api', id, address: '10.1.0.1', port: 8080 });
    const r1 = registrar.register(instance('r1'), { ttlMs: 3_000 });
    const r2 = registrar.register(instance('r2'), { ttlMs: 3_000 });
    const r1Events = eventsOf(r1);
    await Promise.all([r1.ready(), r2.ready()]);
    await until(view, ['r1', 'r2'], 'both registrations in the view');

    r1.setStatus('draining');
    await until(view, ['r2'], 'a draining instance leaves the view');
    r1.setStatus('serving');
    await until(view, ['r1', 'r2'], 'it comes back when serving again');

    // The leader dies: heartbeats and the watch move to the survivors.
    await cluster.kill(await cluster.waitForLeader());
    await cluster.waitForLeader();
    const r3 = registrar.register(instance('r3'), { ttlMs: 3_000 });
    await r3.ready();
    await until(view, ['r1', 'r2', 'r3'], 'a registration after failover');
    await r2.close();
    await until(view, ['r1', 'r3'], 'a closed registration is deregistered');

    // The whole cluster stops: the view keeps its set and says it is stale.
    for (const node of cluster.nodes) await cluster.kill(node.name);
    await waitFor(() => (view.stale ? true : undefined),
      { timeoutMs: 10_000, what: 'the view to call itself stale' });
    expect(ids(view)).toEqual(['r1', 'r3']);
    expect(view.ageMs).toBeGreaterThan(0);

    // Back after longer than the TTL: the leases lapse, the handles register again.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    for (const node of cluster.nodes) cluster.restart(node.name);
    await cluster.waitForLeader(ELECTION_MS * 20);
    await waitFor(() => (!view.stale && r1.state === 'registered' && r3.state === 'registered'
      ? true : undefined), { timeoutMs: ELECTION_MS * 30, what: 'registrations and view back' });
    await until(view, ['r1', 'r3'], 'the registrations back in the view');
    expect(r1Events.slice(0, 2)).toEqual(['registered', 'lost']);
    expect(r1Events).toContain('restored');
  });

  it('registers again when the cluster forgets the lease', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const registrar = cluster.client();
    const view = cluster.client().discover('job');
    const registration = registrar.register(
      { service: 'job', id: 'j1', address: '10.1.0.2', port: 9000 },
      { ttlMs: 3_000, reregisterBaseMs: 200 });
    const events = eventsOf(registration);
    const first = await registration.ready();
    await until(view, ['j1'], 'the registration in the view');
    // Another client revokes the lease, as an operator's deregister would.
    await cluster.client().deregister({ lease_id: first.leaseId });
    await waitFor(() => (events.includes('restored') ? true : undefined),
      { timeoutMs: 10_000, what: 'the registration restored' });
    expect(events).toEqual(['registered', 'lost', 'restored']);
    expect(registration.leaseId).not.toBe(first.leaseId);
    await until(view, ['j1'], 'the instance back in the view');
    await registration.close();
    await until(view, [], 'the instance gone after close');
  });
});
