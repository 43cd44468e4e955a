// Original file: proto/roster/v1/registry.proto

export const ServingStatus = {
  SERVING_STATUS_UNSPECIFIED: 'SERVING_STATUS_UNSPECIFIED',
  SERVING: 'SERVING',
  DRAINING: 'DRAINING',
} as const;

export type ServingStatus =
  | 'SERVING_STATUS_UNSPECIFIED'
  | 0
  | 'SERVING'
  | 1
  | 'DRAINING'
  | 2

export type ServingStatus__Output = typeof ServingStatus[keyof typeof ServingStatus]
