// Original file: proto/roster/v1/registry.proto

import type { Consistency as _roster_v1_Consistency, Consistency__Output as _roster_v1_Consistency__Output } from '../../roster/v1/Consistency.js';

export interface ListServicesRequest {
  'namespace'?: (string);
  'consistency'?: (_roster_v1_Consistency);
}

export interface ListServicesRequest__Output {
  'namespace': (string);
  'consistency': (_roster_v1_Consistency__Output);
}
