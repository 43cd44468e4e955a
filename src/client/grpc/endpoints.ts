import type { DiscoveredInstance } from '../discovered.js';
import type { Endpoint } from './experimental.js';

/** What the balancer needs to know of an endpoint's instance. */
export interface RosterEndpointAttributes {
  readonly id: string;
  /** The effective weight: 0 is never picked. */
  readonly weight: number;
  readonly zone: string;
  /** Lower is preferred; higher priorities serve only when no lower one can. */
  readonly priority: number;
}

/**
 * grpc-js endpoints have no attribute slot, but the resolving balancer hands the resolver's
 * endpoint objects to the policy untouched, so the attributes ride on the endpoint itself (as
 * grpc-js-xds does with localities). Resolver-level attributes would not do: they are merged
 * into the subchannel arguments, and a value changing per update would stop grpc-js reusing
 * subchannels.
 */
export interface RosterEndpoint extends Endpoint {
  readonly roster: RosterEndpointAttributes;
}

/** An instance without a weight of its own weighs this much. */
export const DEFAULT_WEIGHT = 100;

export function effectiveWeight(instance: DiscoveredInstance): number {
  return instance._weight === 'weight' && instance.weight !== undefined
    ? instance.weight : DEFAULT_WEIGHT;
}

/** Draining instances finish their calls but take no new ones; critical ones fail them. */
export function takesNewCalls(instance: DiscoveredInstance): boolean {
  return instance.status !== 'DRAINING' && instance.health !== 'CRITICAL';
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
    if (!takesNewCalls(instance)) {
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
  return {
    addresses: [{ host: instance.address, port }],
    roster: {
      id: instance.id,
      weight: effectiveWeight(instance),
      zone: instance.zone,
      priority: instance.priority,
    },
  };
}

/** The attributes the resolver put on an endpoint, if it was a Roster resolver's. */
export function attributesOf(endpoint: Endpoint): RosterEndpointAttributes | undefined {
  if (!('roster' in endpoint)) return undefined;
  const value: unknown = endpoint.roster;
  return isAttributes(value) ? value : undefined;
}

function isAttributes(value: unknown): value is RosterEndpointAttributes {
  if (typeof value !== 'object' || value === null) return false;
  const record: Partial<Record<keyof RosterEndpointAttributes, unknown>> = value;
  return typeof record.id === 'string' && typeof record.weight === 'number' &&
    typeof record.zone === 'string' && typeof record.priority === 'number';
}
