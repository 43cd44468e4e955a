// Original file: proto/roster/v1/cluster.proto

import type { Member as _roster_v1_Member, Member__Output as _roster_v1_Member__Output } from '../../roster/v1/Member.js';
import type { Long } from '@grpc/proto-loader';

export interface MemberListResponse {
  'members'?: (_roster_v1_Member)[];
  'leader_id'?: (number | string | Long);
}

export interface MemberListResponse__Output {
  'members': (_roster_v1_Member__Output)[];
  'leader_id': (number);
}
