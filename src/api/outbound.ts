/**
 * Bytes that server streams have written and their clients have not taken yet. grpc-js
 * buffers whatever a handler writes (its Writable counts messages, not bytes, and a handler
 * that ignores write()'s answer buffers without bound), and HTTP/2 flow control keeps in
 * this process whatever a client does not read: 1,000 unread watch streams once held 5 GB.
 *
 * So every stream accounts for its writes: a write counts until grpc-js calls it back (the
 * bytes have left for the socket), each stream may hold streamBytesMax and all of them
 * together totalBytesMax. Past either, hasRoom() is false and the stream's producer waits
 * (the watch hub stops writing to its watchers, KeepAlive stops reading, Snapshot stops
 * encoding) until onRoom. A stream whose client has taken nothing for stallMs is cancelled,
 * and while all the buffers are full so are the ones stalled longest, so that clients that
 * never read cannot keep others waiting for long either.
 */
import { assert } from '../core/assert.js';
import { RosterError } from '../core/errors.js';

export interface OutboundLimits {
  readonly streamBytesMax: number;
  readonly totalBytesMax: number;
  readonly stallMs: number;
  /** While every buffer is full, streams stalled this long are cancelled, longest first. */
  readonly stallMinMs: number;
  /**
   * Server streams open at once: each costs ~17 KB however little it carries (HTTP/2 and
   * grpc-js state, its watcher), so their number is bounded too.
   */
  readonly streamsMax: number;
}

/** What the budget needs of a stream's owner. */
export interface StreamOwner {
  /** There is room again after hasRoom() said no. */
  onRoom(): void;
  /** The client stopped reading: end the stream (the reason is for the client and logs). */
  cancel(reason: string): void;
}

/** What a stream writes to: grpc-js server calls fit. */
export interface WritableCall {
  write(value: unknown, callback: (error?: Error | null) => void): boolean;
  /** True once the stream was ended (a status is on its way): nothing more may be written. */
  readonly writableEnded?: boolean;
}

export class OutboundBudget {
  private totalBytes = 0;
  private readonly streams = new Set<StreamOutbound>();
  /** Streams told "no room" while the total was full: told again when it is not. */
  private readonly waitingForTotal = new Set<StreamOutbound>();

  constructor(readonly limits: OutboundLimits, readonly nowMs: () => number) {
    assert(limits.streamBytesMax >= 1 && limits.totalBytesMax >= limits.streamBytesMax,
      `outbound limits: stream ${limits.streamBytesMax}, total ${limits.totalBytesMax}`);
  }

  /** Bytes written to all streams and not yet taken. */
  get bytes(): number {
    return this.totalBytes;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** A new stream's account; RESOURCE_EXHAUSTED when streamsMax are open. */
  open(owner: StreamOwner): StreamOutbound {
    if (this.streams.size >= this.limits.streamsMax) {
      throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
        `this node already serves ${this.streams.size} streams (the limit); retry later`);
    }
    const stream = new StreamOutbound(this, owner);
    this.streams.add(stream);
    return stream;
  }

  /**
   * Periodic: cancels streams stalled for stallMs, and while the total is over its bound the
   * longest-stalled of those stalled for stallMinMs, until it would be back under it.
   */
  sweep(): void {
    const now = this.nowMs();
    const stalled = [...this.streams]
      .filter((stream) => stream.stalledForMs(now) >= this.limits.stallMinMs)
      .sort((a, b) => b.stalledForMs(now) - a.stalledForMs(now));
    let excess = this.totalBytes - this.limits.totalBytesMax;
    for (const stream of stalled) {
      const stalledMs = stream.stalledForMs(now);
      if (stalledMs < this.limits.stallMs && excess < 0) break;
      excess -= stream.pendingBytes;
      stream.cancelStalled(stalledMs);
    }
  }

  get totalFull(): boolean {
    return this.totalBytes >= this.limits.totalBytesMax;
  }

  /** @internal A stream wrote. */
  hold(bytes: number): void {
    this.totalBytes += bytes;
  }

  /** @internal A stream's bytes left (taken by its client, or dropped with the stream). */
  release(bytes: number): void {
    this.totalBytes -= bytes;
    if (this.waitingForTotal.size === 0 || this.totalFull) return;
    const waiters = [...this.waitingForTotal];
    this.waitingForTotal.clear();
    for (const waiter of waiters) waiter.maybeNotify();
  }

  /** @internal */
  waitForTotal(stream: StreamOutbound): void {
    this.waitingForTotal.add(stream);
  }

  /** @internal */
  forget(stream: StreamOutbound): void {
    this.streams.delete(stream);
    this.waitingForTotal.delete(stream);
  }
}

export class StreamOutbound {
  private pending = 0;
  /** When the client last took bytes, while some are pending; undefined when none are. */
  private progressMs: number | undefined;
  private waitingForRoom = false;
  private closed = false;
  private cancelled = false;

  constructor(private readonly budget: OutboundBudget, private readonly owner: StreamOwner) {}

  get pendingBytes(): number {
    return this.pending;
  }

  /** Whether the producer may write `extraBytes` more. */
  hasRoom(extraBytes = 0): boolean {
    return this.pending + extraBytes < this.budget.limits.streamBytesMax && !this.budget.totalFull;
  }

  /**
   * Writes `value` (`bytes` long on the wire) and returns whether there is still room. When
   * there is not, the owner's onRoom() follows once there is.
   */
  write(call: WritableCall, value: unknown, bytes: number): boolean {
    if (this.closed || call.writableEnded === true) return false;
    this.pending += bytes;
    this.budget.hold(bytes);
    this.progressMs ??= this.budget.nowMs();
    call.write(value, () => this.written(bytes));
    return this.roomOrWait();
  }

  /** Whether there is room for `extraBytes` now; if not, onRoom() follows once there is. */
  roomOrWait(extraBytes = 0): boolean {
    if (this.hasRoom(extraBytes)) return true;
    if (!this.closed) {
      this.waitingForRoom = true;
      if (this.budget.totalFull) this.budget.waitForTotal(this);
    }
    return false;
  }

  /** The stream ended: what it held is released (grpc-js drops it with the stream). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const held = this.pending;
    this.pending = 0;
    this.progressMs = undefined;
    this.budget.forget(this);
    this.budget.release(held);
  }

  stalledForMs(nowMs: number): number {
    return this.progressMs === undefined || this.cancelled ? 0 : nowMs - this.progressMs;
  }

  /** @internal */
  cancelStalled(stalledMs: number): void {
    if (this.cancelled || this.closed) return;
    this.cancelled = true;
    this.owner.cancel(`the client read nothing of this stream for ${Math.round(stalledMs)} ms ` +
      `(${this.pending} bytes waiting); it was cancelled so that the server's buffers go to ` +
      'clients that read: reconnect and read faster');
  }

  /** @internal Tells the owner there is room, if it is waiting and there is. */
  maybeNotify(): void {
    if (this.closed || !this.waitingForRoom) return;
    if (this.hasRoom()) {
      this.waitingForRoom = false;
      this.owner.onRoom();
    } else if (this.budget.totalFull) {
      this.budget.waitForTotal(this);
    }
  }

  private written(bytes: number): void {
    if (this.closed) return;
    this.pending -= bytes;
    this.progressMs = this.pending > 0 ? this.budget.nowMs() : undefined;
    this.budget.release(bytes);
    this.maybeNotify();
  }
}
