import * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import type { RegistryNode } from '../replica/index.js';
import type { ClusterClient } from './generated/types/roster/v1/Cluster.js';
import type { RegistryClient } from './generated/types/roster/v1/Registry.js';
import { loadApiProtos } from './generated/load.js';

/** Set on a forwarded call: its receiver must not forward it again (no loops, one hop). */
export const FORWARDED_KEY = 'roster-forwarded';

export interface LeaderClients {
  readonly registry: RegistryClient;
  readonly cluster: ClusterClient;
}

/**
 * Writes arriving at a follower go to the leader (DESIGN.md, Reads, writes, watch): the
 * handler runs here on the leader, or is relayed once to the leader's client address with
 * the caller's deadline. Clients to each leader address are reused.
 */
export class LeaderForwarder {
  private readonly node: RegistryNode;
  private readonly clients = new Map<string, LeaderClients>();
  private readonly timeoutMs: number;
  private readonly credentials: () => grpc.ChannelCredentials;
  /** The credentials the cached clients were made with: new ones (TLS files reloaded) make
   * new clients. */
  private clientCredentials: grpc.ChannelCredentials | undefined;

  constructor(options: {
    node: RegistryNode; timeoutMs: number; credentials?: () => grpc.ChannelCredentials;
  }) {
    this.node = options.node;
    this.timeoutMs = options.timeoutMs;
    const insecure = grpc.credentials.createInsecure();
    this.credentials = options.credentials ?? (() => insecure);
  }

  /** The leader's client address, for hints; '' when unknown. */
  leaderAddress(): string {
    return this.node.leader()?.clientAddress ?? '';
  }

  async run<Response>(
    call: { metadata: grpc.Metadata; getDeadline(): grpc.Deadline },
    local: () => Promise<Response>,
    remote: (clients: LeaderClients, metadata: grpc.Metadata, options: grpc.CallOptions) =>
      Promise<Response>,
  ): Promise<Response> {
    if (this.node.isLeader()) return local();
    const leader = this.node.leader();
    if (leader === undefined || leader.clientAddress === '') {
      throw new RosterError('ROSTER_ERR_NO_LEADER');
    }
    if (call.metadata.get(FORWARDED_KEY).length > 0) {
      throw new RosterError('ROSTER_ERR_NOT_LEADER', `leader is ${leader.name}`);
    }
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_KEY, this.node.name);
    const callerDeadline = call.getDeadline();
    const ownDeadline = Date.now() + this.timeoutMs;
    const deadline = callerDeadline instanceof Date
      ? Math.min(callerDeadline.getTime(), ownDeadline)
      : typeof callerDeadline === 'number' && Number.isFinite(callerDeadline)
        ? Math.min(callerDeadline, ownDeadline) : ownDeadline;
    return remote(this.clientsFor(leader.clientAddress), metadata, { deadline });
  }

  private clientsFor(address: string): LeaderClients {
    const credentials = this.credentials();
    if (credentials !== this.clientCredentials) {
      this.close();
      this.clientCredentials = credentials;
    }
    const existing = this.clients.get(address);
    if (existing !== undefined) return existing;
    const protos = loadApiProtos();
    const clients = {
      registry: new protos.registry.roster.v1.Registry(address, credentials),
      cluster: new protos.cluster.roster.v1.Cluster(address, credentials),
    };
    this.clients.set(address, clients);
    return clients;
  }

  close(): void {
    for (const clients of this.clients.values()) {
      clients.registry.close();
      clients.cluster.close();
    }
    this.clients.clear();
  }
}

/** Promisifies one unary call of a grpc-js client. */
export function callUnary<Request, Response>(
  method: (request: Request, metadata: grpc.Metadata, options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown,
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, metadata, options, (error, response) => {
      if (error !== null) {
        reject(error);
      } else if (response === undefined) {
        reject(new RosterError('ROSTER_ERR_INTERNAL', 'empty response'));
      } else {
        resolve(response);
      }
    });
  });
}
