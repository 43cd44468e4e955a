import type { RaftLogger } from '../raft/index.js';
import type { CommandResult, Registry } from '../registry/index.js';
import type { WatchHub } from '../watch/index.js';
import type { ReplicaObserver } from './interfaces.js';
import type { PeerDiscovery } from './peer-discovery.js';

/**
 * What a node's reactions touch. The hub is read when an event comes: the Replica (which
 * restores the registry the hub starts from) is built before it.
 */
export interface ObservedNode {
  readonly registry: Registry;
  readonly hub: () => WatchHub<Uint8Array>;
  readonly peers: PeerDiscovery;
  readonly onSoftState: (isLeader: boolean) => void;
  readonly logger: RaftLogger | undefined;
  /** The simulator's checkers: called after the node's own reactions. */
  readonly extra: ReplicaObserver<CommandResult[]> | undefined;
}

/** A node's own reactions to its Replica's events, then the extra observer's. */
export function nodeObserver(node: ObservedNode): ReplicaObserver<CommandResult[]> {
  const { registry, logger, extra } = node;
  return {
    onReady: (ready) => extra?.onReady?.(ready),
    onPersisted: (ready) => {
      // Conf entries take effect when appended, so their addresses are needed right away.
      node.peers.learnFrom(ready.entries);
      extra?.onPersisted?.(ready);
    },
    onApply: (entry, result) => extra?.onApply?.(entry, result),
    onSnapshotRestored: (snapshot) => {
      node.hub().reset(registry.revision);
      node.peers.announceMembers(registry.members());
      // Info, not debug: a follower that keeps needing snapshots is behind the log's
      // retention (--compaction-keep-entries/-bytes), which an operator wants to see.
      logger?.info({ index: snapshot.metadata.index,
        bytes: snapshot.data.byteLength }, 'restored a snapshot sent by the leader');
      extra?.onSnapshotRestored?.(snapshot);
    },
    onSnapshotSaved: (snapshot, compactIndex) => {
      logger?.debug({ index: snapshot.metadata.index, compactIndex,
        bytes: snapshot.data.byteLength }, 'snapshot saved; log compacted');
      extra?.onSnapshotSaved?.(snapshot, compactIndex);
    },
    onSoftState: (softState, term) => {
      node.onSoftState(softState.role === 'leader');
      extra?.onSoftState?.(softState, term);
    },
    onConfChange: (change, index) => {
      node.peers.applied(change);
      extra?.onConfChange?.(change, index);
    },
  };
}
