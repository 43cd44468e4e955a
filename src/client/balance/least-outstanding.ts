import type { DiscoveredInstance } from '../discovered.js';

/**
 * The instance with the fewest calls in flight. Ties are broken at random (reservoir
 * sampling): always taking the first would pile a burst of new calls onto one instance
 * while the others sit idle at the same count.
 */
export function pickLeastOutstanding(instances: readonly DiscoveredInstance[],
  outstanding: (id: string) => number, random: () => number): DiscoveredInstance | undefined {
  let chosen: DiscoveredInstance | undefined;
  let fewest = Infinity;
  let ties = 0;
  for (const instance of instances) {
    const count = outstanding(instance.id);
    if (count < fewest) {
      chosen = instance;
      fewest = count;
      ties = 1;
    } else if (count === fewest) {
      ties += 1;
      if (random() * ties < 1) chosen = instance;
    }
  }
  return chosen;
}
