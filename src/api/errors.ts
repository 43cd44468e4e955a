import * as grpc from '@grpc/grpc-js';
import { AssertionError, getErrorMessage } from '../core/assert.js';
import {
  ERROR_CODE_KEY, LEADER_HINT_KEY, RosterError, type ErrorCode,
} from '../core/errors.js';

export { ERROR_CODE_KEY, LEADER_HINT_KEY };

/** The gRPC status each error code reaches clients as (the README's table documents it). */
export const GRPC_STATUS_OF: Readonly<Record<ErrorCode, grpc.status>> = {
  ROSTER_ERR_INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  ROSTER_ERR_NOT_FOUND: grpc.status.NOT_FOUND,
  ROSTER_ERR_NOT_LEADER: grpc.status.UNAVAILABLE,
  ROSTER_ERR_NO_LEADER: grpc.status.UNAVAILABLE,
  ROSTER_ERR_LEADERSHIP_LOST: grpc.status.UNAVAILABLE,
  ROSTER_ERR_PROPOSAL_DROPPED: grpc.status.UNAVAILABLE,
  ROSTER_ERR_PROPOSAL_OVERWRITTEN: grpc.status.UNAVAILABLE,
  ROSTER_ERR_CONF_CHANGE_PENDING: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_CONF_CHANGE_INVALID: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_TRANSFER_REFUSED: grpc.status.FAILED_PRECONDITION,
  ROSTER_ERR_RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  ROSTER_ERR_TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
  ROSTER_ERR_STOPPED: grpc.status.UNAVAILABLE,
  ROSTER_ERR_NOT_READY: grpc.status.UNAVAILABLE,
  ROSTER_ERR_CORRUPT_DATA: grpc.status.DATA_LOSS,
  ROSTER_ERR_UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  ROSTER_ERR_PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  ROSTER_ERR_NOT_IMPLEMENTED: grpc.status.UNIMPLEMENTED,
  ROSTER_ERR_INTERNAL: grpc.status.INTERNAL,
};

export interface ApiError {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;
}

/**
 * Any error a handler meets, as a gRPC status: RosterErrors keep their code and message; an
 * assertion or unexpected error is INTERNAL (and logged by the caller). UNAVAILABLE carries
 * the leader hint when one is known.
 */
export function toApiError(error: unknown, leaderAddress?: string): ApiError {
  const metadata = new grpc.Metadata();
  if (error instanceof RosterError) {
    metadata.set(ERROR_CODE_KEY, error.code);
    const code = GRPC_STATUS_OF[error.code];
    if (code === grpc.status.UNAVAILABLE && leaderAddress !== undefined && leaderAddress !== '') {
      metadata.set(LEADER_HINT_KEY, leaderAddress);
    }
    return { code, details: error.message, metadata };
  }
  if (isGrpcError(error)) {
    // An error relayed from the leader (forwarding): pass it through unchanged.
    return { code: error.code, details: error.details, metadata: error.metadata ?? metadata };
  }
  const reason = error instanceof AssertionError ? `internal assertion failed: ${error.message}`
    : `internal error: ${getErrorMessage(error)}`;
  metadata.set(ERROR_CODE_KEY, 'ROSTER_ERR_INTERNAL');
  return { code: grpc.status.INTERNAL, details: reason, metadata };
}

export function isGrpcError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number' &&
    typeof (error as Partial<grpc.ServiceError>).details === 'string';
}
