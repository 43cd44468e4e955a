import { crc32 } from 'node:zlib';
import { assert } from '../core/assert.js';
import type {
  ConfState, Entry, EntryType, HardState, NodeId, SnapshotMetadata,
} from '../raft/index.js';

/**
 * The on-disk format of the Raft log in LevelDB: binary keys and values, one record per key.
 *
 * Keys: one prefix byte per record kind; entries add their index as 8 big-endian bytes, so
 * LevelDB's bytewise key order is index order and a range scan reads the log in order.
 *
 * Values: [crc32 of payload: u32 BE][payload]. Every integer is big-endian; u64 fields hold
 * safe integers (< 2^53). Payloads:
 *   meta:       version u32 | nodeId u64 | clusterId u64 (0: in no cluster yet) | name (utf-8)
 *   founding:   the founding handshake's state (its own encoding, opaque here)
 *   damaged:    why this data dir must not be used again (utf-8)
 *   hard state: term u64 | vote u64 | commit u64
 *   snapshot:   index u64 | term u64 | voterCount u32 | voter u64 * n | learnerCount u32 |
 *               learner u64 * n | dataBytes u64 | dataCrc u32 (the data is in a file of its
 *               own: snapshot-files.ts)
 *   entry:      index u64 | term u64 | type u8 (0 normal, 1 conf) | data (the rest)
 *
 * Encoders assert their input (a bad value is our bug); decoders check the same properties and
 * throw CorruptRecordError (a bad value is a bad disk), so what was written is what is read.
 */

/**
 * Version 2 gave each data dir its own random member id, made when the dir is created: version
 * 1 dirs were named by a hash of the member name, which a wiped dir would reuse. Version 3 moved
 * the snapshot's data out of LevelDB into a file (snapshot-files.ts).
 */
export const FORMAT_VERSION = 3;

const PREFIX_META = 0x01;
const PREFIX_HARD_STATE = 0x02;
const PREFIX_SNAPSHOT = 0x03;
const PREFIX_FOUNDING = 0x04;
const PREFIX_DAMAGED = 0x05;
const PREFIX_ENTRY = 0x10;

export const META_KEY = Uint8Array.of(PREFIX_META);
export const HARD_STATE_KEY = Uint8Array.of(PREFIX_HARD_STATE);
export const SNAPSHOT_KEY = Uint8Array.of(PREFIX_SNAPSHOT);
export const FOUNDING_KEY = Uint8Array.of(PREFIX_FOUNDING);
export const DAMAGED_KEY = Uint8Array.of(PREFIX_DAMAGED);
/** Bounds of the entry key range: every entry key k satisfies ENTRY_KEY_MIN <= k < ..._END. */
export const ENTRY_KEY_MIN = Uint8Array.of(PREFIX_ENTRY);
export const ENTRY_KEY_END = Uint8Array.of(PREFIX_ENTRY + 1);

const CRC_BYTES = 4;
const U32_BYTES = 4;
const U64_BYTES = 8;
const ENTRY_KEY_BYTES = 1 + U64_BYTES;
const TWO_POW_32 = 0x1_0000_0000;
/** The high word of a safe integer is below 2^21 (2^53 / 2^32). */
const SAFE_HIGH_WORD_LIMIT = 0x20_0000;
const MAX_COUNT = 0xffff_ffff;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A record failed its checks; the caller names the data dir and the key. */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
}

export interface MetaRecord {
  readonly version: number;
  readonly nodeId: NodeId;
  /** 0 until the node founds or joins a cluster. */
  readonly clusterId: number;
  /** The member name the data dir was created for. */
  readonly name: string;
}

// ---- keys ----

export function entryKey(index: number): Uint8Array {
  assertU64(index, 'entry index');
  const key = new Uint8Array(ENTRY_KEY_BYTES);
  key[0] = PREFIX_ENTRY;
  writeU64(new DataView(key.buffer), 1, index);
  return key;
}

export function decodeEntryKey(key: Uint8Array): number {
  if (key.byteLength !== ENTRY_KEY_BYTES || key[0] !== PREFIX_ENTRY) {
    throw new CorruptRecordError(`malformed entry key ${hex(key)}`);
  }
  return readU64(viewOf(key), 1, 'entry key index');
}

/** Describes a key for error messages. */
export function describeKey(key: Uint8Array): string {
  if (key.byteLength === ENTRY_KEY_BYTES && key[0] === PREFIX_ENTRY) {
    return `entry ${readU64(viewOf(key), 1, 'entry key index')}`;
  }
  if (key.byteLength === 1 && key[0] === PREFIX_META) return 'meta';
  if (key.byteLength === 1 && key[0] === PREFIX_HARD_STATE) return 'hard state';
  if (key.byteLength === 1 && key[0] === PREFIX_SNAPSHOT) return 'snapshot';
  if (key.byteLength === 1 && key[0] === PREFIX_FOUNDING) return 'founding state';
  if (key.byteLength === 1 && key[0] === PREFIX_DAMAGED) return 'damage mark';
  return `unknown key ${hex(key)}`;
}

