import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { RegistryNode, Scheduler } from '../replica/index.js';
import { clusterHandlers } from './cluster-service.js';
import { LeaderForwarder } from './forward.js';
import { loadApiProtos } from './generated/load.js';
import { registryHandlers } from './registry-service.js';
import { streamHandlers, registryServiceDefinition } from './stream-service.js';
import { watchHandlers } from './watch-service.js';
import type { ApiLogger, HandlerContext } from './unary.js';

export interface ApiServerOptions {
  readonly node: RegistryNode;
  readonly logger: ApiLogger;
  readonly scheduler: Scheduler;
  /** How long a follower waits for the leader when forwarding a write. */
  readonly forwardTimeoutMs: number;
  /** How often grpc.health.v1 status follows the node's readiness. */
  readonly healthIntervalMs: number;
}

/** Options for every Roster gRPC server: big enough messages, keepalive tolerated. */
export const SERVER_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
};

/**
 * The client-facing gRPC server: roster.v1.Registry, roster.v1.Cluster, and
 * grpc.health.v1.Health (SERVING once the node is ready: it has a leader and has applied what
 * was committed when it started).
 */
export class ApiServer {
  private readonly server = new grpc.Server(SERVER_OPTIONS);
  private readonly forwarder: LeaderForwarder;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly options: ApiServerOptions;
  private stopHealth: (() => void) | undefined;
  private accepting = true;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.forwarder = new LeaderForwarder({
      node: options.node, timeoutMs: options.forwardTimeoutMs,
    });
    const context: HandlerContext = {
      node: options.node, logger: options.logger, forwarder: this.forwarder,
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
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (error, bound) => {
        if (error !== null) reject(new Error(`cannot listen on ${listen}: ${error.message}`));
        else resolve(bound);
      });
    });
    this.updateHealth();
    this.stopHealth = this.options.scheduler.every(this.options.healthIntervalMs,
      () => this.updateHealth());
    const host = listen.slice(0, listen.lastIndexOf(':'));
    return `${host}:${port}`;
  }

  private updateHealth(): void {
    const ready = this.accepting && this.options.node.status().ready;
    this.health.setStatus('', ready ? 'SERVING' : 'NOT_SERVING');
  }

  /** Stops accepting calls: health goes NOT_SERVING, then the server drains its calls. */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    this.updateHealth();
    this.stopHealth?.();
    this.forwarder.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
