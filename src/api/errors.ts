import * as grpc from '@grpc/grpc-js';
import { AssertionError, getErrorMessage } from '../core/assert.js';
import { ERROR_CODE_KEY, GrpcStatus, LEADER_HINT_KEY, RosterError } from '../core/errors.js';

export { ERROR_CODE_KEY, LEADER_HINT_KEY };

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
    if (error.status === GrpcStatus.UNAVAILABLE && leaderAddress !== undefined &&
      leaderAddress !== '') {
      metadata.set(LEADER_HINT_KEY, leaderAddress);
    }
    return { code: error.status as grpc.status, details: error.message, metadata };
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
