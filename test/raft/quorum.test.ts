import { describe, expect, it } from 'vitest';
import { majorityValue, voteResult } from '../../src/raft/quorum.js';

/** Voters 1..n where voter i has values[i-1]. */
function majorityOf(values: readonly number[]): number {
  const voters = values.map((_, i) => i + 1);
  return majorityValue(voters, (id) => values[id - 1] ?? -1);
}

/** A brute-force reference: the largest v that at least a majority of values reach. */
function reference(values: readonly number[]): number {
  const quorum = Math.floor(values.length / 2) + 1;
  const candidates = [...values].sort((a, b) => b - a);
  return candidates.find((v) => values.filter((x) => x >= v).length >= quorum) ?? 0;
}

describe('majorityValue', () => {
  it.each([
    [[7], 7],
    [[5, 3], 3], // both must have it
    [[3, 5], 3],
    [[5, 3, 1], 3],
    [[1, 5, 3], 3],
    [[2, 2, 9], 2],
    [[5, 4, 3, 2], 3], // 4 voters: 3 of them reach 3, only 2 reach 4
    [[2, 5, 3, 4], 3],
    [[9, 9, 0, 0], 0], // a 2-2 split commits nothing new
    [[10, 10, 10, 1], 10],
    [[5, 4, 3, 2, 1], 3],
    [[1, 1, 1, 100, 100], 1],
    [[8, 8, 8, 1, 2], 8],
  ])('over %j is %d', (values, expected) => {
    expect(majorityOf(values)).toBe(expected);
    expect(reference(values)).toBe(expected);
  });

  it('is 0 with no voters', () => {
    expect(majorityValue([], () => 42)).toBe(0);
  });

  it('agrees with a brute-force reference on every 1..5 voter assignment of 0..3', () => {
    for (let n = 1; n <= 5; n++) {
      for (let code = 0; code < 4 ** n; code++) {
        const values = Array.from({ length: n }, (_, i) => Math.floor(code / 4 ** i) % 4);
        expect(majorityOf(values)).toBe(reference(values));
      }
    }
  });

  it('does not reorder the caller\'s voters', () => {
    const voters = [3, 1, 2];
    majorityValue(voters, (id) => id * 10);
    expect(voters).toEqual([3, 1, 2]);
  });
});

type Votes = readonly (readonly [number, boolean])[];

describe('voteResult', () => {
  it.each<[string, number[], Votes, string]>([
    ['no voters', [], [], 'won'],
    ['1 voter, no vote yet', [1], [], 'pending'],
    ['1 voter, granted', [1], [[1, true]], 'won'],
    ['1 voter, rejected', [1], [[1, false]], 'lost'],
    ['3 voters, 1 granted', [1, 2, 3], [[1, true]], 'pending'],
    ['3 voters, 2 granted', [1, 2, 3], [[1, true], [2, true]], 'won'],
    ['3 voters, 1-1', [1, 2, 3], [[1, true], [2, false]], 'pending'],
    ['3 voters, 2 rejected', [1, 2, 3], [[1, true], [2, false], [3, false]], 'lost'],
    ['3 voters, 2 rejected, 1 missing', [1, 2, 3], [[2, false], [3, false]], 'lost'],
    ['4 voters, 2 granted', [1, 2, 3, 4], [[1, true], [2, true]], 'pending'],
    ['4 voters, 3 granted', [1, 2, 3, 4], [[1, true], [2, true], [3, true]], 'won'],
    ['4 voters, 2-1, 1 missing', [1, 2, 3, 4], [[1, true], [2, true], [3, false]], 'pending'],
    ['4 voters, 2-2', [1, 2, 3, 4], [[1, true], [2, true], [3, false], [4, false]], 'lost'],
    ['4 voters, 1-2, 1 missing', [1, 2, 3, 4], [[1, true], [3, false], [4, false]], 'lost'],
    ['5 voters, 3-2', [1, 2, 3, 4, 5],
      [[1, true], [2, true], [3, true], [4, false], [5, false]], 'won'],
    ['5 voters, 2-2, 1 missing', [1, 2, 3, 4, 5],
      [[1, true], [2, true], [4, false], [5, false]], 'pending'],
    ['5 voters, 2-3', [1, 2, 3, 4, 5],
      [[1, true], [2, true], [3, false], [4, false], [5, false]], 'lost'],
  ])('%s: %j %j -> %s', (_label, voters, votes, expected) => {
    expect(voteResult(voters, new Map(votes))).toBe(expected);
  });

  it('ignores grants from non-voters', () => {
    const votes = new Map([[1, true], [7, true], [8, true], [9, true]]);
    expect(voteResult([1, 2, 3], votes)).toBe('pending');
  });

  it('ignores rejections from non-voters', () => {
    const votes = new Map([[1, true], [7, false], [8, false], [9, false]]);
    expect(voteResult([1, 2, 3], votes)).toBe('pending');
    votes.set(2, true);
    expect(voteResult([1, 2, 3], votes)).toBe('won');
  });

  it('counts a non-voter grant for nothing when the voters rejected', () => {
    const votes = new Map([[1, false], [2, false], [4, true], [5, true]]);
    expect(voteResult([1, 2, 3], votes)).toBe('lost');
  });
});
