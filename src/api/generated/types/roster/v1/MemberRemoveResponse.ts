// Original file: proto/roster/v1/cluster.proto

import type { Member as _roster_v1_Member, Member__Output as _roster_v1_Member__Output } from '../../roster/v1/Member.js';

export interface MemberRemoveResponse {
  'members'?: (_roster_v1_Member)[];
}

export interface MemberRemoveResponse__Output {
  'members': (_roster_v1_Member__Output)[];
}
