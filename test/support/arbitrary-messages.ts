import fc from 'fast-check';
import {
  encodeConfChange, makeMessage, type Message, type MessageType, type NodeId,
} from '../../src/raft/index.js';

export const MESSAGE_TYPES: readonly MessageType[] = [
  'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'heartbeat', 'heartbeatResp',
  'snap', 'timeoutNow', 'readIndex', 'readIndexResp',
];

/** Numbers as a peer may send them: small, anywhere up to 2^53, and the edges. */
export const natural = fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 1, 2 ** 32, 2 ** 48, 2 ** 48 + 1, Number.MAX_SAFE_INTEGER));

const bytes = fc.uint8Array({ maxLength: 40 });

/** Conf entries that decode, and bytes that do not. */
const confData = fc.oneof(bytes, fc.record({
  type: fc.constantFrom('addLearner' as const, 'promote' as const, 'remove' as const),
  nodeId: fc.integer({ min: 1, max: 9 }),
}).map((change) => encodeConfChange({ ...change, context: new Uint8Array(0) })));

/** Arbitrary Raft messages among `ids` (and strangers), well formed or not. */
export function arbitraryMessage(ids: readonly NodeId[] = [1, 2, 3]): fc.Arbitrary<Message> {
  const nodeId = fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
  const entry = fc.oneof(
    fc.record({ term: natural, index: natural, type: fc.constant('normal' as const), data: bytes }),
    fc.record({ term: natural, index: natural, type: fc.constant('conf' as const),
      data: confData }));
  const snapshot = fc.record({
    metadata: fc.record({
      index: natural, term: natural,
      confState: fc.record({
        voters: fc.array(nodeId, { maxLength: 7 }), learners: fc.array(nodeId, { maxLength: 3 }),
      }),
    }),
    data: bytes,
  });
  return fc.record({
    type: fc.constantFrom(...MESSAGE_TYPES), from: nodeId, to: nodeId, term: natural,
    logTerm: natural, index: natural, entries: fc.array(entry, { maxLength: 4 }),
    commit: natural, reject: fc.boolean(), rejectHint: natural, context: natural,
    snapshot: fc.option(snapshot, { nil: undefined }),
  }).map((fields) => makeMessage(fields));
}

/**
 * Messages that pass the transport's checks (messageProblem) but may lie about anything else:
 * a second leader, an acknowledgement of entries never sent, a vote in any term. Built valid
 * rather than filtered (almost no random message is well formed).
 */
export function arbitraryWellFormedMessage(ids: readonly NodeId[]): fc.Arbitrary<Message> {
  const pair = fc.tuple(fc.constantFrom(...ids), fc.constantFrom(...ids))
    .filter(([from, to]) => from !== to);
  const small = fc.nat(30);
  return fc.record({
    pair, type: fc.constantFrom(...MESSAGE_TYPES), term: fc.integer({ min: 1, max: 12 }),
    index: small, commit: small, reject: fc.boolean(), rejectHint: small,
    context: fc.nat(5), entryCount: fc.nat(3), entryTermSteps: fc.array(fc.nat(1), {
      minLength: 3, maxLength: 3 }),
    snapshotIndex: fc.integer({ min: 1, max: 30 }),
    voters: fc.subarray([...ids], { minLength: 1 }),
  }).chain((fields) => fc.constant(wellFormed(fields)));
}

function wellFormed(fields: {
  pair: [NodeId, NodeId]; type: MessageType; term: number; index: number; commit: number;
  reject: boolean; rejectHint: number; context: number; entryCount: number;
  entryTermSteps: number[]; snapshotIndex: number; voters: NodeId[];
}): Message {
  const [from, to] = fields.pair;
  const { type, term } = fields;
  const logTerm = fields.index === 0 ? 0 : Math.max(1, term - 1);
  let entryTerm = Math.max(logTerm, 1);
  const entries = type !== 'app' ? [] : Array.from({ length: fields.entryCount }, (_, i) => {
    entryTerm = Math.min(term, entryTerm + (fields.entryTermSteps[i] ?? 0));
    return { index: fields.index + 1 + i, term: entryTerm, type: 'normal' as const,
      data: Uint8Array.of(i) };
  });
  const snapshot = type !== 'snap' ? undefined : {
    metadata: { index: fields.snapshotIndex, term: Math.max(1, term - 1),
      confState: { voters: fields.voters, learners: [] } },
    data: new Uint8Array(0),
  };
  return makeMessage({
    type, from, to, term, logTerm: type === 'app' || type === 'vote' || type === 'preVote' ?
      logTerm : 0,
    index: fields.index, entries, commit: fields.commit, reject: fields.reject,
    rejectHint: fields.rejectHint, context: fields.context, snapshot,
  });
}
