import { Balancer } from '../../../src/client/balance/balancer.js';
import type { BalancerOptions } from '../../../src/client/balance/balancer.js';
import type { DiscoveredInstance } from '../../../src/client/discovered.js';
import { ManualClock } from '../../../src/core/clock.js';
import { Prng } from '../../../src/core/prng.js';

/** A serving, passing instance with no weight set (so weight 100). */
export function instance(id: string, fields: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return {
    namespace: 'default', service: 'api', id, address: '10.0.0.1', port: 8080, ports: {},
    protocol: 'grpc', version: '1.0.0', environment: 'prod', region: 'eu-west', zone: '',
    tags: [], metadata: {}, weight: 0, priority: 0, capacity: 0, health_check: null,
    lease_id: 1, status: 'SERVING', health: 'PASSING', create_revision: 1, mod_revision: 1,
    load: {}, ...fields,
  };
}

/** An instance whose weight was set explicitly (proto3 optional: `_weight` says so). */
export function weighted(id: string, weight: number,
  fields: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return instance(id, { weight, _weight: 'weight', ...fields });
}

export interface Harness {
  readonly balancer: Balancer;
  readonly clock: ManualClock;
}

export function harness(seed = 1, options: Partial<BalancerOptions> = {}): Harness {
  const clock = new ManualClock(1_000_000);
  const prng = new Prng(seed);
  const balancer = new Balancer({
    random: () => prng.nextFloat(), nowMs: () => clock.nowMs(), ...options,
  });
  return { balancer, clock };
}

/** How many times each id was picked in `count` picks. */
export function tally(count: number,
  pick: () => DiscoveredInstance | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = pick()?.id ?? '(none)';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Pearson's statistic: sum over cells of (observed - expected)^2 / expected. */
export function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  let statistic = 0;
  expected.forEach((want, i) => {
    const got = observed[i] ?? 0;
    statistic += (got - want) ** 2 / want;
  });
  return statistic;
}

/** A copy in a seeded random order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const prng = new Prng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = prng.intBelow(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

export function ids(instances: readonly (DiscoveredInstance | undefined)[]): string[] {
  return instances.map((chosen) => chosen?.id ?? '(none)');
}
