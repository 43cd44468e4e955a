import type { RosterEndpointAttributes } from './endpoints.js';
import {
  PickResultType, type PickArgs, type PickResult, type Picker,
} from './experimental.js';
import type { ZoneFirstChooser } from './zone-first.js';

/** A READY child: its endpoint's attributes and the picker of its connection. */
export interface ReadyChild extends RosterEndpointAttributes {
  readonly picker: Picker;
}

/** The channel's picker while some child is READY: zone-first among the READY ones. */
export class ZoneFirstPicker implements Picker {
  constructor(private readonly ready: readonly ReadyChild[],
    private readonly chooser: ZoneFirstChooser) {}

  pick(args: PickArgs): PickResult {
    const child = this.chooser.choose(this.ready);
    // The balancer gives no child to an endpoint of weight 0, so this is a safety net: wait
    // for the next picker rather than fail a call a moment's state could serve.
    if (child === undefined) return QUEUE;
    return child.picker.pick(args);
  }
}

const QUEUE: PickResult = {
  pickResultType: PickResultType.QUEUE,
  subchannel: null,
  status: null,
  onCallStarted: null,
  onCallEnded: null,
};
