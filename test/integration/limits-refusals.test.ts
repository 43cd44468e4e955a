/**
 * The state quota, the connection cap, random lease ids, and inputs that used to be accepted
 * then ignored, against a real single-node `roster serve`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterClient } from '../../src/client/index.js';
import { TestCluster, freePort, waitFor } from './cluster.js';
import { socketCount } from './hostile.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const QUOTA_BYTES = 200_000;
const CONNECTIONS_MAX = 30;
const dir = mkdtempSync(join(tmpdir(), 'roster-limits-'));

let cluster: TestCluster;
let client: RosterClient;

beforeAll(async () => {
  cluster = await TestCluster.start({
    nodes: 1,
    extraArgs: ['--quota-bytes', String(QUOTA_BYTES), '--max-connections',
      String(CONNECTIONS_MAX)],
  });
  client = cluster.client();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], timeoutMs = 20_000):
  Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs },
      (error, stdout, stderr) => resolve({
        code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr,
      }));
  });
}

function instance(id: string) {
  return {
    service: 'quota', id, address: '10.0.0.1', port: 80, metadata: { blob: 'x'.repeat(1_000) },
  };
}

describe('the state quota (--quota-bytes)', () => {
  it('refuses writes that add to a full registry, serves reads, and frees up on deregister',
    async () => {
      let registered = 0;
      let refusal: grpc.ServiceError | undefined;
      for (let i = 0; i < 1_000 && refusal === undefined; i++) {
        try {
          await client.registerOnce({ instance: instance(`i${i}`) });
          registered += 1;
        } catch (error: unknown) {
          refusal = error as grpc.ServiceError;
        }
      }
      console.log(`quota: ${registered} registrations of ~1 KB fit ${QUOTA_BYTES} bytes`);
      expect(refusal?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(refusal?.details).toContain(`quota of ${QUOTA_BYTES} bytes`);
      expect(registered).toBeGreaterThan(100);
      expect(registered).toBeLessThan(200);
      // Reads work; re-registering what exists adds nothing and is admitted.
      const all = await client.lookup({ service: 'quota' });
      expect(all.instances).toHaveLength(registered);
      await client.registerOnce({ instance: instance('i0') });
      for (let i = 0; i < 5; i++) {
        await client.deregister({ service: 'quota', id: `i${i}` });
      }
      await client.registerOnce({ instance: instance('again') });
    }, 60_000);
});

describe('lease ids', () => {
  it('are random 53-bit integers, not the next number', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await client.registerOnce({
        instance: { service: 'leased', id: `l${i}`, address: '10.0.0.2', port: 80 },
        ttl_ms: 60_000,
      });
      ids.push(response.lease_id);
    }
    for (const id of ids) expect(Number.isSafeInteger(id) && id > 2 ** 32).toBe(true);
    const sorted = [...ids].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThan(1_000);
    }
  });
});

describe('inputs that were accepted and ignored are refused', () => {
  it('a registration with a health check: UNIMPLEMENTED, saying so', async () => {
    const error = await client.registerOnce({
      instance: {
        service: 'checked', address: '10.0.0.3', port: 80,
        health_check: { kind: 'http', target: 'http://10.0.0.3/health' },
      },
    }).catch((caught: unknown) => caught as grpc.ServiceError);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNIMPLEMENTED);
    expect((error as grpc.ServiceError).details).toContain('health_check');
    expect((await client.lookup({ service: 'checked', include_unhealthy: true })).instances)
      .toEqual([]);
  });

  it('roster serve --dns-listen: exit 2, saying DNS is not implemented', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--name', 'dns', '--data-dir',
      join(dir, 'dns'), '--listen', `127.0.0.1:${await freePort()}`, '--dns-listen',
      `127.0.0.1:${await freePort()}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--dns-listen: the DNS interface is not implemented yet');
  });

  it('roster ... --token: exit 2, saying tokens are not checked', async () => {
    const result = await run(['lookup', 'web', '--endpoints', cluster.nodes[0]?.client ?? '',
      '--token', 'secret']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--token: token authentication is not implemented yet');
  });
});

describe('snapshot save', () => {
  it('writes the file 0600, whole', async () => {
    const file = join(dir, 'backup.snap');
    const result = await run(['snapshot', 'save', file, '--endpoints',
      cluster.nodes[0]?.client ?? '']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('saved snapshot');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('connections (--max-connections)', () => {
  it('at most the cap are held open; the rest are closed as they are accepted', async () => {
    const node = cluster.nodes[0];
    const pid = node?.process?.pid;
    if (node === undefined || pid === undefined) throw new Error('no node');
    const before = socketCount(pid);
    const at = node.client.lastIndexOf(':');
    const sockets: { socket: Socket; closed: boolean }[] = [];
    for (let i = 0; i < CONNECTIONS_MAX * 2; i++) {
      const entry = {
        socket: connect(Number(node.client.slice(at + 1)), node.client.slice(0, at)),
        closed: false,
      };
      entry.socket.on('data', () => {});
      entry.socket.on('error', () => {});
      entry.socket.on('close', () => {
        entry.closed = true;
      });
      sockets.push(entry);
    }
    try {
      const refused = await waitFor(() => {
        const closed = sockets.filter((entry) => entry.closed).length;
        return closed >= CONNECTIONS_MAX ? closed : undefined;
      }, { timeoutMs: 10_000, what: 'connections past the cap to be closed' });
      expect(refused).toBeGreaterThanOrEqual(CONNECTIONS_MAX);
      expect(socketCount(pid) - before).toBeLessThanOrEqual(CONNECTIONS_MAX);
    } finally {
      for (const { socket } of sockets) socket.destroy();
    }
    // Once they are gone, clients are served again.
    await waitFor(() => client.lookup({ service: 'quota' }),
      { timeoutMs: 20_000, what: 'a lookup after the flood' });
  });
});
