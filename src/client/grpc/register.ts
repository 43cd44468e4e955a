import type * as grpc from '@grpc/grpc-js';
import {
  registerGrpcResolver, type GrpcUri, type ResolverConstructor, type ResolverListener,
} from './experimental.js';
import { RosterResolver, type DiscoverySource } from './resolver.js';
import { registerRosterBalancer } from './weighted-balancer.js';

export interface RegisterResolverOptions {
  /** The URI scheme to serve (default `roster`): one per cluster, when a process has several. */
  readonly scheme?: string;
}

export interface ResolverRegistration {
  readonly scheme: string;
  /**
   * Stops serving new channels from this client; the registration made before it (if any)
   * serves them again. grpc-js cannot unregister a scheme, so with none left, new channels to
   * the scheme fail at construction. Channels already made keep their resolver and client.
   */
  unregister(): void;
}

/** Per scheme, the clients registered, the last one serving. */
const registrations = new Map<string, { readonly client: DiscoverySource }[]>();

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/**
 * Makes `<scheme>:///<service>?…` (see target.ts) a target any grpc-js channel in the
 * process can dial, resolved by `client.discover()` and balanced by the `roster_weighted`
 * policy. grpc-js keeps resolvers process-wide, and so is this.
 */
export function registerResolver(client: DiscoverySource,
  options: RegisterResolverOptions = {}): ResolverRegistration {
  const scheme = options.scheme ?? 'roster';
  if (!SCHEME.test(scheme)) throw new Error(`registerResolver: invalid URI scheme ${scheme}`);
  registerRosterBalancer();
  const stack = registrations.get(scheme) ?? [];
  registrations.set(scheme, stack);
  const entry = { client };
  stack.push(entry);
  // Registered again each time, in case something else took the scheme since.
  registerGrpcResolver(scheme, resolverClassFor(scheme, () => stack.at(-1)?.client));
  return {
    scheme,
    unregister: () => {
      const at = stack.indexOf(entry);
      if (at >= 0) stack.splice(at, 1);
    },
  };
}

function resolverClassFor(scheme: string,
  current: () => DiscoverySource | undefined): ResolverConstructor {
  const clientFor = (): DiscoverySource => {
    const client = current();
    if (client === undefined) throw new Error(`no Roster client is registered for ${scheme}:`);
    return client;
  };
  return class extends RosterResolver {
    constructor(uri: GrpcUri, listener: ResolverListener, channelOptions: grpc.ChannelOptions) {
      super(uri, listener, channelOptions, clientFor());
    }

    /** grpc-js asks this first when a channel is made, so a bad target fails the channel. */
    static override getDefaultAuthority(uri: GrpcUri): string {
      clientFor();
      return RosterResolver.getDefaultAuthority(uri);
    }
  };
}
