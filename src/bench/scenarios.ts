/**
 * The bench's scenarios, each one run on a freshly started cluster: the figures of one run,
 * by key. Every load comes from a separate driver process (run-driver.ts).
 */
import type { DriverSpec } from './driver-protocol.js';
import type { ClosedLoopResult } from './load-loops.js';
import { CpuMeter, rssMiB } from './procfs.js';
import { accepts } from './ports.js';
import { runDriver } from './run-driver.js';
import { EtcdTarget } from './etcd-target.js';
import { RosterTarget } from './roster-target.js';
import type { Percentiles } from './stats.js';
import { sleep, waitFor, wallNowMs, type BenchSystem } from './system.js';
import type { Target } from './target.js';

export type Figures = Record<string, number>;

export interface Sizes {
  readonly registerConcurrency: readonly number[];
  readonly registerMs: number;
  readonly warmupMs: number;
  readonly keepaliveLeases: readonly number[];
  readonly keepaliveMs: number;
  readonly watchers: readonly number[];
  readonly watchWrites: number;
  readonly lookupMs: number;
  readonly detectCount: number;
  readonly memoryInstances: number;
  /** New servers timed from registration to their first call through roster:///. */
  readonly resolverSamples: number;
  /** Heartbeats each instance sends before it falls silent (detect). */
  readonly detectKeepalives: number;
  /** When resident memory is first read after the load (rss_mb_<n>_after_load). */
  readonly memoryAfterLoadMs: number;
  /**
   * When it is read again, settled (rss_mb_<n>): a collector sizes its heap for the load it
   * just saw and gives memory back only once it sees the process idle (V8's memory reducer
   * starts 8 s after a full GC at the earliest, Go's scavenger works in the background), so a
   * reading right after a bulk load measures the burst, not what holding the data costs.
   */
  readonly memorySettleMs: number;
}

/** "10k", "100k": how counts appear in figure names. */
export function countLabel(count: number): string {
  return count % 1000 === 0 ? `${count / 1000}k` : String(count);
}

export interface Scenario {
  readonly name: string;
  run(system: BenchSystem, sizes: Sizes): Promise<Figures>;
}

/** Starts the system, runs `body`, and always stops it. */
async function onFreshCluster(system: BenchSystem, body: () => Promise<Figures>):
  Promise<Figures> {
  await system.start();
  try {
    return await body();
  } finally {
    await system.stop();
  }
}

/** Samples the cluster's CPU between the driver's measure marks. */
function cpuBetweenMarks(system: BenchSystem): {
  onMark: (name: string) => void; cores: () => number;
} {
  const meter = new CpuMeter(system.pids());
  let cores = Number.NaN;
  return {
    onMark: (name) => {
      if (name === 'measure-start') meter.start();
      if (name === 'measure-end') cores = meter.stop().cores;
    },
    cores: () => cores,
  };
}

const register: Scenario = {
  name: 'register',
  run: (system, sizes) => onFreshCluster(system, async () => {
    const figures: Figures = {};
    for (const concurrency of sizes.registerConcurrency) {
      const cpu = cpuBetweenMarks(system);
      const result = await runDriver({
        ...driverBase(system), kind: 'register', concurrency,
        warmupMs: sizes.warmupMs, durationMs: sizes.registerMs, ttlMs: 600_000,
      }, cpu.onMark) as unknown as ClosedLoopResult;
      if (result.errors > 0) {
        console.error(`  ${system.name} register @${concurrency}: ${result.errors} errors ` +
          `(${result.firstError})`);
      }
      figures[`register_ops_per_s_${concurrency}`] = result.opsPerSecond;
      figures[`register_p50_ms_${concurrency}`] = result.latency.p50;
      figures[`register_p99_ms_${concurrency}`] = result.latency.p99;
      figures[`register_cpu_ms_per_op_${concurrency}`] =
        (cpu.cores() * 1000) / result.opsPerSecond;
    }
    return figures;
  }),
};

