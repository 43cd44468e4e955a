import { describe, expect, it } from 'vitest';
import { makeMessage, type Message } from '../../src/raft/index.js';
import { data, replicatedNetwork, type TestNetwork } from './network.js';

/**
 * Messages no correct peer sends reach the core only if something upstream failed (a forgery
 * past the transport's checks, a bug): the core ignores and counts them, and goes on.
 */
describe('Raft: messages no correct peer sends', () => {
  const healthy = (): TestNetwork => replicatedNetwork(3);

  function stepInto(network: TestNetwork, fields: Partial<Message> & Pick<Message, 'type'>):
    void {
    const to = fields.to ?? 2;
    network.get(to).node.step(makeMessage({ from: 3, term: 2, ...fields, to }));
    network.stabilize();
  }

  function violations(network: TestNetwork, id: number): number {
    return network.get(id).node.status().protocolViolations;
  }

  it.each<[string, Partial<Message> & Pick<Message, 'type'>]>([
    ['a heartbeat from a second leader of the term', { type: 'heartbeat', commit: 1 }],
    ['an append from a second leader of the term', { type: 'app', index: 4, logTerm: 2 }],
    ['TimeoutNow from a node that is not the leader', { type: 'timeoutNow' }],
    ['a read index answer from a node that is not the leader',
      { type: 'readIndexResp', index: 99, context: 7 }],
  ])('a follower ignores %s, keeping its leader', (_what, fields) => {
    const network = healthy();
    stepInto(network, fields);
    const status = network.get(2).node.status();
    expect(status).toMatchObject({ leader: 1, role: 'follower', term: 2 });
    expect(network.get(2).readStates).toEqual([]);
    expect(violations(network, 2)).toBe(1);
    network.get(1).node.propose(data('after'));
    network.stabilize();
    expect(network.get(2).applied.map((entry) => new TextDecoder().decode(entry.data)))
      .toContain('after');
  });

  it.each<[string, Partial<Message> & Pick<Message, 'type'>]>([
    ['an append in its own term', { type: 'app', index: 4, logTerm: 2 }],
    ['an acknowledgement of entries it does not have', { type: 'appResp', index: 10_000 }],
  ])('a leader ignores %s, and goes on leading', (_what, fields) => {
    const network = healthy();
    stepInto(network, { ...fields, to: 1 });
    expect(network.get(1).node.status()).toMatchObject({ role: 'leader', term: 2 });
    expect(violations(network, 1)).toBe(1);
    network.get(1).node.propose(data('after'));
    network.stabilize();
    expect(network.get(3).applied).toHaveLength(4);
  });

  it('a follower never replaces committed entries', () => {
    const network = healthy();
    const before = network.get(2).storage.allEntries().map((entry) => entry.term);
    stepInto(network, {
      type: 'app', from: 1, term: 2, index: 1, logTerm: 1, commit: 0,
      entries: [{ index: 2, term: 2, type: 'normal', data: data('forged') }],
    });
    expect(network.get(2).storage.allEntries().map((entry) => entry.term)).toEqual(before);
    expect(network.get(2).applied.map((entry) => new TextDecoder().decode(entry.data)))
      .not.toContain('forged');
  });

  it('ignores a message addressed to another node', () => {
    const network = healthy();
    network.get(2).node.step(makeMessage({ type: 'heartbeat', from: 1, to: 3, term: 2 }));
    expect(violations(network, 2)).toBe(1);
  });
});
