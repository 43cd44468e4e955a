import { assert } from '../core/assert.js';
import type { Command } from './model.js';

/**
 * Commands as log entry data: JSON behind a one-byte format version. Decoding trusts the log
 * (it was validated before being proposed and is CRC-checked on disk) but asserts the shape:
 * an unreadable command is corruption or a bug, and the node must stop rather than diverge.
 */
const FORMAT_VERSION = 1;
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

export function decodeCommand(data: Uint8Array): Command {
  assert(data.byteLength > 1 && data[0] === FORMAT_VERSION,
    `unknown command format ${String(data[0])} (${data.byteLength} bytes)`);
  const command = JSON.parse(decoder.decode(data.subarray(1))) as Command;
  assert(command !== null && typeof command === 'object', 'command is not an object');
  assert(COMMAND_OPS.has(command.op),
    `unknown command op ${String((command as { op?: unknown }).op)}`);
  return command;
}
