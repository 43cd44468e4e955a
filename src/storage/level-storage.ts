import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { assert, getErrorMessage } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import {
  EMPTY_HARD_STATE, EMPTY_SNAPSHOT, type Entry, type HardState, type NodeId, type Snapshot,
} from '../raft/index.js';
import {
  CorruptRecordError, DAMAGED_KEY, ENTRY_KEY_END, ENTRY_KEY_MIN, FORMAT_VERSION, FOUNDING_KEY,
  HARD_STATE_KEY, META_KEY, SNAPSHOT_KEY, decodeEntry, decodeEntryKey, decodeHardState,
  decodeMeta, decodeOpaque, decodeSnapshotRecord, describeKey, encodeEntry, encodeHardState,
  encodeMeta, encodeOpaque, encodeSnapshotRecord, entryKey, type MetaRecord,
} from './level-codec.js';
import { MemoryStorage } from './memory-storage.js';
import type { LogPersister, PersistBatch } from './persister.js';
import { recoveredLogProblem } from './recovery-check.js';
import { SnapshotFiles } from './snapshot-files.js';

export interface LevelLogOptions {
  /** A directory; LevelDB lives in `${dataDir}/raft`, snapshots in `${dataDir}/snap`. */
  readonly dataDir: string;
  /** The member name; a data dir created for another name is refused. */
  readonly name: string;
  /** Draws the member id of a data dir being created (random: a wiped dir never reuses one). */
  readonly newNodeId: () => NodeId;
}

/** Who a data dir belongs to: fixed when the dir is created, the cluster once it is known. */
export interface DataDirIdentity {
  readonly name: string;
  readonly nodeId: NodeId;
  /** 0 until the node founds or joins a cluster. */
  readonly clusterId: number;
}

export interface RecoveredLog {
  /** Snapshot + hard state + every entry after the snapshot. */
  readonly storage: MemoryStorage;
  /** True when the data dir held no Raft state at all (no hard state, snapshot or entry). */
  readonly fresh: boolean;
}

/** What to do about a data dir that cannot be trusted (README: Recovery). */
export function wipeAdvice(dataDir: string): string {
  return `move or delete the data dir ${dataDir} and start the node again: on an empty data ` +
    'dir it rejoins its cluster as a new member and catches up from the others';
}

/** Another process (or another LevelLog in this one) has the data dir open. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

type Db = Level<Uint8Array, Uint8Array>;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
type BatchOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };
type Done = (error?: Error) => void;

/**
 * What is on disk, tracked in memory so that writes know which keys to delete without reading:
 * entry keys are exactly offset+1..last (none when last === offset), the same range the
 * replica's MemoryStorage holds. offset <= snapshotIndex <= last.
 */
interface DurableLog {
  readonly snapshotIndex: number;
  readonly offset: number;
  readonly last: number;
}

/** One write: its ops (one LevelDB batch) and the durable log once they are on disk. */
interface WritePlan {
  /** A snapshot whose file is written before the batch that names it. */
  readonly snapshot?: Snapshot;
  readonly ops: BatchOp[];
  readonly next: DurableLog;
  /**
   * False for a write only the commit index needs (PersistBatch.sync): LevelDB appends it to
   * the same write-ahead log, so the next synced write makes it durable too.
   */
  readonly sync?: boolean;
}

/**
 * The Raft log in LevelDB (format: level-codec.ts). Writes are queued and complete in the order
 * they were issued, each as one synced atomic batch; the replica updates its MemoryStorage only
 * after `done`, so the durable log and MemoryStorage hold the same entries.
 */
export class LevelLog implements LogPersister {
  /** The previous write; each write chains on it, so completions keep issue order. */
  private tail: Promise<void> = Promise.resolve();
  /** A failed write poisons the log: later writes would build on a state we do not know. */
  private failure: Error | undefined = undefined;
  private closeRequested = false;
  private closePromise: Promise<void> | undefined = undefined;

  private constructor(
    private readonly db: Db,
    private readonly snapshots: SnapshotFiles,
    private readonly dataDir: string,
    private readonly recovered: RecoveredLog,
    private durable: DurableLog,
    private meta: MetaRecord,
    private foundingState: Uint8Array | undefined,
  ) {}

