import { isServable } from '../balance/eligibility.js';
import type { DiscoveredInstance } from '../discovered.js';
import type { Endpoint } from './experimental.js';

/**
 * grpc-js endpoints have no attribute slot, but the resolving balancer hands the resolver's
 * endpoint objects to the policy untouched, so the instance rides on the endpoint itself (as
 * grpc-js-xds does with localities). Resolver-level attributes would not do: they are merged
 * into the subchannel arguments, and a value changing per update would stop grpc-js reusing
 * subchannels.
 */
export interface RosterEndpoint extends Endpoint {
  readonly roster: DiscoveredInstance;
}

export interface EndpointList {
  readonly endpoints: RosterEndpoint[];
  /** Instances left out as draining or critical. */
  readonly unavailable: number;
  /** Instances left out for lacking an address or the named port. */
  readonly unaddressable: number;
}

/**
 * The endpoints to dial, in the view's order. Two instances at one address are one backend
 * to grpc-js (one subchannel), so the first listed speaks for it.
 */
export function toEndpoints(instances: readonly DiscoveredInstance[],
  portName?: string): EndpointList {
  const endpoints: RosterEndpoint[] = [];
  const seen = new Set<string>();
  let unavailable = 0;
  let unaddressable = 0;
  for (const instance of instances) {
    const port = portName === undefined ? instance.port : instance.ports[portName];
    if (!isServable(instance)) {
      unavailable += 1;
    } else if (instance.address === '' || port === undefined || port <= 0) {
      unaddressable += 1;
    } else if (!seen.has(`${instance.address}:${port}`)) {
      seen.add(`${instance.address}:${port}`);
      endpoints.push(toEndpoint(instance, port));
    }
  }
  return { endpoints, unavailable, unaddressable };
}

function toEndpoint(instance: DiscoveredInstance, port: number): RosterEndpoint {
  return { addresses: [{ host: instance.address, port }], roster: instance };
}

/** The instance the resolver put on an endpoint, if it was a Roster resolver's. */
export function instanceOf(endpoint: Endpoint): DiscoveredInstance | undefined {
  if (!('roster' in endpoint)) return undefined;
  const value: unknown = endpoint.roster;
  return isInstance(value) ? value : undefined;
}

function isInstance(value: unknown): value is DiscoveredInstance {
  if (typeof value !== 'object' || value === null) return false;
  const record: Partial<Record<keyof DiscoveredInstance, unknown>> = value;
  return typeof record.id === 'string' && typeof record.zone === 'string'
    && typeof record.priority === 'number' && typeof record.weight === 'number';
}
