import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/bench/ports.js';
import { RosterClient, type RosterTlsOptions } from '../../src/client/index.js';
import { onTestFailed } from 'vitest';
import { TcpProxy } from './tcp-proxy.js';

/**
 * Real Roster clusters for integration tests: `roster serve` processes (from dist/, built by
 * `npm test` before vitest), each with its own LevelDB data dir under a temp dir, on loopback.
 * Every peer link A->B goes through its own fault-injecting TCP proxy (--peer-route), so a
 * test can cut any direction. Every process started is killed in stop().
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const LAUNCHER = join(ROOT, 'bin', 'roster');

export const HEARTBEAT_MS = 100;
export const ELECTION_MS = 1000;

/** Ports below the kernel's ephemeral range, picked as the bench picks them. */
export { freePort };

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  const built = statSync(MAIN).mtimeMs;
  const source = statSync(join(ROOT, 'src', 'cli', 'main.ts')).mtimeMs;
  if (source > built) {
    throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  }
}

export interface NodeHandle {
  readonly name: string;
  readonly client: string;
  readonly peer: string;
  readonly http: string;
  readonly dataDir: string;
  process: ChildProcess | undefined;
  args: string[];
  output: string;
  /** How the last process exited (undefined while it runs or before it ever ran). */
  exitCode: number | null | undefined;
}

export interface NodeRow {
  readonly name: string;
  readonly role: string;
  readonly term: number;
  readonly leader: string;
  readonly applied: number;
  readonly commit: number;
  readonly ready: boolean;
  readonly snapshot: number;
}

export interface ClusterOptions {
  readonly nodes: number;
  readonly extraArgs?: readonly string[];
  /**
   * Start each server as users do, through bin/roster (its V8 flags and malloc settings),
   * instead of `node dist/cli/main.js`.
   */
  readonly viaLauncher?: boolean;
  /** TLS for the harness's own clients, when the nodes serve TLS. */
  readonly tls?: RosterTlsOptions;
}

export class TestCluster {
  readonly nodes: NodeHandle[] = [];
  readonly proxies = new Map<string, TcpProxy>();
  readonly root = mkdtempSync(join(tmpdir(), 'roster-it-'));
  private readonly clients: RosterClient[] = [];
  private readonly extraArgs: readonly string[];
  private readonly viaLauncher: boolean;
  private readonly tls: RosterTlsOptions | undefined;

  private constructor(options: ClusterOptions) {
    this.extraArgs = options.extraArgs ?? [];
    this.viaLauncher = options.viaLauncher ?? false;
    this.tls = options.tls;
  }

  static async start(options: ClusterOptions): Promise<TestCluster> {
    assertBuilt();
    const cluster = new TestCluster(options);
    // A failed test shows what every node logged (the last 20 KB each). A cluster started
    // in a beforeAll hook has no test to attach this to.
    try {
      onTestFailed(() => {
        for (const node of cluster.nodes) {
          console.error(`---- ${node.name} (last output) ----\n${node.output}`);
        }
      });
    } catch {
      // Outside a test.
    }
    const names = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    for (const name of names) await cluster.allocate(name);
    const initialCluster = cluster.nodes
      .map((node) => `${node.name}=${node.peer}/${portOf(node.client)}`).join(',');
    for (const node of cluster.nodes) {
      const routes = await cluster.routesFor(node, cluster.nodes);
      node.args = ['--initial-cluster', initialCluster, ...routes];
      cluster.launch(node);
    }
    await cluster.waitForLeader();
    // Every node serving, not only the leader: a test's first call may go to any of them.
    await waitFor(async () => {
      const rows = await cluster.statuses();
      return rows.length === cluster.nodes.length && rows.every((row) => row.ready)
        ? true : undefined;
    }, { timeoutMs: ELECTION_MS * 20, what: 'every node ready' });
    return cluster;
  }

  /** Reserves ports and a data dir for a node (not started). */
  async allocate(name: string): Promise<NodeHandle> {
    const node: NodeHandle = {
      name,
      client: `127.0.0.1:${await freePort()}`,
      peer: `127.0.0.1:${await freePort()}`,
      http: `127.0.0.1:${await freePort()}`,
      dataDir: join(this.root, name),
      process: undefined,
      args: [],
      output: '',
      exitCode: undefined,
    };
    this.nodes.push(node);
    return node;
  }

