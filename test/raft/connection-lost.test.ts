import { describe, expect, it } from 'vitest';
import { TestNetwork, ELECTION_TICKS } from './network.js';

/** The transport's hint that a peer's connection closed (its process died): a liveness aid. */
describe('connection to the leader lost', () => {
  /** Ticks the given nodes together, delivering messages after each tick. */
  function tickOnly(network: TestNetwork, ids: readonly number[], ticks: number): void {
    for (let i = 0; i < ticks; i++) {
      for (const id of ids) network.tick(id);
      network.stabilize();
    }
  }

  it.each([3, 5])('%i nodes: the survivors elect a leader within a few ticks, not a timeout',
    (size) => {
      for (let seed = 1; seed <= 20; seed++) {
        const voters = Array.from({ length: size }, (_, i) => i + 1);
        const network = new TestNetwork({ voters, seed });
        network.elect(1);
        network.isolate(1); // the leader's process dies
        const survivors = voters.slice(1);
        for (const id of survivors) network.get(id).node.reportConnectionLost(1);
        tickOnly(network, survivors, 2);
        const leaders = network.leaders().filter((id) => id !== 1);
        expect(leaders, `seed ${seed}`).toHaveLength(1);
        expect(network.get(leaders[0] as number).node.status().term).toBe(3);
      }
    });

  it('a survivor whose log is behind loses its turn to the next one', () => {
    const network = new TestNetwork({ voters: [1, 2, 3, 4, 5] });
    network.elect(1);
    network.isolate(2);
    network.get(1).node.propose(new Uint8Array([7]));
    network.stabilize();
    network.recover();
    network.isolate(1);
    for (const id of [2, 3, 4, 5]) network.get(id).node.reportConnectionLost(1);
    tickOnly(network, [2, 3, 4, 5], 1);
    expect(network.leaders().filter((id) => id !== 1)).toEqual([]); // 2 lacks the entry
    tickOnly(network, [2, 3, 4, 5], 1);
    expect(network.leaders().filter((id) => id !== 1)).toEqual([3]);
  });

  it('without the hint the survivors wait out an election timeout', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(1);
    tickOnly(network, [2, 3], ELECTION_TICKS - 1);
    expect(network.leaders().filter((id) => id !== 1)).toEqual([]);
  });

  it('a wrong hint about a healthy leader neither deposes it nor changes the term', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    const term = network.get(1).node.status().term;
    network.get(2).node.reportConnectionLost(1);
    expect(network.get(2).node.status().leader).toBe(0);
    // 2 pre-campaigns within two ticks; 3 still hears from 1 and refuses (CheckQuorum lease).
    for (let i = 0; i < 3; i++) {
      network.tick(2);
      network.stabilize();
    }
    expect(network.leaders()).toEqual([1]);
    // The leader's next heartbeat brings 2 back as its follower, in the same term.
    network.tickAll(1);
    for (const id of [1, 2, 3]) {
      const status = network.get(id).node.status();
      expect(status.leader).toBe(1);
      expect(status.term).toBe(term);
    }
  });

  it('is ignored for a peer that is not the leader, and by the leader itself', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(2).node.reportConnectionLost(3);
    network.get(1).node.reportConnectionLost(2);
    expect(network.get(2).node.status().leader).toBe(1);
    expect(network.get(1).node.status().role).toBe('leader');
    tickOnly(network, [2], ELECTION_TICKS - 1);
    expect(network.get(2).node.status().role).toBe('follower');
  });
});
