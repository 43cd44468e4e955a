// Original file: proto/roster/v1/registry.proto

import type { Consistency as _roster_v1_Consistency, Consistency__Output as _roster_v1_Consistency__Output } from '../../roster/v1/Consistency.js';

export interface LookupRequest {
  'namespace'?: (string);
  'service'?: (string);
  'tags'?: (string)[];
  'version'?: (string);
  'zone'?: (string);
  'region'?: (string);
  'environment'?: (string);
  'include_unhealthy'?: (boolean);
  'consistency'?: (_roster_v1_Consistency);
}

export interface LookupRequest__Output {
  'namespace': (string);
  'service': (string);
  'tags': (string)[];
  'version': (string);
  'zone': (string);
  'region': (string);
  'environment': (string);
  'include_unhealthy': (boolean);
  'consistency': (_roster_v1_Consistency__Output);
}
