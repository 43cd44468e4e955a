import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import { Inflights } from '../../src/raft/inflights.js';

function make(capacity: number, bytesMax = 1_000_000): Inflights {
  return new Inflights({ capacity, bytesMax });
}

describe('Inflights', () => {
  it('starts empty and not full', () => {
    const inflights = make(3);
    expect(inflights.count).toBe(0);
    expect(inflights.bytes).toBe(0);
    expect(inflights.full()).toBe(false);
  });

  it('becomes full when the count reaches capacity', () => {
    const inflights = make(3);
    inflights.add(1, 10);
    inflights.add(2, 10);
    expect(inflights.full()).toBe(false);
    inflights.add(3, 10);
    expect(inflights.full()).toBe(true);
    expect(inflights.count).toBe(3);
    expect(inflights.bytes).toBe(30);
  });

  it('becomes full when bytes reach bytesMax, whatever the count', () => {
    const inflights = make(10, 100);
    inflights.add(1, 60);
    expect(inflights.full()).toBe(false);
    inflights.add(2, 40); // exactly bytesMax
    expect(inflights.full()).toBe(true);
    expect(inflights.count).toBe(2);
  });

  it('accepts one message past bytesMax while not full, then is full', () => {
    const inflights = make(10, 100);
    inflights.add(1, 99);
    inflights.add(2, 500);
    expect(inflights.bytes).toBe(599);
    expect(inflights.full()).toBe(true);
  });

  it.each([
    ['count', make(1), 0],
    ['bytes', make(5, 10), 10],
  ])('refuses to add when full by %s', (_label, inflights, bytes) => {
    inflights.add(1, bytes);
    expect(inflights.full()).toBe(true);
    expect(() => inflights.add(2, 1)).toThrow(AssertionError);
    expect(inflights.count).toBe(1);
  });

  it.each([5, 4])('refuses index %d after index 5 (indexes must grow)', (index) => {
    const inflights = make(4);
    inflights.add(5, 1);
    expect(() => inflights.add(index, 1)).toThrow(AssertionError);
    expect(inflights.count).toBe(1);
    expect(inflights.bytes).toBe(1);
  });

  it('frees every message whose index is <= to, and their bytes', () => {
    const inflights = make(5);
    inflights.add(3, 1);
    inflights.add(6, 2);
    inflights.add(9, 4);
    inflights.add(12, 8);
    inflights.freeLE(8);
    expect(inflights.count).toBe(2);
    expect(inflights.bytes).toBe(12);
    inflights.freeLE(9);
    expect(inflights.count).toBe(1);
    expect(inflights.bytes).toBe(8);
  });

  it('frees nothing below the oldest index', () => {
    const inflights = make(5);
    inflights.add(3, 1);
    inflights.add(6, 2);
    inflights.freeLE(2);
    expect(inflights.count).toBe(2);
    expect(inflights.bytes).toBe(3);
  });

  it('is no longer full after a free', () => {
    const inflights = make(2);
    inflights.add(1, 1);
    inflights.add(2, 1);
    expect(inflights.full()).toBe(true);
    inflights.freeLE(1);
    expect(inflights.full()).toBe(false);
    inflights.add(3, 1);
    expect(inflights.full()).toBe(true);
  });

  it('frees the oldest message only with freeFirstOne', () => {
    const inflights = make(5);
    inflights.add(4, 1);
    inflights.add(7, 2);
    inflights.add(8, 4);
    inflights.freeFirstOne();
    expect(inflights.count).toBe(2);
    expect(inflights.bytes).toBe(6);
    // 7 is now the oldest: freeLE(7) frees exactly it.
    inflights.freeLE(7);
    expect(inflights.count).toBe(1);
    expect(inflights.bytes).toBe(4);
  });

  it('does nothing on freeFirstOne when empty', () => {
    const inflights = make(2);
    inflights.freeFirstOne();
    expect(inflights.count).toBe(0);
    expect(inflights.bytes).toBe(0);
  });

  it('wraps around the ring over many adds and frees', () => {
    const capacity = 4;
    const inflights = make(capacity);
    let next = 1;
    let oldest = 1;
    for (let round = 0; round < 50; round++) {
      while (!inflights.full()) inflights.add(next++, 1);
      expect(inflights.count).toBe(capacity);
      expect(() => inflights.add(next - 1, 1)).toThrow(AssertionError);
      const freeUpTo = oldest + (round % capacity); // frees 1..capacity messages
      inflights.freeLE(freeUpTo);
      const freed = freeUpTo - oldest + 1;
      oldest = freeUpTo + 1;
      expect(inflights.count).toBe(capacity - freed);
      expect(inflights.bytes).toBe(capacity - freed);
    }
  });

  it('keeps checking growth against the newest index across the wrap', () => {
    const inflights = make(3);
    inflights.add(1, 1);
    inflights.add(2, 1);
    inflights.freeLE(1);
    inflights.add(3, 1);
    inflights.freeLE(2);
    inflights.add(4, 1); // lands in slot 0 behind start
    expect(() => inflights.add(4, 1)).toThrow(AssertionError);
    inflights.freeFirstOne();
    expect(inflights.count).toBe(1);
    inflights.freeLE(3);
    expect(inflights.count).toBe(1);
    inflights.freeLE(4);
    expect(inflights.count).toBe(0);
  });

  it('resets to empty and accepts any index afterwards', () => {
    const inflights = make(2, 10);
    inflights.add(10, 5);
    inflights.add(11, 5);
    expect(inflights.full()).toBe(true);
    inflights.reset();
    expect(inflights.count).toBe(0);
    expect(inflights.bytes).toBe(0);
    expect(inflights.full()).toBe(false);
    inflights.add(3, 1);
    expect(inflights.count).toBe(1);
  });

  it.each([
    [0, 10],
    [3, 0],
  ])('rejects non-positive bounds (capacity %d, bytesMax %d)', (capacity, bytesMax) => {
    expect(() => new Inflights({ capacity, bytesMax })).toThrow(AssertionError);
  });
});
