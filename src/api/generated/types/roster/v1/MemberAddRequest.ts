// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberAddRequest {
  'name'?: (string);
  'peer_address'?: (string);
  'client_address'?: (string);
  'id'?: (number | string | Long);
  'replace'?: (boolean);
}

export interface MemberAddRequest__Output {
  'name': (string);
  'peer_address': (string);
  'client_address': (string);
  'id': (number);
  'replace': (boolean);
}
