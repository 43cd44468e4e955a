import { describe, expect, it } from 'vitest';
import { ELECTION_TICKS, TestNetwork, data, text } from './network.js';

describe('leadership transfer (TimeoutNow, Raft dissertation §3.10)', () => {
  it('hands leadership to a caught-up voter without waiting for an election timeout', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    const term = network.get(1).node.status().term;
    expect(network.get(1).node.transferLeadership(3).ok).toBe(true);
    network.stabilize();
    expect(network.leaders()).toEqual([3]);
    expect(network.get(3).node.status().term).toBe(term + 1);
  });

  it('works despite CheckQuorum leases (the vote request carries the transfer flag)', () => {
    const network = new TestNetwork({
      voters: [1, 2, 3], config: { checkQuorum: true, preVote: true },
    });
    network.elect(1);
    network.tickAll(2); // followers are in lease
    network.get(1).node.transferLeadership(2);
    network.stabilize();
    expect(network.leaders()).toEqual([2]);
  });

  it('refuses a learner and a non-member', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], learners: [4] });
    network.elect(1);
    for (const target of [4, 9]) {
      const result = network.get(1).node.transferLeadership(target);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.reason).toBe('transfer-refused');
    }
    expect(network.leaders()).toEqual([1]);
  });

  it('catches a lagging target up before sending TimeoutNow', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 5; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    network.recover();
    network.get(1).sent.length = 0;
    network.get(1).node.transferLeadership(3);
    network.stabilize();
    const sent = network.get(1).sent.map((m) => `${m.type}>${m.to}`);
    // The catch-up append goes before TimeoutNow.
    expect(sent.indexOf('app>3')).toBeGreaterThanOrEqual(0);
    expect(sent.indexOf('timeoutNow>3')).toBeGreaterThan(sent.indexOf('app>3'));
    expect(network.leaders()).toEqual([3]);
    expect(network.get(3).applied.map(text)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('drops proposals while transferring, and gives up after an election timeout', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    network.get(1).node.propose(data('behind'));
    network.stabilize();
    expect(network.get(1).node.transferLeadership(3).ok).toBe(true);
    const during = network.get(1).node.propose(data('during'));
    expect(during.ok).toBe(false);
    if (!during.ok) expect(during.refusal.reason).toBe('transferring');
    network.tickAll(ELECTION_TICKS + 1);
    expect(network.leaders()).toEqual([1]);
    expect(network.get(1).node.status().leadTransferee).toBe(0);
    expect(network.get(1).node.propose(data('after')).ok).toBe(true);
  });

  it('is refused by a follower: transfers start at the leader', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    const result = network.get(2).node.transferLeadership(3);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.reason).toBe('not-leader');
  });
});
