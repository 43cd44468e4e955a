import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { limits as defaultLimits, type ClientLimits } from '../core/limits.js';
import type { RegistryFacade, Scheduler } from '../replica/api-surface.js';
import { clusterHandlers } from './cluster-service.js';
import { LeaderForwarder } from './forward.js';
import { loadApiProtos } from '../wire/index.js';
import { ClientListener, type TlsSource } from './listener.js';
import { OutboundBudget } from './outbound.js';
import { ConnectionRateLimiter } from './rate-limit.js';
import { unaryOutboundInterceptor } from './unary-outbound.js';
import { WriteQuota } from './quota.js';
import { registryHandlers } from './registry-service.js';
import { streamHandlers, registryServiceDefinition } from './stream-service.js';
import { watchHandlers } from './watch-service.js';
import type { ApiLogger, HandlerContext } from './unary.js';

export interface ApiServerOptions {
  readonly node: RegistryFacade;
  readonly logger: ApiLogger;
  readonly scheduler: Scheduler;
  /** How long a follower waits for the leader when forwarding a write. */
  readonly forwardTimeoutMs: number;
  /** How often grpc.health.v1 status follows the node's readiness. */
  readonly healthIntervalMs: number;
  /** Defaults: core/limits.ts. */
  readonly limits?: Partial<ClientLimits>;
  /** TLS on the client port; plaintext without it. */
  readonly tls?: TlsSource;
  /** How this node reaches the leader's client port to forward writes (TLS when it is). */
  readonly leaderCredentials?: () => grpc.ChannelCredentials;
}

/** How often stalled streams are looked for. */
const STREAM_SWEEP_INTERVAL_MS = 1_000;

/**
 * grpc-js settings of the client port: the receive limit, checked against each message's
 * length prefix before its bytes are even buffered (a 25 MB registration used to be decoded
 * whole before validation, holding the leader's event loop for seconds); HTTP/2 streams per
 * connection; idle connections closed; and keepalive pings, which close connections whose
 * peer stopped answering (a client that sent its preface and nothing since).
 */
export function clientServerOptions(limits: ClientLimits,
  interceptors: grpc.ServerInterceptor[] = []): grpc.ServerOptions {
  return {
    interceptors,
    'grpc.max_receive_message_length': limits.requestBytesMax,
    'grpc.max_send_message_length': defaultLimits.responseBytesMax,
    'grpc.max_concurrent_streams': limits.streamsPerConnectionMax,
    'grpc.max_connection_idle_ms': limits.connectionIdleMs,
    'grpc.keepalive_time_ms': defaultLimits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': defaultLimits.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  };
}

/**
 * The client-facing gRPC server: roster.v1.Registry, roster.v1.Cluster, and
 * grpc.health.v1.Health (SERVING once the node is ready: it has a leader and has applied what
 * was committed when it started). Its sockets are accepted by ClientListener (connection cap,
 * TLS) and handed to grpc-js.
 */
export class ApiServer {
  private readonly server: grpc.Server;
  private readonly forwarder: LeaderForwarder;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly options: ApiServerOptions;
  private readonly limits: ClientLimits;
  private readonly outbound: OutboundBudget;
  private readonly rateLimiter: ConnectionRateLimiter;
  private listener: ClientListener | undefined;
  private stopTimers: (() => void)[] = [];
  private accepting = true;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.limits = { ...defaultLimits, ...options.limits };
    this.outbound = new OutboundBudget({
      streamBytesMax: this.limits.streamBufferBytesMax,
      totalBytesMax: Math.max(this.limits.bufferedBytesMax, this.limits.streamBufferBytesMax),
      stallMs: this.limits.streamStallMs,
      stallMinMs: Math.min(defaultLimits.streamStallMinMs, this.limits.streamStallMs),
      streamsMax: this.limits.streamsMax,
    }, () => performance.now());
    this.rateLimiter = new ConnectionRateLimiter(this.limits.connectionRequestsPerSecond,
      () => performance.now());
    this.server = new grpc.Server(clientServerOptions(this.limits, [
      this.rateLimiter.interceptor(),
      unaryOutboundInterceptor({
        outbound: this.outbound, closePeer: (peer) => this.listener?.destroyPeer(peer) ?? false,
      }),
    ]));
    this.forwarder = new LeaderForwarder({
      node: options.node, timeoutMs: options.forwardTimeoutMs,
      ...(options.leaderCredentials === undefined ? {} :
        { credentials: options.leaderCredentials }),
    });
    const context: HandlerContext = {
      node: options.node, logger: options.logger, forwarder: this.forwarder,
      outbound: this.outbound, quota: new WriteQuota(this.limits.quotaBytes),
      closePeer: (peer) => this.listener?.destroyPeer(peer) ?? false,
    };
    const protos = loadApiProtos();
    const registry = {
      ...registryHandlers(context), ...streamHandlers(context), ...watchHandlers(context),
    };
    this.server.addService(registryServiceDefinition(),
      registry as grpc.UntypedServiceImplementation);
    this.server.addService(protos.cluster.roster.v1.Cluster.service,
      clusterHandlers(context) as grpc.UntypedServiceImplementation);
    this.health.addToServer(this.server);
  }

  /** Binds and serves; resolves with the bound address (port 0 picks one). */
  async start(listen: string): Promise<string> {
    const injector = this.server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    this.listener = new ClientListener({
      listen,
      connectionsMax: this.limits.connectionsMax,
      handshakeTimeoutMs: defaultLimits.connectionSilentMs,
      tls: this.options.tls,
      accept: (socket) => injector.injectConnection(socket),
      onClose: (peer) => this.rateLimiter.forget(peer),
      onTlsError: (error) =>
        this.options.logger.debug({ err: error.message }, 'TLS handshake failed'),
    });
    const address = await this.listener.start();
    this.updateHealth();
    this.stopTimers = [
      this.options.scheduler.every(this.options.healthIntervalMs, () => this.updateHealth()),
      this.options.scheduler.every(STREAM_SWEEP_INTERVAL_MS, () => this.outbound.sweep()),
    ];
    return address;
  }

  /** Bytes server streams hold for their clients, and the streams holding them. */
  bufferedBytes(): { bytes: number; streams: number } {
    return { bytes: this.outbound.bytes, streams: this.outbound.streamCount };
  }

  private updateHealth(): void {
    const ready = this.accepting && this.options.node.status().ready;
    this.health.setStatus('', ready ? 'SERVING' : 'NOT_SERVING');
  }

  /** Stops accepting calls: health goes NOT_SERVING, then the server drains its calls. */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    this.updateHealth();
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.forwarder.close();
    this.listener?.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        this.listener?.destroyAll();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
