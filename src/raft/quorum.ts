import type { NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * The largest value that a majority of `voters` have reached (e.g. the index replicated on a
 * quorum). 0 with no voters: an empty configuration can commit nothing.
 */
export function majorityValue(voters: readonly NodeId[], valueOf: (id: NodeId) => number): number {
  const count = voters.length;
  if (count === 0) return 0;
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = valueOf(voters[i] as NodeId);
  values.sort((a, b) => b - a);
  return values[Math.floor(count / 2)] as number;
}

/** Whether the recorded votes (true = granted) decide an election among `voters`. */
export function voteResult(
  voters: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === undefined) missing += 1;
    else if (vote) granted += 1;
  }
  const quorum = Math.floor(voters.length / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}
