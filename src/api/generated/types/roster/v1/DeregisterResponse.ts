// Original file: proto/roster/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface DeregisterResponse {
  'revision'?: (number | string | Long);
  'removed'?: (number);
}

export interface DeregisterResponse__Output {
  'revision': (number);
  'removed': (number);
}
