import { describe, expect, it } from 'vitest';
import { TestNetwork, data, text } from './network.js';

/**
 * Raft paper Figure 8: a leader must not commit an entry of an earlier term by counting its
 * replicas. Here leader 1 (term 4) re-replicates its stale term-2 entries one at a time; if it
 * counted them as committed once on 1 and 3, leader 2 (term 5, whose term-3 entry has a newer
 * last term) could still be elected by 3 and overwrite them.
 */
describe('Figure 8: commitment of entries from earlier terms', () => {
  it('never applies an entry that a later leader overwrites', () => {
    // One entry per append and one append in flight stretch catch-up over many round trips;
    // without CheckQuorum's lease the scripted campaigns below are not ignored.
    const network = new TestNetwork({
      voters: [1, 2, 3],
      config: { messageBytesMax: 1, inflightMessagesMax: 1, checkQuorum: false },
    });
    network.elect(1);
    // Term 2: 1 appends three entries that reach nobody.
    network.isolate(1);
    for (const word of ['e1', 'e2', 'e3']) network.get(1).node.propose(data(word));
    network.stabilize();
    // Term 3: 2 wins with 3's vote, but its no-op never reaches 3.
    network.recover();
    network.isolate(1);
    network.dropIf = (m) => m.from === 2 && m.type === 'app';
    network.elect(2);
    expect(network.get(2).node.status()).toMatchObject({ role: 'leader', term: 3 });
    network.dropIf = () => false;
    // Term 4: 2 is away; 1 wins with 3's vote (its log ends later) and starts repairing 3, one
    // entry per round trip. Deliver only until 3 holds e1: no term-4 entry is on a quorum yet.
    network.recover();
    network.isolate(2);
    network.tickAll(1); // 1, still leader of term 2, hears of term 3 from 3 and steps down
    expect(network.get(1).node.status()).toMatchObject({ role: 'follower', term: 3 });
    network.get(1).node.campaign();
    let rounds = 0;
    while (!network.get(3).storage.allEntries().some((e) => text(e) === 'e1') && rounds < 200) {
      network.deliver(network.processReadys());
      rounds += 1;
    }
    expect(network.get(1).node.status()).toMatchObject({ role: 'leader', term: 4 });
    network.deliver(network.processReadys()); // 3's ack of e1 reaches 1
    network.processReadys();
    // e1 is on 1 and 3 (a quorum) but is of term 2: it must not be committed or applied yet.
    expect(network.get(1).applied.map(text)).not.toContain('e1');
    // Now 1 goes away; 2 (last term 3) wins with 3's vote and overwrites 3's tail.
    network.recover();
    network.isolate(1);
    network.tickAll(1); // 2, still leader of term 3, hears of term 4 from 3 and steps down
    network.elect(2);
    expect(network.get(2).node.status()).toMatchObject({ role: 'leader', term: 5 });
    network.get(2).node.propose(data('after'));
    network.tickAll(3);
    expect(network.get(3).applied.map(text)).toEqual(['after']);
    expect(network.get(1).applied.map(text)).toEqual([]);
  });
});
