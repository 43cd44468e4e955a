// Original file: proto/roster/v1/registry.proto

import type { LeaseState as _roster_v1_LeaseState, LeaseState__Output as _roster_v1_LeaseState__Output } from '../../roster/v1/LeaseState.js';
import type { Long } from '@grpc/proto-loader';

export interface KeepAliveResponse {
  'leases'?: (_roster_v1_LeaseState)[];
  'revision'?: (number | string | Long);
}

export interface KeepAliveResponse__Output {
  'leases': (_roster_v1_LeaseState__Output)[];
  'revision': (number);
}
