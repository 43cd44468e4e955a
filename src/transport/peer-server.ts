/**
 * The receiving half: handlers of the RaftTransport service. Messages are delivered in arrival
 * order per stream; nothing a peer sends can crash the process: a malformed batch or snapshot
 * ends that call with INVALID_ARGUMENT and is logged.
 */
import {
  Metadata, status,
  type ServerReadableStream, type ServerUnaryCall, type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

import type { Message, NodeId } from '../raft/index.js';
import {
  CodecError, NewerFormatError, decodeMessages, decodeSnapshotHeader,
} from './codec.js';
import type { TransportLogger, TransportStats } from './peer-context.js';
import { PeerGate } from './peer-gate.js';
import type {
  HelloRequest, HelloResponse, RaftBatch, SendSummary, SnapshotAck, SnapshotChunk,
} from './proto.js';

export interface ReceiverContext {
  readonly selfId: NodeId;
  /** The cluster this node belongs to (0 until known): other clusters' traffic is dropped. */
  readonly clusterId: () => number;
  /** Whether `id` is a peer this node knows: messages of any other are dropped. */
  readonly isPeer: (id: NodeId) => boolean;
  readonly logger: TransportLogger;
  readonly stats: TransportStats;
  /** Largest snapshot accepted, in data bytes. */
  readonly snapshotBytesMax: number;
  /** Snapshot transfers received at once (each buffers its data until complete). */
  readonly snapshotsReceivingMax: number;
  readonly onMessage: (message: Message) => void;
  /**
   * A peer opened a Send stream to us: it is up. Its first batch names it and says where it
   * listens (empty when the sender does not say).
   */
  readonly onPeerStream: (from: NodeId, name: string, address: string) => void;
  /** Answers Hello (identity before Raft); without it, Hello is UNAVAILABLE. */
  readonly onHello: ((request: HelloRequest) => Promise<HelloResponse>) | undefined;
}

export function createPeerHandlers(context: ReceiverContext): UntypedServiceImplementation {
  let snapshotsReceiving = 0;
  const gate = new PeerGate(context);
  return {
    Send: (call: ServerReadableStream<RaftBatch, SendSummary>,
      callback: sendUnaryData<SendSummary>) => receiveBatches(context, gate, call, callback),
    Hello: (call: ServerUnaryCall<HelloRequest, HelloResponse>,
      callback: sendUnaryData<HelloResponse>) => answerHello(context, call, callback),
    SendSnapshot: (call: ServerReadableStream<SnapshotChunk, SnapshotAck>,
      callback: sendUnaryData<SnapshotAck>) => {
      if (snapshotsReceiving >= context.snapshotsReceivingMax) {
        callback({ code: status.RESOURCE_EXHAUSTED,
          details: `already receiving ${snapshotsReceiving} snapshots` });
        return;
      }
      snapshotsReceiving += 1;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        snapshotsReceiving -= 1;
      };
      call.on('cancelled', release);
      call.on('error', release);
      receiveSnapshot(context, gate, call, (error, ack) => {
        release();
        callback(error, ack);
      });
    },
  };
}

function answerHello(
  context: ReceiverContext,
  call: ServerUnaryCall<HelloRequest, HelloResponse>,
  callback: sendUnaryData<HelloResponse>,
): void {
  const onHello = context.onHello;
  if (onHello === undefined) {
    callback({ code: status.UNAVAILABLE, details: 'this node is not answering Hello yet' });
    return;
  }
  onHello(call.request).then((response) => callback(null, response), (error: unknown) => {
    callback({ code: status.INVALID_ARGUMENT,
      details: error instanceof Error ? error.message : String(error) });
  });
}

function receiveBatches(
  context: ReceiverContext,
  gate: PeerGate,
  call: ServerReadableStream<RaftBatch, SendSummary>,
  callback: sendUnaryData<SendSummary>,
): void {
  let batches = 0;
  let done = false;
  // Headers now: the sender takes them as "the stream works" and resets its backoff.
  call.sendMetadata(new Metadata());
  call.on('data', (batch: RaftBatch) => {
    if (done || !gate.ofOurCluster(batch.cluster_id, call.getPeer())) return;
    let messages: Message[];
    try {
      messages = decodeMessages(batch.messages);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      done = true;
      callback(refusalOf(context, error, { from: batch.from, peer: call.getPeer() }));
      return;
    }
    batches += 1;
    if (batches === 1) context.onPeerStream(batch.from, batch.from_name, batch.from_address);
    context.stats.batchesReceived += 1;
    for (const message of messages) {
      if (!gate.admit(batch.from, message)) continue;
      context.stats.messagesReceived += 1;
      // Not caught: an exception here is a bug in the replica, and the process should crash.
      context.onMessage(message);
    }
  });
  call.on('end', () => {
    if (done) return;
    done = true;
    callback(null, { batches });
  });
  call.on('error', (error: Error) => {
    done = true;
    context.logger.debug({ peer: call.getPeer(), err: error.message }, 'raft stream error');
  });
}

