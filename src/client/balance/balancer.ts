import type { DiscoveredInstance, PickPolicy } from '../discovered.js';

export interface BalancerOptions {
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Milliseconds, for outlier ejection. */
  readonly nowMs: () => number;
  /** The caller's zone, preferred by zone-first. */
  readonly localZone?: string;
}

/** The outcome of one call, for least-outstanding and outlier ejection. */
export type CallOutcome = 'success' | 'failure';

/**
 * Chooses an instance of one service by policy. Skeleton: the real policies replace this.
 */
export class Balancer {
  constructor(private readonly options: BalancerOptions) {}

  pick(policy: PickPolicy, instances: readonly DiscoveredInstance[],
    key?: string): DiscoveredInstance | undefined {
    void policy;
    void key;
    return instances[Math.floor(this.options.random() * instances.length)];
  }

  begin(instance: DiscoveredInstance): (outcome: CallOutcome) => void {
    void instance;
    return () => {};
  }

  retain(instances: readonly DiscoveredInstance[]): void {
    void instances;
  }
}