  /**
   * Opens (creating if needed) and recovers the log; throws before anything can serve. Any
   * trouble reading what is there (a LevelDB error, a record failing its checks, a log that
   * lost what it promised, a damage mark) is ROSTER_ERR_CORRUPT_DATA naming the data dir.
   */
  static async open(options: LevelLogOptions): Promise<LevelLog> {
    const { dataDir } = options;
    const location = join(dataDir, 'raft');
    // Owner only: the log holds every registration and the cluster's identity.
    await mkdir(location, { recursive: true, mode: 0o700 });
    const snapshots = await SnapshotFiles.open(dataDir);
    const db = await openDb(location, dataDir);
    try {
      const meta = await checkMeta(db, dataDir, options);
      const { recovered, durable } = await recoverState(db, snapshots, dataDir);
      const founding = await readRecord(db, dataDir, FOUNDING_KEY, decodeOpaque);
      await snapshots.removeAllBut(recovered.storage.snapshot().metadata);
      return new LevelLog(db, snapshots, dataDir, recovered, durable, meta, founding);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw asCorrupt(dataDir, error);
    }
  }

  identity(): DataDirIdentity {
    return { name: this.meta.name, nodeId: this.meta.nodeId, clusterId: this.meta.clusterId };
  }

  /** Records the cluster this data dir belongs to, durably; it never changes afterwards. */
  async setClusterId(clusterId: number): Promise<void> {
    assert(Number.isSafeInteger(clusterId) && clusterId > 0, `bad cluster id ${clusterId}`);
    if (this.meta.clusterId === clusterId) return;
    assert(this.meta.clusterId === 0, `data dir ${this.dataDir} already belongs to cluster ` +
      `${this.meta.clusterId}, not ${clusterId}`);
    const meta = { ...this.meta, clusterId };
    await this.writeRecord(META_KEY, encodeMeta(meta));
    this.meta = meta;
  }

  /** The founding handshake's saved state (opaque here), if a handshake ever began. */
  founding(): Uint8Array | undefined {
    return this.foundingState;
  }

  async saveFounding(state: Uint8Array): Promise<void> {
    await this.writeRecord(FOUNDING_KEY, encodeOpaque(state));
    this.foundingState = state;
  }

  /**
   * Marks the data dir as not to be trusted again (it lost writes it had synced): every later
   * open refuses it, before the node can vote with what is left.
   */
  async markDamaged(reason: string): Promise<void> {
    await this.writeRecord(DAMAGED_KEY, encodeOpaque(utf8.encode(reason)));
  }

