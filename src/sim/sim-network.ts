import type { Prng } from '../core/prng.js';
import type { Message, NodeId } from '../raft/index.js';
import type { EventQueue } from './event-queue.js';

/** Fault rates of the network, re-drawn per seed (swarm testing) and healed for liveness. */
export interface NetworkFaults {
  lossRate: number;
  duplicateRate: number;
  /** Share of messages that take the long road (reordering). */
  longDelayRate: number;
  delayMinMs: number;
  delayMaxMs: number;
  longDelayMaxMs: number;
}

export const HEALTHY_NETWORK: NetworkFaults = {
  lossRate: 0,
  duplicateRate: 0,
  longDelayRate: 0,
  delayMinMs: 1,
  delayMaxMs: 3,
  longDelayMaxMs: 3,
};

export interface NetworkEndpoint {
  /** Undefined while the node is down: messages to it are lost. */
  deliver(message: Message): void;
  /** The outcome of sending a snapshot to `to` (what a real transport learns from its stream). */
  reportSnapshot(to: NodeId, succeeded: boolean): void;
}

/**
 * The simulated network between nodes: loss, duplication, delay and reordering, and directed
 * link cuts (symmetric and asymmetric partitions). A link cut while a message is in flight
 * drops it too.
 */
export class SimNetwork {
  faults: NetworkFaults = { ...HEALTHY_NETWORK };
  private readonly cut = new Set<string>();
  private readonly endpoints = new Map<NodeId, NetworkEndpoint>();
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  delivered = 0;
  dropped = 0;

  constructor(options: { queue: EventQueue; prng: Prng }) {
    this.queue = options.queue;
    this.prng = options.prng;
  }

  attach(id: NodeId, endpoint: NetworkEndpoint): void {
    this.endpoints.set(id, endpoint);
  }

  detach(id: NodeId): void {
    this.endpoints.delete(id);
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(linkKey(from, to));
  }

  restoreLink(from: NodeId, to: NodeId): void {
    this.cut.delete(linkKey(from, to));
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(linkKey(from, to));
  }

  heal(): void {
    this.cut.clear();
  }

  cutCount(): number {
    return this.cut.size;
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) this.sendOne(message);
  }

  private sendOne(message: Message): void {
    const faults = this.faults;
    if (this.isCut(message.from, message.to) || this.prng.chance(faults.lossRate)) {
      this.drop(message);
      return;
    }
    this.queue.schedule(this.delayMs(), () => this.arrive(message));
    if (this.prng.chance(faults.duplicateRate)) {
      this.queue.schedule(this.delayMs(), () => this.arrive(message));
    }
  }

  private delayMs(): number {
    const faults = this.faults;
    if (this.prng.chance(faults.longDelayRate)) {
      return this.prng.intBetween(faults.delayMaxMs, faults.longDelayMaxMs);
    }
    return this.prng.intBetween(faults.delayMinMs, faults.delayMaxMs);
  }

  private arrive(message: Message): void {
    const target = this.endpoints.get(message.to);
    if (target === undefined || this.isCut(message.from, message.to)) {
      this.drop(message);
      return;
    }
    this.delivered += 1;
    target.deliver(message);
    if (message.type === 'snap') this.report(message, true);
  }

  private drop(message: Message): void {
    this.dropped += 1;
    if (message.type === 'snap') this.report(message, false);
  }

  private report(message: Message, succeeded: boolean): void {
    // The sender's transport learns the snapshot's fate a little later.
    this.queue.schedule(this.delayMs(), () => {
      this.endpoints.get(message.from)?.reportSnapshot(message.to, succeeded);
    });
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
