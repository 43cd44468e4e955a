import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import {
  applyToConfState, confStatesEqual, decodeConfChange, encodeConfChange,
} from '../../src/raft/conf-change.js';
import type { ConfChange, ConfChangeType, ConfState } from '../../src/raft/types.js';

const TYPES: readonly ConfChangeType[] = ['addLearner', 'promote', 'remove'];
const NO_CONTEXT = new Uint8Array(0);

function change(type: ConfChangeType, nodeId: number): ConfChange {
  return { type, nodeId, context: NO_CONTEXT };
}

function conf(voters: number[], learners: number[] = []): ConfState {
  return { voters, learners };
}

describe('encodeConfChange / decodeConfChange', () => {
  it.each(TYPES)('round-trips a %s change', (type) => {
    const original = change(type, 3);
    const decoded = decodeConfChange(encodeConfChange(original));
    expect(decoded.type).toBe(type);
    expect(decoded.nodeId).toBe(3);
    expect(decoded.context).toEqual(NO_CONTEXT);
  });

  it('encodes the types as distinct bytes', () => {
    const encodings = TYPES.map((type) => encodeConfChange(change(type, 1)).join(','));
    expect(new Set(encodings).size).toBe(TYPES.length);
  });

  it('preserves the context bytes', () => {
    const context = new TextEncoder().encode('10.0.0.7:7000');
    const decoded = decodeConfChange(encodeConfChange({ type: 'addLearner', nodeId: 9, context }));
    expect(new TextDecoder().decode(decoded.context)).toBe('10.0.0.7:7000');
    expect(decoded.context).toEqual(context);
  });

  it('preserves every byte value in the context', () => {
    const context = Uint8Array.from({ length: 256 }, (_, i) => i);
    const decoded = decodeConfChange(encodeConfChange({ type: 'remove', nodeId: 2, context }));
    expect([...decoded.context]).toEqual([...context]);
  });

  it.each([1, 2, 255, 256, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER])(
    'round-trips node id %d',
    (nodeId) => {
      expect(decodeConfChange(encodeConfChange(change('promote', nodeId))).nodeId).toBe(nodeId);
    },
  );

  it('decodes from a view into a larger buffer (non-zero byteOffset)', () => {
    const encoded = encodeConfChange({ type: 'remove', nodeId: 77, context: Uint8Array.of(1, 2) });
    const big = new Uint8Array(encoded.byteLength + 8);
    big.fill(0xee);
    big.set(encoded, 5);
    const decoded = decodeConfChange(big.subarray(5, 5 + encoded.byteLength));
    expect(decoded.type).toBe('remove');
    expect(decoded.nodeId).toBe(77);
    expect([...decoded.context]).toEqual([1, 2]);
  });

  it('returns a context that does not alias the input bytes', () => {
    const encoded = encodeConfChange({ type: 'remove', nodeId: 1, context: Uint8Array.of(5) });
    const decoded = decodeConfChange(encoded);
    encoded[encoded.byteLength - 1] = 9;
    expect([...decoded.context]).toEqual([5]);
  });

  it.each([0, -1, 1.5, 2 ** 53, Number.NaN])('refuses to encode node id %d', (nodeId) => {
    expect(() => encodeConfChange(change('addLearner', nodeId))).toThrow(AssertionError);
  });

  it.each([0, 1, 9])('refuses a %d-byte buffer as too short', (length) => {
    const bytes = encodeConfChange(change('promote', 4)).slice(0, length);
    expect(() => decodeConfChange(bytes)).toThrow(AssertionError);
  });

  function tampered(edit: (view: DataView) => void): Uint8Array {
    const bytes = encodeConfChange(change('promote', 4));
    edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return bytes;
  }

  it.each<[string, (view: DataView) => void]>([
    ['version 0', (v) => v.setUint8(0, 0)],
    ['version 2', (v) => v.setUint8(0, 2)],
    ['type 0', (v) => v.setUint8(1, 0)],
    ['type 4', (v) => v.setUint8(1, 4)],
    ['type 255', (v) => v.setUint8(1, 255)],
    ['node id 0', (v) => v.setFloat64(2, 0)],
    ['node id -3', (v) => v.setFloat64(2, -3)],
    ['node id 2.5', (v) => v.setFloat64(2, 2.5)],
    ['node id NaN', (v) => v.setFloat64(2, Number.NaN)],
    ['node id 2^53', (v) => v.setFloat64(2, 2 ** 53)],
  ])('refuses to decode %s', (_label, edit) => {
    expect(() => decodeConfChange(tampered(edit))).toThrow(AssertionError);
  });
});

