import { assert } from '../core/assert.js';
import type { Prng } from '../core/prng.js';
import {
  EMPTY_HARD_STATE, EMPTY_SNAPSHOT, confHistoryOf, type Entry, type HardState, type Snapshot,
} from '../raft/index.js';
import {
  MemoryStorage, recoveredLogProblem, type LogPersister, type PersistBatch,
} from '../storage/index.js';
import type { EventQueue } from './event-queue.js';

/** What survives a crash. */
interface DurableState {
  hardState: HardState;
  snapshot: Snapshot;
  /** Entries after the durable log's compaction point, in index order. */
  entries: Entry[];
}

/**
 * A node's disk: writes complete in order after a simulated latency, and a crash discards
 * every write that has not completed (so a driver that sends before its write is durable is
 * caught). Completed writes are atomic, like a LevelDB batch.
 */
export class SimDisk implements LogPersister {
  private durable: DurableState = {
    hardState: EMPTY_HARD_STATE, snapshot: EMPTY_SNAPSHOT, entries: [],
  };
  /** Bumped by a crash: completions scheduled before it are void. */
  private epoch = 0;
  private busyUntilMs = 0;
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly latencyMaxMs: number;

  constructor(options: { queue: EventQueue; prng: Prng; latencyMaxMs: number }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.latencyMaxMs = options.latencyMaxMs;
  }

  /** A fresh member of a new cluster: the bootstrap snapshot carries the initial membership. */
  bootstrap(snapshot: Snapshot, hardState: HardState): void {
    this.durable = { hardState, snapshot, entries: [] };
  }

  persist(batch: PersistBatch, done: (error?: Error) => void): void {
    this.write(() => {
      if (batch.snapshot !== undefined) {
        this.durable.snapshot = batch.snapshot;
        this.durable.entries = [];
      }
      this.appendDurable(batch.entries);
      if (batch.hardState !== undefined) this.durable.hardState = batch.hardState;
    }, done);
  }

  saveSnapshot(snapshot: Snapshot, compactIndex: number, done: (error?: Error) => void): void {
    this.write(() => {
      if (snapshot.metadata.index <= this.durable.snapshot.metadata.index) return;
      this.durable.snapshot = snapshot;
      this.durable.entries = this.durable.entries.filter((entry) => entry.index > compactIndex);
    }, done);
  }

  /** A read, in order with the writes issued before it; lost (never answered) in a crash. */
  loadSnapshot(done: (error: Error | undefined, snapshot: Snapshot | undefined) => void): void {
    this.write(() => undefined, () => done(undefined, this.durable.snapshot));
  }

  private write(apply: () => void, done: (error?: Error) => void): void {
    const epoch = this.epoch;
    const startMs = Math.max(this.queue.nowMs, this.busyUntilMs);
    this.busyUntilMs = startMs + this.prng.intBetween(0, this.latencyMaxMs);
    this.queue.schedule(this.busyUntilMs - this.queue.nowMs, () => {
      if (epoch !== this.epoch) return; // lost in a crash
      apply();
      done();
    });
  }

  /** Appends, replacing a conflicting suffix; durable entries are contiguous. */
  private appendDurable(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const list = this.durable.entries;
    const first = (entries[0] as Entry).index;
    const base = list[0]?.index ?? first;
    const cut = Math.max(0, first - base);
    assert(cut <= list.length,
      `durable log gap: appending ${first} after ${base + list.length - 1}`);
    list.length = cut;
    for (const entry of entries) list.push(entry);
  }

  /** Power loss: writes in flight are gone. */
  crash(): void {
    this.epoch += 1;
    this.busyUntilMs = 0;
  }

  /**
   * A storage fault: committed entries this disk had synced vanish from `fromIndex` on while
   * the hard state stays (as when a damaged table file takes part of the log with it). The
   * recovery check must refuse what is left. Returns false when there is nothing to lose.
   */
  loseCommittedEntries(prng: Prng): boolean {
    const { entries, hardState, snapshot } = this.durable;
    const first = snapshot.metadata.index + 1;
    const lastCommitted = Math.min(hardState.commit, (entries.at(-1)?.index ?? 0));
    if (lastCommitted < first || entries.length === 0) return false;
    const fromIndex = prng.intBetween(first, lastCommitted);
    const base = (entries[0] as Entry).index;
    entries.length = Math.max(0, fromIndex - base);
    return true;
  }

  /** Why a node must refuse this disk at start (LevelLog's check), or undefined. */
  recoveryProblem(): string | undefined {
    const { entries, hardState, snapshot } = this.durable;
    const lastIndex = entries.at(-1)?.index ?? snapshot.metadata.index;
    const empty = hardState.term === 0 && hardState.vote === 0 && hardState.commit === 0;
    return recoveredLogProblem({ hardState: empty ? undefined : hardState, snapshot, lastIndex });
  }

  /**
   * True before the first snapshot: a node that joined has only a hard state (and the leader
   * sends a snapshot first), so its disk names no member it could answer.
   */
  knowsNoMembers(): boolean {
    return this.durable.snapshot.metadata.index === 0;
  }

  /** The membership its durable log ends with: the entry (or snapshot) index, and voters. */
  latestConf(): { index: number; voters: number } {
    const latest = confHistoryOf(this.recover(), Number.POSITIVE_INFINITY).latest();
    return { index: latest.index, voters: latest.confState.voters.length };
  }

  /** The storage a restarting node recovers from. */
  recover(): MemoryStorage {
    const storage = MemoryStorage.fromSnapshot(this.durable.snapshot, this.durable.hardState);
    storage.append(this.durable.entries);
    return storage;
  }

  durableHardState(): HardState {
    return this.durable.hardState;
  }
}
