import type { Message } from '../raft/index.js';
import { messageProblem } from './message-validation.js';
import type { ReceiverContext } from './peer-server.js';

/** Each kind of refusal is logged at most this often: a misdirected peer sends many. */
const LOG_INTERVAL_MS = 10_000;

type Refusal = 'foreign' | 'stranger' | 'invalid' | 'misrouted';

/**
 * What a peer sends is checked here, before Raft sees it: it must come from this node's
 * cluster, be addressed to this node by the batch's sender, be well formed (terms and indexes
 * in range, entries in order, a sane snapshot), and come from a peer this node knows (a
 * member its log names, or one that said where it listens on a stream of this cluster).
 * Anything else is dropped, counted, and now and then logged: never stepped.
 */
export class PeerGate {
  private readonly lastLogMs = new Map<Refusal, number>();

  constructor(private readonly context: ReceiverContext) {}

  /** Traffic of this node's cluster (none passes before it has one). */
  ofOurCluster(clusterId: number, peer: string): boolean {
    const ours = this.context.clusterId();
    if (ours !== 0 && clusterId === ours) return true;
    this.context.stats.foreignDropped += 1;
    // Before its cluster is founded a node hears its peers' first messages: expected, not a
    // fault. Traffic from another cluster is one.
    if (ours === 0) {
      this.log('foreign', { peer, clusterId, ours },
        'dropping raft traffic: this node is not in a cluster yet', 'info');
    } else {
      this.log('foreign', { peer, clusterId, ours }, 'dropping raft traffic from another cluster');
    }
    return false;
  }

  /** Whether `message`, which came in a batch from `batchFrom`, may be stepped. */
  admit(batchFrom: number, message: Message): boolean {
    const { stats, selfId } = this.context;
    if (message.from !== batchFrom || message.to !== selfId) {
      stats.messagesDiscarded += 1;
      this.log('misrouted', { batchFrom, from: message.from, to: message.to },
        'discarding raft message not from the sender or not for this node');
      return false;
    }
    const problem = messageProblem(message);
    if (problem !== undefined) {
      stats.invalidDropped += 1;
      this.log('invalid', { from: message.from, type: message.type, problem },
        'dropping a malformed raft message');
      return false;
    }
    if (!this.context.isPeer(message.from)) {
      stats.strangerDropped += 1;
      this.log('stranger', { from: message.from, type: message.type },
        'dropping a raft message from a node that is no known peer');
      return false;
    }
    return true;
  }

  private log(refusal: Refusal, fields: object, text: string,
    level: 'info' | 'warn' = 'warn'): void {
    const nowMs = Date.now();
    if (nowMs - (this.lastLogMs.get(refusal) ?? Number.NEGATIVE_INFINITY) < LOG_INTERVAL_MS) {
      return;
    }
    this.lastLogMs.set(refusal, nowMs);
    const { stats } = this.context;
    this.context.logger[level]({ ...fields, foreign: stats.foreignDropped,
      strangers: stats.strangerDropped, invalid: stats.invalidDropped,
      misrouted: stats.messagesDiscarded }, text);
  }
}
