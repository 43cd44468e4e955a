/**
 * The small, per-write part of a WatchResponse, encoded by hand: the flags, the revision and
 * the watch id(s). The events are encoded once by the hub; a response is their bytes followed
 * by these (protobuf fields may come in any order). Writing to 1,000 watchers is then 1,000
 * copies, not 1,000 protobufjs serializations. Field numbers are registry.proto's.
 */
import type { WatchDeliveryKind } from '../replica/api-surface.js';

const SNAPSHOT_TAG = (2 << 3) | 0;
const CAUGHT_UP_TAG = (3 << 3) | 0;
const PROGRESS_TAG = (4 << 3) | 0;
const REVISION_TAG = (5 << 3) | 0;
const WATCH_ID_TAG = (6 << 3) | 0;
const WATCH_IDS_TAG = (11 << 3) | 2;

export interface WatchHeader {
  readonly kind: WatchDeliveryKind;
  readonly revision: number;
  /** 0: none (the Watch RPC). */
  readonly watchId: number;
  /** Non-empty: the response is for every watch listed (watchId must then be 0). */
  readonly watchIds?: readonly number[] | undefined;
}

/** A response: the encoded event parts, then the header. One allocation. */
export function encodeWatchResponse(parts: readonly Uint8Array[], header: WatchHeader): Buffer {
  let partsBytes = 0;
  for (const part of parts) partsBytes += part.byteLength;
  const idsBytes = packedBytes(header.watchIds);
  const flagTag = header.kind === 'snapshot' ? SNAPSHOT_TAG
    : header.kind === 'caughtUp' ? CAUGHT_UP_TAG
      : header.kind === 'progress' ? PROGRESS_TAG : undefined;
  const size = partsBytes + (flagTag === undefined ? 0 : 2) + 1 + varintBytes(header.revision) +
    (header.watchId === 0 ? 0 : 1 + varintBytes(header.watchId)) +
    (idsBytes === 0 ? 0 : 1 + varintBytes(idsBytes) + idsBytes);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  if (flagTag !== undefined) {
    out[at++] = flagTag;
    out[at++] = 1;
  }
  out[at++] = REVISION_TAG;
  at = writeVarint(out, at, header.revision);
  if (header.watchId !== 0) {
    out[at++] = WATCH_ID_TAG;
    at = writeVarint(out, at, header.watchId);
  }
  if (idsBytes !== 0) {
    out[at++] = WATCH_IDS_TAG;
    at = writeVarint(out, at, idsBytes);
    for (const id of header.watchIds as readonly number[]) at = writeVarint(out, at, id);
  }
  return out;
}

function packedBytes(ids: readonly number[] | undefined): number {
  if (ids === undefined) return 0;
  let bytes = 0;
  for (const id of ids) bytes += varintBytes(id);
  return bytes;
}

/** Bytes of a non-negative safe integer as a protobuf varint. */
function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes += 1;
  }
  return bytes;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}
