import type { WatchEvent__Output } from '../../src/api/generated/types/roster/v1/WatchEvent.js';
import type {
  WatchResponse__Output,
} from '../../src/api/generated/types/roster/v1/WatchResponse.js';

/** A WatchResponse as the SDK receives it (every field present, as proto-loader fills them). */
export function watchResponse(fields: Partial<WatchResponse__Output>): WatchResponse__Output {
  return {
    events: [], snapshot: false, caught_up: false, progress: false, revision: 0, watch_id: 0,
    canceled: false, error_status: 0, error_code: '', error_message: '', watch_ids: [],
    ...fields,
  };
}

/** An event told apart from others by its revision (the SDK never looks inside instances). */
export function putEvent(revision: number): WatchEvent__Output {
  return { type: 'PUT', reason: 'REGISTERED', revision, instance: null };
}
