import { assert } from '../core/assert.js';
import type { ConfChange, ConfChangeType, ConfState, NodeId } from './types.js';

const TYPE_CODES: Record<ConfChangeType, number> = { addLearner: 1, promote: 2, remove: 3 };
const TYPES_BY_CODE: readonly (ConfChangeType | undefined)[] =
  [undefined, 'addLearner', 'promote', 'remove'];
const FORMAT_VERSION = 1;
const HEADER_BYTES = 10;

/** Wire form of a conf entry's data: version, type, node id (float64), then the context. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  assert(Number.isSafeInteger(change.nodeId) && change.nodeId > 0, `bad node id ${change.nodeId}`);
  const bytes = new Uint8Array(HEADER_BYTES + change.context.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, FORMAT_VERSION);
  view.setUint8(1, TYPE_CODES[change.type]);
  view.setFloat64(2, change.nodeId);
  bytes.set(change.context, HEADER_BYTES);
  return bytes;
}

export function decodeConfChange(bytes: Uint8Array): ConfChange {
  const parsed = parseConfChange(bytes);
  assert(typeof parsed !== 'string', parsed as string);
  return parsed as ConfChange;
}

/** What decodeConfChange returns, or why the bytes are not a conf change (peer input). */
export function parseConfChange(bytes: Uint8Array): ConfChange | string {
  if (bytes.byteLength < HEADER_BYTES) return `conf change too short (${bytes.byteLength} bytes)`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== FORMAT_VERSION) return `unknown conf change version ${view.getUint8(0)}`;
  const type = TYPES_BY_CODE[view.getUint8(1)];
  if (type === undefined) return `unknown conf change type ${view.getUint8(1)}`;
  const nodeId = view.getFloat64(2);
  if (!Number.isSafeInteger(nodeId) || nodeId <= 0) return `bad node id ${nodeId} in conf change`;
  return { type, nodeId, context: bytes.slice(HEADER_BYTES) };
}

/** The membership after `change`; a change that does not apply leaves it as it was. */
export function applyToConfState(confState: ConfState, change: ConfChange): ConfState {
  const id: NodeId = change.nodeId;
  const voters = confState.voters.filter((voter) => voter !== id);
  const learners = confState.learners.filter((learner) => learner !== id);
  const isVoter = voters.length !== confState.voters.length;
  const isLearner = learners.length !== confState.learners.length;
  switch (change.type) {
    case 'addLearner':
      // Demoting a voter is not supported: adding a voter as learner is a no-op.
      if (isVoter || isLearner) return confState;
      return { voters: confState.voters, learners: sorted([...confState.learners, id]) };
    case 'promote':
      if (!isLearner) return confState;
      return { voters: sorted([...voters, id]), learners };
    case 'remove':
      if (!isVoter && !isLearner) return confState;
      return { voters, learners };
  }
}

export function sorted(ids: readonly NodeId[]): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}

export function confStatesEqual(a: ConfState, b: ConfState): boolean {
  return sameIds(a.voters, b.voters) && sameIds(a.learners, b.learners);
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  const left = sorted(a);
  const right = sorted(b);
  return left.every((id, i) => id === right[i]);
}
