// Original file: proto/roster/v1/registry.proto

import type { EventType as _roster_v1_EventType, EventType__Output as _roster_v1_EventType__Output } from '../../roster/v1/EventType.js';
import type { EventReason as _roster_v1_EventReason, EventReason__Output as _roster_v1_EventReason__Output } from '../../roster/v1/EventReason.js';
import type { Instance as _roster_v1_Instance, Instance__Output as _roster_v1_Instance__Output } from '../../roster/v1/Instance.js';
import type { Long } from '@grpc/proto-loader';

export interface WatchEvent {
  'type'?: (_roster_v1_EventType);
  'reason'?: (_roster_v1_EventReason);
  'revision'?: (number | string | Long);
  'instance'?: (_roster_v1_Instance | null);
}

export interface WatchEvent__Output {
  'type': (_roster_v1_EventType__Output);
  'reason': (_roster_v1_EventReason__Output);
  'revision': (number);
  'instance': (_roster_v1_Instance__Output | null);
}
