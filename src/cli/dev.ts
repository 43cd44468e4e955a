import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommand } from './command-args.js';
import { UsageError } from './usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Ports of dev node i: client 7400+10i, peer 7401+10i, HTTP 7402+10i. */
export function devPorts(
  index: number,
  base = 7400,
): { client: number; peer: number; http: number } {
  return { client: base + 10 * index, peer: base + 10 * index + 1, http: base + 10 * index + 2 };
}

/**
 * `roster dev [--nodes 1|3|5]`: a local cluster of real `roster serve` processes on loopback,
 * data under ./.roster (reused across runs). Prints the endpoints; Ctrl-C stops every node.
 */
export async function devCommand(args: readonly string[], env: Env): Promise<void> {
  const { values } = parseCommand(args, {
    nodes: { type: 'string' }, 'data-dir': { type: 'string' }, 'base-port': { type: 'string' },
  }, env);
  const count = Number(values.nodes ?? 3);
  if (count !== 1 && count !== 3 && count !== 5) throw new UsageError('--nodes must be 1, 3 or 5');
  const root = (values['data-dir'] as string | undefined) ?? '.roster';
  const basePort = Number(values['base-port'] ?? 7400);
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
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
    ], { stdio: ['ignore', 'inherit', 'inherit'], env: launcherEnv });
  });
  const endpoints = names.map((_, i) => `127.0.0.1:${devPorts(i, basePort).client}`).join(',');
  console.log(`Roster dev cluster: ${count} node(s), data under ${root}/`);
  console.log(`  client endpoints: ${endpoints}`);
  console.log(`  export ROSTER_ENDPOINTS=${endpoints}`);
  console.log(`  health: http://127.0.0.1:${devPorts(0, basePort).http}/readyz`);
  console.log('  try: roster register --service web --address 10.0.0.1 --port 8080; ' +
    'roster lookup web');
  console.log('Ctrl-C stops the cluster.');
  await superviseUntilSignal(children);
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
