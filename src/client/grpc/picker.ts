import * as grpc from '@grpc/grpc-js';
import type { Balancer, CallOutcome } from '../balance/balancer.js';
import type { DiscoveredInstance } from '../discovered.js';
import {
  PickResultType, type PickArgs, type PickResult, type Picker,
} from './experimental.js';

/** A READY child: its endpoint's instance and the picker of its connection. */
export interface ReadyChild {
  readonly instance: DiscoveredInstance;
  readonly picker: Picker;
}

/** Statuses that say the server failed the call, not that the caller asked wrongly. */
const SERVER_FAILURES = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.INTERNAL,
  grpc.status.UNKNOWN, grpc.status.DATA_LOSS]);

/**
 * The channel's picker while some child is READY: the balancer's zone-first choice among the
 * READY ones. Each call's outcome goes back to the balancer, so an instance that keeps
 * failing calls is ejected for a while (passive health).
 */
export class ZoneFirstPicker implements Picker {
  private readonly instances: readonly DiscoveredInstance[];
  private readonly pickers = new Map<string, Picker>();

  constructor(ready: readonly ReadyChild[], private readonly balancer: Balancer) {
    this.instances = ready.map((child) => child.instance);
    for (const child of ready) this.pickers.set(child.instance.id, child.picker);
  }

  pick(args: PickArgs): PickResult {
    const instance = this.balancer.pick('zone-first', this.instances);
    const picker = instance === undefined ? undefined : this.pickers.get(instance.id);
    // The balancer gives no child to an endpoint of weight 0, so this is a safety net: wait
    // for the next picker rather than fail a call a moment's state could serve.
    if (instance === undefined || picker === undefined) return QUEUE;
    const result = picker.pick(args);
    if (result.pickResultType !== PickResultType.COMPLETE) return result;
    return this.reporting(result, instance);
  }

  private reporting(result: PickResult, instance: DiscoveredInstance): PickResult {
    const inner = result.onCallEnded;
    let end: ((outcome: CallOutcome) => void) | undefined;
    const started = result.onCallStarted;
    return {
      ...result,
      onCallStarted: () => {
        end = this.balancer.begin(instance);
        started?.();
      },
      onCallEnded: (code, details, metadata) => {
        end?.(SERVER_FAILURES.has(code) ? 'failure' : 'success');
        inner?.(code, details, metadata);
      },
    };
  }
}

const QUEUE: PickResult = {
  pickResultType: PickResultType.QUEUE,
  subchannel: null,
  status: null,
  onCallStarted: null,
  onCallEnded: null,
};
