import { afterEach, describe, expect, it } from 'vitest';
import { ELECTION_MS, TestCluster, sleep, waitFor } from './cluster.js';

let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function instance(id: string) {
  return { service: 'api', id, address: '10.1.0.1', port: 9000 };
}

describe('partitions and membership, real processes', () => {
  it('an isolated leader steps down; the majority elects another; it rejoins without disruption',
    async () => {
      cluster = await TestCluster.start({ nodes: 3 });
      const old = await cluster.waitForLeader();
      cluster.isolate(old);
      const others = cluster.nodes.filter((node) => node.name !== old).map((node) => node.client);
      // The majority elects a new leader and takes writes.
      const fresh = await waitFor(async () => {
        const rows = (await cluster?.statuses()) ?? [];
        const leader = rows.find((row) => row.role === 'leader' && row.name !== old);
        return leader?.name;
      }, { timeoutMs: ELECTION_MS * 10, what: 'a new leader in the majority' });
      await cluster.client(others).registerOnce({ instance: instance('during') });
      // CheckQuorum: the isolated one stops acting as leader within two election timeouts.
      await waitFor(async () => {
        const row = (await cluster?.statuses())?.find((status) => status.name === old);
        return row !== undefined && row.role !== 'leader' ? true : undefined;
      }, { timeoutMs: ELECTION_MS * 4, what: `${old} to step down` });
      const before = (await cluster.statuses()).find((row) => row.name === fresh);
      // Heal: PreVote keeps the returning node from raising the term and deposing the leader.
      cluster.heal();
      await sleep(ELECTION_MS * 3);
      const after = await cluster.statuses();
      const leaders = after.filter((row) => row.role === 'leader');
      expect(leaders.map((row) => row.name)).toEqual([fresh]);
      expect(leaders[0]?.term).toBe(before?.term);
      const rejoined = after.find((row) => row.name === old);
      expect(rejoined?.leader).toBe(fresh);
      const seen = await cluster.client([cluster.node(old).client]).lookup({ service: 'api' });
      expect(seen.instances.map((one) => one.id)).toEqual(['during']);
    }, 90_000);

  it('adds two learners with --join, promotes them, removes one, serving writes', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const writer = cluster.client();
    const acked: string[] = [];
    let writing = true;
    const load = (async () => {
      for (let i = 0; writing && i < 10_000; i++) {
        await writer.registerOnce({ instance: instance(`w${i}`) });
        acked.push(`w${i}`);
        await sleep(20);
      }
    })();
    const join = cluster.nodes[0]?.client as string;
    for (const name of ['n4', 'n5']) {
      const node = await cluster.allocate(name);
      node.args = ['--join', join, '--initial-cluster-state', 'existing'];
      cluster.launch(node);
      await waitFor(async () => {
        const members = await writer.memberList();
        const member = members.members.find((one) => one.name === name);
        return member !== undefined && !member.learner ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 250, what: `${name} to join and be promoted` });
    }
    expect((await writer.memberList()).members.filter((one) => !one.learner)).toHaveLength(5);
    await writer.memberRemove({ name: 'n4' });
    const members = await writer.memberList();
    expect(members.members.map((one) => one.name).sort()).toEqual(['n1', 'n2', 'n3', 'n5']);
    writing = false;
    await load;
    expect(acked.length).toBeGreaterThan(20);
    const final = await writer.lookup({ service: 'api' });
    const ids = new Set(final.instances.map((one) => one.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    // The promoted node n5 serves reads with everything.
    const fromN5 = await cluster.client([cluster.node('n5').client]).lookup({ service: 'api' });
    expect(fromN5.instances.length).toBe(final.instances.length);
  }, 180_000);
});
