// Original file: proto/roster/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotChunk {
  'data'?: (Buffer | Uint8Array | string);
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'revision'?: (number | string | Long);
  'total_bytes'?: (number | string | Long);
}

export interface SnapshotChunk__Output {
  'data': (Buffer);
  'index': (number);
  'term': (number);
  'revision': (number);
  'total_bytes': (number);
}
