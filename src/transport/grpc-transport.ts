/**
 * The peer transport over gRPC (proto/roster/v1/raft.proto). Per peer: one long-lived `Send`
 * stream fed by a bounded queue, flushed as one RaftBatch per event-loop turn (peer-stream.ts),
 * and `SendSnapshot` calls for InstallSnapshot, one at a time (snapshot-sender.ts). Incoming
 * calls are served by peer-server.ts. Fire and forget: send() never blocks or throws for
 * network trouble; the replica learns of trouble through onUnreachable and onSnapshotReport,
 * always on a later event-loop turn than the send() that caused it.
 */
import { Client, Server, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';

import { assert } from '../core/assert.js';
import type { BackoffOptions } from '../core/backoff.js';
import type { Message, NodeId } from '../raft/index.js';
import {
  createPeerCredentials, type PeerCredentials, type PeerTlsFiles,
} from './credentials.js';
import {
  SILENT_LOGGER, emptyStats,
  type SenderContext, type TransportLogger, type TransportStats,
} from './peer-context.js';
import { createPeerHandlers } from './peer-server.js';
import { PeerStream } from './peer-stream.js';
import {
  raftService, type HelloRequest, type HelloResponse, type RaftService,
} from './proto.js';
import { SnapshotSender } from './snapshot-sender.js';
import type { Transport } from './transport.js';

/** Messages queued for one peer before new ones are dropped. */
export const TRANSPORT_QUEUE_MESSAGES_MAX = 8192;
/** Encoded bytes queued for one peer before new messages are dropped. */
export const TRANSPORT_QUEUE_BYTES_MAX = 32 * 1024 * 1024;
/** Encoded bytes in one RaftBatch (below the gRPC message limit). */
export const TRANSPORT_BATCH_BYTES_MAX = 16 * 1024 * 1024;
export const TRANSPORT_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** Largest snapshot a node accepts from a peer. */
export const TRANSPORT_SNAPSHOT_BYTES_MAX = 1024 * 1024 * 1024;
/**
 * Snapshot transfers a node receives at once; each buffers up to TRANSPORT_SNAPSHOT_BYTES_MAX
 * until complete. Only the leader sends snapshots, so one is the norm; two cover a leader change.
 */
export const TRANSPORT_SNAPSHOTS_RECEIVING_MAX = 2;
/** A snapshot transfer that takes longer fails (a stalled receiver must not pin the leader). */
export const TRANSPORT_SNAPSHOT_TIMEOUT_MS = 10 * 60 * 1000;
/** Peers one transport knows. */
export const TRANSPORT_PEERS_MAX = 256;
/** stop() waits at most this long for the server's sockets to close. */
const SERVER_CLOSE_WAIT_MS = 2_000;
/** gRPC message size limit, both ways: a batch fits with room to spare. */
export const TRANSPORT_GRPC_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

const KEEPALIVE = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
} as const;

const CHANNEL_OPTIONS: ChannelOptions = {
  ...KEEPALIVE,
  'grpc.max_send_message_length': TRANSPORT_GRPC_MESSAGE_BYTES_MAX,
  'grpc.max_receive_message_length': TRANSPORT_GRPC_MESSAGE_BYTES_MAX,
  // The channel's reconnect backoff matches the stream's (50 ms .. 2 s), so a peer that comes
  // back is reachable within about two seconds, not grpc's default two minutes.
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 2_000,
  // Raft retransmits; a retry layer would only buffer copies of batches.
  'grpc.enable_retries': 0,
  // Each transport owns its connections: stop() closes them, whatever else runs in the process.
  'grpc.use_local_subchannel_pool': 1,
};

/** Between attempts to reopen a broken stream: the channel's range above, jittered. */
const DEFAULT_RECONNECT_BACKOFF: BackoffOptions = {
  initialMs: 50, maxMs: 2_000, random: Math.random,
};

const SERVER_OPTIONS: ChannelOptions = {
  ...KEEPALIVE,
  // Accept the clients' pings (grpc-core servers enforce this; grpc-js ignores it).
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.max_send_message_length': TRANSPORT_GRPC_MESSAGE_BYTES_MAX,
  'grpc.max_receive_message_length': TRANSPORT_GRPC_MESSAGE_BYTES_MAX,
};

