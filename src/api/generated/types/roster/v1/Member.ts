// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'id'?: (number | string | Long);
  'name'?: (string);
  'peer_address'?: (string);
  'client_address'?: (string);
  'learner'?: (boolean);
}

export interface Member__Output {
  'id': (number);
  'name': (string);
  'peer_address': (string);
  'client_address': (string);
  'learner': (boolean);
}
