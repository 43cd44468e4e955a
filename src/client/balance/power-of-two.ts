import type { DiscoveredInstance } from '../discovered.js';

/**
 * Power of two choices: two distinct instances at random, the one with fewer calls in flight
 * (the first drawn on a tie, itself random). Nearly as even as least-outstanding, without
 * every client herding onto the same least-loaded instance. Weights are not used: an instance
 * that serves faster ends its calls sooner and so wins more comparisons by itself.
 */
export function pickPowerOfTwo(instances: readonly DiscoveredInstance[],
  outstanding: (id: string) => number, random: () => number): DiscoveredInstance | undefined {
  if (instances.length <= 1) return instances[0];
  const firstIndex = randomIndex(random, instances.length);
  let secondIndex = randomIndex(random, instances.length - 1);
  if (secondIndex >= firstIndex) secondIndex += 1;
  const first = instances[firstIndex];
  const second = instances[secondIndex];
  if (first === undefined || second === undefined) return first ?? second;
  return outstanding(second.id) < outstanding(first.id) ? second : first;
}

function randomIndex(random: () => number, length: number): number {
  // The clamp keeps a random() that returns 1 (outside its contract) in range.
  return Math.min(length - 1, Math.floor(random() * length));
}
