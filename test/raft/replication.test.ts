import { describe, expect, it } from 'vitest';
import { makeMessage } from '../../src/raft/index.js';
import { ELECTION_TICKS, TestNetwork, data, text } from './network.js';

function appliedTexts(network: TestNetwork, id: number): string[] {
  return network.get(id).applied.map(text);
}

describe('log replication (Raft §5.3)', () => {
  it('replicates and applies proposals on every node, in order', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    for (const word of ['a', 'b', 'c']) {
      const result = network.get(1).node.propose(data(word));
      expect(result.ok).toBe(true);
    }
    network.stabilize();
    for (const id of [1, 2, 3]) expect(appliedTexts(network, id)).toEqual(['a', 'b', 'c']);
  });

  it('returns the (index, term) a proposal got, and refuses on a follower', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    const result = network.get(1).node.propose(data('x'));
    expect(result).toEqual({ ok: true, index: 3, term: 2 }); // 1 bootstrap, 2 leader's empty entry
    const refusal = network.get(2).node.propose(data('y'));
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.refusal.reason).toBe('not-leader');
  });

  it('batches proposals made between two Readys into one append per follower', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).sent.length = 0;
    for (let i = 0; i < 50; i++) network.get(1).node.propose(data(`p${i}`));
    network.stabilize();
    const appendsWithEntries =
      network.get(1).sent.filter((m) => m.type === 'app' && m.entries.length > 0);
    expect(appendsWithEntries).toHaveLength(2); // one per follower
    expect(appendsWithEntries.every((m) => m.entries.length === 50)).toBe(true);
  });

  it('commits with a majority and not without (§5.3)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3, 4, 5] });
    network.elect(1);
    network.isolate(4);
    network.isolate(5);
    network.cut(1, 3);
    network.get(1).node.propose(data('minority'));
    network.stabilize();
    expect(appliedTexts(network, 1)).toEqual([]);
    network.recover();
    network.tickAll(2);
    expect(appliedTexts(network, 1)).toEqual(['minority']);
  });

  it('a follower with a conflicting suffix is repaired by the leader (§5.3)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(1);
    network.get(1).node.propose(data('lost-1'));
    network.get(1).node.propose(data('lost-2'));
    network.stabilize();
    // 2 and 3 elect a new leader by timeout; 1 steps down by CheckQuorum.
    network.tickAll(ELECTION_TICKS * 4);
    const [leader] = network.leaders().filter((id) => id !== 1);
    expect(leader).toBeDefined();
    network.get(leader as number).node.propose(data('kept'));
    network.stabilize();
    network.recover();
    network.tickAll(ELECTION_TICKS * 2);
    for (const id of [1, 2, 3]) expect(appliedTexts(network, id)).toEqual(['kept']);
    const texts = network.get(1).storage.allEntries().map(text);
    expect(texts).not.toContain('lost-1');
  });

  it('commits an earlier-term entry only through an entry of the current term (§5.4.2)', () => {
    const network = new TestNetwork({
      voters: [1, 2, 3, 4, 5],
      config: { preVote: false, checkQuorum: false },
    });
    network.elect(1);
    for (const id of [3, 4, 5]) network.cut(1, id);
    network.get(1).node.propose(data('old')); // reaches 2 only
    network.stabilize();
    expect(network.get(2).storage.allEntries().map(text)).toContain('old');
    // 2 becomes leader of term 3 with the votes of 3 and 4; its appends are lost, so the
    // term-2 entry is on 1 and 2 only: 2 of 5, and its own term-3 entry on 2 alone.
    network.isolate(1);
    network.cut(2, 5);
    network.dropIf = (m) => m.from === 2 && m.type === 'app';
    network.elect(2);
    expect(network.get(2).node.status().role).toBe('leader');
    network.tickAll(3);
    const leader = network.get(2).node.status();
    expect(leader.commit).toBeLessThan(leader.lastIndex);
    expect(appliedTexts(network, 2)).toEqual([]);
    // Once the term-3 entry reaches a majority, it commits and the old entry with it.
    network.dropIf = () => false;
    network.tickAll(3);
    expect(appliedTexts(network, 2)).toEqual(['old']);
    expect(network.get(2).node.status().commit).toBe(network.get(2).node.status().lastIndex);
  });

  it('ignores a stale append response and stays consistent', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.get(1).node.propose(data('a'));
    network.stabilize();
    network.get(1).node.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 2, index: 1 }));
    network.get(1).node.propose(data('b'));
    network.stabilize();
    for (const id of [1, 2, 3]) expect(appliedTexts(network, id)).toEqual(['a', 'b']);
  });

  it('an append response from an older term does not move the follower\'s match', () => {
    // Held by the network since node 1 last led: node 2 may have had that log replaced since.
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.elect(2);
    network.elect(1);
    const leader = network.get(1).node;
    const term = leader.status().term;
    network.cut(1, 2);
    leader.propose(data('x'));
    network.stabilize();
    const { lastIndex } = leader.status();
    const before = leader.status().progress.get(2)?.match ?? 0;
    expect(before).toBeLessThan(lastIndex);
    leader.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: term - 1, index: lastIndex }));
    expect(leader.status().progress.get(2)?.match).toBe(before);
  });
});
