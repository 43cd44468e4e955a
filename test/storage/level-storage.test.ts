import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import {
  EMPTY_SNAPSHOT, type ConfState, type Entry, type HardState, type Snapshot,
} from '../../src/raft/types.js';
import {
  FORMAT_VERSION, HARD_STATE_KEY, META_KEY, decodeEntry, decodeHardState, decodeMeta,
  decodeSnapshotRecord, encodeEntry, encodeHardState, encodeMeta, encodeSnapshotRecord, entryKey,
} from '../../src/storage/level-codec.js';
import { DataDirLockedError, LevelLog } from '../../src/storage/level-storage.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import type { PersistBatch } from '../../src/storage/persister.js';

const CONF: ConfState = { voters: [1, 2, 3], learners: [] };
const BOOT_SNAPSHOT: Snapshot = {
  metadata: { index: 1, term: 1, confState: CONF }, data: new Uint8Array(0),
};
const BOOT_HARD_STATE: HardState = { term: 1, vote: 0, commit: 1 };
const TIMEOUT_MS = 60_000;

function entry(index: number, term: number, type: Entry['type'] = 'normal'): Entry {
  return { index, term, type, data: Uint8Array.of(index & 0xff, term & 0xff, 7) };
}

function entries(first: number, terms: readonly number[]): Entry[] {
  return terms.map((term, i) => entry(first + i, term));
}

function snapshot(index: number, term: number, confState: ConfState = CONF): Snapshot {
  return { metadata: { index, term, confState }, data: Uint8Array.of(index & 0xff, 1, 2, 3) };
}

function batch(fields: Partial<PersistBatch>): PersistBatch {
  return {
    hardState: fields.hardState, snapshot: fields.snapshot, entries: fields.entries ?? [],
    sync: fields.sync ?? true,
  };
}

function persist(log: LevelLog, fields: Partial<PersistBatch>): Promise<void> {
  return new Promise((resolve, reject) => {
    log.persist(batch(fields), (error) => (error === undefined ? resolve() : reject(error)));
  });
}

function saveSnapshot(log: LevelLog, snap: Snapshot, compactIndex: number): Promise<void> {
  return new Promise((resolve, reject) => {
    log.saveSnapshot(snap, compactIndex,
      (error) => (error === undefined ? resolve() : reject(error)));
  });
}

function ids(list: readonly Entry[]): string[] {
  return list.map((e) => `${e.index}@${e.term}`);
}

let dataDir = '';
const opened: LevelLog[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'roster-level-'));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Opens the data dir as member `name`; a dir created now gets member id `newNodeId`. */
function openAs(dir: string, name = 'n1', newNodeId = 1): Promise<LevelLog> {
  return LevelLog.open({ dataDir: dir, name, newNodeId: () => newNodeId });
}

async function open(name = 'n1'): Promise<LevelLog> {
  const log = await openAs(dataDir, name);
  opened.push(log);
  return log;
}

async function reopen(log: LevelLog): Promise<LevelLog> {
  await log.close();
  return open();
}

/** Opens the LevelDB directly, to inspect or damage it. */
async function withRawDb(use: (db: Level<Uint8Array, Uint8Array>) => Promise<void>):
  Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(join(dataDir, 'raft'),
    { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await use(db);
  } finally {
    await db.close();
  }
}

async function rawEntryIndexes(): Promise<number[]> {
  const indexes: number[] = [];
  await withRawDb(async (db) => {
    for await (const [, value] of db.iterator({ gte: entryKey(0), lt: Uint8Array.of(0x11) })) {
      indexes.push(decodeEntry(value).index);
    }
  });
  return indexes;
}

/** A bootstrapped log with entries 2..6 (terms 1 2 2 3 3), committed to 6, then closed. */
async function writeStandardLog(): Promise<void> {
  const log = await open();
  await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
  await persist(log,
    { entries: entries(2, [1, 2, 2, 3]), hardState: { term: 3, vote: 2, commit: 4 } });
  await persist(log, { entries: [entry(6, 3)], hardState: { term: 3, vote: 2, commit: 6 } });
  await log.close();
}

