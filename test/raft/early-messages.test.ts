import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/index.js';
import { TestNetwork, data, text } from './network.js';

/** Raft thesis §10.2.1: the leader writes its log in parallel with replicating it. */
describe('a leader sends before it persists, and counts itself only after', () => {
  it('puts its appends in earlyMessages and a follower\'s acks in messages', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    const leader = network.get(1).node;
    leader.propose(data('x'));
    const ready = leader.ready();
    expect(ready.entries.map(text)).toEqual(['x']);
    const appends = ready.earlyMessages.filter((m) => m.type === 'app');
    expect(appends.map((m) => m.to).sort()).toEqual([2, 3]);
    expect(ready.messages.filter((m) => m.type === 'app')).toEqual([]);

    const follower = network.get(2).node;
    follower.step(appends.find((m) => m.to === 2) as Message);
    const followerReady = follower.ready();
    expect(followerReady.earlyMessages).toEqual([]);
    expect(followerReady.messages.map((m) => m.type)).toEqual(['appResp']);
  });

  it('does not commit on one follower\'s ack while its own write is in flight', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    const leaderNode = network.get(1);
    leaderNode.node.propose(data('x'));
    const ready = leaderNode.node.ready();
    const toTwo = ready.earlyMessages.find((m) => m.type === 'app' && m.to === 2) as Message;
    const follower = network.get(2).node;
    follower.step(toTwo);
    const ack = follower.ready().messages.find((m) => m.type === 'appResp') as Message;
    follower.advance();
    leaderNode.node.step(ack);
    // One of three holds the entry on disk: not a majority yet.
    expect(leaderNode.node.status().commit).toBeLessThan(ready.entries[0]?.index as number);
    leaderNode.storage.append(ready.entries);
    leaderNode.node.advance();
    expect(leaderNode.node.status().commit).toBe(ready.entries[0]?.index);
  });

  it('a single voter commits its entry once it is persisted', () => {
    const network = new TestNetwork({ voters: [1] });
    network.elect(1);
    const node = network.get(1);
    node.node.propose(data('solo'));
    const first = node.node.ready();
    expect(first.entries.map(text)).toEqual(['solo']);
    expect(first.committedEntries.map(text)).not.toContain('solo');
    node.storage.append(first.entries);
    node.node.advance();
    expect(node.node.hasReady()).toBe(true);
    expect(node.node.ready().committedEntries.map(text)).toEqual(['solo']);
  });

  it('keeps a candidate\'s vote requests until its new term is persisted', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], config: { preVote: false } });
    network.elect(1);
    network.stabilize();
    const node = network.get(2).node;
    node.campaign();
    const ready = node.ready();
    expect(ready.earlyMessages).toEqual([]);
    expect(ready.messages.filter((m) => m.type === 'vote')).toHaveLength(2);
  });
});