const keepalive: Scenario = {
  name: 'keepalive',
  run: async (system, sizes) => {
    const figures: Figures = {};
    for (const leases of sizes.keepaliveLeases) {
      Object.assign(figures, await onFreshCluster(system, async () => {
        const leader = system.endpoints[await system.leaderIndex()] as string;
        const cpu = cpuBetweenMarks(system);
        // Roster renews many leases per message (one stream per client process renews all
        // of its leases); etcd's LeaseKeepAlive renews one lease per message.
        const batch = system.name === 'roster' ? 100 : 1;
        const result = await runDriver({
          ...driverBase(system), kind: 'keepalive', leader,
          leases, streams: 8, batch, inflight: system.name === 'roster' ? 8 : 256,
          warmupMs: sizes.warmupMs, durationMs: sizes.keepaliveMs,
        }, cpu.onMark) as { messagesPerSecond: number; leasesRenewedPerSecond: number };
        const label = countLabel(leases);
        const cores = cpu.cores();
        return {
          [`keepalive_msgs_per_s_${label}`]: result.messagesPerSecond,
          [`leases_renewed_per_s_${label}`]: result.leasesRenewedPerSecond,
          [`keepalive_cluster_cores_${label}`]: cores,
          [`leases_renewed_per_cpu_s_${label}`]: result.leasesRenewedPerSecond / cores,
        };
      }));
    }
    // The headline figure: at the most leases measured (100,000; 10,000 with --quick).
    const most = countLabel(Math.max(...sizes.keepaliveLeases));
    figures.leases_renewed_per_cpu_s = figures[`leases_renewed_per_cpu_s_${most}`] as number;
    return figures;
  },
};

const watch: Scenario = {
  name: 'watch',
  run: async (system, sizes) => {
    const figures: Figures = {};
    for (const watchers of sizes.watchers) {
      Object.assign(figures, await onFreshCluster(system, async () => {
        const result = await runDriver({
          ...driverBase(system), kind: 'watch', watchers,
          connections: 10, warmupWrites: 5, writes: sizes.watchWrites, intervalMs: 100,
        }) as { latency: Percentiles; missing: number };
        return {
          [`watch_p50_ms_${watchers}`]: result.latency.p50,
          [`watch_p99_ms_${watchers}`]: result.latency.p99,
          [`watch_missing_${watchers}`]: result.missing,
        };
      }));
    }
    return figures;
  },
};

const lookup: Scenario = {
  name: 'lookup',
  run: (system, sizes) => onFreshCluster(system, async () => {
    const figures: Figures = {};
    for (const linearizable of [true, false]) {
      const mode = linearizable ? 'linearizable' : 'serializable';
      const result = await runDriver({
        ...driverBase(system), kind: 'lookup', instances: 100,
        concurrency: 64, linearizable, warmupMs: sizes.warmupMs, durationMs: sizes.lookupMs,
      }) as unknown as ClosedLoopResult;
      if (result.errors > 0) {
        console.error(`  ${system.name} lookup ${mode}: ${result.errors} errors ` +
          `(${result.firstError})`);
      }
      figures[`lookup_ops_per_s_${mode}`] = result.opsPerSecond;
      figures[`lookup_p50_ms_${mode}`] = result.latency.p50;
    }
    return figures;
  }),
};

/** kill -9 the leader under open-loop writes to the survivors; time until writes succeed. */
const failover: Scenario = {
  name: 'failover',
  run: (system) => onFreshCluster(system, async () => {
    const leader = await system.leaderIndex();
    const survivors = system.endpoints.filter((_, index) => index !== leader);
    let killAt = Number.NaN;
    let killed: Promise<void> = Promise.resolve();
    const result = await runDriver({
      ...driverBase(system), kind: 'failover', survivors,
      rateHz: 200, steadyMs: 1_500, durationMs: 6_000, timeoutMs: 2_000,
    }, (name) => {
      if (name !== 'steady') return;
      killAt = wallNowMs();
      killed = system.kill(leader, 'SIGKILL');
    }) as { samples: [number, number | null][] };
    await killed;
    const after = result.samples.filter(([issued, acked]) => issued >= killAt && acked !== null);
    const firstAck = Math.min(...after.map(([, acked]) => acked as number));
    const acks = result.samples.flatMap(([, acked]) => (acked === null ? [] : [acked]))
      .sort((a, b) => a - b);
    let maxGap = 0;
    for (let i = 1; i < acks.length; i++) {
      maxGap = Math.max(maxGap, (acks[i] as number) - (acks[i - 1] as number));
    }
    return { failover_ms: firstAck - killAt, failover_max_ack_gap_ms: maxGap };
  }),
};

