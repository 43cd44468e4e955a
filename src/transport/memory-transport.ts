/**
 * The in-memory twin of GrpcTransport, for tests of the replica without gRPC: same handler
 * shape, asynchronous delivery (one setImmediate per send() call, so messages of one call, and
 * of successive calls, arrive in order), and links that can be cut and healed. A snapshot is
 * reported succeeded when delivered, failed when dropped; other dropped messages report the
 * peer unreachable, like a broken stream would.
 */
import { assert } from '../core/assert.js';
import type { Message, NodeId } from '../raft/index.js';
import type { Transport } from './transport.js';

export interface MemoryTransportHandlers {
  readonly onMessage: (message: Message) => void;
  readonly onSnapshotReport?: (to: NodeId, succeeded: boolean) => void;
  readonly onUnreachable?: (to: NodeId) => void;
}

export interface MemoryTransport extends Transport {
  readonly id: NodeId;
  /** Detaches this node: messages to it are dropped, its own sends are ignored. */
  close(): void;
}

/** Nodes one network holds (a named bound). */
export const MEMORY_NETWORK_NODES_MAX = 1024;

export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, MemoryTransportHandlers>();
  private readonly cutLinks = new Set<string>();
  delivered = 0;
  dropped = 0;

  transport(id: NodeId, handlers: MemoryTransportHandlers): MemoryTransport {
    assert(!this.endpoints.has(id), `node ${id} is already on the network`);
    assert(this.endpoints.size < MEMORY_NETWORK_NODES_MAX, 'memory network is full');
    this.endpoints.set(id, handlers);
    let closed = false;
    return {
      id,
      send: (messages) => {
        if (closed || messages.length === 0) return;
        const batch = [...messages];
        setImmediate(() => {
          if (!closed) this.deliver(id, batch, handlers);
        });
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (this.endpoints.get(id) === handlers) this.endpoints.delete(id);
      },
    };
  }

  /** Cuts the link between a and b, both ways; messages in flight on it are dropped too. */
  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(linkKey(a, b));
  }

  /** Restores every link. */
  heal(): void {
    this.cutLinks.clear();
  }

  isCut(a: NodeId, b: NodeId): boolean {
    return this.cutLinks.has(linkKey(a, b));
  }

  private deliver(from: NodeId, batch: readonly Message[], sender: MemoryTransportHandlers): void {
    const unreachable = new Set<NodeId>();
    for (const message of batch) {
      const target = this.endpoints.get(message.to);
      const ok = target !== undefined && !this.isCut(from, message.to);
      if (ok) {
        this.delivered += 1;
        target.onMessage(message);
      } else {
        this.dropped += 1;
        if (message.type !== 'snap') unreachable.add(message.to);
      }
      if (message.type === 'snap') sender.onSnapshotReport?.(message.to, ok);
    }
    for (const to of unreachable) sender.onUnreachable?.(to);
  }
}

function linkKey(a: NodeId, b: NodeId): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
