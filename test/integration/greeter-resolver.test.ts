import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RosterClient, registerResolver, type ResolverRegistration,
} from '../../src/client/index.js';
import { ELECTION_MS, TestCluster, waitFor } from './cluster.js';

const PROTO = fileURLToPath(new URL('../../examples/greeter/greeter.proto', import.meta.url));
const SERVER = fileURLToPath(new URL('../../examples/greeter/server.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The example server's lease. */
const TTL_MS = 3_000;

interface GreeterReply { readonly message: string; readonly from: string }
type GreeterClient = grpc.Client & {
  SayHello(request: { name: string }, options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: GreeterReply) => void): void;
};

// The example's proto, so the test calls exactly what the example serves.
const Greeter = (grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, { keepCase: true }))
  .greeter as grpc.GrpcObject).Greeter as grpc.ServiceClientConstructor;

let cluster: TestCluster | undefined;
const processes: ChildProcess[] = [];
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  for (const child of processes.splice(0)) child.kill('SIGKILL');
  await cluster?.stop();
  cluster = undefined;
});

/** Starts the example server as a user would; resolves once it says it is registered. */
async function startServer(id: string, endpoints: readonly string[],
  extra: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER, '--id', id, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ROSTER_ENDPOINTS: endpoints.join(',') },
  });
  processes.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} never registered: ${output}`)), 15_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('registered as greeter/')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
  });
  return child;
}

function call(greeter: GreeterClient): Promise<string> {
  return new Promise((resolve, reject) => {
    greeter.SayHello({ name: 'test' }, { deadline: Date.now() + 2_000 }, (error, reply) => {
      if (error !== null || reply === undefined) reject(error ?? new Error('no reply'));
      else resolve(reply.from);
    });
  });
}

/** Who answered `count` calls (failed calls are counted as 'failed'). */
async function answers(greeter: GreeterClient, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const from = await call(greeter).catch(() => 'failed');
    seen.set(from, (seen.get(from) ?? 0) + 1);
  }
  return seen;
}

async function until(greeter: GreeterClient, what: string,
  test: (seen: Map<string, number>) => boolean, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (test(await answers(greeter, 30)) ? true : undefined),
    { timeoutMs, intervalMs: 50, what });
}

function setUp(endpoints: readonly string[]) {
  const client = new RosterClient({ endpoints, timeoutMs: 3_000 });
  const registration: ResolverRegistration = registerResolver(client);
  const greeter = new Greeter('roster:///greeter', grpc.credentials.createInsecure(),
    { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 }) as
    unknown as GreeterClient;
  closers.push(() => greeter.close(), () => registration.unregister(), () => client.close());
  return { client, greeter };
}

describe('roster:///greeter: real greeter servers found through a real cluster', () => {
  it('follows crashes, new servers, drains and a cluster outage', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const endpoints = cluster.runningEndpoints();
    const g1 = await startServer('g1', endpoints);
    await startServer('g2', endpoints);
    const g3 = await startServer('g3', endpoints);
    const { client, greeter } = setUp(endpoints);
    await until(greeter, 'calls reaching all three', (seen) =>
      ['g1', 'g2', 'g3'].every((id) => (seen.get(id) ?? 0) > 0));

    // kill -9: once its lease expires and the DELETE arrives, no call goes to it.
    g1.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 2 * ELECTION_MS));
    const afterCrash = await answers(greeter, 60);
    expect(afterCrash.get('g1')).toBeUndefined();
    expect(afterCrash.get('failed')).toBeUndefined();

    // A fourth server gets calls, with no new client.
    await startServer('g4', endpoints);
    await until(greeter, 'calls reaching the new server', (seen) => (seen.get('g4') ?? 0) > 0);

    // SIGTERM: the server drains, deregisters and exits; the calls made meanwhile all succeed.
    const exited = new Promise((resolve) => g3.once('exit', resolve));
    g3.kill('SIGTERM');
    const duringDrain = await answers(greeter, 60);
    expect(duringDrain.get('failed')).toBeUndefined();
    await until(greeter, 'calls no longer reaching the stopped server',
      (seen) => seen.get('g3') === undefined);
    expect(await exited).toBe(0);

    // The whole cluster stops: calls keep flowing to the last known servers.
    const view = client.discover('greeter', {}, { staleAfterMs: 2_000 });
    await view.ready();
    for (const node of cluster.nodes) await cluster.kill(node.name);
    await waitFor(() => (view.stale ? true : undefined),
      { timeoutMs: 10_000, what: 'the view to say it is stale' });
    expect(view.instances().map((one) => one.id).sort()).toEqual(['g2', 'g4']);
    const duringOutage = await answers(greeter, 40);
    expect([...duringOutage.keys()].sort()).toEqual(['g2', 'g4']);
  });

  it('register --keepalive exits promptly on SIGTERM after the cluster is gone', async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    const child = spawn(process.execPath, [CLI, 'register', '--service', 'web', '--address',
      '10.0.0.1', '--port', '80', '--ttl-ms', '3000', '--keepalive',
      '--endpoints', cluster.runningEndpoints().join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(() => (output.includes('heartbeating') ? true : undefined),
      { timeoutMs: 15_000, what: 'the registration' });
    for (const node of cluster.nodes) await cluster.kill(node.name);
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    // It waits up to 3 s for the deregistration it cannot get, then exits.
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
  });
});
