import { describe, expect, it } from 'vitest';
import { ELECTION_TICKS, TestNetwork, data } from './network.js';

describe('ReadIndex (Raft thesis §6.4)', () => {
  it('confirms leadership with a quorum before giving the commit index as read point', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    const commit = network.get(1).node.status().commit;
    expect(network.get(1).node.readIndex(7).ok).toBe(true);
    // Before the heartbeat round completes there is no read state.
    const heartbeats = network.processReadys();
    expect(heartbeats.map((m) => m.type)).toEqual(['heartbeat', 'heartbeat']);
    expect(network.get(1).readStates).toEqual([]);
    network.deliver(heartbeats);
    network.stabilize();
    expect(network.get(1).readStates).toEqual([{ index: commit, context: 7 }]);
  });

  it('never confirms a read on a leader cut off from its quorum', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], config: { checkQuorum: false } });
    network.elect(1);
    network.isolate(1);
    network.get(1).node.readIndex(1);
    network.tickAll(ELECTION_TICKS * 3);
    expect(network.get(1).readStates).toEqual([]);
  });

  it('batches every request made before a Ready into one heartbeat round', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).sent.length = 0;
    for (let context = 1; context <= 20; context++) network.get(1).node.readIndex(context);
    network.stabilize();
    const heartbeats = network.get(1).sent.filter((m) => m.type === 'heartbeat');
    expect(heartbeats).toHaveLength(2); // one round: one per follower
    expect(network.get(1).readStates.map((r) => r.context)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('serves a follower through the leader', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    expect(network.get(3).node.readIndex(42).ok).toBe(true);
    network.stabilize();
    expect(network.get(3).readStates)
      .toEqual([{ index: network.get(1).node.status().commit, context: 42 }]);
    expect(network.get(1).readStates).toEqual([]);
  });

  it('refuses on a follower that knows no leader', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    const result = network.get(2).node.readIndex(1);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.reason).toBe('no-leader');
  });

  it('a new leader holds reads until an entry of its term commits', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], config: { checkQuorum: false } });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    // 2 wins term 3 but its appends are lost: its no-op stays uncommitted.
    network.dropIf = (m) => m.from === 2 && m.type === 'app';
    network.elect(2);
    const leader = network.get(2);
    expect(leader.node.status().role).toBe('leader');
    expect(leader.node.status().commit).toBeLessThan(leader.node.status().lastIndex);
    leader.node.readIndex(9);
    network.stabilize();
    expect(leader.readStates).toEqual([]);
    network.dropIf = () => false;
    network.tickAll(3);
    expect(leader.readStates.map((r) => r.context)).toEqual([9]);
    expect(leader.readStates[0]?.index).toBe(leader.node.status().lastIndex);
  });

  it('answers at once in a single-voter cluster', () => {
    const network = new TestNetwork({ voters: [1] });
    network.elect(1);
    network.get(1).node.readIndex(5);
    network.processReadys();
    expect(network.get(1).readStates)
      .toEqual([{ index: network.get(1).node.status().commit, context: 5 }]);
  });
});
