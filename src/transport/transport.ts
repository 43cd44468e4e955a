import type { Message, NodeId } from '../raft/index.js';

/**
 * Sends Raft messages to peers. Fire and forget: Raft tolerates loss, duplication and
 * reordering, so a transport may drop under pressure (bounded queues) but must never block.
 */
export interface Transport {
  send(messages: readonly Message[]): void;
}

/** Delivers messages that arrive for this node (the replica's receive). */
export type MessageHandler = (message: Message) => void;

/** A peer a node can reach, as membership records it (conf change context). */
export interface PeerAddress {
  readonly id: NodeId;
  readonly address: string;
}
