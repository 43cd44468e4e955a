/**
 * The one table of errors a user can cause or see. Each code has a message; later modules add
 * codes here, never elsewhere. api/errors.ts maps each to a gRPC status, and README.md
 * documents every code with its status (a test checks both), fastify style.
 */

interface ErrorSpec {
  readonly message: string;
}

export const ERROR_CODES = {
  ROSTER_ERR_INVALID_ARGUMENT: { message: 'invalid argument' },
  ROSTER_ERR_NOT_FOUND: { message: 'not found' },
  ROSTER_ERR_NOT_LEADER: { message: 'this node is not the leader' },
  ROSTER_ERR_NO_LEADER: { message: 'the cluster has no leader right now' },
  ROSTER_ERR_LEADERSHIP_LOST: {
    message: 'leadership changed before the request was committed; its outcome is unknown',
  },
  ROSTER_ERR_PROPOSAL_DROPPED: {
    message: 'the proposal was dropped (leadership transfer in progress or node removed)',
  },
  ROSTER_ERR_PROPOSAL_OVERWRITTEN: {
    message: 'the proposal was overwritten by a new leader and did not take effect',
  },
  ROSTER_ERR_CONF_CHANGE_PENDING: {
    message: 'another membership change is still pending; retry when it has been applied',
  },
  ROSTER_ERR_CONF_CHANGE_INVALID: {
    message: 'the membership change does not apply to the current membership',
  },
  ROSTER_ERR_TRANSFER_REFUSED: { message: 'leadership transfer refused' },
  ROSTER_ERR_RESOURCE_EXHAUSTED: { message: 'a limit was reached' },
  ROSTER_ERR_TIMEOUT: { message: 'the request timed out' },
  ROSTER_ERR_STOPPED: { message: 'the node is shutting down' },
  ROSTER_ERR_NOT_READY: { message: 'the node is not ready to serve yet' },
  ROSTER_ERR_CORRUPT_DATA: { message: 'stored data is corrupt or truncated' },
  ROSTER_ERR_UNAUTHENTICATED: { message: 'missing or invalid credentials' },
  ROSTER_ERR_PERMISSION_DENIED: { message: 'permission denied' },
  ROSTER_ERR_NOT_IMPLEMENTED: { message: 'not implemented yet' },
  ROSTER_ERR_INTERNAL: { message: 'internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Trailing metadata naming the leader's client address, on UNAVAILABLE. */
export const LEADER_HINT_KEY = 'roster-leader';
/** Trailing metadata with Roster's error code (ROSTER_ERR_...), for clients that branch on it. */
export const ERROR_CODE_KEY = 'roster-error-code';

/** A typed, expected error: a code from the table plus the detail that makes it actionable. */
export class RosterError extends Error {
  override readonly name = 'RosterError';
  readonly code: ErrorCode;
  /** The request field at fault, for INVALID_ARGUMENT. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, detail?: string, options: { field?: string; cause?: unknown } = {}) {
    const spec = ERROR_CODES[code];
    super(detail === undefined ? spec.message : `${spec.message}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

export function isRosterError(error: unknown, code?: ErrorCode): error is RosterError {
  return error instanceof RosterError && (code === undefined || error.code === code);
}
