// Original file: proto/roster/v1/registry.proto

import type { HealthCheck as _roster_v1_HealthCheck, HealthCheck__Output as _roster_v1_HealthCheck__Output } from '../../roster/v1/HealthCheck.js';
import type { ServingStatus as _roster_v1_ServingStatus, ServingStatus__Output as _roster_v1_ServingStatus__Output } from '../../roster/v1/ServingStatus.js';
import type { HealthState as _roster_v1_HealthState, HealthState__Output as _roster_v1_HealthState__Output } from '../../roster/v1/HealthState.js';
import type { Long } from '@grpc/proto-loader';

export interface Instance {
  'namespace'?: (string);
  'service'?: (string);
  'id'?: (string);
  'address'?: (string);
  'port'?: (number);
  'ports'?: ({[key: string]: number});
  'protocol'?: (string);
  'version'?: (string);
  'environment'?: (string);
  'region'?: (string);
  'zone'?: (string);
  'tags'?: (string)[];
  'metadata'?: ({[key: string]: string});
  'weight'?: (number);
  'priority'?: (number);
  'capacity'?: (number);
  'health_check'?: (_roster_v1_HealthCheck | null);
  'lease_id'?: (number | string | Long);
  'status'?: (_roster_v1_ServingStatus);
  'health'?: (_roster_v1_HealthState);
  'create_revision'?: (number | string | Long);
  'mod_revision'?: (number | string | Long);
  'load'?: ({[key: string]: number | string});
  '_weight'?: "weight";
}

export interface Instance__Output {
  'namespace': (string);
  'service': (string);
  'id': (string);
  'address': (string);
  'port': (number);
  'ports': ({[key: string]: number});
  'protocol': (string);
  'version': (string);
  'environment': (string);
  'region': (string);
  'zone': (string);
  'tags': (string)[];
  'metadata': ({[key: string]: string});
  'weight'?: (number);
  'priority': (number);
  'capacity': (number);
  'health_check': (_roster_v1_HealthCheck__Output | null);
  'lease_id': (number);
  'status': (_roster_v1_ServingStatus__Output);
  'health': (_roster_v1_HealthState__Output);
  'create_revision': (number);
  'mod_revision': (number);
  'load': ({[key: string]: number});
  '_weight'?: "weight";
}
