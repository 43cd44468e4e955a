import { limits } from '../core/limits.js';
import { decodeConfChange, type ConfChange, type Entry, type NodeId } from '../raft/index.js';
import { decodeMemberContext, type Member } from '../registry/index.js';
import type { MemoryStorage } from '../storage/index.js';

export interface PeerDiscoveryOptions {
  readonly id: NodeId;
  /**
   * A member became known or changed address: its conf entry is in the log (at start, or
   * appended since), or a snapshot named it.
   */
  readonly onPeer?: (member: Member) => void;
  /** A member's removal was applied: its connection can go. */
  readonly onPeerRemoved?: (id: NodeId) => void;
}

/**
 * Tells the transport where its peers are. A member's name and addresses ride in the context
 * of the conf entry that added it, and conf entries take effect when appended, so addresses
 * are learned from the log as it is written, from the recovered log at start, and from the
 * members a snapshot names: replaying any of them rebuilds the whole peer set.
 */
export class PeerDiscovery {
  private readonly options: PeerDiscoveryOptions;

  constructor(options: PeerDiscoveryOptions) {
    this.options = options;
  }

  /** The members the registry knows (at start, and after a snapshot replaced its state). */
  announceMembers(members: readonly Member[]): void {
    for (const member of members) {
      if (member.id !== this.options.id) this.options.onPeer?.(member);
    }
  }

  /**
   * Members added by conf entries of the recovered log, which the registry has not applied
   * yet: without them a restarted node could not reach members added since its snapshot.
   */
  announceLog(storage: MemoryStorage): void {
    let index = storage.firstIndex();
    const end = storage.lastIndex() + 1;
    while (index < end) {
      const page = storage.entries(index, end, limits.raftConfScanBytesMax);
      for (const entry of page) this.announceEntry(entry);
      index += page.length;
    }
  }

  /** Entries just written to the log. */
  learnFrom(entries: readonly Entry[]): void {
    for (const entry of entries) this.announceEntry(entry);
  }

  /** A conf change was applied. */
  applied(change: ConfChange): void {
    if (change.type === 'remove' && change.nodeId !== this.options.id) {
      this.options.onPeerRemoved?.(change.nodeId);
    }
  }

  private announceEntry(entry: Entry): void {
    if (entry.type !== 'conf') return;
    const change = decodeConfChange(entry.data);
    const addresses = decodeMemberContext(change.context);
    if (addresses !== undefined && change.nodeId !== this.options.id) {
      this.options.onPeer?.({ id: change.nodeId, ...addresses });
    }
  }
}
