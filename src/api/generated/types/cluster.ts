import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClusterClient as _roster_v1_ClusterClient, ClusterDefinition as _roster_v1_ClusterDefinition } from './roster/v1/Cluster.js';
import type { Member as _roster_v1_Member, Member__Output as _roster_v1_Member__Output } from './roster/v1/Member.js';
import type { MemberAddRequest as _roster_v1_MemberAddRequest, MemberAddRequest__Output as _roster_v1_MemberAddRequest__Output } from './roster/v1/MemberAddRequest.js';
import type { MemberAddResponse as _roster_v1_MemberAddResponse, MemberAddResponse__Output as _roster_v1_MemberAddResponse__Output } from './roster/v1/MemberAddResponse.js';
import type { MemberListRequest as _roster_v1_MemberListRequest, MemberListRequest__Output as _roster_v1_MemberListRequest__Output } from './roster/v1/MemberListRequest.js';
import type { MemberListResponse as _roster_v1_MemberListResponse, MemberListResponse__Output as _roster_v1_MemberListResponse__Output } from './roster/v1/MemberListResponse.js';
import type { MemberPromoteRequest as _roster_v1_MemberPromoteRequest, MemberPromoteRequest__Output as _roster_v1_MemberPromoteRequest__Output } from './roster/v1/MemberPromoteRequest.js';
import type { MemberPromoteResponse as _roster_v1_MemberPromoteResponse, MemberPromoteResponse__Output as _roster_v1_MemberPromoteResponse__Output } from './roster/v1/MemberPromoteResponse.js';
import type { MemberRemoveRequest as _roster_v1_MemberRemoveRequest, MemberRemoveRequest__Output as _roster_v1_MemberRemoveRequest__Output } from './roster/v1/MemberRemoveRequest.js';
import type { MemberRemoveResponse as _roster_v1_MemberRemoveResponse, MemberRemoveResponse__Output as _roster_v1_MemberRemoveResponse__Output } from './roster/v1/MemberRemoveResponse.js';
import type { SnapshotChunk as _roster_v1_SnapshotChunk, SnapshotChunk__Output as _roster_v1_SnapshotChunk__Output } from './roster/v1/SnapshotChunk.js';
import type { SnapshotRequest as _roster_v1_SnapshotRequest, SnapshotRequest__Output as _roster_v1_SnapshotRequest__Output } from './roster/v1/SnapshotRequest.js';
import type { StatusRequest as _roster_v1_StatusRequest, StatusRequest__Output as _roster_v1_StatusRequest__Output } from './roster/v1/StatusRequest.js';
import type { StatusResponse as _roster_v1_StatusResponse, StatusResponse__Output as _roster_v1_StatusResponse__Output } from './roster/v1/StatusResponse.js';
import type { TransferLeadershipRequest as _roster_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _roster_v1_TransferLeadershipRequest__Output } from './roster/v1/TransferLeadershipRequest.js';
import type { TransferLeadershipResponse as _roster_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _roster_v1_TransferLeadershipResponse__Output } from './roster/v1/TransferLeadershipResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  roster: {
    v1: {
      Cluster: SubtypeConstructor<typeof grpc.Client, _roster_v1_ClusterClient> & { service: _roster_v1_ClusterDefinition }
      Member: MessageTypeDefinition<_roster_v1_Member, _roster_v1_Member__Output>
      MemberAddRequest: MessageTypeDefinition<_roster_v1_MemberAddRequest, _roster_v1_MemberAddRequest__Output>
      MemberAddResponse: MessageTypeDefinition<_roster_v1_MemberAddResponse, _roster_v1_MemberAddResponse__Output>
      MemberListRequest: MessageTypeDefinition<_roster_v1_MemberListRequest, _roster_v1_MemberListRequest__Output>
      MemberListResponse: MessageTypeDefinition<_roster_v1_MemberListResponse, _roster_v1_MemberListResponse__Output>
      MemberPromoteRequest: MessageTypeDefinition<_roster_v1_MemberPromoteRequest, _roster_v1_MemberPromoteRequest__Output>
      MemberPromoteResponse: MessageTypeDefinition<_roster_v1_MemberPromoteResponse, _roster_v1_MemberPromoteResponse__Output>
      MemberRemoveRequest: MessageTypeDefinition<_roster_v1_MemberRemoveRequest, _roster_v1_MemberRemoveRequest__Output>
      MemberRemoveResponse: MessageTypeDefinition<_roster_v1_MemberRemoveResponse, _roster_v1_MemberRemoveResponse__Output>
      SnapshotChunk: MessageTypeDefinition<_roster_v1_SnapshotChunk, _roster_v1_SnapshotChunk__Output>
      SnapshotRequest: MessageTypeDefinition<_roster_v1_SnapshotRequest, _roster_v1_SnapshotRequest__Output>
      StatusRequest: MessageTypeDefinition<_roster_v1_StatusRequest, _roster_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_roster_v1_StatusResponse, _roster_v1_StatusResponse__Output>
      TransferLeadershipRequest: MessageTypeDefinition<_roster_v1_TransferLeadershipRequest, _roster_v1_TransferLeadershipRequest__Output>
      TransferLeadershipResponse: MessageTypeDefinition<_roster_v1_TransferLeadershipResponse, _roster_v1_TransferLeadershipResponse__Output>
    }
  }
}

