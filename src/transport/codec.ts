/**
 * Roster's binary encoding of Raft messages between peers (RaftBatch.messages and the first
 * SnapshotChunk's header in proto/roster/v1/raft.proto).
 *
 * Wire format, version 1. Every number is an unsigned LEB128 varint (7 bits a byte, low bits
 * first, at most 8 bytes, minimal form: values are safe integers below 2^53):
 *
 *   batch   := u8 version(=1), varint count, message*count
 *   header  := u8 version(=1), message with its snapshot's data left out (see encodeSnapshotHeader)
 *   message := u8 type (index in MESSAGE_TYPES), u8 flags (bit 0 reject, bit 1 snapshot present),
 *              varint from, to, term, logTerm, index, commit, rejectHint, context,
 *              varint entryCount, entry*entryCount,
 *              [snapshot when flag bit 1]
 *   entry   := u8 type (0 normal, 1 conf), varint term, varint index, varint length, data
 *   snapshot:= varint index, varint term, varint voterCount, varint voter*,
 *              varint learnerCount, varint learner*, [varint length, data: batches only]
 *
 * Encoding sizes the whole batch first and writes it into one buffer. Decoding trusts nothing:
 * every malformed input throws CodecError; lengths and counts are checked against the bytes
 * that remain before anything is read or collected, so no input causes a large allocation.
 *
 * Decoded entry data and snapshot data are subarray VIEWS of the input buffer, not copies (plain
 * Uint8Arrays even when the input is a Buffer): the caller must not reuse or mutate the input
 * while the messages are alive, and a retained entry keeps its whole batch's memory alive.
 * gRPC hands every received message its own buffer, so the transport delivers them as they are.
 */
import { assert } from '../core/assert.js';
import {
  NO_ENTRIES, makeMessage,
  type ConfState, type Entry, type EntryType, type Message, type MessageType, type NodeId,
  type Snapshot,
} from '../raft/index.js';

export const CODEC_VERSION = 1;

/** A byte sequence that is not a valid encoding; the detail says what and where. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

/**
 * Bytes in a wire format newer than this build reads: not damage, a peer running a newer
 * Roster. A mixed cluster must upgrade this node before the peer may use that format.
 */
export class NewerFormatError extends CodecError {
  constructor(readonly version: number) {
    super(`raft wire format ${version} is newer than this build reads ` +
      `(format ${CODEC_VERSION}): upgrade this node`);
  }
}

/** Wire codes are indexes in this list: append only, never reorder. */
const MESSAGE_TYPES: readonly MessageType[] = [
  'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'heartbeat', 'heartbeatResp',
  'snap', 'timeoutNow', 'readIndex', 'readIndexResp',
];
const MESSAGE_TYPE_CODES = new Map<MessageType, number>(MESSAGE_TYPES.map((t, i) => [t, i]));
const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf'];

const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const FLAGS_KNOWN = FLAG_REJECT | FLAG_SNAPSHOT;

const VARINT_BYTES_MAX = 8;
/** type, flags, eight 1-byte varints, entry count: the smallest message. */
const MESSAGE_BYTES_MIN = 11;
/** type, term, index, length. */
const ENTRY_BYTES_MIN = 4;
const EMPTY_DATA = new Uint8Array(0);

// ---- Encoding -------------------------------------------------------------------------------

export function encodeMessages(messages: readonly Message[]): Uint8Array {
  let size = 1 + varintBytes(messages.length);
  for (const message of messages) size += messageBytes(message, true);
  const writer = new Writer(size);
  writer.u8(CODEC_VERSION);
  writer.varint(messages.length);
  for (const message of messages) writeMessage(writer, message, true);
  return writer.finish();
}

/** The first snapshot chunk: a 'snap' message with its metadata, without the snapshot data. */
export function encodeSnapshotHeader(message: Message): Uint8Array {
  assert(message.type === 'snap' && message.snapshot !== undefined,
    `a snapshot header needs a 'snap' message with a snapshot, not '${message.type}'`);
  const writer = new Writer(1 + messageBytes(message, false));
  writer.u8(CODEC_VERSION);
  writeMessage(writer, message, false);
  return writer.finish();
}

/** Bytes `message` takes in a batch (without the batch's version and count). */
export function encodedMessageBytes(message: Message): number {
  return messageBytes(message, true);
}

