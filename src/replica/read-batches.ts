import { RosterError } from '../core/errors.js';
import type { LocalResult, ReadState } from '../raft/index.js';
import type { ReadOutcome } from './interfaces.js';
import { refusalError } from './refusal-errors.js';

type ReadCallback = (outcome: ReadOutcome) => void;

interface Batch {
  readonly callbacks: ReadCallback[];
  readonly deadlineTick: number;
  /** Set when Raft confirmed the batch: serve once applied >= readIndex. */
  readIndex: number;
}

/**
 * Linearizable reads, batched: every read that arrives before the next Raft round shares one
 * ReadIndex request (one heartbeat round on the leader), however many there are.
 */
export class ReadBatches {
  private waiting: ReadCallback[] = [];
  private readonly inFlight = new Map<number, Batch>();
  private confirmed: Batch[] = [];
  private nextContext = 1;
  private count = 0;
  private readonly capacity: number;

  constructor(options: { capacity: number }) {
    this.capacity = options.capacity;
  }

  get size(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.count >= this.capacity;
  }

  /** Queues a read; when too many are pending, refuses it through its callback (false). */
  add(callback: ReadCallback): boolean {
    if (this.isFull()) {
      callback({ status: 'failed',
        error: new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', 'too many pending reads') });
      return false;
    }
    this.waiting.push(callback);
    this.count += 1;
    return true;
  }

  hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** Sends one ReadIndex request for everything waiting. */
  issue(readIndex: (context: number) => LocalResult, deadlineTick: number): void {
    if (this.waiting.length === 0) return;
    const callbacks = this.waiting;
    this.waiting = [];
    const context = this.nextContext;
    this.nextContext += 1;
    const result = readIndex(context);
    if (!result.ok) {
      this.finish(callbacks, { status: 'failed', error: refusalError(result.refusal) });
      return;
    }
    this.inFlight.set(context, { callbacks, deadlineTick, readIndex: 0 });
  }

  confirm(readState: ReadState): void {
    const batch = this.inFlight.get(readState.context);
    if (batch === undefined) return; // timed out or failed meanwhile
    this.inFlight.delete(readState.context);
    batch.readIndex = readState.index;
    this.confirmed.push(batch);
  }

  /** Serves every confirmed batch whose read point is applied. */
  serve(appliedIndex: number): void {
    if (this.confirmed.length === 0) return;
    const stillWaiting: Batch[] = [];
    for (const batch of this.confirmed) {
      if (batch.readIndex <= appliedIndex) {
        this.finish(batch.callbacks, { status: 'ready', index: batch.readIndex });
      } else {
        stillWaiting.push(batch);
      }
    }
    this.confirmed = stillWaiting;
  }

  expire(nowTick: number): void {
    const timeout = (): ReadOutcome => ({
      status: 'failed',
      error: new RosterError('ROSTER_ERR_TIMEOUT', 'read not confirmed in time'),
    });
    for (const [context, batch] of this.inFlight) {
      if (batch.deadlineTick > nowTick) continue;
      this.inFlight.delete(context);
      this.finish(batch.callbacks, timeout());
    }
    const kept: Batch[] = [];
    for (const batch of this.confirmed) {
      if (batch.deadlineTick > nowTick) kept.push(batch);
      else this.finish(batch.callbacks, timeout());
    }
    this.confirmed = kept;
  }

  /** Leadership moved: confirmations in flight may never come; fail them so clients retry. */
  failInFlight(error: RosterError): void {
    for (const batch of this.inFlight.values()) {
      this.finish(batch.callbacks, { status: 'failed', error });
    }
    this.inFlight.clear();
  }

  failAll(error: RosterError): void {
    this.failInFlight(error);
    const rest = [...this.waiting, ...this.confirmed.flatMap((batch) => batch.callbacks)];
    this.waiting = [];
    this.confirmed = [];
    this.finish(rest, { status: 'failed', error });
  }

  private finish(callbacks: readonly ReadCallback[], outcome: ReadOutcome): void {
    this.count -= callbacks.length;
    for (const callback of callbacks) callback(outcome);
  }
}
