import type { DiscoveredInstance } from '../discovered.js';
import { effectiveWeight } from './eligibility.js';
import { murmur3 } from './murmur3.js';

const TWO_TO_32 = 0x1_0000_0000;

/** The hash a key is placed by; pickRendezvous takes it so a caller can hash a key once. */
export function hashKey(key: string): number {
  return murmur3(key, 0);
}

/**
 * Weighted rendezvous (highest random weight) hashing: every instance scores the key, the
 * highest score wins. An instance that joins takes only the keys it now outscores, and one
 * that leaves gives up only its own, so a membership change moves about 1/n of the keys. The
 * score -weight / ln(u), u uniform in (0, 1), makes an instance's share proportional to its
 * weight; weight 0 never wins.
 */
export function pickRendezvous(instances: readonly DiscoveredInstance[],
  keyHash: number): DiscoveredInstance | undefined {
  let best: DiscoveredInstance | undefined;
  let bestScore = 0;
  for (const instance of instances) {
    const weight = effectiveWeight(instance);
    if (weight === 0) continue;
    const score = weight / -Math.log(unitInterval(murmur3(instance.id, keyHash)));
    // Equal scores go to the smaller id, so the order of the list is moot.
    if (best === undefined || score > bestScore
      || (score === bestScore && instance.id < best.id)) {
      best = instance;
      bestScore = score;
    }
  }
  return best;
}

/** Open at both ends, so the logarithm is finite and negative. */
function unitInterval(hash: number): number {
  return (hash + 0.5) / TWO_TO_32;
}