function messageBytes(message: Message, withSnapshotData: boolean): number {
  let size = 2 + varintBytes(message.from) + varintBytes(message.to) + varintBytes(message.term) +
    varintBytes(message.logTerm) + varintBytes(message.index) + varintBytes(message.commit) +
    varintBytes(message.rejectHint) + varintBytes(message.context) +
    varintBytes(message.entries.length);
  for (const entry of message.entries) {
    size += 1 + varintBytes(entry.term) + varintBytes(entry.index) +
      varintBytes(entry.data.byteLength) + entry.data.byteLength;
  }
  const snapshot = message.snapshot;
  if (snapshot !== undefined) {
    const { index, term, confState } = snapshot.metadata;
    size += varintBytes(index) + varintBytes(term) + idsBytes(confState.voters) +
      idsBytes(confState.learners);
    if (withSnapshotData) size += varintBytes(snapshot.data.byteLength) + snapshot.data.byteLength;
  }
  return size;
}

function idsBytes(ids: readonly NodeId[]): number {
  let size = varintBytes(ids.length);
  for (const id of ids) size += varintBytes(id);
  return size;
}

function writeMessage(writer: Writer, message: Message, withSnapshotData: boolean): void {
  const code = MESSAGE_TYPE_CODES.get(message.type);
  assert(code !== undefined, `unknown message type ${message.type}`);
  assert(message.from > 0 && message.to > 0,
    `message ${message.type} needs node ids, has from ${message.from} to ${message.to}`);
  writer.u8(code);
  writer.u8((message.reject ? FLAG_REJECT : 0) |
    (message.snapshot !== undefined ? FLAG_SNAPSHOT : 0));
  writer.varint(message.from);
  writer.varint(message.to);
  writer.varint(message.term);
  writer.varint(message.logTerm);
  writer.varint(message.index);
  writer.varint(message.commit);
  writer.varint(message.rejectHint);
  writer.varint(message.context);
  writer.varint(message.entries.length);
  for (const entry of message.entries) {
    writer.u8(entry.type === 'conf' ? 1 : 0);
    writer.varint(entry.term);
    writer.varint(entry.index);
    writer.bytes(entry.data);
  }
  if (message.snapshot !== undefined) writeSnapshot(writer, message.snapshot, withSnapshotData);
}

function writeSnapshot(writer: Writer, snapshot: Snapshot, withData: boolean): void {
  const { index, term, confState } = snapshot.metadata;
  writer.varint(index);
  writer.varint(term);
  writeIds(writer, confState.voters);
  writeIds(writer, confState.learners);
  if (withData) writer.bytes(snapshot.data);
}

function writeIds(writer: Writer, ids: readonly NodeId[]): void {
  writer.varint(ids.length);
  for (const id of ids) {
    assert(id > 0, `node id ${id} in a membership`);
    writer.varint(id);
  }
}

function varintBytes(value: number): number {
  let size = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 0x80);
    size += 1;
  }
  return size;
}

class Writer {
  private readonly buffer: Uint8Array;
  private offset = 0;

  constructor(size: number) {
    this.buffer = new Uint8Array(size);
  }

  u8(value: number): void {
    this.buffer[this.offset] = value;
    this.offset += 1;
  }

  varint(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0,
      `cannot encode ${value}: not a non-negative safe integer`);
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.u8(rest);
  }

  bytes(data: Uint8Array): void {
    this.varint(data.byteLength);
    this.buffer.set(data, this.offset);
    this.offset += data.byteLength;
  }

  finish(): Uint8Array {
    assert(this.offset === this.buffer.byteLength,
      `codec sized ${this.buffer.byteLength} bytes but wrote ${this.offset}`);
    return this.buffer;
  }
}

// ---- Decoding -------------------------------------------------------------------------------

/** Decodes a batch. Entry and snapshot data are views of `bytes` (see the file comment). */
export function decodeMessages(bytes: Uint8Array): Message[] {
  const reader = new Reader(bytes);
  reader.version();
  const count = reader.count('message count', MESSAGE_BYTES_MIN);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(readMessage(reader, true));
  reader.end();
  return messages;
}

/** Decodes a snapshot header: a 'snap' message whose snapshot data is empty. */
export function decodeSnapshotHeader(bytes: Uint8Array): Message {
  const reader = new Reader(bytes);
  reader.version();
  const message = readMessage(reader, false);
  reader.end();
  if (message.type !== 'snap' || message.snapshot === undefined) {
    throw new CodecError(`a snapshot header must hold a 'snap' message with a snapshot, ` +
      `not '${message.type}'`);
  }
  return message;
}