export interface GrpcTransportOptions {
  readonly id: NodeId;
  /** This node's member name and advertised peer address, told to the peers it streams to. */
  readonly name?: string;
  readonly advertise?: string;
  /** The cluster this node belongs to; 0 (the default) until it founds or joins one. */
  readonly clusterId?: number;
  /** 'host:port' for the peer gRPC server; port 0 picks a free one. */
  readonly listen: string;
  /** Delivered in arrival order per peer. */
  readonly onMessage: (message: Message) => void;
  readonly onSnapshotReport: (to: NodeId, succeeded: boolean) => void;
  readonly onUnreachable: (to: NodeId) => void;
  /** A stream the peer had accepted broke (peer died or restarted); optional hint. */
  readonly onConnectionLost?: (to: NodeId) => void;
  /** A known peer opened a stream to us (it started, or a link came back); optional hint. */
  readonly onPeerReconnected?: (from: NodeId) => void;
  readonly logger?: TransportLogger;
  readonly queueMessagesMax?: number;
  readonly queueBytesMax?: number;
  readonly snapshotChunkBytes?: number;
  readonly snapshotBytesMax?: number;
  readonly snapshotTimeoutMs?: number;
  /** Between attempts to reopen a broken stream to a peer (tests lengthen it). */
  readonly reconnectBackoff?: BackoffOptions;
  /**
   * A peer we have no address for opened a stream and said where it listens (it was added to
   * the cluster after what our log holds): the owner decides whether to set it.
   */
  readonly onPeerAddress?: (id: NodeId, name: string, address: string) => void;
  /** Answers peers' Hello calls (see raft.proto); set later with answerHello(). */
  readonly onHello?: (request: HelloRequest) => Promise<HelloResponse>;
  /** Mutual TLS between peers; plaintext without it. */
  readonly tls?: PeerTlsFiles;
}

interface Peer {
  readonly address: string;
  readonly client: Client;
  readonly stream: PeerStream;
  readonly snapshots: SnapshotSender;
}

export class GrpcTransport implements Transport {
  readonly id: NodeId;
  private readonly options: GrpcTransportOptions;
  private readonly logger: TransportLogger;
  private readonly service: RaftService;
  private readonly credentials: PeerCredentials;
  private readonly context: SenderContext;
  private readonly counters: TransportStats = emptyStats();
  private readonly peers = new Map<NodeId, Peer>();
  private server: Server | undefined;
  private starting: Promise<string> | undefined;
  private stopping: Promise<void> | undefined;
  private pendingReports: NodeJS.Immediate | undefined;
  private listening = false;
  private unreachableNoAddress = new Set<NodeId>();
  private snapshotsNoAddress = new Set<NodeId>();
  private clusterIdValue: number;
  private onHello: ((request: HelloRequest) => Promise<HelloResponse>) | undefined;

  constructor(options: GrpcTransportOptions) {
    assert(Number.isSafeInteger(options.id) && options.id > 0, `bad node id ${options.id}`);
    this.id = options.id;
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.service = raftService();
    this.credentials = createPeerCredentials(options.tls);
    this.clusterIdValue = options.clusterId ?? 0;
    this.onHello = options.onHello;
    this.context = {
      selfId: options.id,
      selfName: options.name ?? '',
      selfAddress: options.advertise ?? '',
      clusterId: () => this.clusterIdValue,
      logger: this.logger,
      stats: this.counters,
      queueMessagesMax: positive(options.queueMessagesMax, TRANSPORT_QUEUE_MESSAGES_MAX),
      queueBytesMax: positive(options.queueBytesMax, TRANSPORT_QUEUE_BYTES_MAX),
      batchBytesMax: TRANSPORT_BATCH_BYTES_MAX,
      snapshotChunkBytes: positive(options.snapshotChunkBytes, TRANSPORT_SNAPSHOT_CHUNK_BYTES),
      snapshotTimeoutMs: positive(options.snapshotTimeoutMs, TRANSPORT_SNAPSHOT_TIMEOUT_MS),
      reconnectBackoff: options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF,
      onUnreachable: (to) => {
        if (this.stopping === undefined) options.onUnreachable(to);
      },
      onConnectionLost: (to) => {
        if (this.stopping === undefined) options.onConnectionLost?.(to);
      },
      onSnapshotReport: (to, succeeded) => {
        if (this.stopping === undefined) options.onSnapshotReport(to, succeeded);
      },
    };
  }

