// Original file: proto/roster/v1/registry.proto

import type { Instance as _roster_v1_Instance, Instance__Output as _roster_v1_Instance__Output } from '../../roster/v1/Instance.js';
import type { Long } from '@grpc/proto-loader';

export interface RegisterRequest {
  'instance'?: (_roster_v1_Instance | null);
  'ttl_ms'?: (number | string | Long);
  'lease_id'?: (number | string | Long);
}

export interface RegisterRequest__Output {
  'instance': (_roster_v1_Instance__Output | null);
  'ttl_ms': (number);
  'lease_id': (number);
}