  /** A small synced write in order with the log's own (a failure poisons the log as any would). */
  private writeRecord(key: Uint8Array, value: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => ({ ops: [{ type: 'put', key, value }], next: this.durable }),
        (error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  /**
   * The state read at open (plus the bootstrap, if written). The replica then keeps this same
   * MemoryStorage in step with the writes.
   */
  recover(): RecoveredLog {
    return this.recovered;
  }

  /** Writes the initial state of a founding member (bootstrap snapshot + hard state), durably. */
  bootstrap(snapshot: Snapshot, hardState: HardState): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => this.planBootstrap(snapshot, hardState), (error?: Error) => {
        if (error !== undefined) {
          reject(error);
          return;
        }
        // Durable first, then memory: the same order the replica follows.
        this.recovered.storage.applySnapshot(snapshot);
        this.recovered.storage.setHardState(hardState);
        resolve();
      });
    });
  }

  persist(batch: PersistBatch, done: Done): void {
    this.enqueue(() => this.planPersist(batch), done);
  }

  saveSnapshot(snapshot: Snapshot, compactIndex: number, done: Done): void {
    this.enqueue(() => this.planSaveSnapshot(snapshot, compactIndex), done);
  }

  loadSnapshot(done: (error: Error | undefined, snapshot: Snapshot | undefined) => void): void {
    const read = async (): Promise<Snapshot> =>
      await readStoredSnapshot(this.db, this.snapshots, this.dataDir) ?? EMPTY_SNAPSHOT;
    this.inOrder(read, done);
  }

  /**
   * Completes the writes already issued, then closes; later writes fail with STOPPED. The
   * memtable is written out first: otherwise the next open replays LevelDB's write-ahead log
   * and writes it out itself, which is a restart's time, not a stop's.
   */
  close(): Promise<void> {
    if (this.closePromise === undefined) {
      this.closeRequested = true;
      this.closePromise = this.tail.then(async () => {
        await flushMemtable(this.db);
        await this.db.close();
      });
    }
    return this.closePromise;
  }

  private enqueue(plan: () => WritePlan, done: Done): void {
    this.inOrder(async () => {
      const error = await this.write(plan);
      if (error !== undefined) throw error;
    }, (error) => (error === undefined ? done() : done(error)));
  }

  /** Runs `task` after everything issued before it; fails with STOPPED if issued after close(). */
  private inOrder<Value>(
    task: () => Promise<Value>,
    done: (error: Error | undefined, value: Value | undefined) => void,
  ): void {
    // Decided at issue time: work issued before close() still completes.
    const stopped = this.closeRequested;
    this.tail = this.tail.then(async () => {
      let value: Value | undefined;
      let error: Error | undefined;
      try {
        if (stopped) throw this.stoppedError();
        value = await task();
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(getErrorMessage(caught));
      }
      // Outside the promise chain: a throwing callback surfaces as an uncaught exception (as
      // with any callback API) instead of breaking the queue; microtasks keep `done` in order.
      queueMicrotask(() => done(error, value));
    });
  }

  private async write(plan: () => WritePlan): Promise<Error | undefined> {
    if (this.failure !== undefined) {
      return new Error(`Raft log in ${this.dataDir}: an earlier write failed ` +
        `(${this.failure.message})`, { cause: this.failure });
    }
    try {
      const { snapshot, ops, next, sync } = plan();
      if (snapshot !== undefined) await this.snapshots.write(snapshot.metadata, snapshot.data);
      if (ops.length > 0) await this.db.batch(ops, { sync: sync ?? true });
      this.durable = next;
      // The batch named the new file: the older one is no longer needed.
      if (snapshot !== undefined) await this.snapshots.removeAllBut(snapshot.metadata);
      return undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(getErrorMessage(error));
      return this.failure;
    }
  }

  private stoppedError(): RosterError {
    return new RosterError('ROSTER_ERR_STOPPED', `the Raft log in ${this.dataDir} is closed`);
  }

  private planBootstrap(snapshot: Snapshot, hardState: HardState): WritePlan {
    const durable = this.durable;
    assert(durable.snapshotIndex === 0 && durable.last === 0,
      `bootstrap of a non-empty log in ${this.dataDir} ` +
      `(snapshot ${durable.snapshotIndex}, last ${durable.last})`);
    const index = snapshot.metadata.index;
    const ops: BatchOp[] = [
      snapshotRecordOp(snapshot),
      { type: 'put', key: HARD_STATE_KEY, value: encodeHardState(hardState) },
    ];
    return { snapshot, ops, next: { snapshotIndex: index, offset: index, last: index } };
  }

  /** Mirrors the replica's order: snapshot (drops all entries), entries, then hard state. */
  private planPersist(batch: PersistBatch): WritePlan {
    const ops: BatchOp[] = [];
    let next = this.durable;
    if (batch.snapshot !== undefined) {
      const index = batch.snapshot.metadata.index;
      deleteEntries(ops, next.offset + 1, next.last);
      ops.push(snapshotRecordOp(batch.snapshot));
      next = { snapshotIndex: index, offset: index, last: index };
    }
    next = appendEntries(ops, next, batch.entries);
    if (batch.hardState !== undefined) {
      ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(batch.hardState) });
    }
    return { snapshot: batch.snapshot, ops, next, sync: batch.sync };
  }

  /** Mirrors MemoryStorage.createSnapshot + compact: an older snapshot changes nothing. */
  private planSaveSnapshot(snapshot: Snapshot, compactIndex: number): WritePlan {
    const durable = this.durable;
    const index = snapshot.metadata.index;
    if (index <= durable.snapshotIndex) return { ops: [], next: durable };
    assert(index <= durable.last, `snapshot ${index} beyond the durable last ${durable.last}`);
    assert(compactIndex <= index, `compact ${compactIndex} beyond the snapshot ${index}`);
    const ops: BatchOp[] = [snapshotRecordOp(snapshot)];
    deleteEntries(ops, durable.offset + 1, Math.min(compactIndex, durable.last));
    const offset = Math.max(durable.offset, compactIndex);
    return { snapshot, ops, next: { snapshotIndex: index, offset, last: durable.last } };
  }
}

