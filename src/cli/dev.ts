import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV } from './command-specs.js';
import { parseFlags } from './flags.js';
import { usageLine } from './help.js';
import { UsageError } from './usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Ports of dev node i: client 7400+10i, peer 7401+10i, HTTP 7402+10i. */
export function devPorts(
  index: number,
  base = 7400,
): { client: number; peer: number; http: number } {
  return { client: base + 10 * index, peer: base + 10 * index + 1, http: base + 10 * index + 2 };
}

/** The most nodes --nodes allows: --reset clears the data of all of them. */
const DEV_NODES_MAX = 5;

function nodeName(index: number): string {
  return `node-${index}`;
}

interface DevOptions {
  readonly count: number;
  /** --data-dir: node i keeps its data in ROOT/node-i. */
  readonly root: string;
  readonly basePort: number;
  readonly reset: boolean;
}

function devOptions(args: readonly string[]): DevOptions {
  const { flags, positionals } = parseFlags(args, DEV.flags, DEV.path);
  if (positionals.length > 0) throw new UsageError(`usage: ${usageLine(DEV)}`);
  const count = Number(flags.choice('nodes'));
  const basePort = flags.integer('base-port');
  const highest = devPorts(count - 1, basePort).http;
  if (highest > 65_535) {
    throw new UsageError(`--base-port: ${basePort} is out of range for ${count} nodes ` +
      `(1-${65_535 - (highest - basePort)}: node ${count - 1}'s HTTP port is base + ` +
      `${highest - basePort})`);
  }
  const root = flags.string('data-dir') ?? DEV.flags['data-dir'].default;
  return { count, root, basePort, reset: flags.boolean('reset') };
}

/**
 * Only what dev itself creates is deleted (ROOT/node-0 ... node-4), never ROOT: --data-dir
 * may name a directory that holds other things.
 */
function resetData(root: string): void {
  for (let i = 0; i < DEV_NODES_MAX; i++) {
    rmSync(`${root}/${nodeName(i)}`, { recursive: true, force: true });
  }
}

/**
 * `roster dev [--nodes 1|3|5] [--reset]`: a local cluster of real `roster serve` processes on
 * loopback, data under ./.roster (reused across runs). Prints the endpoints; Ctrl-C stops
 * every node.
 */
export async function devCommand(args: readonly string[], env: Env): Promise<void> {
  const options = devOptions(args);
  const { count, root, basePort } = options;
  if (options.reset) resetData(root);
  const names = Array.from({ length: count }, (_, i) => nodeName(i));
  const initialCluster = names
    .map((name, i) => `${name}=127.0.0.1:${devPorts(i, basePort).peer}`).join(',');
  // Through the `roster` launcher, as a server is run in production (its malloc settings).
  const launcher = fileURLToPath(new URL('../../bin/roster', import.meta.url));
  const launcherEnv = { ...env, ROSTER_NODE: process.execPath };
  const children: ChildProcess[] = names.map((name, i) => {
    const ports = devPorts(i, basePort);
    mkdirSync(`${root}/${name}`, { recursive: true, mode: 0o700 });
    return spawn(launcher, [
      'serve', '--name', name, '--data-dir', `${root}/${name}`,
      '--listen', `127.0.0.1:${ports.client}`, '--peer-listen', `127.0.0.1:${ports.peer}`,
      '--http-listen', `127.0.0.1:${ports.http}`, '--initial-cluster', initialCluster,
      '--log-level', (env.ROSTER_LOG_LEVEL ?? 'warn'),
      // Ctrl-C stops every node at once: a leader handing over to a follower that is stopping
      // too could only fail, or leave that follower leading without a quorum.
      '--transfer-leadership-on-stop', 'false',
    ], { stdio: ['ignore', 'inherit', 'inherit'], env: launcherEnv });
  });
  printBanner(options);
  await superviseUntilSignal(children);
}

/** How to start afresh: the default data dir is dev's alone; another may hold more. */
export function resetAdvice(root: string): string {
  const ownRoot = root === DEV.flags['data-dir'].default;
  return ownRoot ? '`npx roster dev --reset` or `rm -rf .roster`'
    : `\`npx roster dev --reset --data-dir ${root}\` or \`rm -rf ${root}/node-*\``;
}

function printBanner(options: DevOptions): void {
  const { count, root, basePort } = options;
  const endpoints = Array.from({ length: count },
    (_, i) => `127.0.0.1:${devPorts(i, basePort).client}`).join(',');
  const kept = options.reset ? 'started afresh' : 'kept across runs';
  console.log(`Roster dev cluster: ${count} node(s) on loopback`);
  console.log(`  data:      ${resolve(root)} (${kept}; to start afresh: stop, then ` +
    `${resetAdvice(root)})`);
  console.log(`  endpoints: ${endpoints}`);
  console.log(`  health:    http://127.0.0.1:${devPorts(0, basePort).http}/readyz`);
  console.log('In another terminal (npx runs this checkout\'s roster; `npm link` puts `roster` ' +
    'on your PATH):');
  console.log(`  export ROSTER_ENDPOINTS=${endpoints}`);
  console.log('  npx roster register --service web --address 10.0.0.1 --port 8080');
  console.log('  npx roster lookup web');
  console.log('  npx roster --help');
  console.log('Ctrl-C stops the cluster.');
}

/** Forwards SIGINT/SIGTERM to every node and resolves when all have exited. */
function superviseUntilSignal(children: ChildProcess[]): Promise<void> {
  return new Promise((resolve) => {
    let alive = children.length;
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      console.log('\nstopping the cluster...');
      for (const child of children) child.kill('SIGTERM');
    };
    for (const child of children) {
      child.once('exit', (code, signal) => {
        alive -= 1;
        // A node that dies (say, killed to watch a failover) leaves the others running.
        if (!stopping) {
          console.error(`node pid ${child.pid} exited (code ${code}, signal ${signal})`);
        }
        if (alive === 0) resolve();
      });
    }
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