describe('applyToConfState', () => {
  it.each<[string, ConfState, ConfChange, ConfState]>([
    ['addLearner of a new id', conf([1, 2], [5]), change('addLearner', 3), conf([1, 2], [3, 5])],
    ['addLearner to no learners', conf([1]), change('addLearner', 2), conf([1], [2])],
    ['addLearner sorts numerically', conf([1], [9, 100]), change('addLearner', 10),
      conf([1], [9, 10, 100])],
    ['promote of a learner', conf([1, 3], [2, 4]), change('promote', 2), conf([1, 2, 3], [4])],
    ['promote sorts numerically', conf([9, 100], [10]), change('promote', 10),
      conf([9, 10, 100], [])],
    ['remove of a voter', conf([1, 2, 3], [4]), change('remove', 2), conf([1, 3], [4])],
    ['remove of a learner', conf([1, 2], [3, 4]), change('remove', 4), conf([1, 2], [3])],
    ['remove of the last voter', conf([1]), change('remove', 1), conf([])],
  ])('%s', (_label, before, applied, expected) => {
    const after = applyToConfState(before, applied);
    expect(after).toEqual(expected);
    expect(after).not.toBe(before);
  });

  it.each<[string, ConfState, ConfChange]>([
    ['addLearner of an existing learner', conf([1], [2]), change('addLearner', 2)],
    ['addLearner of a voter', conf([1, 2], [3]), change('addLearner', 2)],
    ['promote of a voter', conf([1, 2], [3]), change('promote', 1)],
    ['promote of an unknown id', conf([1, 2], [3]), change('promote', 9)],
    ['remove of an unknown id', conf([1, 2], [3]), change('remove', 9)],
  ])('%s is a no-op returning the same object', (_label, before, applied) => {
    const snapshot = structuredClone(before);
    const after = applyToConfState(before, applied);
    expect(after).toBe(before);
    expect(before).toEqual(snapshot);
  });

  it('does not mutate its input', () => {
    const before = conf([1, 3], [2]);
    applyToConfState(before, change('promote', 2));
    applyToConfState(before, change('addLearner', 4));
    applyToConfState(before, change('remove', 1));
    expect(before).toEqual(conf([1, 3], [2]));
  });

  it('keeps outputs sorted over a sequence of changes', () => {
    let state = conf([5]);
    for (const id of [12, 3, 40, 7, 1]) state = applyToConfState(state, change('addLearner', id));
    expect(state.learners).toEqual([1, 3, 7, 12, 40]);
    for (const id of [40, 1, 7]) state = applyToConfState(state, change('promote', id));
    expect(state).toEqual(conf([1, 5, 7, 40], [3, 12]));
    state = applyToConfState(state, change('remove', 5));
    expect(state).toEqual(conf([1, 7, 40], [3, 12]));
  });
});

describe('confStatesEqual', () => {
  it.each<[string, ConfState, ConfState, boolean]>([
    ['same order', conf([1, 2], [3]), conf([1, 2], [3]), true],
    ['voters reordered', conf([3, 1, 2], [5, 4]), conf([1, 2, 3], [4, 5]), true],
    ['both empty', conf([]), conf([]), true],
    ['a voter differs', conf([1, 2]), conf([1, 3]), false],
    ['an extra voter', conf([1, 2]), conf([1, 2, 3]), false],
    ['learner vs voter', conf([1, 2], [3]), conf([1, 2, 3], []), false],
    ['learners differ', conf([1], [2]), conf([1], [3]), false],
    ['numeric not lexicographic', conf([10, 9]), conf([9, 10]), true],
    ['duplicates counted', conf([1, 1, 2]), conf([1, 2, 2]), false],
  ])('%s -> %s', (_label, a, b, expected) => {
    expect(confStatesEqual(a, b)).toBe(expected);
    expect(confStatesEqual(b, a)).toBe(expected);
  });
});
