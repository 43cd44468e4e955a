/**
 * The one place that turns what a client call failed with into the line `roster` prints:
 * Roster's own errors keep their message and code; errors of the connection itself (grpc-js
 * wording, timestamps and all) become "cannot reach H:P (UNAVAILABLE: connection refused)".
 * No grpc-js import: the status names are below, so `roster --help` loads no gRPC.
 */
import { getErrorMessage } from '../core/assert.js';
import { ERROR_CODE_KEY, RosterError } from '../core/errors.js';
import { isServiceError } from '../client/service-error.js';

/** A command failed in a way already described for the user: exit status 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Where the failed call went, to name it in the message. */
export interface CallContext {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
}

/** grpc.status names by code (grpc-js's enum), for messages. */
const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** Socket and resolver failures as grpc-js words them, and how to say them plainly. */
const CONNECTION_FAILURES: readonly (readonly [RegExp, string])[] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/EHOSTUNREACH/, 'host unreachable'],
  [/ENETUNREACH/, 'network unreachable'],
  [/ETIMEDOUT/, 'connection timed out'],
  [/ECONNRESET/, 'connection reset'],
  [/Name resolution failed|ENOTFOUND|EAI_AGAIN/, 'host name not resolved'],
  [/certificate|SSL|TLS|handshake/i, 'TLS handshake failed'],
];

function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `status ${code}`;
}

function where(endpoints: readonly string[]): string {
  if (endpoints.length === 0) return 'the cluster';
  return endpoints.length === 1 ? endpoints[0] as string : `any of ${endpoints.join(', ')}`;
}

/** Why a connection failed, plainly. */
function connectionFailure(details: string): string {
  const known = CONNECTION_FAILURES.find(([pattern]) => pattern.test(details));
  return known === undefined ? plainDetails(details) : known[1];
}

/** grpc-js's details without its timestamps and "Resolution note" tail. */
function plainDetails(details: string): string {
  return details.replace(/\s*\([0-9TZ:.-]+\)/g, '').replace(/\. Resolution note:.*$/, '')
    .replace(/^No connection established\. Last error: (Error: )?/, '').trim() ||
    'no connection';
}

/**
 * A failed call's status in a few words, "UNAVAILABLE: connection refused", for messages
 * that say themselves what was being done.
 */
export function statusText(error: unknown): string {
  if (!isServiceError(error)) return getErrorMessage(error);
  const rosterCode = error.metadata?.get(ERROR_CODE_KEY)[0];
  if (rosterCode !== undefined) return `${String(rosterCode)}: ${error.details}`;
  const details = error.details === '' ? error.message : error.details;
  return `${statusName(error.code)}: ${error.code === UNAVAILABLE ? connectionFailure(details)
    : plainDetails(details)}`;
}

/** The message for an error a client call (or a command using a client) failed with. */
export function describeError(error: unknown, context?: CallContext): string {
  if (error instanceof CommandError) return error.message;
  if (error instanceof RosterError) return `${error.message} (${error.code})`;
  if (!isServiceError(error)) return getErrorMessage(error);
  const rosterCode = error.metadata?.get(ERROR_CODE_KEY)[0];
  // A node answered: its message says what went wrong.
  if (rosterCode !== undefined) return `${error.details} (${String(rosterCode)})`;
  const endpoints = context?.endpoints ?? [];
  if (error.code === UNAVAILABLE) return `cannot reach ${where(endpoints)} (${statusText(error)})`;
  if (error.code === DEADLINE_EXCEEDED) {
    const within = context === undefined ? '' : ` within ${context.timeoutMs} ms`;
    return `no answer from ${where(endpoints)}${within} (DEADLINE_EXCEEDED; --timeout-ms ` +
      'sets the wait)';
  }
  const details = error.details === '' ? error.message : error.details;
  return `${plainDetails(details)} (${statusName(error.code)})`;
}
