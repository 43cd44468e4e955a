import type * as grpc from '@grpc/grpc-js';
import type { TypedLoadBalancingConfig } from './experimental.js';

/** The name the policy is registered under in grpc-js and named by in service configs. */
export const ROSTER_LB_POLICY = 'roster_weighted';

/** The policy's service-config entry: `{ "roster_weighted": { "localZone": "a" } }`. */
export class RosterWeightedConfig implements TypedLoadBalancingConfig {
  constructor(readonly localZone: string | undefined) {}

  getLoadBalancerName(): string {
    return ROSTER_LB_POLICY;
  }

  toJsonObject(): grpc.LoadBalancingConfig {
    const zone = this.localZone === undefined ? {} : { localZone: this.localZone };
    return { [ROSTER_LB_POLICY]: zone };
  }

  /** grpc-js calls this with the entry's value from a service config (JSON or the resolver's). */
  static createFromJson(json: unknown): RosterWeightedConfig {
    if (typeof json !== 'object' || json === null) {
      throw new Error(`${ROSTER_LB_POLICY} config must be an object`);
    }
    const localZone: unknown = 'localZone' in json ? json.localZone : undefined;
    if (localZone !== undefined && typeof localZone !== 'string') {
      throw new Error(`${ROSTER_LB_POLICY} config: localZone must be a string`);
    }
    return new RosterWeightedConfig(localZone);
  }
}

/** The service config a Roster resolution carries: the policy, with the caller's zone. */
export function rosterServiceConfig(localZone: string | undefined): grpc.ServiceConfig {
  return {
    loadBalancingConfig: [new RosterWeightedConfig(localZone).toJsonObject()],
    methodConfig: [],
  };
}
