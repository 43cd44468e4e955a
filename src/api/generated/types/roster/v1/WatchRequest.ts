// Original file: proto/roster/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'namespace'?: (string);
  'service'?: (string);
  'start_revision'?: (number | string | Long);
  'all_namespaces'?: (boolean);
}

export interface WatchRequest__Output {
  'namespace': (string);
  'service': (string);
  'start_revision': (number);
  'all_namespaces': (boolean);
}
