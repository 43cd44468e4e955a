import type * as grpc from '@grpc/grpc-js';

/** An error a gRPC call failed with (it carries the status code and the trailers). */
export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}
