import { assert } from '../core/assert.js';
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

/**
 * A node's id from its name: stable (a StatefulSet pod keeps its name, hence its id, across
 * restarts) and the same on every node. FNV-1a over 52 bits, never 0.
 */
export function memberIdOf(name: string): number {
  assert(name.length > 0, 'member name must not be empty');
  let low = 0x811c9dc5;
  let high = 0x0100_0193;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    low = Math.imul(low ^ code, 0x01000193) >>> 0;
    high = Math.imul(high ^ code ^ (low >>> 24), 0x5bd1e995) >>> 0;
  }
  const id = (high & 0xfffff) * 0x1_0000_0000 + low;
  return id === 0 ? 1 : id;
}
