import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { AssertionError } from '../../src/core/assert.js';
import {
  encodeConfChange, makeMessage,
  type Entry, type Message, type MessageType, type Snapshot,
} from '../../src/raft/index.js';
import {
  CODEC_VERSION, CodecError, decodeMessages, decodeSnapshotHeader, encodeMessages,
  encodeSnapshotHeader, encodedMessageBytes,
} from '../../src/transport/codec.js';
import { arbitraryMessage } from '../support/arbitrary-messages.js';

const TYPES: readonly MessageType[] = [
  'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'heartbeat', 'heartbeatResp',
  'snap', 'timeoutNow', 'readIndex', 'readIndexResp',
];
const MAX = Number.MAX_SAFE_INTEGER;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

const ENTRIES: readonly Entry[] = [
  { term: 3, index: 10, type: 'normal', data: text('register web-1') },
  { term: 3, index: 11, type: 'normal', data: new Uint8Array(0) },
  {
    term: 4, index: 12, type: 'conf',
    data: encodeConfChange({ type: 'addLearner', nodeId: 4, context: text('10.0.0.4:7000') }),
  },
];

const SNAPSHOT: Snapshot = {
  metadata: { index: 500, term: 7, confState: { voters: [1, 2, 3], learners: [4, 5] } },
  data: Uint8Array.from({ length: 300 }, (_, i) => i % 251),
};

function fullMessage(type: MessageType): Message {
  return makeMessage({
    type, from: 1, to: 2, term: 7, logTerm: 6, index: 499, commit: 498, reject: true,
    rejectHint: 42, context: 9,
    entries: type === 'app' ? ENTRIES : undefined,
    snapshot: type === 'snap' ? SNAPSHOT : undefined,
  });
}

function expectCodecError(decode: () => unknown): CodecError {
  let thrown: unknown;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CodecError);
  return thrown as CodecError;
}

/** A batch of one message built by hand: version, count 1, then `body`. */
function handBatch(...body: number[]): Uint8Array {
  return Uint8Array.from([CODEC_VERSION, 1, ...body]);
}

/** handBatch with zero padding, for problems found before the end. */
function padded(...body: number[]): Uint8Array {
  return handBatch(...body, ...new Array<number>(16).fill(0));
}

/** type app, no flags, from 1, to 2, six zero varints, then `rest`. */
function handMessage(...rest: number[]): number[] {
  return [0, 0, 1, 2, 0, 0, 0, 0, 0, 0, ...rest];
}

