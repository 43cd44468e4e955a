import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeConfChange, makeMessage, type Message } from '../../src/raft/index.js';
import {
  RAFT_NUMBER_MAX, messageProblem,
} from '../../src/transport/message-validation.js';
import { TestNetwork } from '../raft/network.js';
import { arbitraryMessage, arbitraryWellFormedMessage } from '../support/arbitrary-messages.js';

const ENTRY = { term: 2, index: 5, type: 'normal' as const, data: new Uint8Array([1]) };
const SNAPSHOT = {
  metadata: { index: 9, term: 2, confState: { voters: [1, 2, 3], learners: [4] } },
  data: new Uint8Array(0),
};

function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return makeMessage({ from: 1, to: 2, term: 2, ...fields });
}

describe('peer message validation', () => {
  it.each<[string, Message]>([
    ['an append', message({ type: 'app', index: 4, logTerm: 2, entries: [ENTRY] })],
    ['a heartbeat', message({ type: 'heartbeat', commit: 3 })],
    ['a snapshot', message({ type: 'snap', snapshot: SNAPSHOT })],
    ['a pre-vote', message({ type: 'preVote', term: 3, index: 9, logTerm: 2 })],
    ['an answer of a node at term 0', message({ type: 'appResp', term: 0, index: 0 })],
    ['a conf entry', message({ type: 'app', index: 4, logTerm: 2, entries: [{ ...ENTRY,
      type: 'conf', data: encodeConfChange({ type: 'remove', nodeId: 3,
        context: new Uint8Array(0) }) }] })],
  ])('accepts %s', (_what, accepted) => {
    expect(messageProblem(accepted)).toBeUndefined();
  });

  it.each<[string, Message, RegExp]>([
    ['a term past 2^48', message({ type: 'heartbeat', term: RAFT_NUMBER_MAX + 1 }), /term/],
    ['an index at 2^53 - 1', message({ type: 'appResp', index: Number.MAX_SAFE_INTEGER }),
      /index/],
    ['a message to itself', message({ type: 'vote', to: 1 }), /from 1 to 1/],
    ['a heartbeat without a term', message({ type: 'heartbeat', term: 0 }), /without a term/],
    ['a log term past the term', message({ type: 'vote', logTerm: 3 }), /log term/],
    ['entries out of order', message({ type: 'app', index: 3, logTerm: 2, entries: [ENTRY] }),
      /index 5, not 4/],
    ['an entry of a later term than the leader\'s',
      message({ type: 'app', index: 4, logTerm: 2, entries: [{ ...ENTRY, term: 3 }] }), /term 3/],
    ['entries of a decreasing term',
      message({ type: 'app', index: 4, logTerm: 2, entries: [{ ...ENTRY, term: 1 }] }), /term 1/],
    ['a conf entry that does not decode', message({ type: 'app', index: 4, logTerm: 2,
      entries: [{ ...ENTRY, type: 'conf', data: new Uint8Array([9, 9]) }] }), /conf change/],
    ['entries on a heartbeat', message({ type: 'heartbeat', entries: [ENTRY] }), /with entries/],
    ['a snap without a snapshot', message({ type: 'snap' }), /without a snapshot/],
    ['a snapshot on a vote', message({ type: 'vote', snapshot: SNAPSHOT }), /with a snapshot/],
    ['a snapshot naming no voter', message({ type: 'snap', snapshot: { ...SNAPSHOT,
      metadata: { ...SNAPSHOT.metadata, confState: { voters: [], learners: [1] } } } }),
    /no voter/],
    ['a snapshot naming a member twice', message({ type: 'snap', snapshot: { ...SNAPSHOT,
      metadata: { ...SNAPSHOT.metadata, confState: { voters: [1, 2], learners: [2] } } } }),
    /twice/],
    ['a snapshot of a later term', message({ type: 'snap', snapshot: { ...SNAPSHOT,
      metadata: { ...SNAPSHOT.metadata, term: 5 } } }), /snapshot term 5/],
  ])('refuses %s', (_what, refused, why) => {
    expect(messageProblem(refused)).toMatch(why);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(fc.property(arbitraryMessage(), (any) => {
      const problem = messageProblem(any);
      expect(problem === undefined || typeof problem === 'string').toBe(true);
    }), { numRuns: 5000 });
  });

  /**
   * What passes the boundary never reaches an assertion of the core, even from a peer that
   * lies (claims to lead, acknowledges what it lacks, votes twice): live nodes step any
   * sequence of such messages, between ticks and normal traffic, without failing.
   */
  it('what it accepts never trips the Raft core of live nodes', () => {
    const forged = arbitraryWellFormedMessage([1, 2, 3]);
    fc.assert(fc.property(forged, (one) => {
      expect(messageProblem(one)).toBeUndefined();
    }), { numRuns: 2000 });
    const step = fc.record({ message: forged, ticks: fc.nat(3) });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.nat(1000),
      (steps, seed) => {
        const network = new TestNetwork({ voters: [1, 2, 3], seed: seed + 1 });
        network.elect(1);
        for (const { message: lie, ticks } of steps) {
          network.get(lie.to).node.step(lie);
          network.tickAll(ticks);
          network.stabilize();
        }
      }), { numRuns: 500 });
  });
});