/** The record naming a snapshot's file; the file is written first (WritePlan.snapshot). */
function snapshotRecordOp(snapshot: Snapshot): BatchOp {
  const record = { metadata: snapshot.metadata, ...SnapshotFiles.refOf(snapshot.data) };
  return { type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshotRecord(record) };
}

/**
 * Appends like MemoryStorage.append: entries at or below the offset are already compacted,
 * and whatever the durable log holds beyond the new last entry is a replaced suffix.
 */
function appendEntries(ops: BatchOp[], durable: DurableLog, entries: readonly Entry[]): DurableLog {
  const firstEntry = entries[0];
  if (firstEntry === undefined) return durable;
  const first = firstEntry.index;
  const lastNew = first + entries.length - 1;
  if (lastNew <= durable.offset) return durable;
  const skip = Math.max(0, durable.offset + 1 - first);
  assert(first + skip <= durable.last + 1,
    `durable log gap: appending ${first + skip} after ${durable.last}`);
  for (let i = skip; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    assert(entry.index === first + i, `entries not contiguous: ${entry.index} at ${first + i}`);
    ops.push({ type: 'put', key: entryKey(entry.index), value: encodeEntry(entry) });
  }
  deleteEntries(ops, lastNew + 1, durable.last);
  return { ...durable, last: lastNew };
}

function deleteEntries(ops: BatchOp[], lo: number, hi: number): void {
  for (let index = lo; index <= hi; index++) ops.push({ type: 'del', key: entryKey(index) });
}

/**
 * LevelDB writes its memtable out before compacting a range; the range holding only the meta
 * record (written once, at creation, below every other key) makes the compaction itself
 * small. Best effort: a failure only leaves the log to be replayed at the next open.
 */
async function flushMemtable(db: Db): Promise<void> {
  const compactRange = (db as unknown as {
    compactRange?: (start: Uint8Array, end: Uint8Array) => Promise<void>;
  }).compactRange;
  await compactRange?.call(db, META_KEY, META_KEY).catch(() => {});
}

// ---- open and recovery ----

/**
 * Every read here is a one-pass scan (recovery, a snapshot read back to send it), never a hot
 * key: caching the blocks only kept up to 8 MiB (LevelDB's default cache) of log and snapshot
 * resident after a restart or a snapshot send. Reads skip the cache, and the cache is small.
 */
const NO_CACHE = { fillCache: false } as const;
const BLOCK_CACHE_BYTES = 1024 * 1024;

async function openDb(location: string, dataDir: string): Promise<Db> {
  const db: Db = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: 'view', valueEncoding: 'view', createIfMissing: true, cacheSize: BLOCK_CACHE_BYTES,
  });
  try {
    await db.open();
  } catch (error) {
    if (isLockedError(error)) {
      throw new DataDirLockedError(`data dir ${dataDir} is already in use: another Roster ` +
        `process (or another open of it) holds ${join(location, 'LOCK')}`, { cause: error });
    }
    throw corrupt(dataDir, `LevelDB cannot open ${location}: ${describeCause(error)}`, error);
  }
  return db;
}

/**
 * Whatever went wrong reading the data dir, said as ROSTER_ERR_CORRUPT_DATA with the dir and
 * what to do. A locked dir is not damage (another process has it) and keeps its own error.
 */
function asCorrupt(dataDir: string, error: unknown): Error {
  if (error instanceof DataDirLockedError) return error;
  if (error instanceof RosterError && error.code === 'ROSTER_ERR_CORRUPT_DATA') return error;
  return corrupt(dataDir, `reading the Raft log failed: ${describeCause(error)}`, error);
}

function isLockedError(error: unknown): boolean {
  const code = (value: unknown): unknown => (value as { code?: unknown } | undefined)?.code;
  return code(error) === 'LEVEL_LOCKED' || code((error as { cause?: unknown }).cause) ===
    'LEVEL_LOCKED';
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? getErrorMessage(error) :
    `${getErrorMessage(error)} (${getErrorMessage(cause)})`;
}

function corrupt(dataDir: string, what: string, cause?: unknown): RosterError {
  return new RosterError('ROSTER_ERR_CORRUPT_DATA',
    `Raft log in data dir ${dataDir}: ${what}. The node refuses to start: ` +
    `${wipeAdvice(dataDir)}`, cause === undefined ? {} : { cause });
}

