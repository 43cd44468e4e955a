import * as grpc from '@grpc/grpc-js';
import { Balancer } from '../balance/balancer.js';
import { effectiveWeight } from '../balance/eligibility.js';
import type { DiscoveredInstance } from '../discovered.js';
import { realRuntime } from '../runtime.js';
import { instanceOf } from './endpoints.js';
import {
  LeafLoadBalancer, QueuePicker, UnavailablePicker, createChildChannelControlHelper,
  endpointToString, registerLoadBalancerType, type ChannelControlHelper, type Endpoint,
  type LoadBalancer, type Picker, type StatusOr, type TypedLoadBalancingConfig,
} from './experimental.js';
import { ROSTER_LB_POLICY, RosterWeightedConfig } from './lb-config.js';
import { ZoneFirstPicker } from './picker.js';

const { READY, CONNECTING, TRANSIENT_FAILURE, IDLE } = grpc.connectivityState;

/** An endpoint from another resolver stands for an instance of default weight, unzoned. */
function standIn(endpoint: Endpoint): DiscoveredInstance {
  return {
    namespace: '', service: '', id: endpointToString(endpoint), address: '', port: 0,
    ports: {}, protocol: '', version: '', environment: '', region: '', zone: '', tags: [],
    metadata: {}, weight: 0, priority: 0, capacity: 0, health_check: null, lease_id: 0,
    status: 'SERVING', health: 'PASSING', create_revision: 0, mod_revision: 0, load: {},
  };
}

function instanceFor(endpoint: Endpoint): DiscoveredInstance {
  return instanceOf(endpoint) ?? standIn(endpoint);
}

interface Child {
  readonly leaf: LeafLoadBalancer;
  instance: DiscoveredInstance;
}

function newBalancer(localZone: string | undefined): Balancer {
  return new Balancer({ random: realRuntime.random, nowMs: realRuntime.nowMs, localZone });
}

/**
 * One pick_first leaf per endpoint, every leaf kept connected (as round_robin does), each
 * call given to a READY leaf by zone-first rules. Leaves live as long as their endpoint stays
 * listed, so an update that adds or removes one endpoint leaves the others' connections alone.
 */
export class RosterWeightedBalancer implements LoadBalancer {
  private readonly children = new Map<string, Child>();
  private balancer = newBalancer(undefined);
  private localZone: string | undefined;
  private state = IDLE;
  /** True while an update rebuilds the children, whose state reports would be partial. */
  private paused = false;
  private lastError: string | null = null;
  /** Why there is no child, when there is none. */
  private emptyReason = `${ROSTER_LB_POLICY}: no endpoints yet`;

  constructor(private readonly helper: ChannelControlHelper) {}

  updateAddressList(endpoints: StatusOr<Endpoint[]>, config: TypedLoadBalancingConfig,
    options: grpc.ChannelOptions, resolutionNote: string): boolean {
    if (!(config instanceof RosterWeightedConfig)) return false;
    if (!endpoints.ok) {
      // Calls keep the last endpoints through a resolver error; with none, they fail with it.
      if (this.children.size === 0) {
        this.updateState(TRANSIENT_FAILURE, new UnavailablePicker(endpoints.error),
          endpoints.error.details);
      }
      return true;
    }
    if (config.localZone !== this.localZone) {
      this.localZone = config.localZone;
      this.balancer = newBalancer(config.localZone);
    }
    this.paused = true;
    this.syncChildren(endpoints.value, options, resolutionNote);
    this.paused = false;
    this.calculateAndUpdateState();
    return true;
  }

  exitIdle(): void {
    for (const { leaf } of this.children.values()) {
      if (leaf.getConnectivityState() === IDLE) leaf.exitIdle();
    }
  }

  resetBackoff(): void {
    // Nothing to reset here: the backoff is the leaves' own, and LeafLoadBalancer exposes
    // no reset (grpc-js's round_robin leaves it alone too).
  }

  destroy(): void {
    for (const { leaf } of this.children.values()) leaf.destroy();
    this.children.clear();
  }

