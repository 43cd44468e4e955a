import { unreachable } from '../../core/assert.js';
import type { DiscoveredInstance, PickPolicy } from '../discovered.js';
import { hashKey, pickRendezvous } from './consistent-hash.js';
import { eligibleInstances, hasWeight } from './eligibility.js';
import { InFlightCalls } from './in-flight.js';
import { pickLeastOutstanding } from './least-outstanding.js';
import type { CallOutcome, OutlierEjectionOptions } from './outlier-ejection.js';
import { OutlierEjection } from './outlier-ejection.js';
import { pickPowerOfTwo } from './power-of-two.js';
import { RoundRobin } from './round-robin.js';
import { SmoothWeightedRoundRobin } from './smooth-wrr.js';
import { zoneFirstCandidates } from './zone-first.js';

export type { CallOutcome, OutlierEjectionOptions };

export interface BalancerOptions {
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Milliseconds, for outlier ejection. */
  readonly nowMs: () => number;
  /** The caller's zone, preferred by zone-first; unset or '' prefers none. */
  readonly localZone?: string;
  /** Passive health; the defaults are 5 failures in a row, 30 s, at most 300 s. */
  readonly ejection?: OutlierEjectionOptions;
}

const TWO_TO_32 = 0x1_0000_0000;

/**
 * Chooses an instance of one service by policy. Every policy skips draining, critical and
 * ejected instances (ejection is ignored when it would leave none) and returns undefined when
 * nothing is left. The weighted policies (weighted-round-robin, consistent-hash, zone-first)
 * also skip weight 0. Pure: time and randomness come from the options.
 */
export class Balancer {
  private readonly roundRobin = new RoundRobin();
  private readonly weighted = new SmoothWeightedRoundRobin();
  // Its own turns, so a caller that mixes policies on one balancer does not shift either
  // rotation.
  private readonly zoneWeighted = new SmoothWeightedRoundRobin();
  private readonly inFlight = new InFlightCalls();
  private readonly ejection: OutlierEjection;
  private readonly outstanding = (id: string): number => this.inFlight.count(id);

  constructor(private readonly options: BalancerOptions) {
    this.ejection = new OutlierEjection(options.ejection);
  }

  /**
   * An instance by policy. `key` is for consistent-hash; without one, consistent-hash picks at
   * random in proportion to weight (the key is drawn per call), so no two keyless calls stick.
   */
  pick(policy: PickPolicy, instances: readonly DiscoveredInstance[],
    key?: string): DiscoveredInstance | undefined {
    const random = this.options.random;
    switch (policy) {
      case 'round-robin':
        return this.roundRobin.pick(this.eligible(instances));
      case 'weighted-round-robin':
        return this.weighted.pick(this.eligible(instances, hasWeight));
      case 'least-outstanding':
        return pickLeastOutstanding(this.eligible(instances), this.outstanding, random);
      case 'power-of-two-choices':
        return pickPowerOfTwo(this.eligible(instances), this.outstanding, random);
      case 'consistent-hash': {
        const keyHash = key === undefined ? Math.floor(random() * TWO_TO_32) : hashKey(key);
        return pickRendezvous(this.eligible(instances, hasWeight), keyHash);
      }
      case 'zone-first':
        return this.zoneWeighted.pick(
          zoneFirstCandidates(this.eligible(instances, hasWeight), this.options.localZone));
      default:
        return unreachable(policy, 'unknown pick policy');
    }
  }

  /**
   * Starts a call to `instance`; the returned function ends it with its outcome (once: later
   * calls are ignored). Every call begun must be ended, or the instance looks busier forever.
   */
  begin(instance: DiscoveredInstance): (outcome: CallOutcome) => void {
    const end = this.inFlight.start(instance.id);
    const record = this.ejection.recorder(instance.id);
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      end();
      record(outcome, this.options.nowMs());
    };
  }

  /** Keeps only the state of these instances (by id): an id dropped and re-added starts fresh. */
  retain(instances: readonly DiscoveredInstance[]): void {
    const ids = new Set(instances.map((instance) => instance.id));
    this.inFlight.retain(ids);
    this.ejection.retain(ids);
    this.weighted.retain(ids);
    this.zoneWeighted.retain(ids);
  }

  isEjected(instance: DiscoveredInstance): boolean {
    return this.ejection.isEjected(instance.id, this.options.nowMs());
  }

  /** Calls begun on `instance` and not yet ended. */
  outstandingCalls(instance: DiscoveredInstance): number {
    return this.inFlight.count(instance.id);
  }

  private eligible(instances: readonly DiscoveredInstance[],
    accepts?: (instance: DiscoveredInstance) => boolean): DiscoveredInstance[] {
    const nowMs = this.options.nowMs();
    return eligibleInstances(instances,
      (instance) => this.ejection.isEjected(instance.id, nowMs), accepts);
  }
}