function hex16(value: number): string {
  return value.toString(16).padStart(16, '0');
}

async function snapFiles(): Promise<string[]> {
  return (await readdir(join(dataDir, 'snap'))).sort();
}

async function expectCorrupt(fragment: string, name = 'n1'): Promise<void> {
  let caught: unknown = undefined;
  try {
    opened.push(await openAs(dataDir, name));
  } catch (error) {
    caught = error;
  }
  expect(isRosterError(caught, 'ROSTER_ERR_CORRUPT_DATA')).toBe(true);
  const message = (caught as Error).message;
  expect(message).toContain(dataDir);
  expect(message).toContain(fragment);
}

describe('LevelLog', () => {
  it('round-trips bootstrap, entries and hard state across a reopen', async () => {
    let log = await open();
    const first = log.recover();
    expect(first.fresh).toBe(true);
    expect(first.storage.lastIndex()).toBe(0);
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    // bootstrap also brings the recovered MemoryStorage up to date.
    expect(first.storage.snapshot()).toEqual(BOOT_SNAPSHOT);
    expect(first.storage.hardState()).toEqual(BOOT_HARD_STATE);
    const conf = { ...entry(4, 2, 'conf'), data: Uint8Array.of(9, 9) };
    await persist(log,
      { entries: entries(2, [1, 2]), hardState: { term: 2, vote: 3, commit: 2 } });
    await persist(log, { entries: [conf, entry(5, 2)] });
    await persist(log, { hardState: { term: 2, vote: 3, commit: 5 } });
    log = await reopen(log);
    const { storage, fresh } = log.recover();
    expect(fresh).toBe(false);
    expect(storage.snapshot()).toEqual(BOOT_SNAPSHOT);
    expect(storage.hardState()).toEqual({ term: 2, vote: 3, commit: 5 });
    expect(storage.allEntries()).toEqual([...entries(2, [1, 2]), conf, entry(5, 2)]);
    expect(storage.firstIndex()).toBe(2);
    expect(storage.lastIndex()).toBe(5);
    log = await reopen(log);
    expect(log.recover().fresh).toBe(false);
  }, TIMEOUT_MS);

  it('a node that opened but never bootstrapped is still fresh', async () => {
    let log = await open();
    expect(log.recover().fresh).toBe(true);
    log = await reopen(log);
    expect(log.recover().fresh).toBe(true);
  }, TIMEOUT_MS);

  it('a conflicting append truncates the durable suffix', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await persist(log,
      { entries: entries(2, [1, 1, 1, 1, 1]), hardState: { term: 1, vote: 1, commit: 3 } });
    // A new leader replaces 4..6 with a shorter suffix of its own: 7 must go too.
    await persist(log,
      { entries: entries(4, [2, 2]), hardState: { term: 2, vote: 2, commit: 3 } });
    log = await reopen(log);
    expect(ids(log.recover().storage.allEntries())).toEqual(['2@1', '3@1', '4@2', '5@2']);
    await log.close();
    expect(await rawEntryIndexes()).toEqual([2, 3, 4, 5]);
  }, TIMEOUT_MS);

  it('a snapshot in a batch drops every entry, then appends the batch entries', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await persist(log,
      { entries: entries(2, [1, 1, 1]), hardState: { term: 1, vote: 1, commit: 2 } });
    const snap = snapshot(10, 3, { voters: [1, 2, 3], learners: [4] });
    await persist(log, {
      snapshot: snap, entries: [entry(11, 3)], hardState: { term: 3, vote: 0, commit: 10 },
    });
    log = await reopen(log);
    const { storage } = log.recover();
    expect(storage.snapshot()).toEqual(snap);
    expect(storage.hardState()).toEqual({ term: 3, vote: 0, commit: 10 });
    expect(ids(storage.allEntries())).toEqual(['11@3']);
    expect(storage.firstIndex()).toBe(11);
    await log.close();
    expect(await rawEntryIndexes()).toEqual([11]);
  }, TIMEOUT_MS);

  it('saveSnapshot compacts up to compactIndex and ignores an older snapshot', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await persist(log, {
      entries: entries(2, [1, 1, 2, 2, 2, 2, 3, 3, 3]), hardState: { term: 3, vote: 1, commit: 10 },
    });
    const snap8 = snapshot(8, 3);
    await saveSnapshot(log, snap8, 5);
    await saveSnapshot(log, snapshot(7, 2), 7); // older: ignored, nothing compacted
    await log.close();
    expect(await rawEntryIndexes()).toEqual([6, 7, 8, 9, 10]);
    log = await open();
    const { storage } = log.recover();
    expect(storage.snapshot()).toEqual(snap8);
    // 6..8 are still on disk but covered by the snapshot: recovery skips them.
    expect(ids(storage.allEntries())).toEqual(['9@3', '10@3']);
    expect(storage.firstIndex()).toBe(9);
    expect(storage.hardState().commit).toBe(10);
    // The durable range is known after recovery: a later compaction deletes the kept entries.
    await saveSnapshot(log, snapshot(10, 3), 10);
    await log.close();
    expect(await rawEntryIndexes()).toEqual([]);
    log = await open();
    expect(log.recover().storage.snapshot().metadata.index).toBe(10);
    expect(log.recover().storage.allEntries()).toEqual([]);
  }, TIMEOUT_MS);

  it('loadSnapshot reads back the latest durable snapshot, after the writes issued before it',
    async () => {
      const log = await open();
      const load = (): Promise<Snapshot | undefined> => new Promise((resolve, reject) => {
        log.loadSnapshot((error, snap) => (error === undefined ? resolve(snap) : reject(error)));
      });
      expect(await load()).toEqual(EMPTY_SNAPSHOT);
      await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
      await persist(log, { entries: entries(2, [1, 1, 1]), hardState: BOOT_HARD_STATE });
      // Issued right after the save and not awaited: the read still sees it.
      const saved = saveSnapshot(log, snapshot(3, 1), 2);
      const loaded = load();
      await saved;
      expect(await loaded).toEqual(snapshot(3, 1));
      await log.close();
      await expect(load()).rejects.toMatchObject({ code: 'ROSTER_ERR_STOPPED' });
    }, TIMEOUT_MS);

  it('completes writes in issue order', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    const order: string[] = [];
    const errors: unknown[] = [];
    const record = (name: string) => (error?: Error): void => {
      if (error !== undefined) errors.push(error);
      order.push(name);
    };
    const expected: string[] = [];
    for (let index = 2; index <= 21; index++) {
      log.persist(batch({
        entries: [entry(index, 1)], hardState: { term: 1, vote: 1, commit: index - 1 },
      }), record(`persist ${index}`));
      expected.push(`persist ${index}`);
      if (index === 12) {
        log.saveSnapshot(snapshot(11, 1), 9, record('snapshot 11'));
        expected.push('snapshot 11');
      }
    }
    await log.close();
    expect(errors).toEqual([]);
    expect(order).toEqual(expected);
    log = await open();
    const { storage } = log.recover();
    expect(storage.snapshot().metadata.index).toBe(11);
    expect(storage.firstIndex()).toBe(12);
    expect(storage.lastIndex()).toBe(21);
    expect(storage.hardState().commit).toBe(20);
  }, TIMEOUT_MS);

  it('keeps an unsynced commit-only write, in order, across a clean reopen', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await persist(log, { entries: entries(2, [1, 1]), hardState: { term: 1, vote: 1, commit: 1 } });
    const unsynced = persist(log, { hardState: { term: 1, vote: 1, commit: 3 }, sync: false });
    await persist(log, { entries: entries(4, [1]) });
    await unsynced;
    await log.close();
    log = await open();
    const { storage } = log.recover();
    expect(storage.lastIndex()).toBe(4);
    expect(storage.hardState().commit).toBe(3);
  }, TIMEOUT_MS);

  it('fails every write after a failed one, and the failed batch writes nothing', async () => {
    let log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await persist(log, { entries: entries(2, [1, 1]) });
    // Entries after a gap are a driver bug: the write fails, and so does everything after it.
    const gap = { entries: [entry(9, 1)], hardState: { term: 5, vote: 0, commit: 3 } };
    await expect(persist(log, gap)).rejects.toThrow(/gap/);
    await expect(persist(log, { entries: [entry(4, 1)] })).rejects.toThrow(/earlier write failed/);
    log = await reopen(log);
    expect(ids(log.recover().storage.allEntries())).toEqual(['2@1', '3@1']);
    expect(log.recover().storage.hardState()).toEqual(BOOT_HARD_STATE);
  }, TIMEOUT_MS);

  it('completes writes issued before close, and refuses writes after it', async () => {
    const log = await open();
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    const before = persist(log, { entries: entries(2, [1]) });
    const closed = log.close();
    await expect(before).resolves.toBeUndefined();
    let stopped: Error | undefined = undefined;
    await new Promise<void>((resolve) => {
      log.persist(batch({ entries: entries(3, [1]) }), (error) => {
        stopped = error;
        resolve();
      });
    });
    expect(isRosterError(stopped, 'ROSTER_ERR_STOPPED')).toBe(true);
    await closed;
    const again = await open();
    expect(ids(again.recover().storage.allEntries())).toEqual(['2@1']);
  }, TIMEOUT_MS);

  it('refuses a second open of the same data dir while it is open', async () => {
    const log = await open();
    let caught: unknown = undefined;
    try {
      opened.push(await openAs(dataDir));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataDirLockedError);
    expect((caught as Error).message).toContain(dataDir);
    expect((caught as Error).message).toContain('already in use');
    await log.close();
    await expect(open()).resolves.toBeInstanceOf(LevelLog);
  }, TIMEOUT_MS);

  it('gives a new data dir a member id once, and keeps it and the cluster id', async () => {
    let drawn = 0;
    const draw = (): number => {
      drawn += 1;
      return 0x1234_5678_9abc;
    };
    const first = await LevelLog.open({ dataDir, name: 'n1', newNodeId: draw });
    expect(first.identity()).toEqual({ name: 'n1', nodeId: 0x1234_5678_9abc, clusterId: 0 });
    await first.setClusterId(77);
    await first.close();
    const again = await LevelLog.open({ dataDir, name: 'n1', newNodeId: draw });
    opened.push(again);
    expect(again.identity()).toEqual({ name: 'n1', nodeId: 0x1234_5678_9abc, clusterId: 77 });
    expect(drawn).toBe(1);
    await expect(again.setClusterId(78)).rejects.toThrow('already belongs to cluster 77');
  }, TIMEOUT_MS);

  it('keeps the founding state it is given', async () => {
    const log = await open();
    expect(log.founding()).toBeUndefined();
    await log.saveFounding(Uint8Array.of(1, 2, 3));
    const again = await reopen(log);
    expect(again.founding()).toEqual(Uint8Array.of(1, 2, 3));
  }, TIMEOUT_MS);

  it('creates the data dir for its owner only', async () => {
    const dir = join(dataDir, 'fresh');
    const log = await openAs(dir);
    await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
    await log.close();
    expect((await stat(join(dir, 'raft'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'snap'))).mode & 0o777).toBe(0o700);
    const files = await readdir(join(dir, 'snap'));
    expect(files).toHaveLength(1);
    expect((await stat(join(dir, 'snap', files[0] as string))).mode & 0o777).toBe(0o600);
  }, TIMEOUT_MS);

  describe('snapshot files', () => {
    it('keeps one file, the snapshot the log names, named by term and index', async () => {
      let log = await open();
      await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
      await persist(log, { entries: entries(2, [1, 1, 2]), hardState: { term: 2, vote: 1,
        commit: 4 } });
      await saveSnapshot(log, snapshot(3, 1), 3);
      await persist(log, { snapshot: snapshot(20, 2), entries: [], hardState: { term: 2,
        vote: 1, commit: 20 } });
      expect(await snapFiles()).toEqual([`${hex16(2)}-${hex16(20)}.snap`]);
      log = await reopen(log);
      expect(log.recover().storage.snapshot()).toEqual(snapshot(20, 2));
    }, TIMEOUT_MS);

    it('deletes at open a file no record names (a crash before the batch)', async () => {
      await writeStandardLog();
      const orphan = join(dataDir, 'snap', `${hex16(3)}-${hex16(9)}.snap`);
      await writeFile(orphan, 'written, then the node crashed before its record');
      await writeFile(`${orphan}.tmp`, 'half written');
      const log = await open();
      expect(log.recover().storage.snapshot()).toEqual(BOOT_SNAPSHOT);
      expect(await snapFiles()).toEqual([`${hex16(1)}-${hex16(1)}.snap`]);
    }, TIMEOUT_MS);
  });

  describe('refuses corrupt data with ROSTER_ERR_CORRUPT_DATA', () => {
    beforeEach(writeStandardLog, TIMEOUT_MS);

    it('sanity: the standard log recovers', async () => {
      const log = await open();
      expect(ids(log.recover().storage.allEntries()))
        .toEqual(['2@1', '3@2', '4@2', '5@3', '6@3']);
    }, TIMEOUT_MS);

    it('a flipped byte in an entry (CRC mismatch)', async () => {
      await withRawDb(async (db) => {
        const value = Uint8Array.from((await db.get(entryKey(4))) as Uint8Array);
        value[value.length - 1] = (value[value.length - 1] as number) ^ 0x40;
        await db.put(entryKey(4), value);
      });
      await expectCorrupt('entry 4: CRC mismatch');
    }, TIMEOUT_MS);

    it('a truncated record', async () => {
      await withRawDb(async (db) => db.put(entryKey(3), Uint8Array.of(1, 2)));
      await expectCorrupt('entry 3: truncated record');
    }, TIMEOUT_MS);

    it('a missing entry in the middle (gap)', async () => {
      await withRawDb(async (db) => db.del(entryKey(4)));
      await expectCorrupt('gap in the log: entry 5 follows entry 3');
    }, TIMEOUT_MS);

    it('a missing first entry after the snapshot', async () => {
      await withRawDb(async (db) => db.del(entryKey(2)));
      await expectCorrupt('the first entry is 3, but the snapshot ends at 1');
    }, TIMEOUT_MS);

    it('a hard state commit beyond the last index', async () => {
      await withRawDb(async (db) => db.put(HARD_STATE_KEY,
        encodeHardState({ term: 3, vote: 2, commit: 9 })));
      await expectCorrupt('hard state commit 9 is beyond the last log index 6');
    }, TIMEOUT_MS);

    it('an entry whose term is lower than its predecessor', async () => {
      await withRawDb(async (db) => db.put(entryKey(6), encodeEntry(entry(6, 2))));
      await expectCorrupt('entry 6 has term 2, lower than the term 3 before it');
    }, TIMEOUT_MS);

    it('an entry stored under another index', async () => {
      await withRawDb(async (db) => db.put(entryKey(6), encodeEntry(entry(7, 3))));
      await expectCorrupt('entry 6: the record claims index 7');
    }, TIMEOUT_MS);

    it('an unknown format version', async () => {
      await withRawDb(async (db) => db.put(META_KEY,
        encodeMeta({ version: 99, nodeId: 1, clusterId: 0, name: 'n1' })));
      await expectCorrupt('unknown format version 99');
    }, TIMEOUT_MS);

    it('a data dir of an earlier format', async () => {
      await withRawDb(async (db) => db.put(META_KEY,
        encodeMeta({ version: FORMAT_VERSION - 1, nodeId: 1, clusterId: 0, name: 'n1' })));
      await expectCorrupt(`format version ${FORMAT_VERSION - 1}, written by an earlier build`);
    }, TIMEOUT_MS);

    it('a missing snapshot file', async () => {
      await rm(join(dataDir, 'snap', `${hex16(1)}-${hex16(1)}.snap`));
      await expectCorrupt(`snapshot: its file snap/${hex16(1)}-${hex16(1)}.snap is missing`);
    }, TIMEOUT_MS);

    it('a snapshot file of another size', async () => {
      await writeFile(join(dataDir, 'snap', `${hex16(1)}-${hex16(1)}.snap`), 'x');
      await expectCorrupt('holds 1 bytes, not the 0 recorded');
    }, TIMEOUT_MS);

    it('a flipped byte in a snapshot file (CRC mismatch)', async () => {
      const log = await open();
      await saveSnapshot(log, snapshot(5, 3), 5);
      await log.close();
      opened.splice(opened.indexOf(log), 1);
      const file = join(dataDir, 'snap', `${hex16(3)}-${hex16(5)}.snap`);
      const data = await readFile(file);
      data[1] = (data[1] as number) ^ 0x08;
      await writeFile(file, data);
      await expectCorrupt(`its file snap/${hex16(3)}-${hex16(5)}.snap fails its CRC`);
    }, TIMEOUT_MS);

    it('a missing meta record next to Raft records', async () => {
      await withRawDb(async (db) => db.del(META_KEY));
      await expectCorrupt('meta record (format version and member id) is missing');
    }, TIMEOUT_MS);

    it('a data dir created for another member name', async () => {
      await expectCorrupt('belongs to member "n1", not "n2"', 'n2');
    }, TIMEOUT_MS);

    it('a data dir marked damaged, on every open after the mark', async () => {
      const log = await open();
      await log.markDamaged('leader 7 knows this node acknowledged entries up to 9');
      await log.close();
      opened.splice(opened.indexOf(log), 1);
      for (let attempt = 0; attempt < 2; attempt++) {
        await expectCorrupt('leader 7 knows this node acknowledged entries up to 9');
      }
      await expectCorrupt('start the node again: on an empty data dir it rejoins');
    }, TIMEOUT_MS);

    it('a table file LevelDB cannot read', async () => {
      // Writes the log out to table files, then damages every one of them.
      const log = await open();
      await log.close();
      opened.splice(opened.indexOf(log), 1);
      const raft = join(dataDir, 'raft');
      const tables = (await readdir(raft)).filter((file) => file.endsWith('.ldb'));
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) await writeFile(join(raft, table), 'not a table at all');
      await expectCorrupt('reading the Raft log failed');
    }, TIMEOUT_MS);
  });

  describe('entries kept below the snapshot (for lagging followers)', () => {
    /** Entries 2..10 on disk, a snapshot at 8 that kept 6..8. */
    async function writeKeptLog(): Promise<void> {
      const log = await open();
      await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
      await persist(log, {
        entries: entries(2, [1, 1, 2, 2, 2, 2, 3, 3, 3]),
        hardState: { term: 3, vote: 1, commit: 10 },
      });
      await saveSnapshot(log, snapshot(8, 3), 5);
      await log.close();
    }

    it('only their keys are read: a gap among them is refused', async () => {
      await writeKeptLog();
      await withRawDb(async (db) => db.del(entryKey(7)));
      await expectCorrupt('gap in the log: entry 8 follows entry 6');
    }, TIMEOUT_MS);

    it('the entry at the snapshot index is read in full and must match its term', async () => {
      await writeKeptLog();
      await withRawDb(async (db) => db.put(entryKey(8), encodeEntry(entry(8, 2))));
      await expectCorrupt('entry 8 has term 2, but the snapshot at 8 has term 3');
    }, TIMEOUT_MS);

    it('their values are not read (never loaded, never served): a damaged one is skipped',
      async () => {
        await writeKeptLog();
        await withRawDb(async (db) => db.put(entryKey(6), Uint8Array.of(1, 2)));
        const log = await open();
        expect(ids(log.recover().storage.allEntries())).toEqual(['9@3', '10@3']);
        // ...and the next compaction deletes it with the rest.
        await saveSnapshot(log, snapshot(10, 3), 10);
        await log.close();
        expect(await rawEntryIndexes()).toEqual([]);
      }, TIMEOUT_MS);
  });

  it('codec: encode and decode are exact inverses', () => {
    const record = {
      metadata: {
        index: 2 ** 40 + 3, term: 2 ** 33, confState: { voters: [1, 2 ** 52], learners: [7] },
      },
      dataBytes: 2 ** 34, dataCrc: 0xffff_fffe,
    };
    expect(decodeSnapshotRecord(encodeSnapshotRecord(record))).toEqual(record);
    const hardState = { term: Number.MAX_SAFE_INTEGER, vote: 3, commit: 2 ** 32 };
    expect(decodeHardState(encodeHardState(hardState))).toEqual(hardState);
    const conf: Entry = {
      index: 2 ** 32 - 1, term: 2 ** 32, type: 'conf', data: new Uint8Array(0),
    };
    expect(decodeEntry(encodeEntry(conf))).toEqual(conf);
    const meta = {
      version: FORMAT_VERSION, nodeId: 2 ** 52 + 5, clusterId: 2 ** 40, name: 'roster-1',
    };
    expect(decodeMeta(encodeMeta(meta))).toEqual(meta);
    // Big-endian keys: byte order is index order across the 2^32 boundary.
    const keys = [2 ** 32, 255, 256, 2 ** 32 - 1].map((index) => Buffer.from(entryKey(index)));
    expect(keys.sort(Buffer.compare).map((key) => key.readUIntBE(3, 6)))
      .toEqual([255, 256, 2 ** 32 - 1, 2 ** 32]);
  });
});

