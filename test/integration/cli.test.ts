import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FLAGS, COMMAND_SPECS } from '../../src/cli/command-specs.js';
import { TestCluster, assertBuilt, freePort, waitFor } from './cluster.js';

/**
 * The `roster` command as a newcomer meets it, through real processes: --help everywhere,
 * usage errors that name the flag, plain errors when nothing answers, a watch that gives up
 * on endpoints it never reached, and leader transfer naming the new leader.
 */
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function roster(args: readonly string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      });
  });
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function deadEndpoint(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

beforeAll(() => assertBuilt());

describe('roster --help', () => {
  it('lists every command, exit 0', async () => {
    const run = await roster(['--help']);
    expect(run.code).toBe(0);
    for (const spec of COMMAND_SPECS) expect(run.stdout).toContain(`  ${spec.path}  `);
  });

  it.each(COMMAND_SPECS.flatMap((spec) => [[spec.path, '--help'], [spec.path, '-h']]))(
    'roster %s %s prints its usage and every flag it accepts, exit 0', async (path, help) => {
      const spec = COMMAND_SPECS.find((one) => one.path === path);
      const run = await roster([...path.split(' '), help]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`usage: roster ${path}`);
      const flags = [...Object.keys(spec?.flags ?? {}),
        ...(spec?.client === true ? Object.keys(CLIENT_FLAGS) : [])];
      for (const flag of flags) expect(run.stdout).toMatch(new RegExp(`--${flag}(?![a-z-])`));
    });

  it('roster member --help lists its actions; roster help lookup is lookup --help', async () => {
    const member = await roster(['member', '--help']);
    expect(member.code).toBe(0);
    expect(member.stdout).toContain('member promote NAME|ID');
    const lookup = await roster(['help', 'lookup']);
    expect(lookup.code).toBe(0);
    expect(lookup.stdout).toContain('usage: roster lookup SERVICE');
  });
});

describe('bad usage: exit 2, naming the flag and its range', () => {
  const register = ['register', '--service', 'web', '--address', '10.0.0.1'];

  it.each([
    [['--port=-1'], '--port: -1 is out of range (1-65535)'],
    [['--port=4294975376'], '--port: 4294975376 is out of range (1-65535)'],
    [['--port', '0'], '--port: 0 is out of range (1-65535)'],
    [['--port', '80', '--weight', '-1'], '--weight: -1 is out of range (0-4294967295)'],
    [['--port', '80', '--ttl-ms', '500'], '--ttl-ms: 500 is out of range (1000-3600000)'],
    [['--port', '80', '--named-port', 'grpc=70000'],
      '--named-port grpc: 70000 is out of range (1-65535)'],
  ])('register %j', async (extra, message) => {
    // Never reaches a server: refused before any call.
    const run = await roster([...register, ...extra, '--endpoints', await deadEndpoint()]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`roster register: ${message}`);
  });
});

describe('nothing reachable: one plain message, exit 1', () => {
  it('names the endpoint and the code, not grpc-js\'s wording', async () => {
    const endpoint = await deadEndpoint();
    const run = await roster(['lookup', 'web', '--endpoints', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `roster lookup: cannot reach ${endpoint} (UNAVAILABLE: connection refused)`);
  });

  it('watch gives up after --timeout-ms on endpoints it never reached', async () => {
    const endpoint = await deadEndpoint();
    const startMs = Date.now();
    const run = await roster(['watch', '--endpoints', endpoint, '--timeout-ms', '1000'], 15_000);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `roster watch: cannot reach ${endpoint} (UNAVAILABLE: connection refused)`);
    expect(Date.now() - startMs).toBeLessThan(10_000);
  });
});

describe('against a running cluster', () => {
  let cluster: TestCluster;
  let endpoints: string;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3 });
    endpoints = cluster.nodes.map((node) => node.client).join(',');
  }, 60_000);

  afterAll(async () => {
    await cluster.stop();
  });

  it('register takes every Instance field its help lists', async () => {
    const registered = await roster(['register', '--endpoints', endpoints,
      '--namespace', 'shop', '--service', 'cart', '--address', '10.1.0.1', '--port', '8080',
      '--id', 'c1', '--named-port', 'grpc=9090', '--named-port', 'admin=9091',
      '--protocol', 'http', '--version', '1.2.0', '--environment', 'prod', '--region', 'eu',
      '--zone', 'eu-1a', '--weight', '7', '--priority', '-3', '--capacity', '500',
      '--tag', 'blue', '--meta', 'team=cart']);
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    const found = await roster(['lookup', 'cart', '--namespace', 'shop', '--endpoints', endpoints,
      '--output', 'json']);
    expect(found.code).toBe(0);
    const { instances } = JSON.parse(found.stdout) as { instances: unknown[] };
    expect(instances).toMatchObject([{
      namespace: 'shop', service: 'cart', id: 'c1', address: '10.1.0.1', port: 8080,
      ports: { grpc: 9090, admin: 9091 }, protocol: 'http', version: '1.2.0',
      environment: 'prod', region: 'eu', zone: 'eu-1a', weight: 7, priority: -3,
      capacity: 500, tags: ['blue'], metadata: { team: 'cart' },
    }]);
  });

  it('leader transfer waits for the new leader and prints its name', async () => {
    const old = await cluster.waitForLeader();
    const to = cluster.nodes.find((node) => node.name !== old)?.name as string;
    const run = await roster(['leader', 'transfer', '--to', to, '--endpoints', endpoints]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^leader is now ${to} \\(id [0-9]+, term [0-9]+\\)`));
    expect(await cluster.waitForLeader()).toBe(to);
  });

  it('TransferLeadership answers with the new leader\'s id, never 0', async () => {
    const client = cluster.client();
    for (let round = 0; round < 3; round++) {
      const old = await cluster.waitForLeader();
      const to = cluster.nodes.find((node) => node.name !== old)?.name as string;
      const { leader_id: leaderId } = await client.transferLeadership({ to_name: to });
      const status = await client.status(cluster.node(to).client);
      expect(leaderId).toBe(status.id);
    }
  });

  it('watch stays up past --timeout-ms once a node answers, even with nothing to say',
    async () => {
      // A start revision far ahead: the node sends nothing until then, but it answers.
      const child = spawn(process.execPath, [MAIN, 'watch', 'quiet', '--endpoints', endpoints,
        '--from-revision', '1000000000', '--timeout-ms', '500'], { stdio: 'pipe' });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(child.exitCode).toBeNull();
      } finally {
        child.kill('SIGINT');
      }
      expect(await waitFor(() => exited, { timeoutMs: 10_000, what: 'watch to exit' })).toBe(0);
      expect(stderr).toBe('');
    });
});
