import type { DiscoveredInstance, PickPolicy } from './discovered.js';

/** What a live view tells its listeners. */
export interface ServiceViewEvents {
  /** The set changed (it is passed whole, as instances() would return it). */
  change: [instances: readonly DiscoveredInstance[]];
  /** The view lost the cluster and serves the last known set. */
  stale: [];
  /** The view follows the cluster again. */
  fresh: [];
  /** The cluster refused the view for good (e.g. an invalid service name). */
  error: [error: Error];
  /** close() was called. */
  closed: [];
}

/**
 * A service's instances as the cluster last said: a lookup, then a watch from its revision.
 * When the cluster is unreachable it keeps the last known set and says how old it is.
 */
export interface ServiceView {
  readonly service: string;
  /** The instances, filtered; the same array until the next change. */
  instances(): readonly DiscoveredInstance[];
  /** The revision the set reflects (0 before any answer). */
  readonly revision: number;
  /** True while the view cannot follow the cluster. */
  readonly stale: boolean;
  /** How long ago the set was last known current (0 while fresh). */
  readonly ageMs: number;
  /** Resolves once the view has a set (from the cluster or its file cache). */
  ready(): Promise<void>;
  /** An instance by policy, skipping draining, critical and ejected ones. */
  pick(policy: PickPolicy, key?: string): DiscoveredInstance | undefined;
  on<E extends keyof ServiceViewEvents>(event: E,
    listener: (...args: ServiceViewEvents[E]) => void): this;
  once<E extends keyof ServiceViewEvents>(event: E,
    listener: (...args: ServiceViewEvents[E]) => void): this;
  off<E extends keyof ServiceViewEvents>(event: E,
    listener: (...args: ServiceViewEvents[E]) => void): this;
  close(): void;
}
