// Original file: proto/roster/v1/cluster.proto

import type { Member as _roster_v1_Member, Member__Output as _roster_v1_Member__Output } from '../../roster/v1/Member.js';
import type { Long } from '@grpc/proto-loader';

export interface MemberAddResponse {
  'member'?: (_roster_v1_Member | null);
  'members'?: (_roster_v1_Member)[];
  'cluster_id'?: (number | string | Long);
}

export interface MemberAddResponse__Output {
  'member': (_roster_v1_Member__Output | null);
  'members': (_roster_v1_Member__Output)[];
  'cluster_id': (number);
}