describe('encodeMessages / decodeMessages', () => {
  it.each(TYPES)('round-trips a %s message with every field set', (type) => {
    const message = fullMessage(type);
    expect(decodeMessages(encodeMessages([message]))).toEqual([message]);
  });

  it('round-trips all types in one batch, in order', () => {
    const messages = TYPES.map(fullMessage);
    const decoded = decodeMessages(encodeMessages(messages));
    expect(decoded.map((m) => m.type)).toEqual(TYPES);
    expect(decoded).toEqual(messages);
  });

  it('round-trips normal and conf entries with their data', () => {
    const [decoded] = decodeMessages(encodeMessages([fullMessage('app')]));
    expect(decoded?.entries).toEqual(ENTRIES);
    expect(decoded?.entries.map((e) => e.type)).toEqual(['normal', 'normal', 'conf']);
  });

  it('round-trips a snapshot with its membership and data', () => {
    const [decoded] = decodeMessages(encodeMessages([fullMessage('snap')]));
    expect(decoded?.snapshot).toEqual(SNAPSHOT);
  });

  it('encodes an empty batch in two bytes', () => {
    const bytes = encodeMessages([]);
    expect(bytes).toEqual(Uint8Array.from([CODEC_VERSION, 0]));
    expect(decodeMessages(bytes)).toEqual([]);
  });

  it('round-trips the largest safe integers', () => {
    const message = makeMessage({
      type: 'app', from: MAX, to: MAX, term: MAX, logTerm: MAX, index: MAX, commit: MAX,
      rejectHint: MAX, context: MAX,
      entries: [{ term: MAX, index: MAX, type: 'normal', data: new Uint8Array(1) }],
    });
    expect(decodeMessages(encodeMessages([message]))).toEqual([message]);
  });

  it('is compact: a heartbeat with small numbers takes a dozen bytes', () => {
    const heartbeat = makeMessage({ type: 'heartbeat', from: 1, to: 2, term: 5, commit: 100 });
    expect(encodedMessageBytes(heartbeat)).toBe(11);
    expect(encodeMessages([heartbeat]).byteLength).toBe(13);
  });

  it('decodes entry data as views of the input (no copy)', () => {
    const bytes = encodeMessages([fullMessage('app')]);
    const [decoded] = decodeMessages(bytes);
    const data = decoded?.entries[0]?.data;
    expect(data?.buffer).toBe(bytes.buffer);
    expect(new TextDecoder().decode(data)).toBe('register web-1');
  });

  it('decodes from a view with a non-zero offset', () => {
    const bytes = encodeMessages([fullMessage('app'), fullMessage('vote')]);
    const padded = new Uint8Array(bytes.byteLength + 10);
    padded.set(bytes, 7);
    const decoded = decodeMessages(padded.subarray(7, 7 + bytes.byteLength));
    expect(decoded).toEqual([fullMessage('app'), fullMessage('vote')]);
  });

  it('refuses to encode values that are not non-negative safe integers', () => {
    const bad = [-1, 1.5, MAX + 1, Number.NaN];
    for (const term of bad) {
      expect(() => encodeMessages([makeMessage({ type: 'app', from: 1, to: 2, term })]))
        .toThrow(AssertionError);
    }
    expect(() => encodeMessages([makeMessage({ type: 'app', from: 0, to: 2 })]))
      .toThrow(AssertionError);
  });
});

describe('snapshot header', () => {
  it('round-trips the metadata and leaves out the data', () => {
    const message = fullMessage('snap');
    const header = encodeSnapshotHeader(message);
    expect(header.byteLength).toBeLessThan(SNAPSHOT.data.byteLength);
    const decoded = decodeSnapshotHeader(header);
    expect(decoded.snapshot?.metadata).toEqual(SNAPSHOT.metadata);
    expect(decoded.snapshot?.data.byteLength).toBe(0);
    expect({ ...decoded, snapshot: undefined }).toEqual({ ...message, snapshot: undefined });
  });

  it('asserts on anything but a snap message', () => {
    expect(() => encodeSnapshotHeader(fullMessage('app'))).toThrow(AssertionError);
  });

  it('refuses a header that is not a snap message', () => {
    const vote = encodeMessages([fullMessage('vote')]);
    // A batch has a count where a header has its message: [version, count, ...] fails.
    expectCodecError(() => decodeSnapshotHeader(vote));
    const notSnap = Uint8Array.from([CODEC_VERSION, ...handMessage(0)]);
    expect(expectCodecError(() => decodeSnapshotHeader(notSnap)).message).toMatch(/'snap'/);
  });

  it('throws CodecError for every truncation of a header', () => {
    const header = encodeSnapshotHeader(fullMessage('snap'));
    for (let length = 0; length < header.byteLength; length++) {
      expectCodecError(() => decodeSnapshotHeader(header.subarray(0, length)));
    }
  });
});

