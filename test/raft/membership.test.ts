import { describe, expect, it } from 'vitest';
import type { ConfChangeType, NodeId } from '../../src/raft/index.js';
import { ELECTION_TICKS, TestNetwork, data, text } from './network.js';

const context = new Uint8Array(0);

function change(network: TestNetwork, leader: NodeId, type: ConfChangeType, nodeId: NodeId) {
  const result = network.get(leader).node.proposeConfChange({ type, nodeId, context });
  network.stabilize();
  return result;
}

function voters(network: TestNetwork, id: NodeId): readonly NodeId[] {
  return network.get(id).node.status().confState.voters;
}

describe('membership: learners and single-server changes (Raft dissertation ch. 4)', () => {
  it('a learner receives the log but neither votes nor counts toward commit', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.join(4);
    expect(change(network, 1, 'addLearner', 4).ok).toBe(true);
    network.tickAll(3);
    network.get(1).node.propose(data('x'));
    network.stabilize();
    expect(network.get(4).applied.map(text)).toEqual(['x']);
    expect(voters(network, 1)).toEqual([1, 2, 3]);
    // With 2 and 3 gone, leader + learner are no quorum: nothing commits.
    network.isolate(2);
    network.isolate(3);
    network.get(1).node.propose(data('y'));
    network.stabilize();
    expect(network.get(1).applied.map(text)).toEqual(['x']);
    // A learner never campaigns.
    network.tick(4, ELECTION_TICKS * 5);
    expect(network.get(4).node.status().role).toBe('follower');
  });

  it('a promoted learner counts toward the quorum from the moment its entry is appended', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.join(4);
    change(network, 1, 'addLearner', 4);
    network.tickAll(3);
    expect(change(network, 1, 'promote', 4).ok).toBe(true);
    expect(voters(network, 1)).toEqual([1, 2, 3, 4]);
    expect(voters(network, 4)).toEqual([1, 2, 3, 4]);
    // Four voters need three: leader, 4 and one more.
    network.isolate(2);
    network.isolate(3);
    network.get(1).node.propose(data('needs-three'));
    network.stabilize();
    expect(network.get(1).applied.map(text)).toEqual([]);
    network.recover();
    network.isolate(3);
    network.tickAll(2);
    expect(network.get(1).applied.map(text)).toEqual(['needs-three']);
  });

  it('refuses to promote a learner that has not caught up', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.join(4);
    change(network, 1, 'addLearner', 4);
    network.isolate(4);
    for (let i = 0; i < 1200; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    const result = change(network, 1, 'promote', 4);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.reason).toBe('conf-change-invalid');
  });

  it('allows one pending change at a time, and none before the term commits an entry', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(1);
    network.join(4);
    network.join(5);
    expect(network.get(1).node.proposeConfChange({ type: 'addLearner', nodeId: 4, context }).ok)
      .toBe(true);
    const second =
      network.get(1).node.proposeConfChange({ type: 'addLearner', nodeId: 5, context });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.refusal.reason).toBe('conf-change-pending');
    // A new leader must first commit its no-op.
    const fresh = new TestNetwork({ voters: [1, 2, 3] });
    fresh.dropIf = (m) => m.type === 'app';
    fresh.elect(1);
    const early = fresh.get(1).node.proposeConfChange({ type: 'remove', nodeId: 3, context });
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.refusal.reason).toBe('conf-change-pending');
  });

  it('refuses changes that do not apply, and removing the last voter', () => {
    const network = new TestNetwork({ voters: [1] });
    network.elect(1);
    for (const [type, nodeId] of
      [['promote', 1], ['addLearner', 1], ['remove', 9], ['remove', 1]] as const) {
      const result = network.get(1).node.proposeConfChange({ type, nodeId, context });
      expect(result.ok, `${type} ${nodeId}`).toBe(false);
      if (!result.ok) expect(result.refusal.reason).toBe('conf-change-invalid');
    }
  });

  it('a removed follower receives nothing more and the quorum shrinks', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    change(network, 1, 'remove', 3);
    network.tickAll(2);
    expect(voters(network, 1)).toEqual([1, 2]);
    network.get(3).sent.length = 0;
    network.get(1).sent.length = 0;
    network.get(1).node.propose(data('after'));
    network.tickAll(3);
    expect(network.get(1).sent.some((m) => m.to === 3)).toBe(false);
    expect(network.get(2).applied.map(text)).toEqual(['after']);
  });

  it('a removed leader leads until its removal commits, then hands over at once', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    change(network, 1, 'remove', 1);
    // No election timeout needed: the successor got TimeoutNow.
    const leaders = network.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe(1);
    expect(network.get(1).node.status().role).toBe('follower');
    const successor = leaders[0] as NodeId;
    expect(voters(network, successor)).toEqual([2, 3]);
    network.get(successor).node.propose(data('next'));
    network.stabilize();
    expect(network.get(2).applied.map(text)).toEqual(['next']);
  });

  it('a membership change reverts when its uncommitted entry is overwritten', () => {
    const network = new TestNetwork({ voters: [1, 2, 3, 4, 5] });
    network.elect(1);
    // The change reaches 2 only.
    for (const id of [3, 4, 5]) network.cut(1, id);
    network.get(1).node.proposeConfChange({ type: 'remove', nodeId: 5, context });
    network.stabilize();
    expect(voters(network, 2)).toEqual([1, 2, 3, 4]); // in effect on 2 once appended
    // 3, 4 and 5 elect a leader of a newer term that never saw it; 2 then follows it.
    network.recover();
    network.isolate(1);
    network.isolate(2);
    network.tickAll(ELECTION_TICKS * 4);
    const leader = network.leaders().find((id) => id !== 1 && id !== 2);
    expect(leader).toBeDefined();
    network.get(leader as NodeId).node.propose(data('overwrite'));
    network.stabilize();
    network.recover();
    network.isolate(1);
    network.tickAll(3);
    expect(network.get(2).applied.map(text)).toEqual(['overwrite']);
    expect(voters(network, 2)).toEqual([1, 2, 3, 4, 5]);
  });

  /**
   * Regression (simulator seed 128, 3 nodes): a node restarting without knowing that conf
   * entries in its own log committed used to campaign with its older, applied membership, in
   * which removed nodes still running with stale logs could elect it: two majorities. The
   * membership in effect is the latest in the log.
   */
  it('a restarted node campaigns with the latest membership in its log, ' +
    'not the applied one', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(2); // 2 will be removed while lagging, and keep running
    network.join(4);
    change(network, 1, 'addLearner', 4);
    network.tickAll(2);
    change(network, 1, 'promote', 4);
    network.tickAll(2);
    change(network, 1, 'remove', 2);
    network.tickAll(2);
    expect(voters(network, 3)).toEqual([1, 3, 4]);
    // 3 restarts knowing an old commit index only: its applied membership would be [1, 2, 3].
    const stale = network.get(3).storage.hardState();
    network.get(3).storage.setHardState({ ...stale, commit: 2 });
    network.restart(3);
    expect(voters(network, 3)).toEqual([1, 3, 4]);
    // With 1 and 4 away, 3 must not win with the removed, lagging 2's vote.
    network.recover();
    network.isolate(1);
    network.isolate(4);
    network.tickAll(ELECTION_TICKS * 5);
    expect(network.get(3).node.status().role).not.toBe('leader');
  });

  it('a joining node with an empty log catches up from a snapshot that predates it', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    for (let i = 0; i < 5; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    network.join(4);
    change(network, 1, 'addLearner', 4);
    network.tickAll(3);
    // The bootstrap snapshot (index 1) lacks 4; the log after it brings 4 up to date.
    expect(network.get(4).node.status().confState.learners).toEqual([4]);
    expect(network.get(4).applied.map(text)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });
});
