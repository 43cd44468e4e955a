import type { NodeId, RaftStatus } from '../raft/index.js';

export interface NodeStatus {
  readonly id: NodeId;
  readonly name: string;
  readonly role: string;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly leaderId: NodeId;
  readonly revision: number;
  readonly instances: number;
  readonly ready: boolean;
  readonly leases: number;
  readonly leaseProtection: boolean;
  readonly leasesDeferred: number;
  readonly watchers: number;
}

/** What a node's parts report, gathered by its owner for one status answer. */
export interface StatusParts {
  readonly id: NodeId;
  readonly name: string;
  readonly raft: RaftStatus;
  readonly appliedIndex: number;
  readonly snapshotIndex: number;
  /** The commit index recovered at start: the node is ready once it applied that far. */
  readonly commitAtStart: number;
  readonly revision: number;
  readonly instances: number;
  readonly leases: { readonly leases: number; readonly protecting: boolean;
    readonly deferred: number };
  readonly watchers: number;
}

/**
 * One node's status. Ready means it has applied what was committed when it started and knows
 * a leader: before that, its answers would show a state older than the one it had.
 */
export function nodeStatus(parts: StatusParts): NodeStatus {
  const raft = parts.raft;
  const isLearner = raft.confState.learners.includes(parts.id);
  return {
    id: parts.id,
    name: parts.name,
    role: isLearner && raft.role === 'follower' ? 'learner' : raft.role,
    term: raft.term,
    commitIndex: raft.commit,
    appliedIndex: parts.appliedIndex,
    firstIndex: raft.firstIndex,
    lastIndex: raft.lastIndex,
    snapshotIndex: parts.snapshotIndex,
    leaderId: raft.leader,
    revision: parts.revision,
    instances: parts.instances,
    ready: raft.leader !== 0 && parts.appliedIndex >= parts.commitAtStart,
    leases: parts.leases.leases,
    leaseProtection: parts.leases.protecting,
    leasesDeferred: parts.leases.deferred,
    watchers: parts.watchers,
  };
}
