import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/index.js';
import { TestNetwork, data, replicatedNetwork } from './network.js';

/**
 * A follower's log that ends below what it acknowledged lost writes it had synced (a log cut
 * short on disk). The leader's heartbeat shows it: Raft reports it as data, never asserts.
 */
describe('a follower that lost synced writes', () => {
  const replicated = (): TestNetwork => replicatedNetwork(5);

  it('learns it from the leader\'s heartbeat, and says so instead of asserting', () => {
    const network = replicated();
    const leaderCommit = network.get(1).node.status().commit;
    // Follower 3 restarts on a log cut back to the bootstrap: synced entries are gone.
    const cut = MemoryStorage.fromSnapshot(network.get(3).storage.snapshot(),
      { ...network.get(3).storage.hardState(), commit: 1 });
    network.add(3, cut);
    expect(network.get(3).node.lostWrites()).toBeUndefined();
    network.tick(1, 1); // a heartbeat round
    network.stabilize();
    const lost = network.get(3).node.lostWrites();
    expect(lost).toContain(`acknowledged entries up to ${leaderCommit}`);
    expect(lost).toContain('its log ends at 1');
    expect(network.get(3).node.status().commit).toBe(1);
  });

  it('is not raised for a follower that is merely behind (it never acknowledged more)', () => {
    const network = new TestNetwork({ voters: [1, 2, 3] });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 5; i++) network.get(1).node.propose(data(`e${i}`));
    network.stabilize();
    network.recover();
    network.tickAll(3);
    expect(network.get(3).node.lostWrites()).toBeUndefined();
    expect(network.get(3).node.status().commit).toBe(network.get(1).node.status().commit);
  });
});
