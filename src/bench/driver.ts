/**
 * The load driver: one process per scenario, started by the bench with a DriverSpec as its
 * argument. It talks to the cluster through the system's own client, marks the measured
 * window on stdout (the bench samples the cluster's CPU there), and prints its result.
 */
import type { DriverLine, DriverSpec, MarkName } from './driver-protocol.js';
import { EtcdTarget } from './etcd-target.js';
import { closedLoop, runAll } from './load-loops.js';
import { resolverUpdate } from './resolver-driver.js';
import { RosterTarget } from './roster-target.js';
import { percentiles } from './stats.js';
import { sleep, wallNowMs } from './system.js';
import type { LeaseRef, Target } from './target.js';

function emit(line: DriverLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function mark(name: MarkName): void {
  emit({ type: 'mark', name, atMs: wallNowMs() });
}

/** A target whose calls go to `endpoints` (the first one first). */
function targetFor(
  spec: DriverSpec, endpoints: readonly string[],
  options: { pinned?: boolean; timeoutMs?: number } = {},
): Target {
  if (spec.system === 'roster') {
    return new RosterTarget(endpoints, options.pinned === true
      ? { attempts: 1, timeoutMs: options.timeoutMs ?? 2_000, tls: spec.tls } : { tls: spec.tls });
  }
  return new EtcdTarget(endpoints, options.pinned === true ? { faultHandling: 'none' } : {});
}

/** endpoints rotated so that endpoints[index % n] comes first. */
function rotated(endpoints: readonly string[], index: number): string[] {
  const start = index % endpoints.length;
  return [...endpoints.slice(start), ...endpoints.slice(0, start)];
}

async function register(spec: Extract<DriverSpec, { kind: 'register' }>): Promise<object> {
  const target = targetFor(spec, spec.endpoints);
  const run = `${process.pid}`;
  const result = await closedLoop({
    concurrency: spec.concurrency, warmupMs: spec.warmupMs, durationMs: spec.durationMs,
    op: (n) => target.register('bench-register', `r${run}-${n}`, spec.ttlMs),
    onWindow: (edge) => mark(edge === 'start' ? 'measure-start' : 'measure-end'),
  });
  target.close();
  return result;
}

/** Grants `count` leases (one instance each), 256 in flight. */
async function grantLeases(target: Target, service: string, count: number, ttlMs: number):
  Promise<LeaseRef[]> {
  const leases: LeaseRef[] = new Array<LeaseRef>(count);
  await runAll(count, 256, async (n) => {
    leases[n] = await target.register(service, `k${n}`, ttlMs);
  });
  return leases;
}

/**
 * Saturating heartbeats: `streams` KeepAlive streams to the leader, each keeping `inflight`
 * messages unanswered, each message renewing `batch` leases (etcd: always one).
 */
async function keepalive(spec: Extract<DriverSpec, { kind: 'keepalive' }>): Promise<object> {
  const setup = targetFor(spec, spec.endpoints);
  const leases = await grantLeases(setup, 'bench-keepalive', spec.leases, 600_000);
  setup.close();
  const target = targetFor(spec, [spec.leader]);
  let counting = false;
  let messages = 0;
  let renewed = 0;
  let cursor = 0;
  const nextBatch = (): LeaseRef[] => {
    const batch: LeaseRef[] = [];
    for (let i = 0; i < spec.batch; i++) {
      batch.push(leases[cursor] as LeaseRef);
      cursor = (cursor + 1) % leases.length;
    }
    return batch;
  };
  let running = true;
  const channels = await Promise.all(Array.from({ length: spec.streams }, async () => {
    const channel = await target.keepAlive((count) => {
      if (counting) {
        messages += 1;
        renewed += count;
      }
      // Each answer frees one message of the window (etcd answers each lease alone).
      if (running) channel.send(nextBatch());
    });
    return channel;
  }));
  for (const channel of channels) {
    for (let i = 0; i < spec.inflight; i++) channel.send(nextBatch());
  }
  await sleep(spec.warmupMs);
  counting = true;
  mark('measure-start');
  await sleep(spec.durationMs);
  mark('measure-end');
  counting = false;
  running = false;
  for (const channel of channels) channel.close();
  target.close();
  const seconds = spec.durationMs / 1000;
  return { messagesPerSecond: messages / seconds, leasesRenewedPerSecond: renewed / seconds };
}

async function watch(spec: Extract<DriverSpec, { kind: 'watch' }>): Promise<object> {
  const connections = Array.from({ length: spec.connections },
    (_, i) => targetFor(spec, rotated(spec.endpoints, i)));
  const writtenAt = new Map<string, number>();
  const latencies: number[] = [];
  const service = 'bench-watch';
  const stops = await Promise.all(Array.from({ length: spec.watchers }, (_, i) =>
    (connections[i % connections.length] as Target).watch(service, (type, id) => {
      const sentMs = writtenAt.get(id);
      if (type === 'put' && sentMs !== undefined) latencies.push(performance.now() - sentMs);
    })));
  const writer = targetFor(spec, spec.endpoints);
  // Warm-up, as the other scenarios have: the first events on each stream pay for code not
  // yet optimized on both sides, which is not what a watcher sees in steady state.
  for (let k = 0; k < spec.warmupWrites; k++) {
    await writer.write(service, `warm${k}`);
    await sleep(spec.intervalMs);
  }
  for (let k = 0; k < spec.writes; k++) {
    const id = `w${k}`;
    writtenAt.set(id, performance.now());
    await writer.write(service, id);
    await sleep(spec.intervalMs);
  }
  const expected = spec.writes * spec.watchers;
  const deadline = performance.now() + 5_000;
  while (latencies.length < expected && performance.now() < deadline) await sleep(50);
  for (const stop of stops) stop();
  writer.close();
  for (const connection of connections) connection.close();
  return { latency: percentiles(latencies), missing: expected - latencies.length };
}

async function lookup(spec: Extract<DriverSpec, { kind: 'lookup' }>): Promise<object> {
  const setup = targetFor(spec, spec.endpoints);
  await runAll(spec.instances, 16, (n) => setup.write('bench-lookup', `l${n}`));
  setup.close();
  const target = targetFor(spec, spec.endpoints);
  const result = await closedLoop({
    concurrency: spec.concurrency, warmupMs: spec.warmupMs, durationMs: spec.durationMs,
    op: async () => {
      const found = await target.lookup('bench-lookup', spec.linearizable);
      if (found !== spec.instances) throw new Error(`lookup found ${found} of ${spec.instances}`);
    },
    onWindow: (edge) => mark(edge === 'start' ? 'measure-start' : 'measure-end'),
  });
  target.close();
  return result;
}

/**
 * Open-loop writes through clients pinned to the surviving members (no client-side failover
 * policy, each write with its own deadline); the bench kills the leader after 'steady'.
 */
async function failover(spec: Extract<DriverSpec, { kind: 'failover' }>): Promise<object> {
  const targets = spec.survivors.map((endpoint) =>
    targetFor(spec, [endpoint], { pinned: true, timeoutMs: spec.timeoutMs }));
  const samples: [number, number | null][] = [];
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / spec.rateHz;
  const startMs = performance.now();
  let steadySent = false;
  for (let n = 0; performance.now() - startMs < spec.durationMs; n++) {
    const dueMs = startMs + n * intervalMs;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    if (!steadySent && performance.now() - startMs >= spec.steadyMs) {
      steadySent = true;
      mark('steady');
    }
    const issuedAt = wallNowMs();
    const sample: [number, number | null] = [issuedAt, null];
    samples.push(sample);
    const target = targets[n % targets.length] as Target;
    pending.push(target.write('bench-failover', `f${n}`).then(
      () => {
        sample[1] = wallNowMs();
      },
      () => {},
    ));
  }
  await Promise.all(pending);
  for (const target of targets) target.close();
  return { samples };
}

/**
 * Failure detection: instances with a TTL heartbeat a few times, then fall silent; the time
 * from the last answered heartbeat to the DELETE a watcher receives.
 */
async function detect(spec: Extract<DriverSpec, { kind: 'detect' }>): Promise<object> {
  const watcher = targetFor(spec, spec.endpoints);
  const deletedAt = new Map<string, number>();
  const stop = await watcher.watch('bench-detect', (type, id) => {
    if (type === 'delete') deletedAt.set(id, wallNowMs());
  });
  const writer = targetFor(spec, spec.endpoints);
  const heartbeats = targetFor(spec, [spec.leader]);
  const lastAck = new Map<string, number>();
  await Promise.all(Array.from({ length: spec.count }, async (_, i) => {
    await sleep(Math.random() * 1_000);
    const id = `d${i}`;
    const lease = await writer.register('bench-detect', id, spec.ttlMs);
    let answered: () => void = () => {};
    const channel = await heartbeats.keepAlive(() => {
      lastAck.set(id, wallNowMs());
      answered();
    });
    for (let beat = 0; beat < spec.keepalives; beat++) {
      await sleep(spec.spacingMs);
      await new Promise<void>((resolve) => {
        answered = resolve;
        channel.send([lease]);
      });
    }
    channel.close();
  }));
  const deadline = performance.now() + spec.ttlMs + 10_000;
  while (deletedAt.size < spec.count && performance.now() < deadline) await sleep(20);
  stop();
  for (const target of [watcher, writer, heartbeats]) target.close();
  const detectMs = [...lastAck].flatMap(([id, ackMs]) => {
    const deleted = deletedAt.get(id);
    return deleted === undefined ? [] : [deleted - ackMs];
  });
  return { detect: percentiles(detectMs), missing: spec.count - detectMs.length };
}

async function load(spec: Extract<DriverSpec, { kind: 'load' }>): Promise<object> {
  const target = targetFor(spec, spec.endpoints);
  const result = await runAll(spec.count, spec.concurrency,
    (n) => target.register('bench-load', `i${n}`, spec.ttlMs));
  target.close();
  return result;
}

async function run(spec: DriverSpec): Promise<object> {
  switch (spec.kind) {
    case 'register': return register(spec);
    case 'keepalive': return keepalive(spec);
    case 'watch': return watch(spec);
    case 'lookup': return lookup(spec);
    case 'failover': return failover(spec);
    case 'detect': return detect(spec);
    case 'load': return load(spec);
    case 'resolver': return resolverUpdate(spec);
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as DriverSpec;
run(spec).then((result) => {
  emit({ type: 'result', result: result as Record<string, unknown> });
  process.exit(0);
}, (error: unknown) => {
  const message = error instanceof Error ? error.stack ?? error.message : String(error);
  emit({ type: 'error', message });
  process.exit(1);
});
