#!/usr/bin/env node
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { isServiceError } from '../client/service-error.js';
import { getErrorMessage } from '../core/assert.js';
import { ERROR_CODE_KEY, RosterError } from '../core/errors.js';
import { CLIENT_PLANE_SWITCHES, SERVE_FLAGS, parseServeConfig } from '../config/index.js';
import type * as ClientCommands from './client-commands.js';
import { UsageError } from './usage-error.js';

/**
 * The `roster` command (README). Exit status: 0 success, 1 a server-side error (message on
 * stderr), 2 bad usage.
 */
const USAGE = `usage: roster <command> [flags]

server:
  serve [--name N] [--data-dir D] [--listen H:P] [--peer-listen H:P] [--http-listen H:P]
        [--initial-cluster name=host:peerPort,...] [--initial-cluster-state new|existing]
        [--join H:P] [--heartbeat-interval-ms 100] [--election-timeout-ms 1000]
        [--cert-file F --key-file F [--trusted-ca-file F] [--client-cert-auth]]
        [--max-request-bytes B] [--quota-bytes B] [--max-connections N] (README: Limits)
  dev [--nodes 1|3|5]

client (global flags: --endpoints H:P,... or ROSTER_ENDPOINTS, --output table|json,
        TLS: --cacert F [--cert F --key F]):
  register --service S --address A --port P [--id I] [--tag t]... [--meta k=v]... [--version V]
           [--zone Z] [--weight W] [--ttl-ms T [--keepalive]]
  watch [S] [--from-revision R] [--namespace N] [--all-namespaces]
  deregister --service S --id I
  lookup S [--tag t] [--zone Z] [--all] [--serializable]
  services
  members | member add NAME --peer-address H:P --client-address H:P [--id ID]
  member remove|promote NAME
  leader transfer [--to NAME]
  status
  snapshot save FILE | snapshot restore FILE --data-dir D [--name N] [--initial-cluster ...]
  (a restore starts a one-member cluster; the others join it with serve --join)`;

type Env = Readonly<Record<string, string | undefined>>;
type Command = (args: readonly string[], env: Env) => Promise<void>;

type Commands<Module> = { [Name in keyof Module]: Module[Name] extends Command ? Name : never };

/** A command of a module loaded on first use: a command loads only the code it runs. */
function lazy<Module>(load: () => Promise<Module>, name: Commands<Module>[keyof Module]): Command {
  return async (args, env) => ((await load())[name] as Command)(args, env);
}

const clientCommands = (): Promise<typeof ClientCommands> => import('./client-commands.js');

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: serveCommand,
  dev: lazy(() => import('./dev.js'), 'devCommand'),
  register: lazy(clientCommands, 'registerCommand'),
  deregister: lazy(clientCommands, 'deregisterCommand'),
  lookup: lazy(clientCommands, 'lookupCommand'),
  services: lazy(clientCommands, 'servicesCommand'),
  members: lazy(clientCommands, 'membersCommand'),
  member: lazy(clientCommands, 'memberCommand'),
  leader: lazy(clientCommands, 'leaderCommand'),
  status: lazy(clientCommands, 'statusCommand'),
  snapshot: snapshotCommand,
  watch: lazy(() => import('./stream-commands.js'), 'watchCommand'),
};

async function serveCommand(args: readonly string[], env: Env): Promise<void> {
  const options = Object.fromEntries(
    SERVE_FLAGS.map((flag) => [flag, { type: 'string' as const }]));
  // etcd's switches: --client-cert-auth alone means --client-cert-auth=true.
  const expanded = args.map((arg) =>
    (CLIENT_PLANE_SWITCHES.includes(arg.slice(2)) && arg.startsWith('--') ? `${arg}=true` : arg));
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: expanded, options, allowPositionals: false })
      .values as Record<string, string | undefined>;
  } catch (error: unknown) {
    throw new UsageError(getErrorMessage(error));
  }
  let config;
  try {
    config = parseServeConfig({ flags: values, env, hostname: hostname() });
  } catch (error: unknown) {
    throw new UsageError(getErrorMessage(error));
  }
  if (config.dnsListen !== undefined) {
    // Accepted and ignored, it would look like a DNS server that answers nothing.
    throw new UsageError('--dns-listen: the DNS interface is not implemented yet; remove the ' +
      'flag (or ROSTER_DNS_LISTEN) and use Lookup, Watch or the HTTP API');
  }
  // The data dir opens (LevelDB reading the snapshot on its threads) while the server loads.
  const { openDataDir } = await import('./open-data-dir.js');
  const opening = openDataDir(config);
  // Awaited by runServe; until then a failure must not count as unhandled.
  opening.catch(() => undefined);
  const { runServe } = await import('./serve.js');
  await runServe(config, opening);
}

async function snapshotCommand(args: readonly string[], env: Env): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'save') return (await clientCommands()).snapshotSave(rest, env);
  if (action === 'restore') {
    return (await import('./snapshot-restore.js')).snapshotRestore(rest, env);
  }
  throw new UsageError(
    'usage: roster snapshot save FILE | roster snapshot restore FILE --data-dir D');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`roster: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(args, process.env);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error: unknown) {
    return report(name, error);
  }
}

function report(command: string, error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`roster ${command}: ${error.message}`);
    return 2;
  }
  if (isServiceError(error)) {
    const code = error.metadata?.get(ERROR_CODE_KEY)[0];
    console.error(`roster ${command}: ${error.details}` +
      `${code === undefined ? '' : ` (${String(code)})`}`);
    return 1;
  }
  if (error instanceof RosterError) {
    console.error(`roster ${command}: ${error.message} (${error.code})`);
    return 1;
  }
  console.error(`roster ${command}: ${getErrorMessage(error)}`);
  return 1;
}

// `serve` and `dev` keep running after main resolves; other commands exit when done.
main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
  const command = process.argv[2];
  const stays = command === 'serve' || command === 'dev';
  if (status !== 0 || !stays) process.exit(status);
}, (error: unknown) => {
  console.error(`roster: ${getErrorMessage(error)}`);
  process.exit(1);
});
