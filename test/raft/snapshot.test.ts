import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/index.js';
import { ELECTION_TICKS, TestNetwork, data, text, type TestNode } from './network.js';

/** Takes a snapshot of `node` at its applied index and compacts its log up to it. */
function compact(node: TestNode, options: { keep?: number } = {}): number {
  const status = node.node.status();
  const index = status.applied;
  const created = node.storage.createSnapshot({
    index,
    confState: node.node.confStateAt(index) ?? status.confState,
    data: data(JSON.stringify(node.applied.map(text))),
  });
  expect(created).toBe(true);
  node.storage.compact(index - (options.keep ?? 0));
  return index;
}

function appliedSnapshotData(network: TestNetwork, id: NodeId): string[] {
  // The test network does not restore state machines: it records snapshot payloads instead.
  return network.get(id).storage.snapshot().data.byteLength === 0
    ? []
    : JSON.parse(new TextDecoder().decode(network.get(id).storage.snapshot().data)) as string[];
}

describe('snapshots, log compaction and InstallSnapshot (Raft §7)', () => {
  it('sends a snapshot to a follower behind the compacted log, then entries after it', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 10; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    const index = compact(network.get(1));
    network.recover();
    network.get(1).sent.length = 0;
    network.tickAll(3);
    expect(network.get(1).sent.filter((m) => m.type === 'snap' && m.to === 3)).toHaveLength(1);
    expect(network.get(3).storage.snapshot().metadata.index).toBe(index);
    expect(appliedSnapshotData(network, 3)).toHaveLength(10);
    network.get(1).node.propose(data('after'));
    network.stabilize();
    expect(network.get(3).applied.map(text)).toEqual(['after']);
    expect(network.get(3).node.status().commit).toBe(network.get(1).node.status().commit);
  });

  it('a snapshot carries the membership at its index', () => {
    const network = new TestNetwork({ voters: [1, 2, 3], learners: [4] });
    network.elect(1);
    network.isolate(4);
    network.get(1).node.propose(data('x'));
    network.stabilize();
    compact(network.get(1));
    expect(network.get(1).storage.snapshot().metadata.confState)
      .toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  it('a follower ignores a snapshot that its commit index already covers', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    for (let i = 0; i < 4; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    const leader = network.get(1);
    compact(leader);
    const snapshot = leader.storage.snapshot();
    const follower = network.get(2);
    const before = follower.node.status();
    follower.node.step({
      type: 'snap', from: 1, to: 2, term: before.term, logTerm: 0, index: 0, entries: [],
      commit: 0, reject: false, rejectHint: 0, snapshot, context: 0,
    });
    const [answer] = network.processReadys().filter((m) => m.from === 2);
    expect(answer?.type).toBe('appResp');
    expect(answer?.index).toBe(before.commit);
    expect(follower.storage.snapshot().metadata.index).toBe(1); // not replaced
  });

  it('retries after a failed snapshot report', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 3; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    compact(network.get(1));
    network.recover();
    network.dropIf = (m) => m.type === 'snap';
    network.tickAll(2);
    expect(network.get(1).node.status().progress.get(3)?.state).toBe('snapshot');
    network.get(1).node.reportSnapshot(3, false);
    expect(network.get(1).node.status().progress.get(3)?.state).toBe('probe');
    network.dropIf = () => false;
    network.tickAll(4);
    expect(network.get(3).storage.snapshot().metadata.index).toBeGreaterThan(1);
    expect(network.get(1).node.status().progress.get(3)?.state).toBe('replicate');
  });

  it('a node restarted from a compacted log serves and campaigns normally', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    for (let i = 0; i < 6; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    compact(network.get(2), { keep: 2 });
    network.restart(2);
    expect(network.get(2).node.status().firstIndex).toBeGreaterThan(2);
    network.isolate(1);
    network.tickAll(ELECTION_TICKS * 4);
    const leader = network.leaders().find((id) => id !== 1);
    expect(leader).toBeDefined();
    network.get(leader as NodeId).node.propose(data('later'));
    network.stabilize();
    expect(network.get(2).applied.map(text)).toContain('later');
  });
});
