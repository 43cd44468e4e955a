// Original file: proto/roster/v1/registry.proto

import type { Instance as _roster_v1_Instance, Instance__Output as _roster_v1_Instance__Output } from '../../roster/v1/Instance.js';
import type { Long } from '@grpc/proto-loader';

export interface LookupResponse {
  'instances'?: (_roster_v1_Instance)[];
  'revision'?: (number | string | Long);
}

export interface LookupResponse__Output {
  'instances': (_roster_v1_Instance__Output)[];
  'revision': (number);
}
