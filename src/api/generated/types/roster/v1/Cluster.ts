// Original file: proto/roster/v1/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MemberAddRequest as _roster_v1_MemberAddRequest, MemberAddRequest__Output as _roster_v1_MemberAddRequest__Output } from '../../roster/v1/MemberAddRequest.js';
import type { MemberAddResponse as _roster_v1_MemberAddResponse, MemberAddResponse__Output as _roster_v1_MemberAddResponse__Output } from '../../roster/v1/MemberAddResponse.js';
import type { MemberListRequest as _roster_v1_MemberListRequest, MemberListRequest__Output as _roster_v1_MemberListRequest__Output } from '../../roster/v1/MemberListRequest.js';
import type { MemberListResponse as _roster_v1_MemberListResponse, MemberListResponse__Output as _roster_v1_MemberListResponse__Output } from '../../roster/v1/MemberListResponse.js';
import type { MemberPromoteRequest as _roster_v1_MemberPromoteRequest, MemberPromoteRequest__Output as _roster_v1_MemberPromoteRequest__Output } from '../../roster/v1/MemberPromoteRequest.js';
import type { MemberPromoteResponse as _roster_v1_MemberPromoteResponse, MemberPromoteResponse__Output as _roster_v1_MemberPromoteResponse__Output } from '../../roster/v1/MemberPromoteResponse.js';
import type { MemberRemoveRequest as _roster_v1_MemberRemoveRequest, MemberRemoveRequest__Output as _roster_v1_MemberRemoveRequest__Output } from '../../roster/v1/MemberRemoveRequest.js';
import type { MemberRemoveResponse as _roster_v1_MemberRemoveResponse, MemberRemoveResponse__Output as _roster_v1_MemberRemoveResponse__Output } from '../../roster/v1/MemberRemoveResponse.js';
import type { SnapshotChunk as _roster_v1_SnapshotChunk, SnapshotChunk__Output as _roster_v1_SnapshotChunk__Output } from '../../roster/v1/SnapshotChunk.js';
import type { SnapshotRequest as _roster_v1_SnapshotRequest, SnapshotRequest__Output as _roster_v1_SnapshotRequest__Output } from '../../roster/v1/SnapshotRequest.js';
import type { StatusRequest as _roster_v1_StatusRequest, StatusRequest__Output as _roster_v1_StatusRequest__Output } from '../../roster/v1/StatusRequest.js';
import type { StatusResponse as _roster_v1_StatusResponse, StatusResponse__Output as _roster_v1_StatusResponse__Output } from '../../roster/v1/StatusResponse.js';
import type { TransferLeadershipRequest as _roster_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _roster_v1_TransferLeadershipRequest__Output } from '../../roster/v1/TransferLeadershipRequest.js';
import type { TransferLeadershipResponse as _roster_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _roster_v1_TransferLeadershipResponse__Output } from '../../roster/v1/TransferLeadershipResponse.js';

export interface ClusterClient extends grpc.Client {
  MemberAdd(argument: _roster_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _roster_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _roster_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _roster_v1_MemberAddRequest, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _roster_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _roster_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _roster_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _roster_v1_MemberAddRequest, callback: grpc.requestCallback<_roster_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  
  MemberList(argument: _roster_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _roster_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _roster_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _roster_v1_MemberListRequest, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _roster_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _roster_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _roster_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _roster_v1_MemberListRequest, callback: grpc.requestCallback<_roster_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  
  MemberPromote(argument: _roster_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _roster_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _roster_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _roster_v1_MemberPromoteRequest, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _roster_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _roster_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _roster_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _roster_v1_MemberPromoteRequest, callback: grpc.requestCallback<_roster_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  
  MemberRemove(argument: _roster_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _roster_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _roster_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _roster_v1_MemberRemoveRequest, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _roster_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _roster_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _roster_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _roster_v1_MemberRemoveRequest, callback: grpc.requestCallback<_roster_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  
  Snapshot(argument: _roster_v1_SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_SnapshotChunk__Output>;
  Snapshot(argument: _roster_v1_SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_SnapshotChunk__Output>;
  snapshot(argument: _roster_v1_SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_SnapshotChunk__Output>;
  snapshot(argument: _roster_v1_SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_SnapshotChunk__Output>;
  
  Status(argument: _roster_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _roster_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _roster_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _roster_v1_StatusRequest, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _roster_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _roster_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _roster_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _roster_v1_StatusRequest, callback: grpc.requestCallback<_roster_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _roster_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _roster_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _roster_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _roster_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _roster_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _roster_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _roster_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _roster_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_roster_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  MemberAdd: grpc.handleUnaryCall<_roster_v1_MemberAddRequest__Output, _roster_v1_MemberAddResponse>;
  
  MemberList: grpc.handleUnaryCall<_roster_v1_MemberListRequest__Output, _roster_v1_MemberListResponse>;
  
  MemberPromote: grpc.handleUnaryCall<_roster_v1_MemberPromoteRequest__Output, _roster_v1_MemberPromoteResponse>;
  
  MemberRemove: grpc.handleUnaryCall<_roster_v1_MemberRemoveRequest__Output, _roster_v1_MemberRemoveResponse>;
  
  Snapshot: grpc.handleServerStreamingCall<_roster_v1_SnapshotRequest__Output, _roster_v1_SnapshotChunk>;
  
  Status: grpc.handleUnaryCall<_roster_v1_StatusRequest__Output, _roster_v1_StatusResponse>;
  
  TransferLeadership: grpc.handleUnaryCall<_roster_v1_TransferLeadershipRequest__Output, _roster_v1_TransferLeadershipResponse>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  MemberAdd: MethodDefinition<_roster_v1_MemberAddRequest, _roster_v1_MemberAddResponse, _roster_v1_MemberAddRequest__Output, _roster_v1_MemberAddResponse__Output>
  MemberList: MethodDefinition<_roster_v1_MemberListRequest, _roster_v1_MemberListResponse, _roster_v1_MemberListRequest__Output, _roster_v1_MemberListResponse__Output>
  MemberPromote: MethodDefinition<_roster_v1_MemberPromoteRequest, _roster_v1_MemberPromoteResponse, _roster_v1_MemberPromoteRequest__Output, _roster_v1_MemberPromoteResponse__Output>
  MemberRemove: MethodDefinition<_roster_v1_MemberRemoveRequest, _roster_v1_MemberRemoveResponse, _roster_v1_MemberRemoveRequest__Output, _roster_v1_MemberRemoveResponse__Output>
  Snapshot: MethodDefinition<_roster_v1_SnapshotRequest, _roster_v1_SnapshotChunk, _roster_v1_SnapshotRequest__Output, _roster_v1_SnapshotChunk__Output>
  Status: MethodDefinition<_roster_v1_StatusRequest, _roster_v1_StatusResponse, _roster_v1_StatusRequest__Output, _roster_v1_StatusResponse__Output>
  TransferLeadership: MethodDefinition<_roster_v1_TransferLeadershipRequest, _roster_v1_TransferLeadershipResponse, _roster_v1_TransferLeadershipRequest__Output, _roster_v1_TransferLeadershipResponse__Output>
}
