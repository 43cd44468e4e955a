/**
 * A protobuf wire-format reader over one buffer, for the answers the SDK decodes by hand.
 * Every read is bounds-checked: bytes from a socket either decode or throw a ProtoDecodeError,
 * never loop or read past the end.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

const TWO_TO_32 = 4294967296;
/** Strings up to this many bytes are built in JS: cheaper than a call into the runtime. */
const SHORT_STRING_BYTES = 24;

export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(`malformed protobuf: ${message}`);
    this.name = 'ProtoDecodeError';
  }
}

export class ProtoReader {
  position = 0;
  private readonly bytes: Buffer;

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.isBuffer(bytes) ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** The end of a length-delimited field that starts here (its length prefix is read). */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.position + length;
    if (end > this.bytes.length) throw new ProtoDecodeError('a field runs past the end');
    return end;
  }

  /** The low 32 bits of a varint, unsigned (uint32, and the tag of a field). */
  uint32(): number {
    const bytes = this.bytes;
    let at = this.position;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= bytes.length) throw new ProtoDecodeError('a varint runs past the end');
      const byte = bytes[at++] as number;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.position = at;
        return value >>> 0;
      }
    }
    // A 64-bit varint: bits above 32 do not fit in a uint32 and are dropped, as protobuf does.
    for (let index = 5; index < 10; index++) {
      if (at >= bytes.length) throw new ProtoDecodeError('a varint runs past the end');
      if ((bytes[at++] as number) < 0x80) {
        this.position = at;
        return value >>> 0;
      }
    }
    throw new ProtoDecodeError('a varint is longer than 10 bytes');
  }

  /** An int32: the low 32 bits, signed (negative numbers come as 10-byte varints). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A uint64 as a JS number (exact below 2^53, the range of ids and revisions). */
  uint64(): number {
    const bytes = this.bytes;
    let at = this.position;
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (at >= bytes.length) throw new ProtoDecodeError('a varint runs past the end');
      const byte = bytes[at++] as number;
      if (index < 4) low |= (byte & 0x7f) << (7 * index);
      else if (index === 4) {
        low |= (byte & 0x0f) << 28;
        high |= (byte & 0x7f) >> 4;
      } else high |= (byte & 0x7f) << (7 * index - 32);
      if (byte < 0x80) {
        this.position = at;
        return (high >>> 0) * TWO_TO_32 + (low >>> 0);
      }
    }
    throw new ProtoDecodeError('a varint is longer than 10 bytes');
  }

  double(): number {
    if (this.position + 8 > this.bytes.length) {
      throw new ProtoDecodeError('a double runs past the end');
    }
    const value = this.bytes.readDoubleLE(this.position);
    this.position += 8;
    return value;
  }

  string(): string {
    const end = this.delimitedEnd();
    const start = this.position;
    this.position = end;
    if (end - start <= SHORT_STRING_BYTES) {
      const ascii = asciiString(this.bytes, start, end);
      if (ascii !== undefined) return ascii;
    }
    return this.bytes.toString('utf8', start, end);
  }

  /** Skips a field of the given wire type (a field this reader does not know). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint64();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.position = this.delimitedEnd();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtoDecodeError(`wire type ${wireType} is not supported`);
    }
  }

  private advance(bytes: number): void {
    if (this.position + bytes > this.bytes.length) {
      throw new ProtoDecodeError('a fixed-width field runs past the end');
    }
    this.position += bytes;
  }
}

/** The bytes as a string when all are ASCII; undefined otherwise (decode them as UTF-8). */
function asciiString(bytes: Buffer, start: number, end: number): string | undefined {
  let text = '';
  for (let at = start; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte >= 0x80) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}