// ---- records ----

export function encodeMeta(meta: MetaRecord): Uint8Array {
  assertU32(meta.version, 'format version');
  assert(meta.nodeId > 0, `node id ${meta.nodeId} is not positive`);
  const name = utf8Encoder.encode(meta.name);
  const writer = new Writer(U32_BYTES + 2 * U64_BYTES + name.byteLength);
  writer.u32(meta.version);
  writer.u64(meta.nodeId);
  writer.u64(meta.clusterId);
  writer.bytes(name);
  return writer.finish();
}

/** Decodes the version first, so a future layout is reported as an unknown version. */
export function decodeMeta(value: Uint8Array): MetaRecord {
  const reader = Reader.open(value);
  const version = reader.u32('format version');
  if (version !== FORMAT_VERSION) {
    throw new CorruptRecordError(version < FORMAT_VERSION
      ? `format version ${version}, written by an earlier build (this build reads version ` +
        `${FORMAT_VERSION})`
      : `unknown format version ${version} (this build reads version ${FORMAT_VERSION})`);
  }
  const nodeId = reader.u64('node id');
  if (nodeId === 0) throw new CorruptRecordError('node id is 0');
  const clusterId = reader.u64('cluster id');
  const name = utf8Decoder.decode(reader.rest());
  return { version, nodeId, clusterId, name };
}

/** A record whose payload is bytes this layer does not interpret, behind the same CRC. */
export function encodeOpaque(payload: Uint8Array): Uint8Array {
  const writer = new Writer(payload.byteLength);
  writer.bytes(payload);
  return writer.finish();
}

export function decodeOpaque(value: Uint8Array): Uint8Array {
  return Reader.open(value).rest();
}

export function encodeHardState(hardState: HardState): Uint8Array {
  const writer = new Writer(3 * U64_BYTES);
  writer.u64(hardState.term);
  writer.u64(hardState.vote);
  writer.u64(hardState.commit);
  return writer.finish();
}

export function decodeHardState(value: Uint8Array): HardState {
  const reader = Reader.open(value);
  const term = reader.u64('hard state term');
  const vote = reader.u64('hard state vote');
  const commit = reader.u64('hard state commit');
  reader.end();
  return { term, vote, commit };
}

/** What the snapshot record holds: the metadata, and what the snapshot file must contain. */
export interface SnapshotRecord {
  readonly metadata: SnapshotMetadata;
  readonly dataBytes: number;
  readonly dataCrc: number;
}

export function encodeSnapshotRecord(record: SnapshotRecord): Uint8Array {
  const { index, term, confState } = record.metadata;
  const idsBytes = (confState.voters.length + confState.learners.length) * U64_BYTES;
  const writer = new Writer(3 * U64_BYTES + 3 * U32_BYTES + idsBytes);
  writer.u64(index);
  writer.u64(term);
  writer.ids(confState.voters);
  writer.ids(confState.learners);
  writer.u64(record.dataBytes);
  writer.u32(record.dataCrc);
  return writer.finish();
}

export function decodeSnapshotRecord(value: Uint8Array): SnapshotRecord {
  const reader = Reader.open(value);
  const index = reader.u64('snapshot index');
  const term = reader.u64('snapshot term');
  const voters = reader.ids('voter');
  const learners = reader.ids('learner');
  const dataBytes = reader.u64('snapshot data size');
  const dataCrc = reader.u32('snapshot data CRC');
  reader.end();
  const confState: ConfState = { voters, learners };
  return { metadata: { index, term, confState }, dataBytes, dataCrc };
}

export function encodeEntry(entry: Entry): Uint8Array {
  const writer = new Writer(2 * U64_BYTES + 1 + entry.data.byteLength);
  writer.u64(entry.index);
  writer.u64(entry.term);
  writer.u8(entryTypeCode(entry.type));
  writer.bytes(entry.data);
  return writer.finish();
}

export function decodeEntry(value: Uint8Array): Entry {
  const reader = Reader.open(value);
  const index = reader.u64('entry index');
  const term = reader.u64('entry term');
  const type = entryTypeOf(reader.u8('entry type'));
  return { index, term, type, data: reader.rest() };
}

function entryTypeCode(type: EntryType): number {
  assert(type === 'normal' || type === 'conf', `unknown entry type ${String(type)}`);
  return type === 'normal' ? 0 : 1;
}

function entryTypeOf(code: number): EntryType {
  if (code === 0) return 'normal';
  if (code === 1) return 'conf';
  throw new CorruptRecordError(`unknown entry type code ${code}`);
}

