/** Watch filters: validation (user input) and matching. */
import { RosterError } from '../core/errors.js';
import type { StoredInstance } from '../registry/index.js';
import type { WatchFilter } from './types.js';

/** Throws INVALID_ARGUMENT for a filter that names a service but no namespace. */
export function validateFilter(filter: WatchFilter): void {
  if (filter.namespace === undefined && filter.service !== undefined) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
      'a watch on one service must name its namespace', { field: 'service' });
  }
}

export function matchesFilter(filter: WatchFilter, instance: StoredInstance): boolean {
  if (filter.namespace === undefined) return true;
  if (filter.namespace !== instance.namespace) return false;
  return filter.service === undefined || filter.service === instance.service;
}

/** One string per distinct filter, so watchers of the same filter can share a snapshot. */
export function filterKey(filter: WatchFilter): string {
  return JSON.stringify([filter.namespace ?? null, filter.service ?? null]);
}
