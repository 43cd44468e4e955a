/**
 * The one table of errors a user can cause or see. Each code has a message and the gRPC status
 * it maps to; later modules add codes here, never elsewhere. README.md documents every code
 * (a test checks it), fastify style.
 */

/** gRPC status codes (grpc/status.proto), so core needs no gRPC import. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

interface ErrorSpec {
  readonly message: string;
  readonly status: GrpcStatusCode;
}

export const ERROR_CODES = {
  ROSTER_ERR_INVALID_ARGUMENT: { message: 'invalid argument', status: GrpcStatus.INVALID_ARGUMENT },
  ROSTER_ERR_NOT_FOUND: { message: 'not found', status: GrpcStatus.NOT_FOUND },
  ROSTER_ERR_NOT_LEADER: {
    message: 'this node is not the leader',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_NO_LEADER: {
    message: 'the cluster has no leader right now',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_LEADERSHIP_LOST: {
    message: 'leadership changed before the request was committed; its outcome is unknown',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_PROPOSAL_DROPPED: {
    message: 'the proposal was dropped (leadership transfer in progress or node removed)',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_PROPOSAL_OVERWRITTEN: {
    message: 'the proposal was overwritten by a new leader and did not take effect',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_CONF_CHANGE_PENDING: {
    message: 'another membership change is still pending; retry when it has been applied',
    status: GrpcStatus.FAILED_PRECONDITION,
  },
  ROSTER_ERR_CONF_CHANGE_INVALID: {
    message: 'the membership change does not apply to the current membership',
    status: GrpcStatus.FAILED_PRECONDITION,
  },
  ROSTER_ERR_TRANSFER_REFUSED: {
    message: 'leadership transfer refused',
    status: GrpcStatus.FAILED_PRECONDITION,
  },
  ROSTER_ERR_RESOURCE_EXHAUSTED: {
    message: 'a limit was reached',
    status: GrpcStatus.RESOURCE_EXHAUSTED,
  },
  ROSTER_ERR_TIMEOUT: { message: 'the request timed out', status: GrpcStatus.DEADLINE_EXCEEDED },
  ROSTER_ERR_STOPPED: { message: 'the node is shutting down', status: GrpcStatus.UNAVAILABLE },
  ROSTER_ERR_NOT_READY: {
    message: 'the node is not ready to serve yet',
    status: GrpcStatus.UNAVAILABLE,
  },
  ROSTER_ERR_CORRUPT_DATA: {
    message: 'stored data is corrupt or truncated',
    status: GrpcStatus.DATA_LOSS,
  },
  ROSTER_ERR_UNAUTHENTICATED: {
    message: 'missing or invalid credentials',
    status: GrpcStatus.UNAUTHENTICATED,
  },
  ROSTER_ERR_PERMISSION_DENIED: {
    message: 'permission denied',
    status: GrpcStatus.PERMISSION_DENIED,
  },
  ROSTER_ERR_NOT_IMPLEMENTED: {
    message: 'not implemented yet',
    status: GrpcStatus.UNIMPLEMENTED,
  },
  ROSTER_ERR_INTERNAL: { message: 'internal error', status: GrpcStatus.INTERNAL },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Trailing metadata naming the leader's client address, on UNAVAILABLE (SPEC.md). */
export const LEADER_HINT_KEY = 'roster-leader';
/** Trailing metadata with Roster's error code (ROSTER_ERR_...), for clients that branch on it. */
export const ERROR_CODE_KEY = 'roster-error-code';

/** A typed, expected error: a code from the table plus the detail that makes it actionable. */
export class RosterError extends Error {
  override readonly name = 'RosterError';
  readonly code: ErrorCode;
  readonly status: GrpcStatusCode;
  /** The request field at fault, for INVALID_ARGUMENT. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, detail?: string, options: { field?: string; cause?: unknown } = {}) {
    const spec = ERROR_CODES[code];
    super(detail === undefined ? spec.message : `${spec.message}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = spec.status;
    this.field = options.field;
  }
}

export function isRosterError(error: unknown, code?: ErrorCode): error is RosterError {
  return error instanceof RosterError && (code === undefined || error.code === code);
}