// ---- framing ----

/** Builds [crc32][payload] in one buffer: the payload is written after the CRC slot. */
class Writer {
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private offset = CRC_BYTES;

  constructor(payloadBytes: number) {
    this.buffer = new Uint8Array(CRC_BYTES + payloadBytes);
    this.view = new DataView(this.buffer.buffer);
  }

  u8(value: number): void {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
  }

  u32(value: number): void {
    assertU32(value, 'u32 field');
    this.view.setUint32(this.offset, value);
    this.offset += U32_BYTES;
  }

  u64(value: number): void {
    assertU64(value, 'u64 field');
    writeU64(this.view, this.offset, value);
    this.offset += U64_BYTES;
  }

  ids(ids: readonly NodeId[]): void {
    assert(ids.length <= MAX_COUNT, `too many ids: ${ids.length}`);
    this.u32(ids.length);
    for (const id of ids) {
      assert(id > 0, `node id ${id} is not positive`);
      this.u64(id);
    }
  }

  bytes(data: Uint8Array): void {
    this.buffer.set(data, this.offset);
    this.offset += data.byteLength;
  }

  finish(): Uint8Array {
    assert(this.offset === this.buffer.byteLength,
      `record size mismatch: wrote ${this.offset} of ${this.buffer.byteLength} bytes`);
    const payload = this.buffer.subarray(CRC_BYTES);
    this.view.setUint32(0, crc32(payload));
    return this.buffer;
  }
}

/** Reads a payload after checking its CRC; every read is bounds-checked. */
class Reader {
  private offset = 0;

  private constructor(private readonly payload: Uint8Array, private readonly view: DataView) {}

  static open(value: Uint8Array): Reader {
    if (value.byteLength < CRC_BYTES) {
      throw new CorruptRecordError(`truncated record: ${value.byteLength} bytes`);
    }
    const stored = viewOf(value).getUint32(0);
    const payload = value.subarray(CRC_BYTES);
    const actual = crc32(payload);
    if (stored !== actual) {
      throw new CorruptRecordError(
        `CRC mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)} ` +
        `over ${payload.byteLength} bytes (a torn or corrupted record)`);
    }
    return new Reader(payload, viewOf(payload));
  }

  u8(field: string): number {
    this.need(1, field);
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  u32(field: string): number {
    this.need(U32_BYTES, field);
    const value = this.view.getUint32(this.offset);
    this.offset += U32_BYTES;
    return value;
  }

  u64(field: string): number {
    this.need(U64_BYTES, field);
    const value = readU64(this.view, this.offset, field);
    this.offset += U64_BYTES;
    return value;
  }

  ids(field: string): NodeId[] {
    const count = this.u32(`${field} count`);
    // Checked before allocating, so a corrupt count cannot ask for gigabytes.
    this.need(count * U64_BYTES, `${count} ${field} ids`);
    const ids: NodeId[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.u64(field);
      if (id === 0) throw new CorruptRecordError(`${field} id ${i} is 0 (no node)`);
      ids.push(id);
    }
    return ids;
  }

  /** The remaining bytes, as a plain Uint8Array view (LevelDB hands out Buffers). */
  rest(): Uint8Array {
    const rest = this.payload.subarray(this.offset);
    this.offset = this.payload.byteLength;
    return new Uint8Array(rest.buffer, rest.byteOffset, rest.byteLength);
  }

  end(): void {
    if (this.offset !== this.payload.byteLength) {
      throw new CorruptRecordError(
        `${this.payload.byteLength - this.offset} unexpected trailing bytes`);
    }
  }

  private need(bytes: number, field: string): void {
    if (this.offset + bytes > this.payload.byteLength) {
      throw new CorruptRecordError(`truncated record: no room for ${field} at byte ` +
        `${this.offset} of ${this.payload.byteLength}`);
    }
  }
}

// ---- integers ----

/** Two 32-bit halves: no BigInt on the hot path, and the range check is explicit. */
function writeU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / TWO_POW_32));
  view.setUint32(offset + U32_BYTES, value >>> 0);
}

function readU64(view: DataView, offset: number, field: string): number {
  const high = view.getUint32(offset);
  if (high >= SAFE_HIGH_WORD_LIMIT) {
    throw new CorruptRecordError(`${field} is beyond 2^53 (high word ${high.toString(16)})`);
  }
  return high * TWO_POW_32 + view.getUint32(offset + U32_BYTES);
}

function assertU64(value: number, field: string): void {
  assert(Number.isSafeInteger(value) && value >= 0, `${field} ${value} is not a u64`);
}

function assertU32(value: number, field: string): void {
  assert(Number.isInteger(value) && value >= 0 && value <= MAX_COUNT,
    `${field} ${value} is not a u32`);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
