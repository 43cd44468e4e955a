/** The watch hub: synced/unsynced watchers, bounded event history, snapshots, progress. */
export {
  WatchHub,
  type WatchDelivery, type WatchDeliveryKind, type WatchFilter, type WatchHubOptions,
  type WatchHubStats, type WatchSink,
} from './watch-hub.js';
export { watchLimits } from './watch-limits.js';
export { matchesFilter, validateFilter } from './filter.js';
export { progressNotice } from './types.js';