/** Reads everything back, checking each record and the log's shape; throws if anything is off. */
async function recoverState(db: Db, snapshots: SnapshotFiles, dataDir: string):
  Promise<{ recovered: RecoveredLog; durable: DurableLog }> {
  const hardState = await readRecord(db, dataDir, HARD_STATE_KEY, decodeHardState);
  const storedSnapshot = await readStoredSnapshot(db, snapshots, dataDir);
  const snapshot = storedSnapshot ?? EMPTY_SNAPSHOT;
  const scan = await scanEntries(db, dataDir, snapshot);
  const lastIndex = scan.entries.at(-1)?.index ?? snapshot.metadata.index;
  const problem = recoveredLogProblem({ hardState, snapshot, lastIndex });
  if (problem !== undefined) throw corrupt(dataDir, problem);
  const storage = MemoryStorage.fromSnapshot(snapshot, hardState ?? EMPTY_HARD_STATE);
  storage.append(scan.entries);
  assert(storage.lastIndex() === lastIndex, `recovered last ${storage.lastIndex()} ` +
    `differs from the scanned ${lastIndex}`);
  const fresh = hardState === undefined && storedSnapshot === undefined && !scan.anyKey;
  return { recovered: { storage, fresh }, durable: scan.durable };
}

/**
 * The data dir's identity. A missing meta record is written (with a new member id), but only
 * into an empty database; a dir made for another name, or marked damaged, is refused.
 */
async function checkMeta(db: Db, dataDir: string, options: LevelLogOptions):
  Promise<MetaRecord> {
  const meta = await readRecord(db, dataDir, META_KEY, decodeMeta);
  if (meta === undefined) {
    const anyKeys = await db.keys({ limit: 1 }).all();
    if (anyKeys.length > 0) {
      throw corrupt(dataDir, 'records are present but the meta record (format version and ' +
        'member id) is missing');
    }
    const nodeId = options.newNodeId();
    assert(Number.isSafeInteger(nodeId) && nodeId > 0, `new node id ${nodeId} is not positive`);
    const created = { version: FORMAT_VERSION, nodeId, clusterId: 0, name: options.name };
    await db.put(META_KEY, encodeMeta(created), { sync: true });
    return created;
  }
  if (meta.name !== options.name) {
    throw new RosterError('ROSTER_ERR_CORRUPT_DATA', `data dir ${dataDir} belongs to member ` +
      `"${meta.name}", not "${options.name}": wrong --data-dir or wrong --name?`);
  }
  const damaged = await readRecord(db, dataDir, DAMAGED_KEY, decodeOpaque);
  if (damaged !== undefined) throw corrupt(dataDir, utf8Decoder.decode(damaged));
  return meta;
}

/** The latest durable snapshot, its data read from its file. */
async function readStoredSnapshot(db: Db, snapshots: SnapshotFiles, dataDir: string):
  Promise<Snapshot | undefined> {
  const record = await readRecord(db, dataDir, SNAPSHOT_KEY, decodeSnapshotRecord);
  if (record === undefined) return undefined;
  try {
    return { metadata: record.metadata, data: await snapshots.read(record.metadata, record) };
  } catch (error) {
    if (!(error instanceof CorruptRecordError)) throw error;
    throw corrupt(dataDir, `snapshot: ${error.message}`);
  }
}

async function readRecord<T>(db: Db, dataDir: string, key: Uint8Array,
  decode: (value: Uint8Array) => T): Promise<T | undefined> {
  const value = await db.get(key, NO_CACHE);
  if (value === undefined) return undefined;
  return decodeOrThrow(dataDir, key, () => decode(value));
}

function decodeOrThrow<T>(dataDir: string, key: Uint8Array, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof CorruptRecordError)) throw error;
    throw corrupt(dataDir, `${describeKey(key)}: ${error.message}`);
  }
}

interface EntryScan {
  /** The entries after the snapshot, in order. */
  readonly entries: Entry[];
  readonly durable: DurableLog;
  readonly anyKey: boolean;
}

/**
 * Reads the entry keys in order, checking every record. Entries at or below the snapshot index
 * (kept by a compaction that stopped short of the snapshot) are checked, then dropped: the
 * snapshot covers them, and memory stays bounded by the log since the snapshot.
 */
