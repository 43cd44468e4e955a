// Original file: proto/roster/v1/registry.proto

import type { ServingStatus as _roster_v1_ServingStatus, ServingStatus__Output as _roster_v1_ServingStatus__Output } from '../../roster/v1/ServingStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface KeepAliveRequest {
  'lease_ids'?: (number | string | Long)[];
  'status'?: (_roster_v1_ServingStatus);
  'load'?: ({[key: string]: number | string});
}

export interface KeepAliveRequest__Output {
  'lease_ids': (number)[];
  'status': (_roster_v1_ServingStatus__Output);
  'load': ({[key: string]: number});
}
