// Original file: proto/roster/v1/cluster.proto


export interface MemberAddRequest {
  'name'?: (string);
  'peer_address'?: (string);
  'client_address'?: (string);
}

export interface MemberAddRequest__Output {
  'name': (string);
  'peer_address': (string);
  'client_address': (string);
}
