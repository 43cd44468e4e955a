import { describe, expect, it } from 'vitest';
import { ReadOnlyQueue } from '../../src/raft/read-only.js';

function add(queue: ReadOnlyQueue, context: number, index = 10, from = 1): void {
  queue.add({ index, from, context });
}

function contexts(reads: readonly { context: number }[]): number[] {
  return reads.map((read) => read.context);
}

describe('ReadOnlyQueue', () => {
  it('has nothing to send when no request is open', () => {
    const queue = new ReadOnlyQueue();
    expect(queue.hasOpenRound()).toBe(false);
    expect(queue.takeRoundToSend()).toBe(0);
    expect(queue.lastSentRound).toBe(0);
  });

  it('puts requests added between broadcasts into one round', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 101);
    add(queue, 102);
    expect(queue.hasOpenRound()).toBe(true);
    expect(queue.takeRoundToSend()).toBe(1);
    add(queue, 103);
    expect(queue.takeRoundToSend()).toBe(2);
    expect(queue.size).toBe(3);
    expect(queue.release(1).map((read) => read.round)).toEqual([1, 1]);
    expect(queue.release(2).map((read) => read.round)).toEqual([2]);
  });

  it('closes the round once sent: a second take returns 0', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 1);
    expect(queue.takeRoundToSend()).toBe(1);
    expect(queue.hasOpenRound()).toBe(false);
    expect(queue.takeRoundToSend()).toBe(0);
    expect(queue.lastSentRound).toBe(1);
  });

  it('keeps each request\'s fields', () => {
    const queue = new ReadOnlyQueue();
    queue.add({ index: 42, from: 3, context: 7 });
    queue.takeRoundToSend();
    expect(queue.release(1)).toEqual([{ round: 1, index: 42, from: 3, context: 7 }]);
  });

  it('releases every request of rounds <= r in FIFO order, nothing newer', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 1);
    add(queue, 2);
    queue.takeRoundToSend(); // round 1
    add(queue, 3);
    queue.takeRoundToSend(); // round 2
    add(queue, 4);
    add(queue, 5);
    queue.takeRoundToSend(); // round 3
    add(queue, 6); // round 4, still open
    expect(contexts(queue.release(2))).toEqual([1, 2, 3]);
    expect(queue.size).toBe(3);
    expect(contexts(queue.release(2))).toEqual([]);
    expect(contexts(queue.release(3))).toEqual([4, 5]);
    expect(queue.size).toBe(1);
    expect(queue.hasOpenRound()).toBe(true);
  });

  it('releases nothing for round 0 or a round not reached yet', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 1);
    expect(queue.release(0)).toEqual([]);
    queue.takeRoundToSend();
    add(queue, 2);
    queue.takeRoundToSend();
    expect(contexts(queue.release(1))).toEqual([1]);
    expect(queue.size).toBe(1);
  });

  it('releases all older rounds at once when a later round is confirmed', () => {
    const queue = new ReadOnlyQueue();
    for (let round = 1; round <= 5; round++) {
      add(queue, round * 10);
      add(queue, round * 10 + 1);
      expect(queue.takeRoundToSend()).toBe(round);
    }
    expect(contexts(queue.release(4))).toEqual([10, 11, 20, 21, 30, 31, 40, 41]);
    expect(contexts(queue.release(99))).toEqual([50, 51]);
    expect(queue.size).toBe(0);
  });

  it('keeps FIFO order across many releases (internal compaction)', () => {
    const queue = new ReadOnlyQueue();
    const released: number[] = [];
    let context = 0;
    for (let round = 1; round <= 300; round++) {
      for (let i = 0; i < 10; i++) add(queue, context++);
      expect(queue.takeRoundToSend()).toBe(round);
      if (round % 3 === 0) released.push(...contexts(queue.release(round - 1)));
    }
    released.push(...contexts(queue.release(300)));
    expect(released).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(queue.size).toBe(0);
  });

  it('reset drops pending requests and the open round', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 1);
    queue.takeRoundToSend();
    add(queue, 2);
    queue.reset();
    expect(queue.size).toBe(0);
    expect(queue.hasOpenRound()).toBe(false);
    expect(queue.takeRoundToSend()).toBe(0);
    expect(queue.release(100)).toEqual([]);
  });

  it('never repeats a round number after reset', () => {
    const queue = new ReadOnlyQueue();
    add(queue, 1);
    expect(queue.takeRoundToSend()).toBe(1);
    add(queue, 2);
    queue.reset(); // the open round 2 was never sent
    add(queue, 3);
    const round = queue.takeRoundToSend();
    expect(round).toBeGreaterThan(1);
    expect(queue.lastSentRound).toBe(round);
    // A late ack of the old round 1 must not release the new request.
    expect(queue.release(1)).toEqual([]);
    expect(contexts(queue.release(round))).toEqual([3]);
  });
});
