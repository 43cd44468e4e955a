import { assert } from '../core/assert.js';
import type { Message } from '../raft/index.js';
import { isReleasedSnapshotData, type LogPersister } from '../storage/index.js';
import type { Transport } from '../transport/index.js';

/**
 * Hands a Ready's messages to the transport. A snapshot whose data the storage released (it
 * is durable, and memory keeps only its metadata) leaves once read back from disk: a follower
 * that needs one waits a disk read longer, and no node holds a second copy of its state for it.
 */
export class Outbox {
  private readonly transport: Transport;
  private readonly persister: LogPersister;
  /** Reading the durable snapshot failed: the node must stop. */
  private readonly failed: (error: Error) => void;
  private stopped = false;

  constructor(options: {
    transport: Transport; persister: LogPersister; failed: (error: Error) => void;
  }) {
    this.transport = options.transport;
    this.persister = options.persister;
    this.failed = options.failed;
  }

  send(messages: readonly Message[]): void {
    if (!messages.some(isReleasedSnapshot)) {
      this.transport.send(messages);
      return;
    }
    const ready = messages.filter((message) => !isReleasedSnapshot(message));
    if (ready.length > 0) this.transport.send(ready);
    for (const message of messages) if (isReleasedSnapshot(message)) this.sendFromDisk(message);
  }

  /** Snapshots still being read from disk are not sent. */
  stop(): void {
    this.stopped = true;
  }

  private sendFromDisk(message: Message): void {
    const wanted = message.snapshot?.metadata.index ?? 0;
    this.persister.loadSnapshot((error, snapshot) => {
      if (this.stopped) return;
      if (error !== undefined || snapshot === undefined) {
        this.failed(error ?? new Error('the durable snapshot could not be read'));
        return;
      }
      // Memory only ever records a snapshot after it is durable, and disk only moves forward.
      assert(snapshot.metadata.index >= wanted,
        `durable snapshot ${snapshot.metadata.index} is older than ${wanted}`);
      this.transport.send([{ ...message, snapshot }]);
    });
  }
}

function isReleasedSnapshot(message: Message): boolean {
  return message.type === 'snap' && message.snapshot !== undefined &&
    isReleasedSnapshotData(message.snapshot.data);
}
