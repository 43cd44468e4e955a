import type { DiscoverFilters, DiscoveredInstance } from './discovered.js';

/** The label filters as Lookup applies them: each one given must match exactly. */
export function matchesLabels(instance: DiscoveredInstance, filters: DiscoverFilters): boolean {
  if (nonEmpty(filters.version) && instance.version !== filters.version) return false;
  if (nonEmpty(filters.zone) && instance.zone !== filters.zone) return false;
  if (nonEmpty(filters.region) && instance.region !== filters.region) return false;
  if (nonEmpty(filters.environment) && instance.environment !== filters.environment) return false;
  for (const tag of filters.tags ?? []) if (!instance.tags.includes(tag)) return false;
  return true;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
