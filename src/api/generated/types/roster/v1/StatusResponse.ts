// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'id'?: (number | string | Long);
  'name'?: (string);
  'role'?: (string);
  'term'?: (number | string | Long);
  'commit_index'?: (number | string | Long);
  'applied_index'?: (number | string | Long);
  'leader_id'?: (number | string | Long);
  'leader_name'?: (string);
  'revision'?: (number | string | Long);
  'first_index'?: (number | string | Long);
  'last_index'?: (number | string | Long);
  'snapshot_index'?: (number | string | Long);
  'instances'?: (number);
  'version'?: (string);
  'ready'?: (boolean);
  'leases'?: (number);
  'lease_protection'?: (boolean);
  'leases_deferred'?: (number);
  'watchers'?: (number);
  'cluster_id'?: (number | string | Long);
}

export interface StatusResponse__Output {
  'id': (number);
  'name': (string);
  'role': (string);
  'term': (number);
  'commit_index': (number);
  'applied_index': (number);
  'leader_id': (number);
  'leader_name': (string);
  'revision': (number);
  'first_index': (number);
  'last_index': (number);
  'snapshot_index': (number);
  'instances': (number);
  'version': (string);
  'ready': (boolean);
  'leases': (number);
  'lease_protection': (boolean);
  'leases_deferred': (number);
  'watchers': (number);
  'cluster_id': (number);
}
