/** Three `roster serve` processes on loopback (heartbeat 100 ms, election 1000 ms). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RosterClient } from '../client/index.js';
import { createPki } from './pki.js';
import { freePort } from './ports.js';
import {
  MemberProcess, runningPids, waitFor, type BenchSystem, type BenchTls,
} from './system.js';

export const HEARTBEAT_MS = 100;
export const ELECTION_MS = 1000;

/** Another build's launcher (ROSTER_BENCH_LAUNCHER) measures it with this bench's driver. */
const LAUNCHER = process.env.ROSTER_BENCH_LAUNCHER
  ?? fileURLToPath(new URL('../../bin/roster', import.meta.url));

/**
 * Servers start as users start them, through the `roster` launcher (its malloc settings
 * included), with this Node.js. Extra Node.js flags come from ROSTER_BENCH_NODE_ARGS: e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them under the bench's load (BENCHMARKS.md).
 */
function launcherEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ROSTER_NODE: process.execPath,
    ROSTER_NODE_ARGS: process.env.ROSTER_BENCH_NODE_ARGS ?? '',
  };
}

export class RosterSystem implements BenchSystem {
  readonly name = 'roster';
  endpoints: string[] = [];
  tls: BenchTls | undefined;
  private members: MemberProcess[] = [];
  private root = '';
  private client: RosterClient | undefined;
  private readonly withTls: boolean;

  /** With `tls`, every port serves TLS and every peer and client shows a certificate. */
  constructor(options: { tls?: boolean } = {}) {
    this.withTls = options.tls === true;
  }

  async start(): Promise<void> {
    this.root = mkdtempSync(join(tmpdir(), 'roster-bench-'));
    const tlsArgs = this.withTls ? this.makeCertificates() : [];
    const names = ['n1', 'n2', 'n3'];
    const ports: { client: number; peer: number; http: number }[] = [];
    for (let i = 0; i < names.length; i++) {
      ports.push({ client: await freePort(), peer: await freePort(), http: await freePort() });
    }
    const initialCluster = names
      .map((name, i) => `${name}=127.0.0.1:${ports[i]?.peer}/${ports[i]?.client}`).join(',');
    this.endpoints = ports.map((port) => `127.0.0.1:${port.client}`);
    this.members = names.map((name, i) => {
      const port = ports[i] as { client: number; peer: number; http: number };
      return new MemberProcess({
        command: LAUNCHER,
        env: launcherEnv(),
        label: `roster ${name}`,
        args: ['serve', '--name', name, '--data-dir', join(this.root, name),
          '--listen', `127.0.0.1:${port.client}`, '--peer-listen', `127.0.0.1:${port.peer}`,
          '--http-listen', `127.0.0.1:${port.http}`, '--initial-cluster', initialCluster,
          '--heartbeat-interval-ms', String(HEARTBEAT_MS),
          '--election-timeout-ms', String(ELECTION_MS), '--log-level', 'warn', ...tlsArgs],
      });
    });
    for (const member of this.members) member.start();
    const tls = this.tls === undefined ? undefined : {
      ca: readFileSync(this.tls.caFile), cert: readFileSync(this.tls.certFile),
      key: readFileSync(this.tls.keyFile),
    };
    this.client = new RosterClient({ endpoints: this.endpoints, tls, timeoutMs: 2_000 });
    await this.waitServing();
  }

  /** One CA; one certificate serves every port and dials every peer; another is the bench's. */
  private makeCertificates(): string[] {
    const pki = createPki('roster-bench', mkdtempSync(join(this.root, 'pki-')));
    const server = pki.issue('server');
    const client = pki.issue('bench', { client: true });
    this.tls = { caFile: pki.caFile, ...client };
    return ['--cert-file', server.certFile, '--key-file', server.keyFile,
      '--trusted-ca-file', pki.caFile, '--client-cert-auth',
      '--peer-cert-file', server.certFile, '--peer-key-file', server.keyFile,
      '--peer-trusted-ca-file', pki.caFile];
  }

  /** A leader exists and a write commits. */
  private async waitServing(): Promise<void> {
    const client = this.client as RosterClient;
    await waitFor('the roster cluster to serve a write', async () => {
      await client.registerOnce({
        instance: { service: 'bench-ready', id: 'probe', address: '127.0.0.1', port: 1 },
      });
      return true;
    }, 30_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${this.members.map((m) => m.describe()).join('\n')}`);
    });
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    await Promise.all(this.members.map((member) => member.kill('SIGTERM')));
    if (this.root !== '') rmSync(this.root, { recursive: true, force: true });
  }

  pids(): number[] {
    return runningPids(this.members);
  }

  async leaderIndex(): Promise<number> {
    const client = this.client as RosterClient;
    return waitFor('a roster leader', async () => {
      for (const [index, endpoint] of this.endpoints.entries()) {
        if (!this.members[index]?.running) continue;
        const status = await client.status(endpoint).catch(() => undefined);
        if (status?.role === 'leader') return index;
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
