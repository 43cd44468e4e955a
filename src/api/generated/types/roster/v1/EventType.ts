// Original file: proto/roster/v1/registry.proto

export const EventType = {
  EVENT_TYPE_UNSPECIFIED: 'EVENT_TYPE_UNSPECIFIED',
  PUT: 'PUT',
  DELETE: 'DELETE',
} as const;

export type EventType =
  | 'EVENT_TYPE_UNSPECIFIED'
  | 0
  | 'PUT'
  | 1
  | 'DELETE'
  | 2

export type EventType__Output = typeof EventType[keyof typeof EventType]
