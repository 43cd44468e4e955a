// Original file: proto/roster/v1/registry.proto

import type { WatchRequest as _roster_v1_WatchRequest, WatchRequest__Output as _roster_v1_WatchRequest__Output } from '../../roster/v1/WatchRequest.js';
import type { Long } from '@grpc/proto-loader';

export interface WatchManyRequest {
  'watch_id'?: (number | string | Long);
  'create'?: (_roster_v1_WatchRequest | null);
  'cancel'?: (boolean);
  'action'?: "create"|"cancel";
}

export interface WatchManyRequest__Output {
  'watch_id': (number);
  'create'?: (_roster_v1_WatchRequest__Output | null);
  'cancel'?: (boolean);
  'action'?: "create"|"cancel";
}
