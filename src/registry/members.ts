import type { Member } from './model.js';

/** A membership change as Raft carries it (raft's ConfChange fits; registry imports no raft). */
export interface MemberChange {
  readonly type: 'addLearner' | 'promote' | 'remove';
  readonly nodeId: number;
  readonly context: Uint8Array;
}

/** What a conf change's context carries: how to reach the node. */
export interface MemberAddresses {
  readonly name: string;
  readonly peerAddress: string;
  readonly clientAddress: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMemberContext(addresses: MemberAddresses): Uint8Array {
  return encoder.encode(JSON.stringify(addresses));
}

/** Undefined when the context is not ours (then the member has no known addresses). */
export function decodeMemberContext(context: Uint8Array): MemberAddresses | undefined {
  try {
    const value = JSON.parse(decoder.decode(context)) as Partial<MemberAddresses>;
    if (typeof value.name === 'string' && typeof value.peerAddress === 'string' &&
      typeof value.clientAddress === 'string') {
      const { name, peerAddress, clientAddress } = value;
      return { name, peerAddress, clientAddress };
    }
  } catch {
    // Not JSON: not a context this registry wrote.
  }
  return undefined;
}

export function applyMemberChange(table: Map<number, Member>, change: MemberChange): void {
  if (change.type === 'remove') {
    table.delete(change.nodeId);
    return;
  }
  if (change.type === 'promote') return; // same node, same addresses
  const addresses = decodeMemberContext(change.context);
  if (addresses === undefined) return;
  table.set(change.nodeId, { id: change.nodeId, ...addresses });
}
