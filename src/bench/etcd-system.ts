/**
 * Three etcd members on loopback (Debian's etcd-server), flags as in the baseline
 * (BENCHMARKS.md): the same heartbeat and election timeouts as Roster.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort } from './ports.js';
import { ELECTION_MS, HEARTBEAT_MS } from './roster-system.js';
import { MemberProcess, runningPids, waitFor, type BenchSystem } from './system.js';

const INSTALL_HINT = 'etcd is not installed: `sudo apt-get install etcd-server` (Debian), ' +
  'then run the bench again';

/** The etcd binary's version, or an error telling how to install it. */
export function etcdVersion(): string {
  try {
    const text = execFileSync('etcd', ['--version'], { encoding: 'utf8' });
    return /etcd Version: (\S+)/.exec(text)?.[1] ?? 'unknown';
  } catch {
    throw new Error(INSTALL_HINT);
  }
}

export class EtcdSystem implements BenchSystem {
  readonly name = 'etcd';
  endpoints: string[] = [];
  private members: MemberProcess[] = [];
  private root = '';
  private clients: Etcd3[] = [];

  async start(): Promise<void> {
    etcdVersion();
    this.root = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
    const names = ['m1', 'm2', 'm3'];
    const ports: { client: number; peer: number }[] = [];
    for (let i = 0; i < names.length; i++) {
      ports.push({ client: await freePort(), peer: await freePort() });
    }
    const initialCluster = names
      .map((name, i) => `${name}=http://127.0.0.1:${ports[i]?.peer}`).join(',');
    this.endpoints = ports.map((port) => `127.0.0.1:${port.client}`);
    this.members = names.map((name, i) => {
      const port = ports[i] as { client: number; peer: number };
      const client = `http://127.0.0.1:${port.client}`;
      const peer = `http://127.0.0.1:${port.peer}`;
      return new MemberProcess({
        command: 'etcd',
        label: `etcd ${name}`,
        args: ['--name', name, '--data-dir', join(this.root, name),
          '--listen-client-urls', client, '--advertise-client-urls', client,
          '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
          '--initial-cluster', initialCluster, '--initial-cluster-state', 'new',
          '--initial-cluster-token', 'roster-bench',
          '--heartbeat-interval', String(HEARTBEAT_MS),
          '--election-timeout', String(ELECTION_MS),
          '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn'],
      });
    });
    for (const member of this.members) member.start();
    this.clients = this.endpoints.map((endpoint) => new Etcd3({ hosts: [`http://${endpoint}`] }));
    await waitFor('the etcd cluster to serve a write', async () => {
      await this.clients[0]?.put('bench-ready').value('1');
      return true;
    }, 30_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${this.members.map((m) => m.describe()).join('\n')}`);
    });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    this.clients = [];
    // Teardown only (the data is thrown away): SIGTERM to all three at once makes etcd 3.4
    // wait ~7 s on a leadership transfer to a member that is stopping too.
    await Promise.all(this.members.map((member) => member.kill('SIGKILL')));
    if (this.root !== '') rmSync(this.root, { recursive: true, force: true });
  }

  pids(): number[] {
    return runningPids(this.members);
  }

  async leaderIndex(): Promise<number> {
    return waitFor('an etcd leader', async () => {
      for (const [index, client] of this.clients.entries()) {
        if (!this.members[index]?.running) continue;
        const status = await client.maintenance.status({}).catch(() => undefined);
        if (status !== undefined && status.leader === status.header.member_id) return index;
      }
      return undefined;
    }, 20_000);
  }

  async kill(index: number, signal: NodeJS.Signals): Promise<void> {
    await this.members[index]?.kill(signal);
  }

  restart(index: number): void {
    this.members[index]?.start();
  }
}
