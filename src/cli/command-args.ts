/** The flags every client command shares, and parsing helpers that make mistakes usage errors. */
import { readFileSync } from 'node:fs';
import { RosterClient, type RosterTlsOptions } from '../client/index.js';
import { getErrorMessage } from '../core/assert.js';
import { flagOrEnv, parseHostPort } from '../config/index.js';
import { CommandError, describeError } from './client-errors.js';
import { CLIENT_FLAGS, type CommandSpec } from './command-specs.js';
import { parseFlags, parseInteger, type ParsedFlags } from './flags.js';
import type { OutputFormat } from './output.js';
import { UsageError } from './usage-error.js';

export interface GlobalOptions {
  readonly endpoints: string[];
  readonly output: OutputFormat;
  readonly timeoutMs: number;
  /** From --cacert, --cert and --key (or ROSTER_CACERT...): TLS when any is given. */
  readonly tls: RosterTlsOptions | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;
type ClientFlags = ParsedFlags<typeof CLIENT_FLAGS>;

/**
 * --token is part of the command line users will script against, but the servers check no
 * token yet: refusing it says so, where accepting it would let a user believe calls are
 * authenticated.
 */
function refuseToken(flags: ClientFlags, env: Env): void {
  if (flagOrEnv({ token: flags.string('token') }, env, 'token') === undefined) return;
  throw new UsageError('--token: token authentication is not implemented yet, and servers ' +
    'accept no token; remove --token (or ROSTER_TOKEN) and secure the client port with TLS ' +
    'and --client-cert-auth');
}

/** --cacert, --cert, --key: files read now, so a wrong path is a usage error. */
function tlsOptions(flags: ClientFlags, env: Env): RosterTlsOptions | undefined {
  const read = (flag: 'cacert' | 'cert' | 'key'): Buffer | undefined => {
    const path = flagOrEnv({ [flag]: flags.string(flag) }, env, flag);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error: unknown) {
      throw new UsageError(`--${flag}: cannot read ${path}: ${getErrorMessage(error)}`);
    }
  };
  const ca = read('cacert');
  const cert = read('cert');
  const key = read('key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError('--cert and --key go together (a client certificate and its key)');
  }
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert, key }) };
}

function globalOptions(flags: ClientFlags, env: Env): GlobalOptions {
  const endpointsText = flagOrEnv({ endpoints: flags.string('endpoints') }, env, 'endpoints') ??
    '127.0.0.1:7400';
  const endpoints = endpointsText.split(',').map((endpoint) => endpoint.trim()).filter(Boolean);
  if (endpoints.length === 0) throw new UsageError('--endpoints names no endpoint');
  for (const endpoint of endpoints) usageOf(() => parseHostPort('endpoints', endpoint));
  refuseToken(flags, env);
  return {
    endpoints, output: flags.choice('output') as OutputFormat,
    timeoutMs: flags.integer('timeout-ms'), tls: tlsOptions(flags, env),
  };
}

/** Parses a client command's flags plus the client flags; every mistake is a usage error. */
export function parseClientCommand<Spec extends CommandSpec>(
  args: readonly string[],
  spec: Spec,
  env: Env,
): {
  flags: ParsedFlags<Spec['flags'] & typeof CLIENT_FLAGS>;
  positionals: string[];
  global: GlobalOptions;
} {
  const table = { ...CLIENT_FLAGS, ...spec.flags } as Spec['flags'] & typeof CLIENT_FLAGS;
  const { flags, positionals } = parseFlags(args, table, spec.path);
  const global = globalOptions(flags as unknown as ClientFlags, env);
  return { flags, positionals, global };
}

function usageOf<T>(run: () => T): T {
  try {
    return run();
  } catch (error: unknown) {
    throw new UsageError(getErrorMessage(error));
  }
}

export function clientFor(global: GlobalOptions): RosterClient {
  return new RosterClient({
    endpoints: global.endpoints, timeoutMs: global.timeoutMs,
    ...(global.tls === undefined ? {} : { tls: global.tls }),
  });
}

/**
 * Runs `body` with a client and closes it after. Whatever a call fails with leaves as a
 * CommandError worded by describeError (exit status 1); usage errors pass as they are.
 */
export async function withClient<T>(
  global: GlobalOptions,
  body: (client: RosterClient) => Promise<T>,
): Promise<T> {
  const client = clientFor(global);
  try {
    return await body(client);
  } catch (error: unknown) {
    if (error instanceof UsageError || error instanceof CommandError) throw error;
    throw new CommandError(describeError(error, global), { cause: error });
  } finally {
    client.close();
  }
}

/** Exactly `count` positionals (the command's args), else a usage error showing `usage`. */
export function positionalArgs(positionals: readonly string[], count: number, usage: string):
  string[] {
  if (positionals.length !== count) {
    throw new UsageError(`usage: ${usage} (got ${positionals.length === 0 ? 'no argument'
      : positionals.map((word) => `"${word}"`).join(' ')})`);
  }
  return [...positionals];
}

/** `k=v` pairs from repeated flags. */
export function pairs(flag: string, items: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes key=value, got "${item}"`);
    result[item.slice(0, at)] = item.slice(at + 1);
  }
  return result;
}

/** `--named-port name=port`, repeated: each port checked as --port is. */
export function namedPorts(items: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(pairs('named-port', items)).map(([name, port]) =>
    [name, parseInteger(`--named-port ${name}`, port, { min: 1, max: 65_535 })]));
}