describe('malformed input', () => {
  it('throws CodecError for a truncation at every byte offset', () => {
    const bytes = encodeMessages(TYPES.map(fullMessage));
    for (let length = 0; length < bytes.byteLength; length++) {
      expectCodecError(() => decodeMessages(bytes.subarray(0, length)));
    }
  });

  it('names the problem and where it is', () => {
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.from([]), /truncated before format version/],
      [Uint8Array.from([0, 0]), /unknown format version 0 \(at byte 0/],
      [Uint8Array.from([9, 0]), /raft wire format 9 is newer than this build reads/],
      [padded(12, 0), /unknown message type 12/],
      [padded(0, 4), /unknown message flags 4/],
      [padded(0, 0, 0), /from is node id 0/],
      [padded(0, 0, 1, 0), /to is node id 0/],
      [padded(...handMessage(1, 2)), /unknown entry type 2/],
      [handBatch(...handMessage(0x80)), /truncated inside entry count/],
      [Uint8Array.from([CODEC_VERSION, 0, 0]), /1 trailing bytes/],
      [padded(0, 0, 0x81, 0x00), /from is not in minimal form/],
      [padded(0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /exceeds 2\^53 - 1/],
      [padded(0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1), /longer than 8/],
      [handBatch(0, 0, 1), /message count 1 needs at least 11 bytes, 3 remain/],
    ];
    for (const [bytes, pattern] of cases) {
      expect(expectCodecError(() => decodeMessages(bytes)).message).toMatch(pattern);
    }
  });

  it('checks declared counts and lengths against the remaining bytes', () => {
    const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]; // 2^53 - 1
    const before = process.memoryUsage().arrayBuffers;
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.from([CODEC_VERSION, ...huge]), /message count \d+ needs at least/],
      [handBatch(...handMessage(...huge)), /entry count \d+ needs at least/],
      [handBatch(...handMessage(1, 0, 1, 1, ...huge)), /entry data length \d+ exceeds the 0/],
      [handBatch(...handMessage(1, 0, 1, 1, 5, 1, 2)), /entry data length 5 exceeds the 2/],
      [handBatch(2, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1, ...huge), /voter count \d+ needs/],
      [handBatch(2, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, ...huge), /snapshot data length/],
    ];
    for (let round = 0; round < 1000; round++) {
      for (const [bytes, pattern] of cases) {
        expect(expectCodecError(() => decodeMessages(bytes)).message).toMatch(pattern);
      }
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('random bytes either decode to valid messages or throw CodecError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (raw, versioned) => {
      const bytes = versioned ? Uint8Array.from([CODEC_VERSION, ...raw]) : raw;
      let messages: Message[];
      try {
        messages = decodeMessages(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(CodecError);
        return;
      }
      // Whatever decodes re-encodes to the very same bytes (the encoding is canonical).
      expect(encodeMessages(messages)).toEqual(bytes);
    }), { numRuns: 2000 });
  });

  it('single-byte corruptions of a valid batch never escape as other errors', () => {
    const bytes = encodeMessages(TYPES.map(fullMessage));
    fc.assert(fc.property(fc.nat(bytes.byteLength - 1), fc.integer({ min: 0, max: 255 }),
      (offset, value) => {
        const corrupt = bytes.slice();
        corrupt[offset] = value;
        try {
          decodeMessages(corrupt);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }), { numRuns: 3000 });
  });
});

describe('property: round trip over arbitrary messages', () => {
  const message = arbitraryMessage();

  it('decode(encode(batch)) equals the batch, and the size is computed exactly', () => {
    fc.assert(fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
      const encoded = encodeMessages(messages);
      let size = 2;
      for (const m of messages) size += encodedMessageBytes(m);
      expect(encoded.byteLength).toBe(size);
      expect(decodeMessages(encoded)).toEqual(messages);
    }), { numRuns: 1000 });
  });

  it('snapshot headers round-trip everything but the data', () => {
    const snap = message.filter((m) => m.snapshot !== undefined)
      .map((m) => ({ ...m, type: 'snap' as const }));
    fc.assert(fc.property(snap, (m) => {
      const decoded = decodeSnapshotHeader(encodeSnapshotHeader(m));
      expect(decoded.snapshot?.data.byteLength).toBe(0);
      expect(decoded.snapshot?.metadata).toEqual(m.snapshot?.metadata);
      expect({ ...decoded, snapshot: undefined }).toEqual({ ...m, snapshot: undefined });
    }), { numRuns: 500 });
  });
});
