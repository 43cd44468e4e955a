/** The flags every client command shares, and parsing helpers that make mistakes usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RosterClient } from '../client/index.js';
import { flagOrEnv, parseHostPort } from '../config/index.js';
import type { OutputFormat } from './output.js';

/** Bad usage: exit status 2, with the message and a hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface GlobalOptions {
  readonly endpoints: string[];
  readonly output: OutputFormat;
  readonly timeoutMs: number;
}

const GLOBAL_FLAGS = {
  endpoints: { type: 'string' },
  output: { type: 'string' },
  'timeout-ms': { type: 'string' },
  token: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

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
  return { values, positionals: parsed.positionals, global: { endpoints, output, timeoutMs } };
}

function usageOf<T>(run: () => T): T {
  try {
    return run();
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function clientFor(global: GlobalOptions): RosterClient {
  return new RosterClient({ endpoints: global.endpoints, timeoutMs: global.timeoutMs });
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