// ---- property: LevelLog (reopened) and the replica's MemoryStorage end in the same state ----

interface Step {
  readonly kind: 'append' | 'snapshotBatch' | 'save' | 'staleSave' | 'hardState';
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly flag: boolean;
}

type Op =
  | { readonly kind: 'persist'; readonly batch: PersistBatch }
  | { readonly kind: 'save'; readonly snapshot: Snapshot; readonly compactIndex: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('append', 'append', 'snapshotBatch', 'save', 'staleSave', 'hardState'),
  a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000), flag: fc.boolean(),
});

/** Turns a random step into a write the replica could issue against the model's state. */
function opFor(step: Step, model: MemoryStorage): Op {
  const { a, b, c, flag } = step;
  const hs = model.hardState();
  const commit = hs.commit;
  const last = model.lastIndex();
  const snapIndex = model.snapshot().metadata.index;
  switch (step.kind) {
    case 'append': {
      // Never below commit: committed entries are never replaced.
      const first = commit + 1 + (a % (last - commit + 1));
      const base = model.term(first - 1) + (c % 3);
      // Terms never decrease; some entries are conf entries.
      const list = Array.from({ length: 1 + (b % 4) }, (_, i) => entry(first + i,
        base + (i >= 2 && c % 2 === 1 ? 1 : 0), (c + i) % 5 === 0 ? 'conf' : 'normal'));
      const newLast = first + list.length - 1;
      // A node persists an entry only once its own term has reached the entry's.
      const term = Math.max(hs.term, base + 1);
      const hardState = flag ?
        { term, vote: a % 4, commit: commit + (b % (newLast - commit + 1)) } :
        term > hs.term ? { ...hs, term } : undefined;
      return { kind: 'persist', batch: batch({ entries: list, hardState }) };
    }
    case 'snapshotBatch': {
      const index = commit + 1 + (a % (last - commit + 5));
      const term = Math.max(hs.term, model.term(last)) + (b % 2);
      const conf = { voters: [1, 2, 3], learners: c % 2 === 0 ? [] : [4] };
      const after = flag ? entries(index + 1, Array.from({ length: c % 3 }, () => term)) : [];
      return { kind: 'persist', batch: batch({
        snapshot: snapshot(index, term, conf), entries: after,
        hardState: { term, vote: a % 4, commit: index },
      }) };
    }
    case 'save': {
      if (commit === snapIndex) return opFor({ ...step, kind: 'hardState' }, model);
      const index = snapIndex + 1 + (a % (commit - snapIndex));
      const compactIndex = snapIndex + (b % (index - snapIndex + 1));
      const metadata = { index, term: model.term(index), confState: CONF };
      const snap = { metadata, data: Uint8Array.of(c & 0xff) };
      return { kind: 'save', snapshot: snap, compactIndex };
    }
    case 'staleSave':
      // Not newer than the stored snapshot: both sides ignore it.
      return {
        kind: 'save', snapshot: snapshot(Math.max(1, snapIndex - (a % 3)), 1), compactIndex: 1,
      };
    case 'hardState':
      return { kind: 'persist', batch: batch({
        hardState: {
          term: hs.term + (a % 2), vote: b % 4, commit: commit + (c % (last - commit + 1)),
        },
      }) };
  }
}

