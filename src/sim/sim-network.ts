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
  /**
   * Share of messages held for seconds (several election timeouts) before they arrive, half
   * of them also delivered at once: a stale answer from an old term meets a new leader.
   */
  holdRate: number;
  holdMaxMs: number;
}

export const HEALTHY_NETWORK: NetworkFaults = {
  lossRate: 0,
  duplicateRate: 0,
  longDelayRate: 0,
  delayMinMs: 1,
  delayMaxMs: 3,
  longDelayMaxMs: 3,
  holdRate: 0,
  holdMaxMs: 0,
};

export interface NetworkEndpoint {
  /** Undefined while the node is down: messages to it are lost. */
  deliver(message: Message): void;
  /** The outcome of sending a snapshot to `to` (what a real transport learns from its stream). */
  reportSnapshot(to: NodeId, succeeded: boolean): void;
  /** The transport's hint that the connection to `peer` closed. */
  connectionLost(peer: NodeId): void;
  /** The transport's hint that `peer` opened a stream to this node (it started again). */
  peerReconnected(peer: NodeId): void;
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
  connectionHints = 0;

  /**
   * Connection-loss hints, drawn from their own stream so that a seed's message timings do not
   * depend on them: a crashed node's peers hear of it with probability `chance` (as a reset
   * connection tells a real transport), and a cut link sometimes tells one side too, which is
   * the wrong hint a flapping link can give about a healthy peer.
   */
  private readonly hints: { readonly prng: Prng; readonly chance: number };
  /**
   * Reconnection hints: a node that starts again tells each peer it reaches, with probability
   * `chance` (a real transport always does; a seed without them runs on heartbeats alone).
   */
  private readonly reconnectHints: { readonly prng: Prng; readonly chance: number };

  constructor(options: { queue: EventQueue; prng: Prng; hintPrng: Prng; reconnectHintPrng: Prng }) {
    this.queue = options.queue;
    this.prng = options.prng;
    const hintPrng = options.hintPrng;
    this.hints = { prng: hintPrng, chance: hintPrng.pick([0, 0.5, 1]) };
    const reconnectPrng = options.reconnectHintPrng;
    this.reconnectHints = { prng: reconnectPrng, chance: reconnectPrng.pick([0, 0.5, 1]) };
  }

  attach(id: NodeId, endpoint: NetworkEndpoint): void {
    this.endpoints.set(id, endpoint);
    const { prng, chance } = this.reconnectHints;
    if (chance === 0) return;
    for (const peer of this.endpoints.keys()) {
      if (peer === id || this.isCut(id, peer) || !prng.chance(chance)) continue;
      this.connectionHints += 1;
      this.queue.schedule(prng.intBetween(1, 5),
        () => this.endpoints.get(peer)?.peerReconnected(id));
    }
  }

  detach(id: NodeId): void {
    this.endpoints.delete(id);
    for (const peer of this.endpoints.keys()) this.maybeHintLost(peer, id, this.hints.chance);
  }

  cutLink(from: NodeId, to: NodeId): void {
    if (!this.isCut(from, to)) this.maybeHintLost(to, from, this.hints.chance / 4);
    this.cut.add(linkKey(from, to));
  }

  private maybeHintLost(at: NodeId, peer: NodeId, chance: number): void {
    const prng = this.hints.prng;
    if (chance === 0 || !prng.chance(chance)) return;
    this.connectionHints += 1;
    this.queue.schedule(prng.intBetween(0, 5), () => this.endpoints.get(at)?.connectionLost(peer));
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
    if (faults.holdRate > 0 && this.prng.chance(faults.holdRate)) {
      this.queue.schedule(this.prng.intBetween(faults.holdMaxMs / 4, faults.holdMaxMs),
        () => this.arrive(message));
      if (!this.prng.chance(0.5)) return;
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