  getTypeName(): string {
    return ROSTER_LB_POLICY;
  }

  private syncChildren(endpoints: readonly Endpoint[], options: grpc.ChannelOptions,
    resolutionNote: string): void {
    // Weight 0 is never picked, so it is not worth a connection either.
    const listed = new Map<string, Endpoint>();
    for (const endpoint of endpoints) {
      if (effectiveWeight(instanceFor(endpoint)) > 0) {
        listed.set(endpointToString(endpoint), endpoint);
      }
    }
    for (const [key, child] of this.children) {
      if (listed.has(key)) continue;
      this.children.delete(key);
      child.leaf.destroy();
    }
    for (const [key, endpoint] of listed) this.upsertChild(key, endpoint, options, resolutionNote);
    this.balancer.retain([...this.children.values()].map((child) => child.instance));
    this.emptyReason = endpoints.length === 0
      ? resolutionNote || `${ROSTER_LB_POLICY}: no endpoints`
      : `${ROSTER_LB_POLICY}: every endpoint has weight 0`;
  }

  private upsertChild(key: string, endpoint: Endpoint, options: grpc.ChannelOptions,
    resolutionNote: string): void {
    const instance = instanceFor(endpoint);
    const existing = this.children.get(key);
    if (existing !== undefined) {
      // A new weight, zone or priority changes picks only: the connection stays.
      existing.instance = instance;
      return;
    }
    const leaf: LeafLoadBalancer = new LeafLoadBalancer(endpoint,
      this.childHelper(key, () => leaf), options, resolutionNote);
    this.children.set(key, { leaf, instance });
    leaf.startConnecting();
  }

  private childHelper(key: string, leaf: () => LeafLoadBalancer): ChannelControlHelper {
    return createChildChannelControlHelper(this.helper, {
      updateState: (_state, _picker, errorMessage) => {
        // A destroyed leaf may still report once; only listed leaves count.
        if (this.children.get(key)?.leaf !== leaf()) return;
        if (errorMessage) this.lastError = errorMessage;
        this.calculateAndUpdateState();
      },
    });
  }

  private calculateAndUpdateState(): void {
    if (this.paused) return;
    const leaves = [...this.children.values()];
    const inState = (s: grpc.connectivityState) =>
      leaves.filter((c) => c.leaf.getConnectivityState() === s);
    const ready = inState(READY);
    if (ready.length > 0) {
      this.updateState(READY, new ZoneFirstPicker(ready.map((c) =>
        ({ instance: c.instance, picker: c.leaf.getPicker() })), this.balancer), null);
    } else if (leaves.length === 0) {
      this.updateState(TRANSIENT_FAILURE,
        new UnavailablePicker({ details: this.emptyReason }), this.emptyReason);
    } else if (inState(CONNECTING).length > 0) {
      this.updateState(CONNECTING, new QueuePicker(this), null);
    } else if (inState(TRANSIENT_FAILURE).length > 0) {
      const message = `${ROSTER_LB_POLICY}: no connection established. ` +
        `Last error: ${this.lastError}`;
      this.updateState(TRANSIENT_FAILURE, new UnavailablePicker({ details: message }), message);
    } else {
      this.updateState(IDLE, new QueuePicker(this), null);
    }
    // Keep every endpoint connected, so a pick never waits for a handshake.
    for (const child of inState(IDLE)) child.leaf.exitIdle();
  }

  private updateState(state: grpc.connectivityState, picker: Picker,
    errorMessage: string | null): void {
    // Lost connections may mean stale endpoints; a push-based resolver ignores the hint.
    if (this.state === READY && state !== READY) this.helper.requestReresolution();
    this.state = state;
    this.helper.updateState(state, picker, errorMessage);
  }
}

/** Registers the policy with grpc-js (process-wide; registering again is harmless). */
export function registerRosterBalancer(): void {
  registerLoadBalancerType(ROSTER_LB_POLICY, RosterWeightedBalancer, RosterWeightedConfig);
}
