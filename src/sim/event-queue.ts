import { assert } from '../core/assert.js';

export interface SimEvent {
  readonly timeMs: number;
  readonly seq: number;
  readonly run: () => void;
}

/**
 * A min-heap of events ordered by (time, insertion sequence): events at the same instant run
 * in the order they were scheduled, so a seed replays exactly.
 */
export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;
  nowMs = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, run: () => void): void {
    assert(delayMs >= 0, `cannot schedule in the past (${delayMs} ms)`);
    this.push({ timeMs: this.nowMs + delayMs, seq: this.seq++, run });
  }

  /** Runs the next event; false when there is none. */
  step(): boolean {
    const event = this.pop();
    if (event === undefined) return false;
    assert(event.timeMs >= this.nowMs, 'time went back');
    this.nowMs = event.timeMs;
    event.run();
    return true;
  }

  private push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent] as SimEvent)) break;
      heap[i] = heap[parent] as SimEvent;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as SimEvent;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as SimEvent, heap[left] as SimEvent)
        ? right : left;
      if (!before(heap[child] as SimEvent, last)) break;
      heap[i] = heap[child] as SimEvent;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
