import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import type { ClusterClient } from '../api/generated/types/roster/v1/Cluster.js';
import type { RegistryClient } from '../api/generated/types/roster/v1/Registry.js';
import { loadApiProtos } from './protos.js';

/** The client stubs of one node's client port. */
export interface Stubs {
  readonly registry: RegistryClient;
  readonly cluster: ClusterClient;
}

/**
 * Client stubs per address, made on first use and kept: a follower forwarding to its leader
 * and the SDK calling a node both reuse one HTTP/2 connection per address. When the
 * credentials change (TLS files reloaded), every stub is closed and made again with the new
 * ones.
 */
export class StubPool {
  private readonly stubs = new Map<string, Stubs>();
  private readonly credentials: () => grpc.ChannelCredentials;
  private readonly channelOptions: grpc.ChannelOptions;
  private madeWith: grpc.ChannelCredentials | undefined;

  constructor(options: {
    credentials: () => grpc.ChannelCredentials; channelOptions?: grpc.ChannelOptions;
  }) {
    this.credentials = options.credentials;
    this.channelOptions = options.channelOptions ?? {};
  }

  get(address: string): Stubs {
    const credentials = this.credentials();
    if (credentials !== this.madeWith) {
      this.close();
      this.madeWith = credentials;
    }
    const existing = this.stubs.get(address);
    if (existing !== undefined) return existing;
    const protos = loadApiProtos();
    const stubs = {
      registry: new protos.registry.roster.v1.Registry(address, credentials, this.channelOptions),
      cluster: new protos.cluster.roster.v1.Cluster(address, credentials, this.channelOptions),
    };
    this.stubs.set(address, stubs);
    return stubs;
  }

  close(): void {
    for (const stubs of this.stubs.values()) {
      stubs.registry.close();
      stubs.cluster.close();
    }
    this.stubs.clear();
  }
}

/** A unary call's callback that settles a promise: the response, or the call's error. */
export function settleUnary<Response>(
  resolve: (response: Response) => void,
  reject: (error: unknown) => void,
): (error: grpc.ServiceError | null, response?: Response) => void {
  return (error, response) => {
    if (error !== null) reject(error);
    else if (response !== undefined) resolve(response);
    else reject(new RosterError('ROSTER_ERR_INTERNAL', 'empty response'));
  };
}
