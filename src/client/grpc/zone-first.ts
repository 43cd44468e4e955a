import type { RosterEndpointAttributes } from './endpoints.js';

/**
 * Balancer's 'zone-first' rules over the endpoints a channel can call now: the lowest
 * priority with a callable endpoint, the local zone within it when it has one, then smooth
 * weighted round robin by weight (deterministic, so a 3:1 split is 3:1 in every window of 4).
 * Weight 0 is never picked. Kept here, not delegated to Balancer (src/client/balance), while
 * that is a stub; its `pick('zone-first', …)` is the intended replacement for this class.
 */
export class ZoneFirstChooser {
  /** Smooth weighted round robin's running score per endpoint id. */
  private readonly score = new Map<string, number>();

  constructor(readonly localZone: string | undefined) {}

  choose<T extends RosterEndpointAttributes>(ready: readonly T[]): T | undefined {
    return this.roundRobin(preferredTier(ready, this.localZone));
  }

  /** Forgets endpoints gone from the channel, so a returning id starts afresh. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.score.keys()) if (!ids.has(id)) this.score.delete(id);
  }

  private roundRobin<T extends RosterEndpointAttributes>(tier: readonly T[]): T | undefined {
    let best: T | undefined;
    let bestScore = -Infinity;
    let total = 0;
    for (const candidate of tier) {
      const score = (this.score.get(candidate.id) ?? 0) + candidate.weight;
      this.score.set(candidate.id, score);
      total += candidate.weight;
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    if (best !== undefined) this.score.set(best.id, bestScore - total);
    return best;
  }
}

/** The endpoints zone-first spreads calls over; empty when none has a positive weight. */
export function preferredTier<T extends RosterEndpointAttributes>(ready: readonly T[],
  localZone: string | undefined): readonly T[] {
  const weighted = ready.filter((endpoint) => endpoint.weight > 0);
  if (weighted.length === 0) return [];
  const top = Math.min(...weighted.map((endpoint) => endpoint.priority));
  const tier = weighted.filter((endpoint) => endpoint.priority === top);
  const local = localZone === undefined ? [] : tier.filter((e) => e.zone === localZone);
  return local.length > 0 ? local : tier;
}
