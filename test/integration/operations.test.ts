import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { HARD_STATE_KEY } from '../../src/storage/level-codec.js';
import { TestCluster, freePort, waitFor } from './cluster.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function roster(args: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let cluster: TestCluster | undefined;
const scratch: string[] = [];

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('operating a cluster, real processes', () => {
  it('a write sent to a follower is forwarded to the leader', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const leader = await cluster.waitForLeader();
    const follower = cluster.nodes.find((node) => node.name !== leader);
    const viaFollower = cluster.client([follower?.client as string]);
    const response = await viaFollower.registerOnce({
      instance: { service: 'fwd', address: '10.9.0.1', port: 80 },
    });
    expect(response.revision).toBeGreaterThan(0);
    const seen = await cluster.client().lookup({ service: 'fwd' });
    expect(seen.instances.map((one) => one.id)).toEqual(['10.9.0.1:80']);
    // A follower's answer names the leader: a client that knows both sends its next calls there.
    const leaderNode = cluster.nodes.find((node) => node.name === leader);
    const both = cluster.client([follower?.client as string, leaderNode?.client as string]);
    await both.lookup({ service: 'fwd' });
    expect(both.preferredEndpoint).toBe(leaderNode?.client);
  }, 60_000);

  it('snapshot save, then restore into a new cluster that serves the same registry', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const client = cluster.client();
    for (let i = 0; i < 5; i++) {
      const instance = { service: 'db', id: `d${i}`, address: '10.3.0.1', port: 5432 };
      await client.registerOnce({ instance });
    }
    const dir = mkdtempSync(join(tmpdir(), 'roster-snap-'));
    scratch.push(dir);
    const file = join(dir, 'backup.snap');
    const endpoints = cluster.nodes.map((node) => node.client).join(',');
    const saved = await roster(['snapshot', 'save', file, '--endpoints', endpoints]);
    expect(saved.code, saved.stderr).toBe(0);
    const peer = `127.0.0.1:${await freePort()}`;
    const listen = `127.0.0.1:${await freePort()}`;
    const initial = `solo=${peer}/${listen.split(':')[1]}`;
    const restored = await roster(['snapshot', 'restore', file, '--data-dir', join(dir, 'solo'),
      '--name', 'solo', '--initial-cluster', initial]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('restored 5 instances');
    // The restored data dir starts a one-node cluster with the saved instances.
    const node = await cluster.allocate('solo');
    Object.assign(node, { client: listen, peer, dataDir: join(dir, 'solo') });
    node.args = ['--initial-cluster', initial];
    cluster.launch(node);
    const solo = cluster.client([listen]);
    const answer = await waitFor(() => solo.lookup({ service: 'db' }),
      { timeoutMs: 20_000, what: 'the restored node to serve' });
    expect(answer.instances.map((one) => one.id)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  }, 90_000);

  it('a node stopped with SIGTERM snapshots first: it restarts with no log to replay',
    async () => {
      cluster = await TestCluster.start({ nodes: 3 });
      const leader = await cluster.waitForLeader();
      const client = cluster.client();
      for (let i = 0; i < 30; i++) {
        await client.registerOnce({ instance: { service: 'roll', id: `r${i}`, address: '10.0.0.7',
          port: 80 } });
      }
      const follower = cluster.nodes.find((node) => node.name !== leader)?.name as string;
      const before = await waitFor(async () => (await cluster?.statuses())
        ?.find((row) => row.name === follower && row.applied >= 30),
      { timeoutMs: 10_000, what: 'the follower applying the writes' });
      // Far below --snapshot-entries (10,000): only the shutdown takes this snapshot.
      expect(before.snapshot).toBeLessThan(30);
      await cluster.kill(follower, 'SIGTERM');
      cluster.restart(follower);
      const after = await waitFor(async () => (await cluster?.statuses())
        ?.find((row) => row.name === follower && row.ready),
      { timeoutMs: 20_000, what: 'the restarted follower ready' });
      expect(after.snapshot).toBeGreaterThanOrEqual(before.applied);
      const answer = await cluster.client([cluster.node(follower).client]).lookup({
        service: 'roll', consistency: 'SERIALIZABLE',
      });
      expect(answer.instances.length).toBe(30);
    }, 60_000);

  it('refuses to start on a corrupt data dir, naming it', async () => {
    cluster = await TestCluster.start({ nodes: 1 });
    const node = cluster.nodes[0];
    if (node === undefined) throw new Error('no node');
    await cluster.client()
      .registerOnce({ instance: { service: 'x', address: '10.0.0.9', port: 1 } });
    await cluster.kill(node.name, 'SIGTERM');
    // Flip one byte of the hard state record: its CRC no longer matches.
    const db = new Level<Uint8Array, Uint8Array>(join(node.dataDir, 'raft'),
      { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const value = await db.get(HARD_STATE_KEY);
    expect(value).toBeDefined();
    const corrupt = Uint8Array.from(value as Uint8Array);
    const last = corrupt.length - 1;
    corrupt[last] = (corrupt[last] as number) ^ 0xff;
    await db.put(HARD_STATE_KEY, corrupt);
    await db.close();
    const run = await roster(['serve', '--name', node.name, '--data-dir', node.dataDir,
      '--listen', node.client, '--peer-listen', node.peer, '--http-listen', node.http,
      '--initial-cluster', `${node.name}=${node.peer}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(node.dataDir);
    expect(run.stderr).toMatch(/corrupt|crc|checksum/i);
  }, 60_000);
});
