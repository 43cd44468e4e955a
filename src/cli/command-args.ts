/** The flags every client command shares, and parsing helpers that make mistakes usage errors. */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RosterClient, type RosterTlsOptions } from '../client/index.js';
import { flagOrEnv, parseHostPort } from '../config/index.js';
import type { OutputFormat } from './output.js';
import { UsageError } from './usage-error.js';

export interface GlobalOptions {
  readonly endpoints: string[];
  readonly output: OutputFormat;
  readonly timeoutMs: number;
  /** From --cacert, --cert and --key (or ROSTER_CACERT...): TLS when any is given. */
  readonly tls: RosterTlsOptions | undefined;
}

const GLOBAL_FLAGS = {
  endpoints: { type: 'string' },
  output: { type: 'string' },
  'timeout-ms': { type: 'string' },
  token: { type: 'string' },
  cacert: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * --token is part of the command line users will script against, but the servers check no
 * token yet: refusing it says so, where accepting it would let a user believe calls are
 * authenticated.
 */
function refuseToken(values: Record<string, unknown>, env: Env): void {
  if (flagOrEnv({ token: values.token as string | undefined }, env, 'token') === undefined) return;
  throw new UsageError('--token: token authentication is not implemented yet, and servers ' +
    'accept no token; remove --token (or ROSTER_TOKEN) and secure the client port with TLS ' +
    'and --client-cert-auth');
}

/** --cacert, --cert, --key: files read now, so a wrong path is a usage error. */
function tlsOptions(values: Record<string, unknown>, env: Env): RosterTlsOptions | undefined {
  const read = (flag: 'cacert' | 'cert' | 'key'): Buffer | undefined => {
    const path = flagOrEnv({ [flag]: values[flag] as string | undefined }, env, flag);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error: unknown) {
      throw new UsageError(`--${flag}: cannot read ${path}: ` +
        `${error instanceof Error ? error.message : String(error)}`);
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

/** Parses a command's flags plus the global ones; unknown flags are usage errors. */
export function parseCommand<Options extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: Options,
  env: Readonly<Record<string, string | undefined>>,
): {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  global: GlobalOptions;
} {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args], options: { ...GLOBAL_FLAGS, ...options }, allowPositionals: true,
    });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const endpointsText = flagOrEnv(
    { endpoints: values.endpoints as string | undefined }, env, 'endpoints') ??
    '127.0.0.1:7400';
  const endpoints = endpointsText.split(',').map((endpoint) => endpoint.trim()).filter(Boolean);
  for (const endpoint of endpoints) usageOf(() => parseHostPort('endpoints', endpoint));
  const output = (values.output as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') {
    throw new UsageError('--output must be table or json');
  }
  const timeoutMs = Number(values['timeout-ms'] ?? 5_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError('--timeout-ms must be a positive integer');
  }
  refuseToken(values, env);
  const tls = tlsOptions(values, env);
  return {
    values, positionals: parsed.positionals, global: { endpoints, output, timeoutMs, tls },
  };
}

function usageOf<T>(run: () => T): T {
  try {
    return run();
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function clientFor(global: GlobalOptions): RosterClient {
  return new RosterClient({
    endpoints: global.endpoints, timeoutMs: global.timeoutMs,
    ...(global.tls === undefined ? {} : { tls: global.tls }),
  });
}

export function requireString(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

export function integerFlag(values: Record<string, unknown>, flag: string): number | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new UsageError(`--${flag} must be an integer, got "${String(value)}"`);
  }
  return parsed;
}

/** `k=v` pairs from repeated flags. */
export function pairs(flag: string, items: readonly string[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes key=value, got "${item}"`);
    result[item.slice(0, at)] = item.slice(at + 1);
  }
  return result;
}
