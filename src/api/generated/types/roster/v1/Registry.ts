// Original file: proto/roster/v1/registry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeregisterRequest as _roster_v1_DeregisterRequest, DeregisterRequest__Output as _roster_v1_DeregisterRequest__Output } from '../../roster/v1/DeregisterRequest.js';
import type { DeregisterResponse as _roster_v1_DeregisterResponse, DeregisterResponse__Output as _roster_v1_DeregisterResponse__Output } from '../../roster/v1/DeregisterResponse.js';
import type { KeepAliveRequest as _roster_v1_KeepAliveRequest, KeepAliveRequest__Output as _roster_v1_KeepAliveRequest__Output } from '../../roster/v1/KeepAliveRequest.js';
import type { KeepAliveResponse as _roster_v1_KeepAliveResponse, KeepAliveResponse__Output as _roster_v1_KeepAliveResponse__Output } from '../../roster/v1/KeepAliveResponse.js';
import type { ListServicesRequest as _roster_v1_ListServicesRequest, ListServicesRequest__Output as _roster_v1_ListServicesRequest__Output } from '../../roster/v1/ListServicesRequest.js';
import type { ListServicesResponse as _roster_v1_ListServicesResponse, ListServicesResponse__Output as _roster_v1_ListServicesResponse__Output } from '../../roster/v1/ListServicesResponse.js';
import type { LookupRequest as _roster_v1_LookupRequest, LookupRequest__Output as _roster_v1_LookupRequest__Output } from '../../roster/v1/LookupRequest.js';
import type { LookupResponse as _roster_v1_LookupResponse, LookupResponse__Output as _roster_v1_LookupResponse__Output } from '../../roster/v1/LookupResponse.js';
import type { RegisterRequest as _roster_v1_RegisterRequest, RegisterRequest__Output as _roster_v1_RegisterRequest__Output } from '../../roster/v1/RegisterRequest.js';
import type { RegisterResponse as _roster_v1_RegisterResponse, RegisterResponse__Output as _roster_v1_RegisterResponse__Output } from '../../roster/v1/RegisterResponse.js';
import type { WatchManyRequest as _roster_v1_WatchManyRequest, WatchManyRequest__Output as _roster_v1_WatchManyRequest__Output } from '../../roster/v1/WatchManyRequest.js';
import type { WatchRequest as _roster_v1_WatchRequest, WatchRequest__Output as _roster_v1_WatchRequest__Output } from '../../roster/v1/WatchRequest.js';
import type { WatchResponse as _roster_v1_WatchResponse, WatchResponse__Output as _roster_v1_WatchResponse__Output } from '../../roster/v1/WatchResponse.js';

export interface RegistryClient extends grpc.Client {
  Deregister(argument: _roster_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _roster_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _roster_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _roster_v1_DeregisterRequest, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _roster_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _roster_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _roster_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _roster_v1_DeregisterRequest, callback: grpc.requestCallback<_roster_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  
  KeepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveResponse__Output>;
  KeepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveResponse__Output>;
  keepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveResponse__Output>;
  keepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveResponse__Output>;
  
  ListServices(argument: _roster_v1_ListServicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _roster_v1_ListServicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _roster_v1_ListServicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _roster_v1_ListServicesRequest, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _roster_v1_ListServicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _roster_v1_ListServicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _roster_v1_ListServicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _roster_v1_ListServicesRequest, callback: grpc.requestCallback<_roster_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  
  Lookup(argument: _roster_v1_LookupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _roster_v1_LookupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _roster_v1_LookupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _roster_v1_LookupRequest, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _roster_v1_LookupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _roster_v1_LookupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _roster_v1_LookupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _roster_v1_LookupRequest, callback: grpc.requestCallback<_roster_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _roster_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _roster_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _roster_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _roster_v1_RegisterRequest, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _roster_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _roster_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _roster_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _roster_v1_RegisterRequest, callback: grpc.requestCallback<_roster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _roster_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_WatchResponse__Output>;
  Watch(argument: _roster_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_WatchResponse__Output>;
  watch(argument: _roster_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_WatchResponse__Output>;
  watch(argument: _roster_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_roster_v1_WatchResponse__Output>;
  
  WatchMany(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_WatchManyRequest, _roster_v1_WatchResponse__Output>;
  WatchMany(options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_WatchManyRequest, _roster_v1_WatchResponse__Output>;
  watchMany(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_WatchManyRequest, _roster_v1_WatchResponse__Output>;
  watchMany(options?: grpc.CallOptions): grpc.ClientDuplexStream<_roster_v1_WatchManyRequest, _roster_v1_WatchResponse__Output>;
  
}

export interface RegistryHandlers extends grpc.UntypedServiceImplementation {
  Deregister: grpc.handleUnaryCall<_roster_v1_DeregisterRequest__Output, _roster_v1_DeregisterResponse>;
  
  KeepAlive: grpc.handleBidiStreamingCall<_roster_v1_KeepAliveRequest__Output, _roster_v1_KeepAliveResponse>;
  
  ListServices: grpc.handleUnaryCall<_roster_v1_ListServicesRequest__Output, _roster_v1_ListServicesResponse>;
  
  Lookup: grpc.handleUnaryCall<_roster_v1_LookupRequest__Output, _roster_v1_LookupResponse>;
  
  Register: grpc.handleUnaryCall<_roster_v1_RegisterRequest__Output, _roster_v1_RegisterResponse>;
  
  Watch: grpc.handleServerStreamingCall<_roster_v1_WatchRequest__Output, _roster_v1_WatchResponse>;
  
  WatchMany: grpc.handleBidiStreamingCall<_roster_v1_WatchManyRequest__Output, _roster_v1_WatchResponse>;
  
}

export interface RegistryDefinition extends grpc.ServiceDefinition {
  Deregister: MethodDefinition<_roster_v1_DeregisterRequest, _roster_v1_DeregisterResponse, _roster_v1_DeregisterRequest__Output, _roster_v1_DeregisterResponse__Output>
  KeepAlive: MethodDefinition<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveResponse, _roster_v1_KeepAliveRequest__Output, _roster_v1_KeepAliveResponse__Output>
  ListServices: MethodDefinition<_roster_v1_ListServicesRequest, _roster_v1_ListServicesResponse, _roster_v1_ListServicesRequest__Output, _roster_v1_ListServicesResponse__Output>
  Lookup: MethodDefinition<_roster_v1_LookupRequest, _roster_v1_LookupResponse, _roster_v1_LookupRequest__Output, _roster_v1_LookupResponse__Output>
  Register: MethodDefinition<_roster_v1_RegisterRequest, _roster_v1_RegisterResponse, _roster_v1_RegisterRequest__Output, _roster_v1_RegisterResponse__Output>
  Watch: MethodDefinition<_roster_v1_WatchRequest, _roster_v1_WatchResponse, _roster_v1_WatchRequest__Output, _roster_v1_WatchResponse__Output>
  WatchMany: MethodDefinition<_roster_v1_WatchManyRequest, _roster_v1_WatchResponse, _roster_v1_WatchManyRequest__Output, _roster_v1_WatchResponse__Output>
}
