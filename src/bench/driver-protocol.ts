/**
 * What the bench asks its load driver (a separate process, so the client's CPU never counts
 * as the cluster's) and what the driver answers, one JSON object per stdout line.
 */
import type { BenchTls, SystemName } from './system.js';

interface Common {
  readonly system: SystemName;
  /** Client endpoints of the members, host:port. */
  readonly endpoints: readonly string[];
  readonly tls?: BenchTls;
}

export type DriverSpec = Common & (
  | {
    readonly kind: 'register'; readonly concurrency: number; readonly warmupMs: number;
    readonly durationMs: number; readonly ttlMs: number;
  }
  | {
    readonly kind: 'keepalive'; readonly leader: string; readonly leases: number;
    readonly streams: number; readonly batch: number; readonly inflight: number;
    readonly warmupMs: number; readonly durationMs: number;
  }
  | {
    readonly kind: 'watch'; readonly watchers: number; readonly connections: number;
    /** Writes before the measured ones, whose deliveries are not timed (warm-up). */
    readonly warmupWrites: number;
    readonly writes: number; readonly intervalMs: number;
  }
  | {
    readonly kind: 'lookup'; readonly instances: number; readonly concurrency: number;
    readonly linearizable: boolean; readonly warmupMs: number; readonly durationMs: number;
  }
  | {
    readonly kind: 'failover'; readonly survivors: readonly string[]; readonly rateHz: number;
    readonly steadyMs: number; readonly durationMs: number; readonly timeoutMs: number;
  }
  | {
    readonly kind: 'detect'; readonly leader: string; readonly count: number;
    readonly ttlMs: number; readonly keepalives: number; readonly spacingMs: number;
  }
  | {
    readonly kind: 'load'; readonly count: number; readonly concurrency: number;
    readonly ttlMs: number;
  }
  | {
    readonly kind: 'resolver'; readonly samples: number; readonly spacingMs: number;
    readonly timeoutMs: number;
  }
);

export type MarkName = 'measure-start' | 'measure-end' | 'steady';

export type DriverLine =
  | { readonly type: 'mark'; readonly name: MarkName; readonly atMs: number }
  | { readonly type: 'result'; readonly result: Record<string, unknown> }
  | { readonly type: 'error'; readonly message: string };