  /** Binds the peer server; resolves with the bound 'host:port'. */
  start(): Promise<string> {
    assert(this.stopping === undefined, 'GrpcTransport.start() after stop()');
    this.starting ??= this.bind();
    return this.starting;
  }

  /** Whether peers authenticate each other (mutual TLS). */
  get secure(): boolean {
    return this.credentials.secure;
  }

  /** The cluster this node founded or joined: from now on its traffic is sent and accepted. */
  setClusterId(clusterId: number): void {
    assert(Number.isSafeInteger(clusterId) && clusterId > 0, `bad cluster id ${clusterId}`);
    this.clusterIdValue = clusterId;
  }

  /** Who answers peers' Hello calls from now on. */
  answerHello(onHello: (request: HelloRequest) => Promise<HelloResponse>): void {
    this.onHello = onHello;
  }

  /**
   * Asks the node at `address` who it is and what it knows (founding, rejoining); a channel of
   * its own, closed after the call.
   */
  hello(address: string, request: HelloRequest, timeoutMs: number): Promise<HelloResponse> {
    const client = new Client(address, this.credentials.channel, CHANNEL_OPTIONS);
    const method = this.service.hello;
    return new Promise<HelloResponse>((resolve, reject) => {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize,
        request, { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response?: HelloResponse) => {
          client.close();
          if (error !== null || response === undefined) {
            reject(error ?? new Error(`no Hello answer from ${address}`));
          } else {
            resolve(response);
          }
        });
    });
  }

  /** Adds a peer or changes its address (the old connection is dropped). */
  setPeer(id: NodeId, address: string): void {
    assert(Number.isSafeInteger(id) && id > 0, `bad peer id ${id}`);
    if (this.stopping !== undefined) return;
    if (id === this.id) {
      this.logger.warn({ peer: id, address }, 'ignoring this node as its own raft peer');
      return;
    }
    const existing = this.peers.get(id);
    if (existing?.address === address) return;
    if (existing !== undefined) this.closePeer(existing, true);
    else assert(this.peers.size < TRANSPORT_PEERS_MAX, `more than ${TRANSPORT_PEERS_MAX} peers`);
    // Snapshots have a channel of their own: a transfer never queues appends behind it.
    const client = new Client(address, this.credentials.channel, CHANNEL_OPTIONS);
    const connect = (): Client => new Client(address, this.credentials.channel, CHANNEL_OPTIONS);
    const stream = new PeerStream({ peerId: id, context: this.context, connect,
      service: this.service });
    this.peers.set(id, {
      address, client, stream,
      snapshots: new SnapshotSender({ peerId: id, context: this.context, client,
        service: this.service }),
    });
    this.logger.info({ peer: id, address }, 'raft peer set');
    if (this.listening) stream.announce();
  }

  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    this.peers.delete(id);
    this.closePeer(peer, false);
    this.logger.info({ peer: id }, 'raft peer removed');
  }

  send(messages: readonly Message[]): void {
    if (this.stopping !== undefined) return;
    for (const message of messages) {
      const peer = this.peers.get(message.to);
      if (peer === undefined) this.noAddress(message);
      else if (message.type === 'snap') peer.snapshots.send(message);
      else peer.stream.enqueue(message);
    }
  }

  /** Closes every stream and the server. Idempotent; leaves no timers or sockets. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** A copy of the counters. */
  stats(): TransportStats {
    return { ...this.counters };
  }

  /** Messages waiting for `peer`'s stream (0 for an unknown peer). */
  queueLength(peer: NodeId): number {
    return this.peers.get(peer)?.stream.queueLength ?? 0;
  }

  /** Encoded bytes waiting for `peer`'s stream. */
  queuedBytes(peer: NodeId): number {
    return this.peers.get(peer)?.stream.queuedBytes ?? 0;
  }

  private bind(): Promise<string> {
    const server = new Server(SERVER_OPTIONS);
    server.addService(this.service.definition, createPeerHandlers({
      selfId: this.id,
      clusterId: () => this.clusterIdValue,
      isPeer: (id) => this.peers.has(id),
      onHello: (request) => this.onHello === undefined
        ? Promise.reject(new Error('this node is not answering Hello yet'))
        : this.onHello(request),
      logger: this.logger,
      stats: this.counters,
      snapshotBytesMax: positive(this.options.snapshotBytesMax, TRANSPORT_SNAPSHOT_BYTES_MAX),
      snapshotsReceivingMax: TRANSPORT_SNAPSHOTS_RECEIVING_MAX,
      onMessage: (message) => {
        if (this.stopping === undefined) this.options.onMessage(message);
      },
      onPeerStream: (from, name, address) => {
        const peer = this.peers.get(from);
        if (peer !== undefined) {
          peer.stream.retryNow();
          if (this.stopping === undefined) this.options.onPeerReconnected?.(from);
        } else if (address !== '' && this.stopping === undefined) {
          this.options.onPeerAddress?.(from, name, address);
        }
      },
    }));
    this.server = server;
    const listen = this.options.listen;
    return new Promise<string>((resolve, reject) => {
      server.bindAsync(listen, this.credentials.server, (error, port) => {
        if (error !== null) {
          reject(new Error(`cannot listen for peers on ${listen}: ${error.message}`));
          return;
        }
        const address = `${hostOf(listen)}:${port}`;
        this.logger.info({ id: this.id, address }, 'raft transport listening');
        // Now that peers can answer us, tell each that we are up (see PeerStream.retryNow).
        this.listening = true;
        if (this.stopping === undefined) {
          for (const peer of this.peers.values()) peer.stream.announce();
        }
        resolve(address);
      });
    });
  }

  /** A message for a peer without an address: dropped, reported on the next turn. */
  private noAddress(message: Message): void {
    this.counters.messagesDropped += 1;
    if (message.type === 'snap') this.snapshotsNoAddress.add(message.to);
    else this.unreachableNoAddress.add(message.to);
    this.pendingReports ??= setImmediate(() => {
      this.pendingReports = undefined;
      const unreachable = this.unreachableNoAddress;
      const snapshots = this.snapshotsNoAddress;
      this.unreachableNoAddress = new Set();
      this.snapshotsNoAddress = new Set();
      for (const to of unreachable) this.context.onUnreachable(to);
      for (const to of snapshots) {
        this.counters.snapshotsFailed += 1;
        this.context.onSnapshotReport(to, false);
      }
    });
  }

  private closePeer(peer: Peer, reportSnapshot: boolean): void {
    peer.stream.close();
    peer.snapshots.close(reportSnapshot);
    peer.client.close();
  }

  private async shutdown(): Promise<void> {
    for (const peer of this.peers.values()) this.closePeer(peer, false);
    this.peers.clear();
    if (this.pendingReports !== undefined) clearImmediate(this.pendingReports);
    this.pendingReports = undefined;
    if (this.starting !== undefined) {
      // A bind in progress must finish before the server can be shut down.
      await this.starting.catch(() => undefined);
    }
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await closeServer(server);
    this.logger.info({ id: this.id }, 'raft transport stopped');
  }
}

/**
 * Peers' streams never end by themselves, so the server is shut down by force; the promise
 * resolves once the listening socket and the sessions are closed (the port is free again).
 */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, SERVER_CLOSE_WAIT_MS);
    server.tryShutdown(() => {
      clearTimeout(fallback);
      resolve();
    });
    server.forceShutdown();
  });
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  assert(Number.isSafeInteger(value) && value > 0, `transport limit ${value} must be positive`);
  return value;
}

/** The host part of 'host:port' or '[v6]:port'. */
function hostOf(listen: string): string {
  const colon = listen.lastIndexOf(':');
  return colon < 0 ? listen : listen.slice(0, colon);
}
