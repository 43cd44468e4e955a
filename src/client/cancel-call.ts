import type * as grpc from '@grpc/grpc-js';

/**
 * Ends a stream the client no longer wants, without letting it call back: its listeners are
 * removed, and cancel() reports CANCELLED as an 'error', which must be listened to or it would
 * throw.
 */
export function cancelQuietly(call: grpc.ClientReadableStream<unknown> |
  grpc.ClientDuplexStream<unknown, unknown>): void {
  call.removeAllListeners();
  call.on('error', () => {});
  call.cancel();
}
