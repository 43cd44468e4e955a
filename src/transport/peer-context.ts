/** What the per-peer senders and the receiving handlers share with the transport that owns them. */
import type { BackoffOptions } from '../core/backoff.js';
import type { NodeId } from '../raft/index.js';

/** pino-compatible: structured fields first, then the message. */
export interface TransportLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT_LOGGER: TransportLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Counters for tests and metrics; they only ever grow. */
export interface TransportStats {
  /** RaftBatch messages written to Send streams (one per flush per peer). */
  batchesSent: number;
  messagesSent: number;
  /** Messages dropped: queue full, no address, or queued when a stream broke. */
  messagesDropped: number;
  batchesReceived: number;
  messagesReceived: number;
  /** Received messages not addressed to this node or not from the batch's sender. */
  messagesDiscarded: number;
  /** Batches and snapshots dropped because they came from another cluster (or none yet). */
  foreignDropped: number;
  /** Well-formed messages dropped because their sender is no peer this node knows. */
  strangerDropped: number;
  /** Messages dropped because a field is out of range or inconsistent (messageProblem). */
  invalidDropped: number;
  /** Streams or snapshot transfers refused because their content was malformed. */
  malformedReceived: number;
  /** Streams refused because a peer wrote a wire format newer than this build reads. */
  newerFormatRefused: number;
  snapshotsSent: number;
  snapshotsFailed: number;
  snapshotsReceived: number;
  snapshotChunksReceived: number;
  /** Send streams that broke or could not be opened. */
  streamFailures: number;
}

export function emptyStats(): TransportStats {
  return {
    batchesSent: 0, messagesSent: 0, messagesDropped: 0, batchesReceived: 0,
    messagesReceived: 0, messagesDiscarded: 0, foreignDropped: 0, strangerDropped: 0,
    invalidDropped: 0, malformedReceived: 0, newerFormatRefused: 0,
    snapshotsSent: 0,
    snapshotsFailed: 0, snapshotsReceived: 0, snapshotChunksReceived: 0, streamFailures: 0,
  };
}

export interface SenderContext {
  readonly selfId: NodeId;
  /** Sent on each stream's first batch, so a peer that does not know us yet can answer. */
  readonly selfName: string;
  readonly selfAddress: string;
  /** The cluster this node belongs to (0 until it founds or joins one), sent with every batch. */
  readonly clusterId: () => number;
  readonly logger: TransportLogger;
  readonly stats: TransportStats;
  readonly queueMessagesMax: number;
  readonly queueBytesMax: number;
  readonly batchBytesMax: number;
  readonly snapshotChunkBytes: number;
  readonly snapshotTimeoutMs: number;
  /** Between attempts to reopen a broken stream. */
  readonly reconnectBackoff: BackoffOptions;
  readonly onUnreachable: (to: NodeId) => void;
  /** An accepted stream to the peer broke: its process likely died (a liveness hint). */
  readonly onConnectionLost: (to: NodeId) => void;
  readonly onSnapshotReport: (to: NodeId, succeeded: boolean) => void;
}
