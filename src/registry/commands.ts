import { assert } from '../core/assert.js';
import type { Command } from './model.js';

/**
 * Commands as log entry data: JSON behind a one-byte format. Format 1 is one command; format 2
 * is a JSON array of commands, applied in order (the leader batches what was proposed in one
 * turn into one entry: every per-entry cost, a LevelDB put on each replica above all, is then
 * paid once per batch). Decoding trusts the log (it was validated before being proposed and is
 * CRC-checked on disk) but asserts the shape: an unreadable command is corruption or a bug,
 * and the node must stop rather than diverge.
 */
const FORMAT_VERSION = 1;
const BATCH_FORMAT_VERSION = 2;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMAND_OPS: ReadonlySet<string> = new Set<Command['op']>([
  'register', 'deregister', 'deregisterLease', 'revoke', 'checkpoint', 'setStatus', 'setLoad',
]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: Command): Uint8Array {
  const json = encoder.encode(JSON.stringify(command));
  const bytes = new Uint8Array(json.byteLength + 1);
  bytes[0] = FORMAT_VERSION;
  bytes.set(json, 1);
  return bytes;
}

/**
 * One entry's data for several commands, each already encoded by encodeCommand: their JSON is
 * joined into an array without being parsed or stringified again.
 */
export function encodeCommandBatch(encoded: readonly Uint8Array[]): Uint8Array {
  assert(encoded.length > 0, 'an empty command batch');
  let bytes = 2 + encoded.length; // format, brackets, commas between
  for (const one of encoded) bytes += one.byteLength - 1;
  const out = new Uint8Array(bytes);
  out[0] = BATCH_FORMAT_VERSION;
  out[1] = OPEN_BRACKET;
  let offset = 2;
  for (const [i, one] of encoded.entries()) {
    assert(one[0] === FORMAT_VERSION, `command ${i} of a batch is not encoded as one command`);
    if (i > 0) out[offset++] = COMMA;
    out.set(one.subarray(1), offset);
    offset += one.byteLength - 1;
  }
  out[offset] = CLOSE_BRACKET;
  return out;
}

/** The one command of a format-1 entry. */
export function decodeCommand(data: Uint8Array): Command {
  assert(data.byteLength > 1 && data[0] === FORMAT_VERSION,
    `unknown command format ${String(data[0])} (${data.byteLength} bytes)`);
  return checkedCommand(JSON.parse(decoder.decode(data.subarray(1))));
}

/** The commands of an entry, in the order they apply: one (format 1) or a batch (format 2). */
export function decodeCommands(data: Uint8Array): Command[] {
  // A newer Roster wrote it: applying anything else would diverge, so the node stops, saying
  // what to do.
  assert(data.byteLength === 0 || (data[0] ?? 0) <= BATCH_FORMAT_VERSION,
    `command format ${String(data[0])} is newer than this build reads (formats ` +
    `${FORMAT_VERSION}-${BATCH_FORMAT_VERSION}): upgrade this node`);
  if (data[0] !== BATCH_FORMAT_VERSION) return [decodeCommand(data)];
  const list: unknown = JSON.parse(decoder.decode(data.subarray(1)));
  assert(Array.isArray(list) && list.length > 0, 'a command batch is not a non-empty array');
  return list.map(checkedCommand);
}

function checkedCommand(value: unknown): Command {
  assert(value !== null && typeof value === 'object', 'command is not an object');
  const command = value as Command;
  assert(COMMAND_OPS.has(command.op),
    `unknown command op ${String((command as { op?: unknown }).op)}`);
  return command;
}
