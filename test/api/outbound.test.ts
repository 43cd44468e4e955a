import { describe, expect, it } from 'vitest';
import { OutboundBudget, type StreamOwner, type WritableCall } from '../../src/api/outbound.js';

/** A call whose writes complete when the test says the client took them. */
class FakeCall implements WritableCall {
  readonly pending: (() => void)[] = [];
  write(_value: unknown, callback: () => void): boolean {
    this.pending.push(callback);
    return true;
  }
  /** The client reads `count` messages. */
  take(count = this.pending.length): void {
    for (const callback of this.pending.splice(0, count)) callback();
  }
}

class Owner implements StreamOwner {
  rooms = 0;
  cancelled: string[] = [];
  onRoom(): void {
    this.rooms += 1;
  }
  cancel(reason: string): void {
    this.cancelled.push(reason);
  }
}

function setup(overrides: Partial<ConstructorParameters<typeof OutboundBudget>[0]> = {}) {
  let now = 0;
  const budget = new OutboundBudget({
    streamBytesMax: 100, totalBytesMax: 250, stallMs: 10_000, stallMinMs: 1_000, streamsMax: 4,
    ...overrides,
  }, () => now);
  const open = () => {
    const owner = new Owner();
    const call = new FakeCall();
    return { owner, call, stream: budget.open(owner) };
  };
  return { budget, open, advance: (ms: number) => { now += ms; } };
}

describe('OutboundBudget: what streams hold for their clients, in bytes', () => {
  it('a stream has room until it holds streamBytesMax, and again as its client reads', () => {
    const { open } = setup();
    const { stream, call, owner } = open();
    expect(stream.write(call, 'a', 60)).toBe(true);
    expect(stream.write(call, 'b', 60)).toBe(false);
    expect(stream.pendingBytes).toBe(120);
    expect(owner.rooms).toBe(0);
    call.take(1);
    expect(stream.pendingBytes).toBe(60);
    expect(owner.rooms).toBe(1);
    expect(stream.hasRoom()).toBe(true);
  });

  it('counts bytes, not messages: many small writes are fine, one large one is not', () => {
    const { open } = setup();
    const small = open();
    for (let i = 0; i < 99; i++) expect(small.stream.write(small.call, i, 1)).toBe(true);
    const large = open();
    expect(large.stream.write(large.call, 'x', 100)).toBe(false);
  });

  it('all streams hold at most totalBytesMax together; a waiting one is told of room', () => {
    const { budget, open } = setup();
    const streams = [open(), open(), open()];
    for (const { stream, call } of streams) stream.write(call, 'x', 90);
    expect(budget.bytes).toBe(270);
    const fresh = open();
    expect(fresh.stream.hasRoom()).toBe(false);
    expect(fresh.stream.roomOrWait()).toBe(false);
    streams[0]!.call.take();
    expect(budget.bytes).toBe(180);
    expect(fresh.owner.rooms).toBe(1);
  });

  it('a closed stream releases what it held, and later completions are ignored', () => {
    const { budget, open } = setup();
    const { stream, call } = open();
    stream.write(call, 'x', 80);
    stream.close();
    expect(budget.bytes).toBe(0);
    call.take();
    expect(budget.bytes).toBe(0);
    expect(budget.streamCount).toBe(0);
  });

  it('cancels a stream whose client took nothing for stallMs, with a reason', () => {
    const { budget, open, advance } = setup();
    const reader = open();
    const stalled = open();
    reader.stream.write(reader.call, 'x', 10);
    stalled.stream.write(stalled.call, 'x', 10);
    advance(9_000);
    reader.call.take();
    reader.stream.write(reader.call, 'y', 10);
    advance(2_000);
    budget.sweep();
    expect(stalled.owner.cancelled).toHaveLength(1);
    expect(stalled.owner.cancelled[0]).toContain('read nothing of this stream for 11000 ms');
    expect(reader.owner.cancelled).toEqual([]);
    budget.sweep();
    expect(stalled.owner.cancelled).toHaveLength(1);
  });

  it('a stream that holds nothing is never stalled, however old', () => {
    const { budget, open, advance } = setup();
    const idle = open();
    advance(60_000);
    budget.sweep();
    expect(idle.owner.cancelled).toEqual([]);
  });

  it('when every buffer is full, the longest-stalled streams go first, down to the bound', () => {
    const { budget, open, advance } = setup({ totalBytesMax: 200 });
    const oldest = open();
    oldest.stream.write(oldest.call, 'x', 90);
    advance(500);
    const older = open();
    older.stream.write(older.call, 'x', 90);
    advance(500);
    const newer = open();
    newer.stream.write(newer.call, 'x', 90);
    advance(1_500);
    budget.sweep();
    expect(oldest.owner.cancelled).toHaveLength(1);
    expect(older.owner.cancelled).toHaveLength(0);
    expect(newer.owner.cancelled).toHaveLength(0);
  });

  it('opens at most streamsMax streams; a closed one makes room for another', () => {
    const { budget, open } = setup();
    const streams = [open(), open(), open(), open()];
    expect(() => open()).toThrow(/already serves 4 streams/);
    streams[0]!.stream.close();
    expect(() => open()).not.toThrow();
    expect(budget.streamCount).toBe(4);
  });

  it('writes nothing to a stream that was ended', () => {
    const { open } = setup();
    const { stream } = open();
    const ended = { writableEnded: true, write: () => expect.fail('written after its end') };
    expect(stream.write(ended, 'x', 10)).toBe(false);
    expect(stream.pendingBytes).toBe(0);
  });
});
