#!/usr/bin/env node
import { hostname } from 'node:os';
import { getErrorMessage } from '../core/assert.js';
import { CLIENT_PLANE_SWITCHES, parseServeConfig } from '../config/index.js';
import type * as ClientCommands from './client-commands.js';
import { describeError } from './client-errors.js';
import { SERVE, type CommandWord } from './command-specs.js';
import { parseFlags } from './flags.js';
import { groupFor, groupHelp, helpFor, overviewHelp, usageLine, wantsHelp } from './help.js';
import { UsageError } from './usage-error.js';

/**
 * The `roster` command (README). Exit status: 0 success, 1 a server-side error (message on
 * stderr), 2 bad usage. Commands and their flags are declared in command-specs.ts, and their
 * --help comes from there.
 */
type Env = Readonly<Record<string, string | undefined>>;
type Command = (args: readonly string[], env: Env) => Promise<void>;

type Commands<Module> = { [Name in keyof Module]: Module[Name] extends Command ? Name : never };

/** A command of a module loaded on first use: a command loads only the code it runs. */
function lazy<Module>(load: () => Promise<Module>, name: Commands<Module>[keyof Module]): Command {
  return async (args, env) => ((await load())[name] as Command)(args, env);
}

const clientCommands = (): Promise<typeof ClientCommands> => import('./client-commands.js');

/** Keyed by CommandWord: every command has a spec (its --help), and every spec a command. */
const COMMANDS: Readonly<Record<CommandWord, Command>> = {
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
  // etcd's switches: --client-cert-auth alone means --client-cert-auth=true.
  const expanded = args.map((arg) =>
    (CLIENT_PLANE_SWITCHES.includes(arg.slice(2)) && arg.startsWith('--') ? `${arg}=true` : arg));
  const { flags, positionals } = parseFlags(expanded, SERVE.flags, SERVE.path);
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${usageLine(SERVE)})`);
  }
  const values = Object.fromEntries(Object.keys(SERVE.flags).map((flag) =>
    [flag, flags.string(flag as keyof typeof SERVE.flags)]));
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
  throw new UsageError(`${action === undefined ? 'no action' : `unknown action "${action}"`}` +
    `\n\n${groupHelp('snapshot', groupFor('snapshot'))}`);
}

/** `roster`, `roster --help`, `roster help [COMMAND...]`: stdout; exit 0 (2 if none asked). */
function printHelp(name: string | undefined, args: readonly string[]): number {
  if (name === 'help' && args.length > 0) {
    const help = helpFor(args);
    if (help === undefined) {
      console.error(`roster: unknown command "${args.join(' ')}"\n\n${overviewHelp()}`);
      return 2;
    }
    console.log(help);
    return 0;
  }
  console.log(overviewHelp());
  return name === undefined ? 2 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    return printHelp(name, args);
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandWord] : undefined;
  if (command === undefined) {
    console.error(`roster: unknown command "${name}"\n\n${overviewHelp()}`);
    return 2;
  }
  if (wantsHelp(args)) {
    console.log(helpFor(argv) ?? overviewHelp());
    return 0;
  }
  try {
    await command(args, process.env);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error: unknown) {
    return report(name, error);
  }
}

/** Bad usage: exit 2. Anything else, described once (client-errors.ts): exit 1. */
function report(command: string, error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`roster ${command}: ${error.message}`);
    return 2;
  }
  console.error(`roster ${command}: ${describeError(error)}`);
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
