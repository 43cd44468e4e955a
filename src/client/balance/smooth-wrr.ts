import type { DiscoveredInstance } from '../discovered.js';
import { effectiveWeight } from './eligibility.js';

interface Turn {
  current: number;
  /** The pick it last took part in. */
  round: number;
}

/**
 * nginx's smooth weighted round robin: every pick adds each weight to its instance's current
 * value, takes the largest and takes the total off it. Weights 5/1/1 give a a b a c a a: the
 * heavy instance's turns are spread out, not bunched. Weight 0 never takes part.
 */
export class SmoothWeightedRoundRobin {
  private readonly turns = new Map<string, Turn>();
  private round = 0;

  pick(instances: readonly DiscoveredInstance[]): DiscoveredInstance | undefined {
    this.round += 1;
    const takingPart: [DiscoveredInstance, Turn, number][] = [];
    let total = 0;
    for (const instance of instances) {
      const weight = effectiveWeight(instance);
      if (weight === 0) continue;
      takingPart.push([instance, this.turnOf(instance.id), weight]);
      total += weight;
    }
    let best: DiscoveredInstance | undefined;
    let bestTurn: Turn | undefined;
    for (const [instance, turn, weight] of takingPart) {
      // While the set stays the same no debt reaches the total (the winner, at least total/n
      // after the adding, is left above -total), so this cap only acts after a change: a debt
      // run up against a larger set would otherwise keep the instance out for that long.
      turn.current = Math.max(turn.current, -total) + weight;
      // Ties go to the smaller id (nginx: the first listed), so the order of the list is moot.
      if (best === undefined || bestTurn === undefined || turn.current > bestTurn.current
        || (turn.current === bestTurn.current && instance.id < best.id)) {
        best = instance;
        bestTurn = turn;
      }
    }
    if (bestTurn !== undefined) bestTurn.current -= total;
    return best;
  }

  /** Drops the turns of every id not in `ids`. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.turns.keys()) if (!ids.has(id)) this.turns.delete(id);
  }

  private turnOf(id: string): Turn {
    let turn = this.turns.get(id);
    if (turn === undefined) {
      turn = { current: 0, round: this.round };
      this.turns.set(id, turn);
    } else if (turn.round < this.round - 1) {
      // Back after sitting out (ejected, draining): a credit or debt kept from before would
      // give it a burst of picks, or none, until the others caught up.
      turn.current = 0;
    }
    turn.round = this.round;
    return turn;
  }
}
