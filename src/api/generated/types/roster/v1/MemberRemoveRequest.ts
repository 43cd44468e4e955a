// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberRemoveRequest {
  'id'?: (number | string | Long);
  'name'?: (string);
}

export interface MemberRemoveRequest__Output {
  'id': (number);
  'name': (string);
}
