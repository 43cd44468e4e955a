// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipResponse {
  'leader_id'?: (number | string | Long);
}

export interface TransferLeadershipResponse__Output {
  'leader_id': (number);
}
