import type { NodeId, Snapshot } from '../raft/index.js';
import type { EventQueue } from './event-queue.js';
import { simMember, type SimCluster } from './sim-cluster.js';
import type { Trace } from './trace.js';

/** How often a pending replacement tries its next step. */
const STEP_INTERVAL_MS = 50;

interface Replacement {
  readonly formerId: NodeId;
  readonly name: string;
  readonly newId: NodeId;
  phase: 'add' | 'promote';
  inFlight: boolean;
}

/**
 * What a node on an empty data dir does when the cluster knows its name under another id
 * (roster serve: cluster-identity.ts): it asks the leader to remove the lost member and add it
 * as a learner under its new id, then to promote it once it caught up. Here the node whose
 * disk was lost (or refused at start) is destroyed, and its replacement runs these steps
 * against the current leader until they commit, through the same RegistryNode methods the API
 * calls. It keeps going in the liveness phase: the cluster must converge with it.
 */
export class Replacer {
  private readonly pending: Replacement[] = [];
  /** Nodes that lost synced writes and will refuse their disk at the next start. */
  private readonly doomed = new Set<NodeId>();
  private scheduled = false;
  replaced = 0;

  constructor(private readonly options: {
    queue: EventQueue; cluster: SimCluster; trace: Trace;
    /** Set to reproduce the lost-data-dir bug: the node restarts as itself on this bootstrap. */
    amnesia?: Snapshot;
  }) {}

  get inProgress(): boolean {
    return this.pending.length > 0 || this.doomed.size > 0;
  }

  /** `id` lost writes it had synced: it counts as lost from now on (it will be refused). */
  doom(id: NodeId): void {
    this.doomed.add(id);
  }

  /**
   * Whether one more node may lose its data dir now without the cluster losing its quorum for
   * good: one replacement at a time, in a committed configuration of at least three voters (a
   * change still in flight could leave two, or be undone).
   */
  canReplace(): boolean {
    const { cluster } = this.options;
    const leader = cluster.leader();
    if (this.inProgress || leader === undefined) return false;
    const commit = leader.status.commit;
    // Every log, up or down: a conf entry not yet committed may still take effect anywhere.
    for (const simNode of cluster.nodes.values()) {
      if (simNode.destroyed) continue;
      const latest = simNode.node !== undefined
        ? { index: simNode.node.raftStatus().confIndex,
          voters: simNode.node.raftStatus().confState.voters.length }
        : simNode.disk.latestConf();
      if (latest.index > commit || latest.voters < 3) return false;
    }
    return true;
  }

  /** `formerId`'s data dir is gone: destroy it, and start its replacement on a new id. */
  replace(formerId: NodeId): void {
    const { cluster, trace, queue, amnesia } = this.options;
    this.doomed.delete(formerId);
    if (amnesia !== undefined) {
      cluster.crash(formerId);
      cluster.get(formerId).disk.bootstrap(amnesia, { term: 1, vote: 0, commit: 1 });
      trace.record(queue.nowMs, formerId, 'amnesia: back as itself on a fresh bootstrap');
      cluster.start(formerId);
      return;
    }
    const former = cluster.get(formerId);
    cluster.destroy(formerId);
    const newId = cluster.allocateId();
    cluster.addNode(newId, former.name);
    cluster.start(newId);
    this.pending.push({ formerId, name: former.name, newId, phase: 'add', inFlight: false });
    trace.record(queue.nowMs, newId, `replaces lost ${former.name} (id ${formerId})`);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    this.options.queue.schedule(STEP_INTERVAL_MS, () => {
      this.scheduled = false;
      for (const replacement of [...this.pending]) this.step(replacement);
      this.schedule();
    });
  }

  private step(replacement: Replacement): void {
    const { cluster, trace, queue } = this.options;
    const leader = cluster.leader();
    const leaderNode = leader === undefined ? undefined : cluster.get(leader.id).node;
    if (replacement.inFlight || leader === undefined || leaderNode === undefined) return;
    const { voters, learners } = leader.status.confState;
    if (replacement.phase === 'promote' && voters.includes(replacement.newId)) {
      this.pending.splice(this.pending.indexOf(replacement), 1);
      this.replaced += 1;
      trace.record(queue.nowMs, replacement.newId, `replaced ${replacement.formerId}`);
      return;
    }
    // An addition truncated away (a leader change) is asked for again.
    if (replacement.phase === 'promote' && !learners.includes(replacement.newId)) {
      replacement.phase = 'add';
    }
    replacement.inFlight = true;
    const done = (ok: boolean): void => {
      replacement.inFlight = false;
      if (ok && replacement.phase === 'add') replacement.phase = 'promote';
    };
    if (replacement.phase === 'add') {
      const member = simMember(replacement.newId, replacement.name);
      leaderNode.membership.addMember(member, { replace: true }, (outcome) => {
        trace.record(queue.nowMs, leader.id, `add ${replacement.newId} in place of ` +
          `${replacement.name}: ${'error' in outcome ? outcome.error.message : 'done'}`);
        if (!('error' in outcome)) cluster.learnMembers(replacement.newId);
        done(!('error' in outcome));
      });
    } else {
      leaderNode.membership.change(
        { type: 'promote', nodeId: replacement.newId, context: new Uint8Array(0) },
        (outcome) => done(outcome.status === 'committed'));
    }
  }
}
