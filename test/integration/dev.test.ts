import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RosterClient } from '../../src/client/index.js';
import { assertBuilt, freePort, waitFor } from './cluster.js';

/**
 * `roster dev` as `npm start` runs it: its banner tells a newcomer what to type and where the
 * data is, and Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every
 * node without a warning in the log.
 */
const LAUNCHER = fileURLToPath(new URL('../../bin/roster', import.meta.url));
/** Tries at finding a block of free ports for a dev cluster. */
const PORT_BLOCK_ATTEMPTS = 50;

interface Dev {
  readonly child: ChildProcess;
  readonly base: number;
  output: string;
  exitCode: number | null | undefined;
}

let running: Dev | undefined;
const scratch: string[] = [];

afterEach(async () => {
  const dev = running;
  running = undefined;
  if (dev !== undefined && dev.exitCode === undefined) {
    process.kill(-(dev.child.pid as number), 'SIGKILL');
    await waitFor(() => (dev.exitCode === undefined ? undefined : true),
      { timeoutMs: 10_000, what: 'dev to exit' }).catch(() => undefined);
  }
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => assertBuilt());

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose client, peer and HTTP ports for `nodes` nodes are all free. */
async function freeBase(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < PORT_BLOCK_ATTEMPTS; attempt++) {
    const base = await freePort();
    const ports = Array.from({ length: nodes }, (_, i) => [0, 1, 2].map((k) => base + 10 * i + k))
      .flat();
    const free = await Promise.all(ports.map(canListen));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports for a dev cluster');
}

/** Starts `roster dev` in its own process group, as a terminal's foreground job is. */
async function startDev(dataDir: string, nodes: number, extra: string[] = []): Promise<Dev> {
  const base = await freeBase(nodes);
  const child = spawn(LAUNCHER, ['dev', '--nodes', String(nodes), '--base-port', String(base),
    '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    env: { ...process.env, ROSTER_NODE: process.execPath, ROSTER_LOG_LEVEL: 'warn' },
  });
  const dev: Dev = { child, base, output: '', exitCode: undefined };
  running = dev;
  const keep = (chunk: Buffer): void => {
    dev.output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code) => {
    dev.exitCode = code;
  });
  return dev;
}

async function waitReady(dev: Dev, nodes: number): Promise<void> {
  const endpoints = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${dev.base + 10 * i}`);
  const client = new RosterClient({ endpoints, timeoutMs: 1_000, attempts: 1 });
  try {
    await waitFor(async () => {
      const statuses = await Promise.all(endpoints.map((endpoint) => client.status(endpoint)));
      return statuses.every((status) => status.ready) ? true : undefined;
    }, { timeoutMs: 30_000, what: 'every dev node ready' });
  } finally {
    client.close();
  }
}

/** Ctrl-C: SIGINT to the whole group (dev and its nodes); resolves with dev's exit code. */
async function interrupt(dev: Dev): Promise<number | null> {
  process.kill(-(dev.child.pid as number), 'SIGINT');
  return waitFor(() => (dev.exitCode === undefined ? undefined : dev.exitCode),
    { timeoutMs: 20_000, what: 'dev to stop' });
}

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roster-dev-'));
  scratch.push(dir);
  return dir;
}

describe('roster dev', () => {
  it('its banner says npx roster, where the data is and how to reset it', async () => {
    const dir = join(scratchDir(), 'data');
    const dev = await startDev(dir, 1);
    await waitReady(dev, 1);
    expect(dev.output).toContain(`data:      ${dir} (kept across runs`);
    expect(dev.output).toContain(`\`npx roster dev --reset --data-dir ${dir}\``);
    expect(dev.output).toContain(`\`rm -rf ${dir}/node-*\``);
    expect(dev.output).toContain('npx roster register --service web');
    expect(dev.output).toContain('npm link');
    expect(dev.output).not.toMatch(/^ {2}roster /m);
    expect(await interrupt(dev)).toBe(0);
  }, 60_000);

  it('a new 3-node cluster forms, and a clean Ctrl-C stops it, with no warning or error',
    async () => {
      const dev = await startDev(join(scratchDir(), 'data'), 3);
      await waitReady(dev, 3);
      const before = dev.output.length;
      expect(dev.output).not.toMatch(/"level":(4|5|6)0/);
      expect(await interrupt(dev)).toBe(0);
      const stopLog = dev.output.slice(before);
      expect(stopLog).not.toContain('leadership transfer failed');
      expect(stopLog).not.toMatch(/"level":(4|5|6)0/);
      expect(stopLog).toContain('stopping the cluster');
    }, 90_000);

  it('--reset deletes the nodes\' data, and nothing else in the directory', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'node-0'), { recursive: true });
    writeFileSync(join(dir, 'node-0', 'stale'), 'from an earlier cluster');
    writeFileSync(join(dir, 'notes.txt'), 'not dev\'s');
    const dev = await startDev(dir, 1, ['--reset']);
    await waitReady(dev, 1);
    expect(existsSync(join(dir, 'node-0', 'stale'))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(dev.output).toContain('started afresh');
    expect(await interrupt(dev)).toBe(0);
  }, 60_000);
});
