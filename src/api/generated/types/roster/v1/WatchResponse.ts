// Original file: proto/roster/v1/registry.proto

import type { WatchEvent as _roster_v1_WatchEvent, WatchEvent__Output as _roster_v1_WatchEvent__Output } from '../../roster/v1/WatchEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface WatchResponse {
  'events'?: (_roster_v1_WatchEvent)[];
  'snapshot'?: (boolean);
  'caught_up'?: (boolean);
  'progress'?: (boolean);
  'revision'?: (number | string | Long);
  'watch_id'?: (number | string | Long);
  'canceled'?: (boolean);
  'error_status'?: (number);
  'error_code'?: (string);
  'error_message'?: (string);
  'watch_ids'?: (number | string | Long)[];
}

export interface WatchResponse__Output {
  'events': (_roster_v1_WatchEvent__Output)[];
  'snapshot': (boolean);
  'caught_up': (boolean);
  'progress': (boolean);
  'revision': (number);
  'watch_id': (number);
  'canceled': (boolean);
  'error_status': (number);
  'error_code': (string);
  'error_message': (string);
  'watch_ids': (number)[];
}
