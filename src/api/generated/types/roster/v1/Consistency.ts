// Original file: proto/roster/v1/registry.proto

export const Consistency = {
  LINEARIZABLE: 'LINEARIZABLE',
  SERIALIZABLE: 'SERIALIZABLE',
} as const;

export type Consistency =
  | 'LINEARIZABLE'
  | 0
  | 'SERIALIZABLE'
  | 1

export type Consistency__Output = typeof Consistency[keyof typeof Consistency]
