import { readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RosterClient } from '../../src/client/index.js';
import { ELECTION_MS, TestCluster, sleep, waitFor } from './cluster.js';

/**
 * Lost, damaged and foreign data dirs, and peers learned from the log: real processes, real
 * LevelDB, kill -9. A node must never vote as the member whose state it lost; no
 * acknowledged write may be lost; a damaged data dir is refused, naming it.
 */
let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function instance(service: string, id: string) {
  return { service, id, address: '10.0.0.1', port: 80 };
}

async function registerMany(client: RosterClient, service: string, count: number):
  Promise<void> {
  for (let i = 0; i < count; i++) {
    await client.registerOnce({ instance: instance(service, `i${i}`) });
  }
}

/**
 * Waits until `name` is a voter (under another id than `formerId`, if given) and holds `count`
 * instances of `service`; returns its member id.
 */
async function caughtUp(name: string, service: string, count: number, formerId?: number):
  Promise<number> {
  const current = cluster as TestCluster;
  const client = current.client();
  const id = await waitFor(async () => {
    const members = await client.memberList();
    const member = members.members.find((one) => one.name === name && one.id !== formerId);
    return member !== undefined && !member.learner ? member.id : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, what: `${name} to be a voter again` });
  const own = current.client([current.node(name).client]);
  await waitFor(async () => {
    const found = await own.lookup({ service, consistency: 'SERIALIZABLE' });
    return found.instances.length === count ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, what: `${name} to hold all ${count} instances` });
  return id;
}

async function idOf(client: RosterClient, name: string): Promise<number> {
  const member = (await client.memberList()).members.find((one) => one.name === name);
  if (member === undefined) throw new Error(`no member ${name}`);
  return member.id;
}

/** The newest LevelDB files of a kind in a node's data dir (write-ahead logs, tables). */
function levelFiles(dataDir: string, suffix: string): string[] {
  const raft = join(dataDir, 'raft');
  return readdirSync(raft).filter((file) => file.endsWith(suffix)).sort()
    .map((file) => join(raft, file));
}

describe('a lost data dir', () => {
  it('the amnesia recipe: the wiped node rejoins under a new id; no write is lost', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const x = await cluster.waitForLeader();
    const [s, w] = cluster.nodes.map((node) => node.name).filter((name) => name !== x) as
      [string, string];
    await cluster.kill(s, 'SIGTERM');
    const client = cluster.client(cluster.nodes.map((node) => node.client));
    await registerMany(client, 'amnesia', 50);
    const formerId = await idOf(client, w);
    await cluster.kill(x);
    await cluster.kill(w);
    cluster.wipe(w);
    cluster.restart(s);
    cluster.restart(w);
    // S alone has no quorum, and W does not vote as the member it was: no leader.
    await sleep(ELECTION_MS * 4);
    expect(await cluster.leader()).toBeUndefined();
    expect(cluster.node(w).output).toContain('rejoining');
    cluster.restart(x);
    const newId = await caughtUp(w, 'amnesia', 50, formerId);
    expect(newId).not.toBe(formerId);
    const members = await client.memberList();
    expect(members.members.map((one) => [one.name, one.learner]).sort())
      .toEqual([[s, false], [w, false], [x, false]].sort());
    const final = await client.lookup({ service: 'amnesia' });
    expect(final.instances).toHaveLength(50);
  }, 150_000);
});

describe('peers learned from the log', () => {
  it('the lost-peers recipe: survivors elect a leader among members added since start',
    async () => {
      cluster = await TestCluster.start({ nodes: 3 });
      const client = cluster.client(cluster.nodes.map((node) => node.client));
      const n4 = await cluster.allocate('n4');
      n4.args = ['--join', cluster.node('n1').client, '--initial-cluster-state', 'existing'];
      cluster.launch(n4);
      await caughtUp('n4', 'peers', 0);
      await client.memberRemove({ name: 'n2' });
      await cluster.kill('n2');
      await waitFor(async () => {
        await client.transferLeadership({ to_name: 'n3' });
        return (await cluster?.leader()) === 'n3' ? true : undefined;
      }, { timeoutMs: 20_000, intervalMs: 500, what: 'n3 to lead' });
      await cluster.kill('n1');
      cluster.restart('n1');
      await waitFor(async () => {
        const rows = await cluster?.statuses();
        return rows?.some((row) => row.name === 'n1' && row.leader === 'n3') ? true : undefined;
      }, { timeoutMs: 20_000, what: 'n1 to follow n3 again' });
      await cluster.kill('n3');
      const killedAt = Date.now();
      const leader = await cluster.waitForLeader(ELECTION_MS * 5);
      expect(['n1', 'n4']).toContain(leader);
      console.log(`lost peers: ${leader} leads ${Date.now() - killedAt} ms after the kill`);
      await cluster.client([cluster.node('n1').client, n4.client])
        .registerOnce({ instance: instance('peers', 'after') });
    }, 150_000);
});