/** What the replica does to its MemoryStorage once the write is done. */
function applyToModel(op: Op, model: MemoryStorage): void {
  if (op.kind === 'persist') {
    if (op.batch.snapshot !== undefined) model.applySnapshot(op.batch.snapshot);
    model.append(op.batch.entries);
    if (op.batch.hardState !== undefined) model.setHardState(op.batch.hardState);
    return;
  }
  const { metadata, data } = op.snapshot;
  if (model.createSnapshot({ index: metadata.index, confState: metadata.confState, data })) {
    model.compact(op.compactIndex);
  }
}

function issue(op: Op, log: LevelLog, errors: unknown[]): void {
  const done = (error?: Error): void => {
    if (error !== undefined) errors.push(error);
  };
  if (op.kind === 'persist') log.persist(op.batch, done);
  else log.saveSnapshot(op.snapshot, op.compactIndex, done);
}

/** The recovered log holds what the model holds, minus entries covered by the snapshot. */
function expectSameLog(recovered: MemoryStorage, model: MemoryStorage): void {
  const snapIndex = model.snapshot().metadata.index;
  expect(recovered.snapshot()).toEqual(model.snapshot());
  expect(recovered.hardState()).toEqual(model.hardState());
  expect(recovered.allEntries()).toEqual(model.allEntries().filter((e) => e.index > snapIndex));
  expect(recovered.firstIndex()).toBe(snapIndex + 1);
  expect(recovered.lastIndex()).toBe(model.lastIndex());
}

