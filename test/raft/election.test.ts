import { describe, expect, it } from 'vitest';
import { TestNetwork, ELECTION_TICKS } from './network.js';

describe('leader election (Raft §5.2)', () => {
  it.each([1, 3, 5])('a %i-node cluster elects exactly one leader', (size) => {
    const voters = Array.from({ length: size }, (_, i) => i + 1);
    const network = new TestNetwork({ voters });
    network.elect(1);
    expect(network.leaders()).toEqual([1]);
    for (const id of voters) {
      const status = network.get(id).node.status();
      expect(status.leader).toBe(1);
      expect(status.term).toBe(2);
    }
  });

  it('elects a leader by timeout alone, with randomized timeouts', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], seed: 7 });
    network.tickAll(ELECTION_TICKS * 3);
    expect(network.leaders()).toHaveLength(1);
  });

  it('a candidate without a quorum does not become leader', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.isolate(1);
    network.elect(1);
    expect(network.leaders()).toEqual([]);
    expect(network.get(1).node.status().role).toBe('preCandidate');
    // PreVote: the isolated node's failed campaign did not raise its term.
    expect(network.get(1).node.status().term).toBe(1);
  });

  it('grants at most one vote per term (§5.2)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], config: { preVote: false } });
    network.cut(1, 3);
    network.elect(1); // 2 votes for 1 in term 2
    expect(network.leaders()).toEqual([1]);
    const node2 = network.get(2).node.status();
    expect(node2.vote).toBe(1);
    expect(node2.term).toBe(2);
  });

  it('a candidate of a stale term learns the current term from the refusal (§5.1)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], config: { preVote: false } });
    network.isolate(1);
    for (let term = 0; term < 3; term++) network.elect(1); // 1 reaches term 4 alone
    expect(network.get(1).node.status().term).toBe(4);
    network.recover();
    network.isolate(3);
    // 2 campaigns at term 2, below 1's term 4: 1 refuses and 2 moves up to term 4.
    network.get(2).node.campaign();
    network.stabilize();
    const two = network.get(2).node.status();
    expect(two.term).toBe(4);
    expect(two.role).toBe('follower');
  });

  it('a voter with a less up-to-date log cannot win (§5.4.1)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    network.get(1).node.propose(new Uint8Array([1]));
    network.stabilize();
    network.recover();
    network.isolate(1); // 2 and 3 remain; 3 lacks the entry
    network.elect(3);
    expect(network.get(3).node.status().role).not.toBe('leader');
    network.elect(2);
    expect(network.get(2).node.status().role).toBe('leader');
  });

  it('CheckQuorum: an isolated leader steps down within two election timeouts', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(1);
    // Activity is sampled once per election timeout: the first window still saw the votes.
    network.tickAll(ELECTION_TICKS);
    expect(network.get(1).node.status().role).toBe('leader');
    network.tickAll(ELECTION_TICKS);
    expect(network.get(1).node.status().role).toBe('follower');
  });

  it('PreVote + CheckQuorum: a rejoining partitioned node does not disrupt the leader', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < ELECTION_TICKS * 5; i++) {
      network.tick(3);
      network.tickAll(1);
    }
    const termBefore = network.get(1).node.status().term;
    expect(network.get(3).node.status().term).toBe(termBefore); // pre-votes never bumped it
    network.recover();
    network.tickAll(ELECTION_TICKS * 2);
    expect(network.leaders()).toEqual([1]);
    expect(network.get(1).node.status().term).toBe(termBefore);
  });
});