describe('damaged storage is refused, naming the data dir', () => {
  interface Victim {
    readonly name: string;
    readonly dataDir: string;
    readonly formerId: number;
    readonly client: RosterClient;
  }

  /** Three nodes, `count` registrations of `service`, and a follower to damage. */
  async function victimAfter(service: string, count: number): Promise<Victim> {
    cluster = await TestCluster.start({ nodes: 3 });
    const leader = await cluster.waitForLeader();
    const { name, dataDir } = cluster.nodes.find((node) => node.name !== leader) as
      { name: string; dataDir: string };
    const client = cluster.client(cluster.nodes.map((node) => node.client));
    await registerMany(client, service, count);
    return { name, dataDir, formerId: await idOf(client, name), client };
  }

  /** Starts the damaged node: it must exit 1 with ROSTER_ERR_CORRUPT_DATA, naming its dir. */
  async function expectRefused(victim: Victim, why: string): Promise<void> {
    const current = cluster as TestCluster;
    current.node(victim.name).output = '';
    current.restart(victim.name);
    expect(await current.exited(victim.name, 30_000)).toBe(1);
    const output = current.node(victim.name).output;
    expect(output).toContain('ROSTER_ERR_CORRUPT_DATA');
    expect(output).toContain(victim.dataDir);
    expect(output).toContain(why);
  }

  it('a write-ahead log cut short: refused at once and at every start; back once wiped',
    async () => {
      const victim = await victimAfter('wal', 40);
      await sleep(500); // the follower has acknowledged everything
      await cluster?.kill(victim.name);
      const wal = levelFiles(victim.dataDir, '.log').at(-1) as string;
      truncateSync(wal, Math.floor(statSync(wal).size * 0.6));
      await expectRefused(victim, 'synced writes were lost');
      await expectRefused(victim, 'synced writes were lost'); // the mark: at start, before voting
      await victim.client.registerOnce({ instance: instance('wal', 'while-refused') });
      cluster?.wipe(victim.name);
      cluster?.restart(victim.name);
      await caughtUp(victim.name, 'wal', 41, victim.formerId);
    }, 150_000);

  it('a table file LevelDB cannot read: refused; the others unharmed; back once wiped',
    async () => {
      const victim = await victimAfter('table', 20);
      await cluster?.kill(victim.name, 'SIGTERM'); // writes the log out to table files
      const tables = levelFiles(victim.dataDir, '.ldb');
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) writeFileSync(table, 'not an sstable');
      await expectRefused(victim, 'reading the Raft log failed');
      await registerMany(victim.client, 'table', 21);
      cluster?.wipe(victim.name);
      cluster?.restart(victim.name);
      await caughtUp(victim.name, 'table', 21, victim.formerId);
    }, 150_000);
});

describe('a restart loop during membership changes', () => {
  it('kill -9 of a random node every few seconds while members join and leave: nothing lost',
    async () => {
      cluster = await TestCluster.start({ nodes: 3 });
      const current = cluster;
      const acked = new Set<string>();
      let writing = true;
      const writers = Array.from({ length: 2 }, (_, writer) => (async () => {
        for (let i = 0; writing && i < 100_000; i++) {
          const id = `w${writer}-${i}`;
          try {
            await current.client().registerOnce({ instance: instance('loop', id) });
            acked.add(id);
          } catch {
            // Not acknowledged: it may or may not have taken effect.
          }
        }
      })());
      const removed = new Set<string>();
      const changes: (() => Promise<void>)[] = [
        () => joinNode(current, 'n4'),
        async () => {
          await waitFor(() => current.client().memberRemove({ name: 'n2' }),
            { timeoutMs: 30_000, intervalMs: 500, what: 'n2 removed' });
          removed.add('n2');
          await current.kill('n2');
        },
        () => joinNode(current, 'n5'),
      ];
      for (let round = 0; round < 12; round++) {
        if (round % 4 === 1) void changes.shift()?.();
        const candidates = current.nodes.filter((node) =>
          node.process !== undefined && !removed.has(node.name));
        const victim = candidates[(round * 7) % candidates.length];
        if (victim !== undefined) {
          await current.kill(victim.name);
          await sleep(300 + (round % 3) * 250);
          if (victim.process === undefined) current.restart(victim.name);
        }
        await sleep(1_500);
      }
      writing = false;
      await Promise.all(writers);
      for (const node of current.nodes) {
        if (node.process === undefined && !removed.has(node.name)) current.restart(node.name);
      }
      await current.waitForLeader(ELECTION_MS * 20);
      // The membership changes all went through, kills notwithstanding.
      await waitFor(async () => {
        const members = await current.client().memberList();
        const voters = members.members.filter((one) => !one.learner).map((one) => one.name);
        return voters.sort().join(',') === 'n1,n3,n4,n5' ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 500, what: 'voters n1, n3, n4 and n5' });
      const final = await waitFor(() => current.client().lookup({ service: 'loop' }),
        { timeoutMs: 30_000, what: 'a final linearizable lookup' });
      const present = new Set(final.instances.map((one) => one.id));
      expect([...acked].filter((id) => !present.has(id))).toEqual([]);
      expect(acked.size).toBeGreaterThan(30);
      console.log(`restart loop: ${acked.size} acknowledged, ${present.size} present, 0 lost`);
    }, 180_000);
});

/** Starts a new node that joins by itself (it promotes itself once caught up). */
async function joinNode(current: TestCluster, name: string): Promise<void> {
  const node = await current.allocate(name);
  node.args = ['--join', current.node('n1').client, '--initial-cluster-state', 'existing'];
  current.launch(node);
}
