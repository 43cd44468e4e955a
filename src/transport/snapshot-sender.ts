/**
 * InstallSnapshot over `SendSnapshot`: one call per snapshot, at most one in flight per peer.
 * The first chunk carries the encoded 'snap' header (metadata, no data) and the total size; the
 * data follows in snapshotChunkBytes slices, written one at a time (each write waits for the
 * previous one to be taken by HTTP/2), so a slow receiver holds back the sender instead of
 * filling memory. The call's outcome becomes onSnapshotReport(peer, accepted).
 */
import type { Client, ClientWritableStream, ServiceError } from '@grpc/grpc-js';

import { assert } from '../core/assert.js';
import type { Message, NodeId } from '../raft/index.js';
import { encodeSnapshotHeader } from './codec.js';
import type { SenderContext } from './peer-context.js';
import type { RaftService, SnapshotAck, SnapshotChunk } from './proto.js';

const NO_BYTES = new Uint8Array(0);

export class SnapshotSender {
  readonly peerId: NodeId;
  private readonly context: SenderContext;
  private readonly client: Client;
  private readonly service: RaftService;
  private inFlight: ClientWritableStream<SnapshotChunk> | undefined;
  private closed = false;

  constructor(options: {
    peerId: NodeId;
    context: SenderContext;
    client: Client;
    service: RaftService;
  }) {
    this.peerId = options.peerId;
    this.context = options.context;
    this.client = options.client;
    this.service = options.service;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /**
   * Starts sending a 'snap' message. A second snapshot while one is in flight is dropped: the
   * leader waits for the first one's report before it sends another (Raft's snapshot state).
   */
  send(message: Message): void {
    const snapshot = message.snapshot;
    assert(message.type === 'snap' && snapshot !== undefined, 'SnapshotSender sends snapshots');
    if (this.closed) return;
    if (this.inFlight !== undefined) {
      this.context.logger.debug({ peer: this.peerId, index: snapshot.metadata.index },
        'snapshot to peer already in flight; dropping another');
      return;
    }
    const header = encodeSnapshotHeader(message);
    const data = snapshot.data;
    const method = this.service.sendSnapshot;
    let ended = false;
    const call = this.client.makeClientStreamRequest<SnapshotChunk, SnapshotAck>(
      method.path, method.requestSerialize, method.responseDeserialize,
      { deadline: Date.now() + this.context.snapshotTimeoutMs },
      (error: ServiceError | null, ack?: SnapshotAck) => {
        ended = true;
        if (this.inFlight !== call) return; // closed: nobody is waiting for the report
        this.inFlight = undefined;
        this.finish(message, error, ack);
      },
    );
    call.on('error', (error: Error) => {
      this.context.logger.debug({ peer: this.peerId, err: error }, 'snapshot stream error');
    });
    this.inFlight = call;
    this.context.logger.info({ peer: this.peerId, index: snapshot.metadata.index,
      bytes: data.byteLength }, 'sending snapshot to peer');
    const chunkBytes = this.context.snapshotChunkBytes;
    const writeFrom = (offset: number): void => {
      if (ended || this.inFlight !== call) return;
      const end = Math.min(offset + chunkBytes, data.byteLength);
      const first = offset === 0;
      const chunk: SnapshotChunk = {
        header: first ? header : NO_BYTES,
        data: data.subarray(offset, end),
        total_bytes: first ? data.byteLength : 0,
        cluster_id: first ? this.context.clusterId() : 0,
      };
      call.write(chunk, () => {
        if (ended || this.inFlight !== call) return;
        if (end >= data.byteLength) call.end();
        else writeFrom(end);
      });
    };
    writeFrom(0);
  }

  /** Cancels a transfer in flight; with `report`, the leader learns it failed. */
  close(report: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const call = this.inFlight;
    this.inFlight = undefined;
    if (call === undefined) return;
    call.cancel();
    if (report) {
      this.context.stats.snapshotsFailed += 1;
      // Asynchronous like every other report: the caller may be inside the replica.
      setImmediate(() => this.context.onSnapshotReport(this.peerId, false));
    }
  }

  private finish(message: Message, error: ServiceError | null, ack: SnapshotAck | undefined): void {
    const succeeded = error === null && ack?.accepted === true;
    const fields = { peer: this.peerId, index: message.snapshot?.metadata.index,
      code: error?.code, detail: error?.details };
    if (succeeded) {
      this.context.stats.snapshotsSent += 1;
      this.context.logger.info(fields, 'snapshot delivered to peer');
    } else {
      this.context.stats.snapshotsFailed += 1;
      this.context.logger.warn(fields, 'snapshot to peer failed');
    }
    this.context.onSnapshotReport(this.peerId, succeeded);
  }
}
