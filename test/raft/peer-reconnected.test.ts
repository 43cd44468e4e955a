import { describe, expect, it } from 'vitest';
import { TestNetwork, data } from './network.js';

/** The transport's hint that a peer opened a stream to us again (it restarted): liveness only. */
describe('peer reconnected', () => {
  /** Leader 1 with entries committed; follower 3 restarted (it knows no leader yet). */
  function restartedFollower(): TestNetwork {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    network.restart(3);
    network.stabilize();
    expect(network.get(3).node.status().leader).toBe(0);
    return network;
  }

  it('a leader tells a restarted follower who leads at once, without a tick', () => {
    const network = restartedFollower();
    const leader = network.get(1);
    leader.sent.length = 0;
    leader.node.reportPeerReconnected(3);
    network.stabilize();
    const toThree = leader.sent.filter((message) => message.to === 3);
    expect(toThree.map((message) => message.type)).toContain('heartbeat');
    expect(leader.sent.filter((message) => message.to === 2)).toEqual([]);
    const follower = network.get(3).node.status();
    expect(follower.leader).toBe(1);
    expect(follower.commit).toBe(leader.node.status().commit);
    expect(follower.commit).toBeGreaterThan(1);
  });

  it('the heartbeat never tells a follower to commit past what it holds', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    network.recover();
    const leader = network.get(1);
    leader.sent.length = 0;
    leader.node.reportPeerReconnected(3);
    const ready = leader.node.ready();
    const sent = [...ready.earlyMessages, ...ready.messages];
    expect(sent.map((message) => `${message.type}>${message.to}`)).toEqual(['heartbeat>3']);
    // 3 missed the last entry: it may commit only what it matches.
    expect(sent[0]?.commit).toBe(leader.node.status().commit - 1);
  });

  it('is ignored by followers and for peers that are not members', () => {
    const network = restartedFollower();
    for (const id of [2, 3]) {
      const node = network.get(id);
      node.sent.length = 0;
      node.node.reportPeerReconnected(1);
      expect(node.node.hasReady()).toBe(false);
    }
    const leader = network.get(1);
    leader.node.reportPeerReconnected(9);
    leader.node.reportPeerReconnected(1);
    expect(leader.node.hasReady()).toBe(false);
  });
});
