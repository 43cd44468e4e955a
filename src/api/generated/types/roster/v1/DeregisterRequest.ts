// Original file: proto/roster/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface DeregisterRequest {
  'namespace'?: (string);
  'service'?: (string);
  'id'?: (string);
  'lease_id'?: (number | string | Long);
}

export interface DeregisterRequest__Output {
  'namespace': (string);
  'service': (string);
  'id': (string);
  'lease_id': (number);
}
