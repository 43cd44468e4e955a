import type { Instance__Output } from '../api/generated/types/roster/v1/Instance.js';

/** An instance as discovery sees it: the decoded Instance message, every field present. */
export type DiscoveredInstance = Instance__Output;

/** How `pick()` chooses among a service's instances. */
export type PickPolicy =
  | 'round-robin'
  | 'weighted-round-robin'
  | 'least-outstanding'
  | 'power-of-two-choices'
  | 'consistent-hash'
  | 'zone-first';

export const PICK_POLICIES: readonly PickPolicy[] = Object.freeze([
  'round-robin', 'weighted-round-robin', 'least-outstanding', 'power-of-two-choices',
  'consistent-hash', 'zone-first',
]);

/** What a discovery view follows: one service, filtered as Lookup filters. */
export interface DiscoverFilters {
  readonly namespace?: string;
  /** Every tag listed must be on the instance. */
  readonly tags?: readonly string[];
  readonly version?: string;
  readonly zone?: string;
  readonly region?: string;
  readonly environment?: string;
  /** Also list draining and critical instances (balancers still skip them). */
  readonly includeUnhealthy?: boolean;
}
