import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SnapshotMetadata } from '../raft/index.js';
import { CorruptRecordError } from './level-codec.js';

/**
 * A snapshot's data lives in a file of its own, `${dataDir}/snap/<term>-<index>.snap` (16 hex
 * digits each, as etcd names them); LevelDB's snapshot record holds its metadata and the data's
 * size and CRC32. LevelDB is slow with values of megabytes: reading back a 12 MB snapshot value
 * took over 100 ms, and each small record sharing its block (the hard state) paid most of that
 * again, where the file is read in a few milliseconds. It also keeps the snapshot out of
 * LevelDB's write-ahead log, memtable and compactions.
 *
 * A file is written whole and synced under a temporary name, then renamed, and the directory
 * synced, before the LevelDB batch that names it: a crash leaves either the old record with its
 * file, or the new record with its file, plus at worst a file no record names, which the next
 * open deletes.
 */
export interface SnapshotFileRef {
  readonly dataBytes: number;
  readonly dataCrc: number;
}

const SUFFIX = '.snap';
const TEMP_SUFFIX = '.snap.tmp';

export class SnapshotFiles {
  private constructor(private readonly dir: string) {}

  /** The snapshot directory of `dataDir`, created for its owner only. */
  static async open(dataDir: string): Promise<SnapshotFiles> {
    const dir = join(dataDir, 'snap');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new SnapshotFiles(dir);
  }

  /** What the snapshot record says of `data`: computed before the file is written. */
  static refOf(data: Uint8Array): SnapshotFileRef {
    return { dataBytes: data.byteLength, dataCrc: crc32(data) };
  }

  /** Writes the data durably under its final name. */
  async write(metadata: SnapshotMetadata, data: Uint8Array): Promise<void> {
    const name = fileName(metadata);
    const temp = join(this.dir, `${name.slice(0, -SUFFIX.length)}${TEMP_SUFFIX}`);
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(this.dir, name));
    await this.syncDir();
  }

  /** The data a record names, checked against its size and CRC. */
  async read(metadata: SnapshotMetadata, ref: SnapshotFileRef): Promise<Uint8Array> {
    const name = fileName(metadata);
    let data: Uint8Array;
    try {
      data = await readWhole(join(this.dir, name));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CorruptRecordError(code === 'ENOENT' ? `its file snap/${name} is missing` :
        `its file snap/${name} cannot be read (${String(code ?? error)})`);
    }
    if (data.byteLength !== ref.dataBytes) {
      throw new CorruptRecordError(`its file snap/${name} holds ${data.byteLength} bytes, ` +
        `not the ${ref.dataBytes} recorded`);
    }
    const actual = crc32(data);
    if (actual !== ref.dataCrc) {
      throw new CorruptRecordError(`its file snap/${name} fails its CRC: recorded ` +
        `${ref.dataCrc.toString(16)}, computed ${actual.toString(16)}`);
    }
    return data;
  }

  /**
   * Deletes every snapshot file but the one `keep` names: older ones and those a crash left
   * unnamed. Best effort: a file left behind is deleted by a later call.
   */
  async removeAllBut(keep: SnapshotMetadata): Promise<void> {
    const kept = fileName(keep);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names
      .filter((name) => name !== kept && (name.endsWith(SUFFIX) || name.endsWith(TEMP_SUFFIX)))
      .map((name) => rm(join(this.dir, name), { force: true }).catch(() => undefined)));
  }

  /** A rename is durable once its directory is synced. */
  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/**
 * The whole file in as few reads as it takes: readFile reads 512 KiB at a time, two dozen trips
 * through the thread pool for a 12 MB snapshot, each waiting for the event loop.
 */
async function readWhole(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const data = new Uint8Array(size);
    let length = 0;
    while (length < size) {
      const { bytesRead } = await file.read(data, length, size - length, length);
      if (bytesRead === 0) return data.subarray(0, length);
      length += bytesRead;
    }
    return data;
  } finally {
    await file.close();
  }
}

function fileName(metadata: SnapshotMetadata): string {
  return `${hex16(metadata.term)}-${hex16(metadata.index)}${SUFFIX}`;
}

function hex16(value: number): string {
  return value.toString(16).padStart(16, '0');
}
