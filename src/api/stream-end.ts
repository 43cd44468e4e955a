import { RosterError } from '../core/errors.js';
import { toApiError } from './errors.js';
import type { HandlerContext } from './unary.js';

/** How long a cancelled stream's status may wait behind unread data: then its connection goes. */
export const CANCEL_GRACE_MS = 5_000;

/** Ends a server stream with `error` as its status (the leader hint when relevant). */
export function failStream(
  context: HandlerContext, call: NodeJS.EventEmitter, error: unknown,
): void {
  const apiError = toApiError(error, context.forwarder.leaderAddress());
  call.emit('error', {
    code: apiError.code, details: apiError.details, metadata: apiError.metadata,
  });
}

/**
 * Cancels a stream whose client stopped reading. Its status goes out after the data it has
 * not read, so it may never leave: if the stream is still open after CANCEL_GRACE_MS, its
 * connection is closed, which is what frees the bytes HTTP/2 holds for it.
 */
export function cancelUnread(
  context: HandlerContext,
  call: NodeJS.EventEmitter & { getPeer(): string },
  reason: string,
): void {
  failStream(context, call, new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', reason));
  const peer = call.getPeer();
  const timer = setTimeout(() => {
    if (context.closePeer(peer)) {
      context.logger.warn({ peer }, 'closed a connection whose client does not read');
    }
  }, CANCEL_GRACE_MS);
  timer.unref();
  const done = (): void => clearTimeout(timer);
  call.once('finish', done);
  call.once('cancelled', done);
  call.once('close', done);
}

/**
 * Runs `release` once when the stream is over: its data flushed, or the stream gone. Not on
 * an error status: that waits behind the data the client has not read yet.
 */
export function onStreamEnd(call: NodeJS.EventEmitter, release: () => void): void {
  let released = false;
  const once = (): void => {
    if (released) return;
    released = true;
    release();
  };
  for (const event of ['cancelled', 'close', 'finish']) call.once(event, once);
}

/**
 * Makes a client stream read at most one message ahead of its handler while it is paused.
 * grpc-js gives its streams Node's default of 16 objects, and decodes that many messages
 * (each up to --max-request-bytes) for a paused stream before HTTP/2 flow control holds the
 * client back. Node keeps the bound in the stream's state, which grpc-js offers no option
 * for; on a Node without that field this changes nothing.
 */
export function readOneAhead(call: object): void {
  const state = (call as { _readableState?: { highWaterMark?: number } })._readableState;
  if (state !== undefined && typeof state.highWaterMark === 'number') state.highWaterMark = 1;
}
