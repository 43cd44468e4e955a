import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { DeregisterRequest as _roster_v1_DeregisterRequest, DeregisterRequest__Output as _roster_v1_DeregisterRequest__Output } from './roster/v1/DeregisterRequest.js';
import type { DeregisterResponse as _roster_v1_DeregisterResponse, DeregisterResponse__Output as _roster_v1_DeregisterResponse__Output } from './roster/v1/DeregisterResponse.js';
import type { HealthCheck as _roster_v1_HealthCheck, HealthCheck__Output as _roster_v1_HealthCheck__Output } from './roster/v1/HealthCheck.js';
import type { Instance as _roster_v1_Instance, Instance__Output as _roster_v1_Instance__Output } from './roster/v1/Instance.js';
import type { KeepAliveRequest as _roster_v1_KeepAliveRequest, KeepAliveRequest__Output as _roster_v1_KeepAliveRequest__Output } from './roster/v1/KeepAliveRequest.js';
import type { KeepAliveResponse as _roster_v1_KeepAliveResponse, KeepAliveResponse__Output as _roster_v1_KeepAliveResponse__Output } from './roster/v1/KeepAliveResponse.js';
import type { LeaseState as _roster_v1_LeaseState, LeaseState__Output as _roster_v1_LeaseState__Output } from './roster/v1/LeaseState.js';
import type { ListServicesRequest as _roster_v1_ListServicesRequest, ListServicesRequest__Output as _roster_v1_ListServicesRequest__Output } from './roster/v1/ListServicesRequest.js';
import type { ListServicesResponse as _roster_v1_ListServicesResponse, ListServicesResponse__Output as _roster_v1_ListServicesResponse__Output } from './roster/v1/ListServicesResponse.js';
import type { LookupRequest as _roster_v1_LookupRequest, LookupRequest__Output as _roster_v1_LookupRequest__Output } from './roster/v1/LookupRequest.js';
import type { LookupResponse as _roster_v1_LookupResponse, LookupResponse__Output as _roster_v1_LookupResponse__Output } from './roster/v1/LookupResponse.js';
import type { RegisterRequest as _roster_v1_RegisterRequest, RegisterRequest__Output as _roster_v1_RegisterRequest__Output } from './roster/v1/RegisterRequest.js';
import type { RegisterResponse as _roster_v1_RegisterResponse, RegisterResponse__Output as _roster_v1_RegisterResponse__Output } from './roster/v1/RegisterResponse.js';
import type { RegistryClient as _roster_v1_RegistryClient, RegistryDefinition as _roster_v1_RegistryDefinition } from './roster/v1/Registry.js';
import type { ServiceSummary as _roster_v1_ServiceSummary, ServiceSummary__Output as _roster_v1_ServiceSummary__Output } from './roster/v1/ServiceSummary.js';
import type { WatchEvent as _roster_v1_WatchEvent, WatchEvent__Output as _roster_v1_WatchEvent__Output } from './roster/v1/WatchEvent.js';
import type { WatchManyRequest as _roster_v1_WatchManyRequest, WatchManyRequest__Output as _roster_v1_WatchManyRequest__Output } from './roster/v1/WatchManyRequest.js';
import type { WatchRequest as _roster_v1_WatchRequest, WatchRequest__Output as _roster_v1_WatchRequest__Output } from './roster/v1/WatchRequest.js';
import type { WatchResponse as _roster_v1_WatchResponse, WatchResponse__Output as _roster_v1_WatchResponse__Output } from './roster/v1/WatchResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  roster: {
    v1: {
      Consistency: EnumTypeDefinition
      DeregisterRequest: MessageTypeDefinition<_roster_v1_DeregisterRequest, _roster_v1_DeregisterRequest__Output>
      DeregisterResponse: MessageTypeDefinition<_roster_v1_DeregisterResponse, _roster_v1_DeregisterResponse__Output>
      EventReason: EnumTypeDefinition
      EventType: EnumTypeDefinition
      HealthCheck: MessageTypeDefinition<_roster_v1_HealthCheck, _roster_v1_HealthCheck__Output>
      HealthState: EnumTypeDefinition
      Instance: MessageTypeDefinition<_roster_v1_Instance, _roster_v1_Instance__Output>
      KeepAliveRequest: MessageTypeDefinition<_roster_v1_KeepAliveRequest, _roster_v1_KeepAliveRequest__Output>
      KeepAliveResponse: MessageTypeDefinition<_roster_v1_KeepAliveResponse, _roster_v1_KeepAliveResponse__Output>
      LeaseState: MessageTypeDefinition<_roster_v1_LeaseState, _roster_v1_LeaseState__Output>
      ListServicesRequest: MessageTypeDefinition<_roster_v1_ListServicesRequest, _roster_v1_ListServicesRequest__Output>
      ListServicesResponse: MessageTypeDefinition<_roster_v1_ListServicesResponse, _roster_v1_ListServicesResponse__Output>
      LookupRequest: MessageTypeDefinition<_roster_v1_LookupRequest, _roster_v1_LookupRequest__Output>
      LookupResponse: MessageTypeDefinition<_roster_v1_LookupResponse, _roster_v1_LookupResponse__Output>
      RegisterRequest: MessageTypeDefinition<_roster_v1_RegisterRequest, _roster_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_roster_v1_RegisterResponse, _roster_v1_RegisterResponse__Output>
      Registry: SubtypeConstructor<typeof grpc.Client, _roster_v1_RegistryClient> & { service: _roster_v1_RegistryDefinition }
      ServiceSummary: MessageTypeDefinition<_roster_v1_ServiceSummary, _roster_v1_ServiceSummary__Output>
      ServingStatus: EnumTypeDefinition
      WatchEvent: MessageTypeDefinition<_roster_v1_WatchEvent, _roster_v1_WatchEvent__Output>
      WatchManyRequest: MessageTypeDefinition<_roster_v1_WatchManyRequest, _roster_v1_WatchManyRequest__Output>
      WatchRequest: MessageTypeDefinition<_roster_v1_WatchRequest, _roster_v1_WatchRequest__Output>
      WatchResponse: MessageTypeDefinition<_roster_v1_WatchResponse, _roster_v1_WatchResponse__Output>
    }
  }
}

