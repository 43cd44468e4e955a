// Original file: proto/roster/v1/registry.proto

export const HealthState = {
  HEALTH_STATE_UNSPECIFIED: 'HEALTH_STATE_UNSPECIFIED',
  PASSING: 'PASSING',
  WARNING: 'WARNING',
  CRITICAL: 'CRITICAL',
} as const;

export type HealthState =
  | 'HEALTH_STATE_UNSPECIFIED'
  | 0
  | 'PASSING'
  | 1
  | 'WARNING'
  | 2
  | 'CRITICAL'
  | 3

export type HealthState__Output = typeof HealthState[keyof typeof HealthState]
