import { assert } from '../core/assert.js';
import type { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import {
  encodeCommand, encodeCommandBatch, type Command, type CommandResult,
} from '../registry/index.js';
import type { ProposalOutcome } from './interfaces.js';

/**
 * A command's outcome, and its place in its entry: `slot` orders the commands of one entry
 * (they apply in slot order, each at its own revision).
 */
export type CommandOutcome = ProposalOutcome<CommandResult> & { readonly slot: number };
export type CommandCallback = (outcome: CommandOutcome) => void;

/** Proposes one entry; its outcome carries the results of its commands in order. */
export type ProposeEntry =
  (data: Uint8Array, callback: (outcome: ProposalOutcome<CommandResult[]>) => void) => void;

/**
 * Gathers the commands proposed in one turn of the event loop into one log entry. Every cost
 * Raft and storage pay per entry (a LevelDB put and its encoding on each replica, the log's
 * bookkeeping, the append's framing) is then paid once per batch: at hundreds of writes in
 * flight, that was a third of a follower's CPU. A batch is bounded in commands and in bytes
 * (one command over the byte bound goes alone); its commands apply in order, and each gets
 * its own result, just as if they had been proposed one by one in that order.
 */
export class CommandBatcher {
  private encoded: Uint8Array[] = [];
  private callbacks: CommandCallback[] = [];
  private bytes = 0;
  private readonly propose: ProposeEntry;
  private readonly commandsMax: number;
  private readonly bytesMax: number;

  constructor(options: { propose: ProposeEntry; commandsMax?: number; bytesMax?: number }) {
    this.propose = options.propose;
    this.commandsMax = options.commandsMax ?? limits.commandsPerEntryMax;
    this.bytesMax = options.bytesMax ?? limits.commandBatchBytesMax;
  }

  /** Adds a command to the batch; the owner calls flush() before its next Ready. */
  add(command: Command, callback: CommandCallback): void {
    const encoded = encodeCommand(command);
    if (this.encoded.length > 0 && this.bytes + encoded.byteLength > this.bytesMax) this.flush();
    this.encoded.push(encoded);
    this.callbacks.push(callback);
    this.bytes += encoded.byteLength;
    if (this.encoded.length >= this.commandsMax) this.flush();
  }

  /** Proposes what was gathered as one entry (a lone command in the one-command format). */
  flush(): void {
    const encoded = this.encoded;
    if (encoded.length === 0) return;
    const callbacks = this.callbacks;
    this.encoded = [];
    this.callbacks = [];
    this.bytes = 0;
    const data = encoded.length === 1 ? encoded[0] as Uint8Array : encodeCommandBatch(encoded);
    this.propose(data, (outcome) => settle(outcome, callbacks));
  }

  /** Refuses what was gathered and not yet proposed: none of it can have been applied. */
  failAll(error: RosterError): void {
    const callbacks = this.callbacks;
    this.encoded = [];
    this.callbacks = [];
    this.bytes = 0;
    for (const [slot, callback] of callbacks.entries()) {
      callback({ status: 'rejected', error, slot });
    }
  }
}

function settle(outcome: ProposalOutcome<CommandResult[]>, callbacks: CommandCallback[]): void {
  if (outcome.status !== 'committed') {
    for (const [slot, callback] of callbacks.entries()) callback({ ...outcome, slot });
    return;
  }
  const results = outcome.result;
  assert(results.length === callbacks.length, `entry ${outcome.index} applied ` +
    `${results.length} commands, but ${callbacks.length} were proposed in it`);
  for (const [slot, callback] of callbacks.entries()) {
    callback({ status: 'committed', index: outcome.index, result: results[slot] as CommandResult,
      slot });
  }
}
