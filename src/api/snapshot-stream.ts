/**
 * Cluster.Snapshot: a backup of the registry, consistent at one applied index (taken after a
 * read barrier), encoded a piece at a time as the client reads it. The registry captures its
 * state at once (its instances, which commands replace and never change, and copies of the
 * lease figures) and the encoding proceeds only while the stream has room, so a reader that
 * stalls holds that capture and one piece, never a copy of the whole encoded registry; and
 * only a few snapshots are served at once.
 */
import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { SnapshotChunk } from './generated/types/roster/v1/SnapshotChunk.js';
import type { SnapshotRequest__Output } from './generated/types/roster/v1/SnapshotRequest.js';
import { cancelUnread, failStream, onStreamEnd } from './stream-end.js';
import type { HandlerContext } from './unary.js';

/** Instances or leases encoded per piece (one line of the snapshot format). */
const ITEMS_PER_STEP = 1024;

type SnapshotCall = grpc.ServerWritableStream<SnapshotRequest__Output, SnapshotChunk>;

export function snapshotHandler(context: HandlerContext): grpc.handleServerStreamingCall<
  SnapshotRequest__Output, SnapshotChunk> {
  let serving = 0;
  return (call) => {
    if (serving >= limits.snapshotStreamsMax) {
      failStream(context, call, new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
        `this node already serves ${serving} snapshots (the limit); retry later`));
      return;
    }
    serving += 1;
    let ended = false;
    onStreamEnd(call, () => {
      if (ended) return;
      ended = true;
      serving -= 1;
    });
    void streamSnapshot(context, call, () => ended).catch((error: unknown) => {
      failStream(context, call, error);
    });
  };
}

async function streamSnapshot(
  context: HandlerContext, call: SnapshotCall, ended: () => boolean,
): Promise<void> {
  const source = await context.node.backup();
  if (ended()) return;
  const header = { index: source.index, term: source.term, revision: source.revision };
  let room: (() => void) | undefined;
  const outbound = context.outbound.open({
    onRoom: () => room?.(),
    cancel: (reason) => cancelUnread(context, call, reason),
  });
  onStreamEnd(call, () => {
    outbound.close();
    room?.();
  });
  let total = 0;
  let first = true;
  for (let done = false; !done && !ended();) {
    done = source.step(ITEMS_PER_STEP);
    const bytes = source.take();
    for (let offset = 0; offset < bytes.byteLength || (first && done); ) {
      const data = bytes.subarray(offset, offset + limits.snapshotChunkBytes);
      offset += Math.max(1, data.byteLength);
      total += data.byteLength;
      // total_bytes is known only at the end: the last chunk says it (the CLI checks it).
      const last = done && offset >= bytes.byteLength;
      const chunk: SnapshotChunk = first ? { data, ...header } : { data };
      if (last) chunk.total_bytes = total;
      first = false;
      if (!outbound.write(call, chunk, data.byteLength + 32)) {
        await new Promise<void>((resolve) => {
          room = resolve;
        });
        room = undefined;
        if (ended()) return;
      }
    }
    // Encoding is CPU: let the event loop turn between pieces.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!ended()) call.end();
}