/** Reassembles one snapshot; delivers it only when every declared byte arrived. */
function receiveSnapshot(
  context: ReceiverContext,
  gate: PeerGate,
  call: ServerReadableStream<SnapshotChunk, SnapshotAck>,
  callback: sendUnaryData<SnapshotAck>,
): void {
  const assembly = new SnapshotAssembly(context, gate);
  let done = false;
  const refuse = (problem: Problem): void => {
    done = true;
    assembly.discard();
    const fields = { peer: call.getPeer(), from: assembly.from, detail: problem.detail };
    if (problem.code === status.FAILED_PRECONDITION) {
      context.stats.newerFormatRefused += 1;
      context.logger.error(fields, 'refusing snapshot transfer');
    } else {
      context.stats.malformedReceived += 1;
      context.logger.warn(fields, 'refusing snapshot transfer');
    }
    callback({ code: problem.code, details: problem.detail });
  };
  let first = true;
  call.on('data', (chunk: SnapshotChunk) => {
    if (done) return;
    if (first && !gate.ofOurCluster(chunk.cluster_id, call.getPeer())) {
      done = true;
      callback({ code: status.PERMISSION_DENIED, details: 'snapshot from another cluster' });
      return;
    }
    first = false;
    context.stats.snapshotChunksReceived += 1;
    const problem = assembly.add(chunk);
    if (problem !== undefined) refuse(problem);
  });
  call.on('end', () => {
    if (done) return;
    const result = assembly.finish();
    if (!('message' in result)) return refuse(result);
    done = true;
    const message = result.message;
    context.stats.snapshotsReceived += 1;
    context.logger.info({ from: message.from, index: message.snapshot?.metadata.index,
      bytes: message.snapshot?.data.byteLength }, 'snapshot received');
    context.onMessage(message);
    callback(null, { accepted: true });
  });
  call.on('error', (error: Error) => {
    done = true;
    assembly.discard();
    context.logger.debug({ peer: call.getPeer(), err: error.message }, 'snapshot stream error');
  });
}

/**
 * Ends a stream whose bytes this node cannot read. A newer wire format is a peer running a
 * newer Roster (FAILED_PRECONDITION: the operator must upgrade this node), told apart from
 * damage or hostility (INVALID_ARGUMENT); both are counted and logged.
 */
function refusalOf(context: ReceiverContext, error: CodecError,
  fields: { from: NodeId; peer: string }): { code: status; details: string } {
  if (error instanceof NewerFormatError) {
    context.stats.newerFormatRefused += 1;
    context.logger.error({ ...fields, version: error.version }, error.message);
    return { code: status.FAILED_PRECONDITION, details: error.message };
  }
  context.stats.malformedReceived += 1;
  context.logger.warn({ ...fields, err: error.message }, 'malformed raft batch; ending the stream');
  return { code: status.INVALID_ARGUMENT, details: error.message };
}

/**
 * The chunks of one transfer. Data is kept as received and joined once at the end, so a sender
 * that declares a huge size but sends nothing costs nothing.
 */
class SnapshotAssembly {
  private readonly context: ReceiverContext;
  private readonly gate: PeerGate;
  private header: Message | undefined;
  private totalBytes = 0;
  private receivedBytes = 0;
  private chunks: Uint8Array[] = [];

  constructor(context: ReceiverContext, gate: PeerGate) {
    this.context = context;
    this.gate = gate;
  }

  get from(): NodeId | undefined {
    return this.header?.from;
  }

  add(chunk: SnapshotChunk): Problem | undefined {
    const problem = this.header === undefined ? this.acceptHeader(chunk) :
      chunk.header.byteLength > 0 ? invalid('a second snapshot header') : undefined;
    if (problem !== undefined) return problem;
    this.receivedBytes += chunk.data.byteLength;
    if (this.receivedBytes > this.totalBytes) {
      return invalid(`snapshot data exceeds the declared ${this.totalBytes} bytes`);
    }
    this.chunks.push(chunk.data);
    return undefined;
  }

  finish(): { message: Message } | Problem {
    const header = this.header;
    if (header?.snapshot === undefined) return invalid('no snapshot header');
    if (this.receivedBytes !== this.totalBytes) {
      return invalid(`snapshot ended after ${this.receivedBytes} of ${this.totalBytes} bytes`);
    }
    const joined = Buffer.concat(this.chunks, this.totalBytes);
    const data = new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
    this.discard();
    const snapshot = { metadata: header.snapshot.metadata, data };
    return { message: { ...header, snapshot } };
  }

  discard(): void {
    this.chunks = [];
  }

  private acceptHeader(chunk: SnapshotChunk): Problem | undefined {
    if (chunk.header.byteLength === 0) return invalid('the first chunk has no header');
    let header: Message;
    try {
      header = decodeSnapshotHeader(chunk.header);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      return error instanceof NewerFormatError
        ? { code: status.FAILED_PRECONDITION, detail: error.message } : invalid(error.message);
    }
    if (header.to !== this.context.selfId) {
      return invalid(`snapshot for node ${header.to} reached node ${this.context.selfId}`);
    }
    if (!this.gate.admit(header.from, header)) {
      return { code: status.PERMISSION_DENIED, detail: 'snapshot refused (see the logs)' };
    }
    const totalBytes = chunk.total_bytes;
    if (!Number.isSafeInteger(totalBytes) || totalBytes > this.context.snapshotBytesMax) {
      return { code: status.RESOURCE_EXHAUSTED,
        detail: `snapshot of ${totalBytes} bytes exceeds ${this.context.snapshotBytesMax}` };
    }
    this.header = header;
    this.totalBytes = totalBytes;
    return undefined;
  }
}

interface Problem {
  readonly code: status;
  readonly detail: string;
}

function invalid(detail: string): Problem {
  return { code: status.INVALID_ARGUMENT, detail };
}
