import type { DiscoveredInstance } from '../discovered.js';

/** The share an instance gets when it never set a weight (proto3 `optional uint32 weight`). */
export const DEFAULT_WEIGHT = 100;

/** The weight the weighted policies use: 0 means the instance takes no weighted traffic. */
export function effectiveWeight(instance: DiscoveredInstance): number {
  return instance._weight === 'weight' ? (instance.weight ?? 0) : DEFAULT_WEIGHT;
}

export function hasWeight(instance: DiscoveredInstance): boolean {
  return effectiveWeight(instance) > 0;
}

/**
 * Draining instances finish the calls they have but want no new ones, and critical ones fail
 * their checks. Warning still serves: it is a hint to operators, not to callers.
 */
export function isServable(instance: DiscoveredInstance): boolean {
  return instance.status !== 'DRAINING' && instance.health !== 'CRITICAL';
}

/**
 * The instances a policy may choose from: servable, accepted by the policy, not ejected. When
 * ejection would leave none, it is ignored (Envoy's panic mode): ejection is a guess from
 * recent failures, and trying a suspect instance beats failing every call without trying.
 */
export function eligibleInstances(instances: readonly DiscoveredInstance[],
  isEjected: (instance: DiscoveredInstance) => boolean,
  accepts: (instance: DiscoveredInstance) => boolean = () => true): DiscoveredInstance[] {
  const servable = instances.filter((instance) => isServable(instance) && accepts(instance));
  const trusted = servable.filter((instance) => !isEjected(instance));
  return trusted.length > 0 ? trusted : servable;
}
