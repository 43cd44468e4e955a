// Original file: proto/roster/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'instance_id'?: (string);
  'lease_id'?: (number | string | Long);
  'revision'?: (number | string | Long);
  'created'?: (boolean);
}

export interface RegisterResponse__Output {
  'instance_id': (string);
  'lease_id': (number);
  'revision': (number);
  'created': (boolean);
}
