import type { DiscoveredInstance } from '../discovered.js';

/**
 * Takes turns in id order: the next turn goes to the smallest id after the last one served.
 * The rotation so depends neither on the order the caller lists instances in nor on the set
 * staying the same between picks: a newcomer joins the cycle at its place, a leaver drops out.
 */
export class RoundRobin {
  private lastId: string | undefined;

  pick(instances: readonly DiscoveredInstance[]): DiscoveredInstance | undefined {
    let smallest: DiscoveredInstance | undefined;
    let next: DiscoveredInstance | undefined;
    for (const instance of instances) {
      if (smallest === undefined || instance.id < smallest.id) smallest = instance;
      if (this.lastId !== undefined && instance.id > this.lastId
        && (next === undefined || instance.id < next.id)) next = instance;
    }
    const chosen = next ?? smallest;
    if (chosen !== undefined) this.lastId = chosen.id;
    return chosen;
  }
}
