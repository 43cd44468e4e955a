// Original file: proto/roster/v1/registry.proto

export const EventReason = {
  EVENT_REASON_UNSPECIFIED: 'EVENT_REASON_UNSPECIFIED',
  REGISTERED: 'REGISTERED',
  UPDATED: 'UPDATED',
  DEREGISTERED: 'DEREGISTERED',
  EXPIRED: 'EXPIRED',
  HEALTH: 'HEALTH',
} as const;

export type EventReason =
  | 'EVENT_REASON_UNSPECIFIED'
  | 0
  | 'REGISTERED'
  | 1
  | 'UPDATED'
  | 2
  | 'DEREGISTERED'
  | 3
  | 'EXPIRED'
  | 4
  | 'HEALTH'
  | 5

export type EventReason__Output = typeof EventReason[keyof typeof EventReason]
