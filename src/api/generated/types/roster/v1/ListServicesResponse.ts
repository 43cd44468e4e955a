// Original file: proto/roster/v1/registry.proto

import type { ServiceSummary as _roster_v1_ServiceSummary, ServiceSummary__Output as _roster_v1_ServiceSummary__Output } from '../../roster/v1/ServiceSummary.js';
import type { Long } from '@grpc/proto-loader';

export interface ListServicesResponse {
  'services'?: (_roster_v1_ServiceSummary)[];
  'revision'?: (number | string | Long);
}

export interface ListServicesResponse__Output {
  'services': (_roster_v1_ServiceSummary__Output)[];
  'revision': (number);
}