/** TTL 5 s: last answered heartbeat to the DELETE at a watcher. */
const detect: Scenario = {
  name: 'detect',
  run: (system, sizes) => onFreshCluster(system, async () => {
    const leader = system.endpoints[await system.leaderIndex()] as string;
    const result = await runDriver({
      ...driverBase(system), kind: 'detect', leader,
      count: sizes.detectCount, ttlMs: 5_000, keepalives: sizes.detectKeepalives,
      spacingMs: 1_000,
    }) as { detect: Percentiles; missing: number };
    return {
      detect_ms_ttl5s: result.detect.p50, detect_max_ms_ttl5s: result.detect.max,
      detect_missing_ttl5s: result.missing,
    };
  }),
};

/**
 * Registration to the first call reaching the new server through `roster:///` (grpc-js's
 * resolver and balancer). Roster only: etcd has no resolver for Node.
 */
const resolver: Scenario = {
  name: 'resolver',
  run: (system, sizes) => (system.name !== 'roster' ? Promise.resolve({}) :
    onFreshCluster(system, async () => {
      const result = await runDriver({
        ...driverBase(system), kind: 'resolver', samples: sizes.resolverSamples,
        spacingMs: 200, timeoutMs: 10_000,
      }) as { update: Percentiles; missing: number };
      return {
        resolver_update_p50_ms: result.update.p50, resolver_update_p99_ms: result.update.p99,
        resolver_update_missing: result.missing,
      };
    })),
};

/** What every driver is told of the system. */
function driverBase(system: BenchSystem): Pick<DriverSpec, 'system' | 'endpoints' | 'tls'> {
  return { system: system.name, endpoints: system.endpoints, tls: system.tls };
}

function probeTarget(system: BenchSystem, endpoint: string): Target {
  return system.name === 'roster'
    ? new RosterTarget([endpoint], { attempts: 1, timeoutMs: 1_000, tls: system.tls })
    : new EtcdTarget([endpoint], { faultHandling: 'none' });
}

/**
 * Loads `count` instances (each with its own lease), reads the largest member's RSS soon after
 * the load and again once settled, then restarts a follower and times it until it serves a
 * linearizable read.
 */
const memory: Scenario = {
  name: 'memory',
  run: (system, sizes) => onFreshCluster(system, async () => {
    const label = countLabel(sizes.memoryInstances);
    const loaded = await runDriver({
      ...driverBase(system), kind: 'load',
      count: sizes.memoryInstances, concurrency: 256, ttlMs: 3_600_000,
    }) as { opsPerSecond: number };
    await sleep(sizes.memoryAfterLoadMs);
    const afterLoad = Math.max(...system.pids().map(rssMiB));
    await sleep(sizes.memorySettleMs - sizes.memoryAfterLoadMs);
    const settled = Math.max(...system.pids().map(rssMiB));
    const leader = await system.leaderIndex();
    const follower = leader === 0 ? 1 : 0;
    await system.kill(follower, 'SIGTERM');
    const startedAt = performance.now();
    system.restart(follower);
    const endpoint = system.endpoints[follower] as string;
    // A client per 5 ms costs a third of a core: on two cores that is taken from the member
    // being timed. Until its port accepts, a bare TCP connect asks it instead.
    await waitFor('the restarted member to accept connections',
      async () => await accepts(endpoint) ? true : undefined, 120_000, 5);
    await waitFor('the restarted member to serve a linearizable read', async () => {
      // A fresh client per attempt: a channel that failed to connect waits out its reconnect
      // backoff (1 s in grpc-js), which would be measured instead of the member's readiness.
      const probe = probeTarget(system, endpoint);
      try {
        await probe.lookup('bench-ready', true);
        return true;
      } finally {
        probe.close();
      }
    }, 120_000, 5);
    const restartMs = performance.now() - startedAt;
    return {
      [`rss_mb_${label}`]: settled,
      [`rss_mb_${label}_after_load`]: afterLoad,
      [`load_ops_per_s_${label}`]: loaded.opsPerSecond,
      [`restart_ms_${label}`]: restartMs,
    };
  }),
};

export const SCENARIOS: readonly Scenario[] = [
  register, keepalive, watch, lookup, failover, detect, memory, resolver,
];