async function scanEntries(db: Db, dataDir: string, snapshot: Snapshot): Promise<EntryScan> {
  const checker = new EntryChecker(dataDir, snapshot);
  const snapshotIndex = snapshot.metadata.index;
  // Entries below the snapshot are kept only for lagging followers and are not loaded: their
  // keys are checked (contiguous) without reading their values, which is most of the log a
  // node restarts with when it snapshotted on its way down.
  const split = snapshotIndex > 0 ? entryKey(snapshotIndex) : ENTRY_KEY_MIN;
  if (snapshotIndex > 0) {
    for await (const key of db.keys({ gte: ENTRY_KEY_MIN, lt: split, ...NO_CACHE })) {
      checker.checkKey(decodeOrThrow(dataDir, key, () => decodeEntryKey(key)));
    }
  }
  const entries: Entry[] = [];
  for await (const [key, value] of db.iterator({ gte: split, lt: ENTRY_KEY_END, ...NO_CACHE })) {
    const entry = decodeOrThrow(dataDir, key, () => {
      const index = decodeEntryKey(key);
      const decoded = decodeEntry(value);
      if (decoded.index !== index) {
        throw new CorruptRecordError(`the record claims index ${decoded.index}`);
      }
      return decoded;
    });
    checker.check(entry);
    if (entry.index > snapshotIndex) entries.push(entry);
  }
  return { entries, durable: checker.finish(), anyKey: checker.firstIndex !== undefined };
}

/** The log's shape: contiguous, starting right after the snapshot, terms never decreasing. */
class EntryChecker {
  firstIndex: number | undefined = undefined;
  private previousIndex: number | undefined = undefined;
  /** Undefined also when only the previous entry's key was read. */
  private previousTerm: number | undefined = undefined;
  private readonly snapshotIndex: number;
  private readonly snapshotTerm: number;

  constructor(private readonly dataDir: string, snapshot: Snapshot) {
    this.snapshotIndex = snapshot.metadata.index;
    this.snapshotTerm = snapshot.metadata.term;
  }

  /** An entry below the snapshot, of which only the key was read. */
  checkKey(index: number): void {
    this.checkPosition(index);
    this.firstIndex ??= index;
    this.previousIndex = index;
    this.previousTerm = undefined;
  }

  check(entry: Entry): void {
    const { index, term } = entry;
    this.checkPosition(index);
    if (index === this.snapshotIndex && term !== this.snapshotTerm) {
      throw corrupt(this.dataDir, `entry ${index} has term ${term}, but the snapshot at ` +
        `${index} has term ${this.snapshotTerm}`);
    }
    const previousTerm = index === this.snapshotIndex + 1 ? this.snapshotTerm : this.previousTerm;
    if (previousTerm !== undefined && term < previousTerm) {
      throw corrupt(this.dataDir, `entry ${index} has term ${term}, lower than the term ` +
        `${previousTerm} before it`);
    }
    this.firstIndex ??= index;
    this.previousIndex = index;
    this.previousTerm = term;
  }

  private checkPosition(index: number): void {
    const previousIndex = this.previousIndex;
    if (previousIndex === undefined && index > this.snapshotIndex + 1) {
      throw corrupt(this.dataDir, `the first entry is ${index}, but the snapshot ends at ` +
        `${this.snapshotIndex}: entries ${this.snapshotIndex + 1}..${index - 1} are missing`);
    }
    if (previousIndex !== undefined && index !== previousIndex + 1) {
      throw corrupt(this.dataDir, `gap in the log: entry ${index} follows entry ` +
        `${previousIndex}`);
    }
  }

  /** The durable key range; a log ending below the snapshot was cut short. */
  finish(): DurableLog {
    const snapshotIndex = this.snapshotIndex;
    if (this.previousIndex === undefined || this.firstIndex === undefined) {
      return { snapshotIndex, offset: snapshotIndex, last: snapshotIndex };
    }
    const last = this.previousIndex;
    if (last < snapshotIndex) {
      throw corrupt(this.dataDir, `the log ends at ${last}, below the snapshot index ` +
        `${snapshotIndex}, yet entries before it were kept`);
    }
    return { snapshotIndex, offset: this.firstIndex - 1, last };
  }
}