function readMessage(reader: Reader, withSnapshotData: boolean): Message {
  const typeCode = reader.u8('message type');
  const type = MESSAGE_TYPES[typeCode];
  if (type === undefined) reader.fail(`unknown message type ${typeCode}`, 1);
  const flags = reader.u8('message flags');
  if ((flags & ~FLAGS_KNOWN) !== 0) reader.fail(`unknown message flags ${flags}`, 1);
  const from = reader.nodeId('from');
  const to = reader.nodeId('to');
  const term = reader.varint('term');
  const logTerm = reader.varint('logTerm');
  const index = reader.varint('index');
  const commit = reader.varint('commit');
  const rejectHint = reader.varint('rejectHint');
  const context = reader.varint('context');
  const entries = readEntries(reader);
  const snapshot = (flags & FLAG_SNAPSHOT) !== 0 ?
    readSnapshot(reader, withSnapshotData) : undefined;
  return makeMessage({
    type, from, to, term, logTerm, index, entries, commit,
    reject: (flags & FLAG_REJECT) !== 0, rejectHint, snapshot, context,
  });
}

function readEntries(reader: Reader): readonly Entry[] {
  const count = reader.count('entry count', ENTRY_BYTES_MIN);
  if (count === 0) return NO_ENTRIES;
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const typeCode = reader.u8('entry type');
    const type = ENTRY_TYPES[typeCode];
    if (type === undefined) reader.fail(`unknown entry type ${typeCode}`, 1);
    const term = reader.varint('entry term');
    const index = reader.varint('entry index');
    const data = reader.bytes('entry data');
    entries.push({ term, index, type, data });
  }
  return entries;
}

function readSnapshot(reader: Reader, withData: boolean): Snapshot {
  const index = reader.varint('snapshot index');
  const term = reader.varint('snapshot term');
  const voters = readIds(reader, 'voter');
  const learners = readIds(reader, 'learner');
  const confState: ConfState = { voters, learners };
  const data = withData ? reader.bytes('snapshot data') : EMPTY_DATA;
  return { metadata: { index, term, confState }, data };
}

function readIds(reader: Reader, what: string): NodeId[] {
  const count = reader.count(`${what} count`, 1);
  const ids: NodeId[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.nodeId(what));
  return ids;
}

class Reader {
  private readonly input: Uint8Array;
  private offset = 0;

  constructor(input: Uint8Array) {
    // A plain Uint8Array over the same memory, so views handed out are never Buffers.
    this.input = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }

  fail(detail: string, rewindBytes = 0): never {
    throw new CodecError(`malformed raft message bytes: ${detail} ` +
      `(at byte ${this.offset - rewindBytes} of ${this.input.byteLength})`);
  }

  version(): void {
    const version = this.u8('format version');
    if (version > CODEC_VERSION) throw new NewerFormatError(version);
    if (version !== CODEC_VERSION) this.fail(`unknown format version ${version}`, 1);
  }

  end(): void {
    if (this.offset !== this.input.byteLength) {
      this.fail(`${this.input.byteLength - this.offset} trailing bytes`);
    }
  }

  u8(what: string): number {
    const value = this.input[this.offset];
    if (value === undefined) this.fail(`truncated before ${what}`);
    this.offset += 1;
    return value;
  }

  varint(what: string): number {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      const byte = this.input[this.offset];
      if (byte === undefined) this.fail(`truncated inside ${what}`);
      this.offset += 1;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0 && i > 0) this.fail(`${what} is not in minimal form`, this.offset - start);
        if (value > Number.MAX_SAFE_INTEGER) {
          this.fail(`${what} ${value} exceeds 2^53 - 1`, this.offset - start);
        }
        return value;
      }
      scale *= 0x80;
    }
    return this.fail(`${what} is longer than ${VARINT_BYTES_MAX} bytes`, this.offset - start);
  }

  nodeId(what: string): NodeId {
    const id = this.varint(what);
    if (id === 0) this.fail(`${what} is node id 0 (none)`, 1);
    return id;
  }

  /** A count of items that take at least `itemBytesMin` bytes each, checked against the rest. */
  count(what: string, itemBytesMin: number): number {
    const count = this.varint(what);
    const remaining = this.input.byteLength - this.offset;
    if (count * itemBytesMin > remaining) {
      this.fail(`${what} ${count} needs at least ${count * itemBytesMin} bytes, ` +
        `${remaining} remain`);
    }
    return count;
  }

  /** A length-prefixed byte string, as a view of the input. */
  bytes(what: string): Uint8Array {
    const length = this.varint(`${what} length`);
    const remaining = this.input.byteLength - this.offset;
    if (length > remaining) {
      this.fail(`${what} length ${length} exceeds the ${remaining} bytes left`);
    }
    const data = this.input.subarray(this.offset, this.offset + length);
    this.offset += length;
    return data;
  }
}
