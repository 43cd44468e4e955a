// Original file: proto/roster/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface LeaseState {
  'lease_id'?: (number | string | Long);
  'remaining_ms'?: (number | string | Long);
  'found'?: (boolean);
}

export interface LeaseState__Output {
  'lease_id': (number);
  'remaining_ms': (number);
  'found': (boolean);
}
