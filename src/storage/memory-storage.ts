import { assert } from '../core/assert.js';
import {
  EMPTY_HARD_STATE, EMPTY_SNAPSHOT, LogCompactedError, LogUnavailableError, limitEntriesSize,
  type ConfState, type Entry, type HardState, type RaftStorage, type Snapshot,
} from '../raft/index.js';

/**
 * Stands for snapshot data the storage no longer holds in memory: it is durable, and the
 * driver reads it back from its persister (LogPersister.loadSnapshot) when a follower needs
 * it. A node's last snapshot is the size of its whole state (20+ MB at 100,000 instances);
 * keeping a copy beside the live state would cost every node that much for a rare transfer.
 * Compared by identity; never sent.
 */
export const RELEASED_SNAPSHOT_DATA: Uint8Array = new Uint8Array(0);

export function isReleasedSnapshotData(data: Uint8Array): boolean {
  return data === RELEASED_SNAPSHOT_DATA;
}

/**
 * The log since the last snapshot, in memory (etcd-io/raft's MemoryStorage). Raft reads it;
 * the driver writes it after the same data is durable (LevelDB, or the simulator's disk), so
 * everything here is stable. entries[0] is a dummy carrying the snapshot's index and term.
 */
export class MemoryStorage implements RaftStorage {
  private hardStateValue: HardState = EMPTY_HARD_STATE;
  private snapshotValue: Snapshot = EMPTY_SNAPSHOT;
  private entriesValue: Entry[] = [dummyEntry(0, 0)];

  /** A storage that starts from `snapshot` (bootstrap or recovery). */
  static fromSnapshot(snapshot: Snapshot, hardState: HardState = EMPTY_HARD_STATE): MemoryStorage {
    const storage = new MemoryStorage();
    storage.applySnapshot(snapshot);
    storage.setHardState(hardState);
    return storage;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardStateValue, confState: this.snapshotValue.metadata.confState };
  }

  hardState(): HardState {
    return this.hardStateValue;
  }

  setHardState(hardState: HardState): void {
    this.hardStateValue = hardState;
  }

  private offset(): number {
    return (this.entriesValue[0] as Entry).index;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.entriesValue.length - 1;
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new LogCompactedError(index, offset + 1);
    if (index - offset >= this.entriesValue.length) {
      throw new LogUnavailableError(index, this.lastIndex());
    }
    return (this.entriesValue[index - offset] as Entry).term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new LogCompactedError(lo, offset + 1);
    assert(hi <= this.lastIndex() + 1, `entries hi ${hi} beyond last index ${this.lastIndex()}`);
    if (this.entriesValue.length === 1) throw new LogUnavailableError(lo, this.lastIndex());
    return limitEntriesSize(this.entriesValue.slice(lo - offset, hi - offset), maxBytes);
  }

  snapshot(): Snapshot {
    return this.snapshotValue;
  }

  /**
   * Keeps only the snapshot's metadata, once its data is durable and applied: snapshot() then
   * answers RELEASED_SNAPSHOT_DATA as its data.
   */
  releaseSnapshotData(): void {
    if (this.snapshotValue.metadata.index === 0) return; // empty: nothing worth freeing
    this.snapshotValue = { metadata: this.snapshotValue.metadata, data: RELEASED_SNAPSHOT_DATA };
  }

  /** Replaces everything with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    assert(index >= this.snapshotValue.metadata.index,
      `snapshot ${index} is older than the stored one (${this.snapshotValue.metadata.index})`);
    this.snapshotValue = snapshot;
    this.entriesValue = [dummyEntry(index, term)];
  }

  /**
   * Records a snapshot the state machine took at `index` (<= applied). Returns false when a
   * newer snapshot is already stored (one arrived from the leader meanwhile).
   */
  createSnapshot(options: { index: number; confState: ConfState; data: Uint8Array }): boolean {
    const { index, confState, data } = options;
    if (index <= this.snapshotValue.metadata.index) return false;
    assert(index <= this.lastIndex(), `snapshot ${index} beyond last index ${this.lastIndex()}`);
    const term = this.term(index);
    this.snapshotValue = { metadata: { index, term, confState }, data };
    return true;
  }

  /** Discards entries up to and including compactIndex (they are in a snapshot). */
  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) return;
    assert(compactIndex <= this.lastIndex(),
      `compact ${compactIndex} beyond last ${this.lastIndex()}`);
    assert(compactIndex <= this.snapshotValue.metadata.index,
      `compact ${compactIndex} beyond the snapshot (${this.snapshotValue.metadata.index})`);
    const kept = this.entriesValue.slice(compactIndex - offset);
    kept[0] = dummyEntry(compactIndex, (kept[0] as Entry).term);
    this.entriesValue = kept;
  }

  /** Appends durable entries, replacing any conflicting suffix. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = (entries[entries.length - 1] as Entry).index;
    if (lastNew < first) return; // all already compacted
    let toAppend = entries;
    if (first > (entries[0] as Entry).index) {
      toAppend = entries.slice(first - (entries[0] as Entry).index);
    }
    const at = (toAppend[0] as Entry).index - this.offset();
    assert(at <= this.entriesValue.length,
      `missing log entries: last ${this.lastIndex()}, ` +
      `appending at ${(toAppend[0] as Entry).index}`);
    if (at < this.entriesValue.length) this.entriesValue = this.entriesValue.slice(0, at);
    for (const entry of toAppend) this.entriesValue.push(entry);
  }

  /** Every stored entry after the snapshot (tests, recovery checks). */
  allEntries(): Entry[] {
    return this.entriesValue.slice(1);
  }
}

function dummyEntry(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: EMPTY_DATA };
}

const EMPTY_DATA = new Uint8Array(0);
