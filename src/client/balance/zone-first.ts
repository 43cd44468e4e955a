import type { DiscoveredInstance } from '../discovered.js';

/**
 * The instances zone-first shares its traffic among: those of the most preferred (lowest)
 * priority that has any, and of those the ones in the caller's zone when there are any. A
 * lower priority is a standby, used only when the one above has nothing left; another zone
 * of the same priority costs latency and cross-zone traffic, so it serves only when the
 * caller's own zone cannot. Takes instances already found eligible.
 */
export function zoneFirstCandidates(instances: readonly DiscoveredInstance[],
  localZone: string | undefined): DiscoveredInstance[] {
  let preferredPriority = Infinity;
  for (const instance of instances) {
    if (instance.priority < preferredPriority) preferredPriority = instance.priority;
  }
  const preferred = instances.filter((instance) => instance.priority === preferredPriority);
  if (localZone === undefined || localZone === '') return preferred;
  const local = preferred.filter((instance) => instance.zone === localZone);
  return local.length > 0 ? local : preferred;
}