describe('LevelLog property', () => {
  it('matches the replica\'s MemoryStorage after random writes and reopens', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(stepArbitrary, { minLength: 1, maxLength: 30 }), fc.nat(30),
      async (steps, reopenAt) => {
        const dir = await mkdtemp(join(tmpdir(), 'roster-level-prop-'));
        let log = await openAs(dir, 'n3', 3);
        try {
          await log.bootstrap(BOOT_SNAPSHOT, BOOT_HARD_STATE);
          const model = MemoryStorage.fromSnapshot(BOOT_SNAPSHOT, BOOT_HARD_STATE);
          const errors: unknown[] = [];
          for (const [i, step] of steps.entries()) {
            if (i === reopenAt % steps.length) {
              await log.close();
              log = await openAs(dir, 'n3', 3);
              expectSameLog(log.recover().storage, model);
            }
            // Issued without waiting: the queue must keep them in order.
            const op = opFor(step, model);
            issue(op, log, errors);
            applyToModel(op, model);
          }
          await log.close();
          expect(errors).toEqual([]);
          log = await openAs(dir, 'n3', 3);
          expectSameLog(log.recover().storage, model);
        } finally {
          await log.close();
          await rm(dir, { recursive: true, force: true });
        }
      }), { numRuns: 30 });
  }, TIMEOUT_MS * 2);
});
