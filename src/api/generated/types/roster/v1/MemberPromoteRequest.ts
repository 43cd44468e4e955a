// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberPromoteRequest {
  'id'?: (number | string | Long);
  'name'?: (string);
}

export interface MemberPromoteRequest__Output {
  'id': (number);
  'name': (string);
}
