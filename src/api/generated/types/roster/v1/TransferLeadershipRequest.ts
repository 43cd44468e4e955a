// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipRequest {
  'to_id'?: (number | string | Long);
  'to_name'?: (string);
}

export interface TransferLeadershipRequest__Output {
  'to_id': (number);
  'to_name': (string);
}