  /** A proxy for each link from `node` to every other node; returns the --peer-route flag. */
  async routesFor(node: NodeHandle, peers: readonly NodeHandle[]): Promise<string[]> {
    const routes: string[] = [];
    for (const peer of peers) {
      if (peer === node) continue;
      const proxy = await this.proxyFor(node.name, peer);
      routes.push(`${peer.name}=${proxy.address}`);
    }
    return routes.length === 0 ? [] : ['--peer-route', routes.join(',')];
  }

  private async proxyFor(from: string, to: NodeHandle): Promise<TcpProxy> {
    const key = `${from}>${to.name}`;
    const existing = this.proxies.get(key);
    if (existing !== undefined) return existing;
    const proxy = await TcpProxy.start({ target: to.peer });
    this.proxies.set(key, proxy);
    return proxy;
  }

  launch(node: NodeHandle): void {
    const args = ['serve', '--name', node.name, '--data-dir', node.dataDir,
      '--listen', node.client, '--peer-listen', node.peer, '--http-listen', node.http,
      '--heartbeat-interval-ms', String(HEARTBEAT_MS),
      '--election-timeout-ms', String(ELECTION_MS),
      '--log-level', process.env.ROSTER_TEST_LOG_LEVEL ?? 'info', ...this.extraArgs, ...node.args];
    // The launcher execs node, so the child's pid is the server's.
    const child = this.viaLauncher
      ? spawn(LAUNCHER, args, {
        stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROSTER_NODE: process.execPath },
      })
      : spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    node.process = child;
    node.exitCode = undefined;
    const keep = (chunk: Buffer): void => {
      node.output = (node.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code) => {
      if (node.process !== child) return;
      node.process = undefined;
      node.exitCode = code;
    });
  }

  node(name: string): NodeHandle {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** kill -9 (or another signal); resolves when the process is gone. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.node(name).process;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Waits for a node's process to exit by itself; resolves with its exit code. */
  async exited(name: string, timeoutMs: number): Promise<number | null> {
    const node = this.node(name);
    await waitFor(() => (node.process === undefined ? true : undefined),
      { timeoutMs, what: `${name} to exit` });
    return node.exitCode ?? null;
  }

  /** The data dir is lost: the node comes back on an empty one. */
  wipe(name: string): void {
    const node = this.node(name);
    if (node.process !== undefined) throw new Error(`${name} is running`);
    rmSync(node.dataDir, { recursive: true, force: true });
  }

  restart(name: string): void {
    const node = this.node(name);
    if (node.process !== undefined) throw new Error(`${name} is running`);
    this.launch(node);
  }

  /** Cuts both directions between `a` and `b` (their proxies refuse and drop connections). */
  cut(a: string, b: string): void {
    this.proxies.get(`${a}>${b}`)?.cut();
    this.proxies.get(`${b}>${a}`)?.cut();
  }

  isolate(name: string): void {
    for (const other of this.nodes) if (other.name !== name) this.cut(name, other.name);
  }

  heal(): void {
    for (const proxy of this.proxies.values()) proxy.heal();
  }

  client(endpoints: readonly string[] = this.runningEndpoints()): RosterClient {
    const client = new RosterClient({
      endpoints, timeoutMs: 3_000, attempts: 12,
      ...(this.tls === undefined ? {} : { tls: this.tls }),
    });
    this.clients.push(client);
    return client;
  }

  runningEndpoints(): string[] {
    return this.nodes.filter((node) => node.process !== undefined).map((node) => node.client);
  }

  /** Each running node's own status (unreachable ones are skipped). */
  async statuses(): Promise<NodeRow[]> {
    const client = this.client(this.nodes.map((node) => node.client));
    const rows = [];
    for (const node of this.nodes) {
      if (node.process === undefined) continue;
      try {
        const status = await client.status(node.client);
        rows.push({
          name: status.name, role: status.role, term: status.term, leader: status.leader_name,
          applied: status.applied_index, commit: status.commit_index, ready: status.ready,
          snapshot: status.snapshot_index,
        });
      } catch {
        // Not answering right now.
      }
    }
    return rows;
  }

  async leader(): Promise<string | undefined> {
    const leaders = (await this.statuses()).filter((row) => row.role === 'leader');
    if (leaders.length !== 1) return undefined;
    return leaders[0]?.name;
  }

  async waitForLeader(timeoutMs = ELECTION_MS * 10): Promise<string> {
    return waitFor(async () => this.leader(), { timeoutMs, what: 'a leader' });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await Promise.all(this.nodes.map((node) => this.kill(node.name)));
    for (const proxy of this.proxies.values()) await proxy.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 100);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${why}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
