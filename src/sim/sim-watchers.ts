import type { Prng } from '../core/prng.js';
import type { NodeId } from '../raft/index.js';
import { CheckedWatcher, type EventTruth } from './check/watch-check.js';
import type { EventQueue } from './event-queue.js';
import type { SimCluster } from './sim-cluster.js';
import type { Trace } from './trace.js';

interface Attachment {
  readonly node: NodeId;
  readonly incarnation: number;
  /** Set once the hub answers (its first deliveries may come before). */
  watchId: number;
}

/**
 * Clients watching the registry through the simulated faults: each watches one service, a
 * namespace, or everything, from now or from a past revision, on some node; when its node
 * crashes it resumes on another from its last revision (the SDK's behaviour). Some consumers
 * are slow (their sink reports full, then drains later). Every delivery is checked against
 * the truth (CheckedWatcher).
 */
export class SimWatchers {
  private readonly queue: EventQueue;
  private readonly prng: Prng;
  private readonly cluster: SimCluster;
  private readonly truth: EventTruth;
  private readonly trace: Trace;
  private readonly services: readonly string[];
  readonly watchers: CheckedWatcher[] = [];
  private stopped = false;
  resumes = 0;

  constructor(options: {
    queue: EventQueue; prng: Prng; cluster: SimCluster; truth: EventTruth; trace: Trace;
    services: readonly string[];
  }) {
    this.queue = options.queue;
    this.prng = options.prng;
    this.cluster = options.cluster;
    this.truth = options.truth;
    this.trace = options.trace;
    this.services = options.services;
  }

  start(count: number): void {
    for (let i = 0; i < count; i++) {
      this.queue.schedule(this.prng.intBetween(0, 3_000), () => this.open(i));
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private open(label: number): void {
    const live = this.cluster.upNodes();
    if (this.stopped || live.length === 0) {
      if (!this.stopped) this.queue.schedule(100, () => this.open(label));
      return;
    }
    const simNode = this.prng.pick(live);
    const node = simNode.node;
    if (node === undefined) return;
    const roll = this.prng.nextFloat();
    const filter = roll < 0.6 ? { namespace: 'default', service: this.prng.pick(this.services) }
      : roll < 0.8 ? { namespace: 'default', service: undefined }
        : { namespace: undefined, service: undefined };
    // From now, or from some revision in the past (maybe older than the history).
    const current = node.registry.revision;
    const startRevision = this.prng.chance(0.5) ? current : this.prng.intBetween(0, current);
    const watcher = new CheckedWatcher({
      filter, startRevision, truth: this.truth, label: `w${label}`,
    });
    this.watchers.push(watcher);
    this.attach(watcher, simNode.id);
  }

  private attach(watcher: CheckedWatcher, id: NodeId): void {
    const simNode = this.cluster.get(id);
    const node = simNode.node;
    if (node === undefined || this.stopped) return;
    const slow = this.prng.chance(0.2);
    const attachment: Attachment = { node: id, incarnation: simNode.incarnation, watchId: 0 };
    attachment.watchId = node.watch(watcher.filter, watcher.resumeRevision, {
      write: (delivery) => {
        this.trace.record(this.queue.nowMs, id, `${watcher.label} ${delivery.kind} ` +
          `${delivery.revision} (${delivery.events.length} events)`);
        watcher.receive(delivery, (revision) => (node.registry.revision === revision
          ? node.registry.instances(watcher.filter) : undefined));
        if (!slow || !this.prng.chance(0.3)) return true;
        // A slow consumer: full now, drained a little later.
        this.queue.schedule(this.prng.intBetween(1, 200), () => {
          if (this.isAlive(attachment)) node.watchDrained(attachment.watchId);
        });
        return false;
      },
    });
    this.watchForCrash(watcher, attachment);
  }

  private isAlive(attachment: Attachment): boolean {
    const simNode = this.cluster.get(attachment.node);
    return simNode.node !== undefined && simNode.incarnation === attachment.incarnation;
  }

  /** Polls for the node's death; then resumes elsewhere from the last revision received. */
  private watchForCrash(watcher: CheckedWatcher, attachment: Attachment): void {
    this.queue.schedule(50, () => {
      if (this.stopped) return;
      if (this.isAlive(attachment)) {
        this.watchForCrash(watcher, attachment);
        return;
      }
      watcher.detach();
      this.resumes += 1;
      this.queue.schedule(this.prng.intBetween(1, 100), () => this.resume(watcher));
    });
  }

  private resume(watcher: CheckedWatcher): void {
    const live = this.cluster.upNodes();
    if (this.stopped) return;
    if (live.length === 0) {
      this.queue.schedule(100, () => this.resume(watcher));
      return;
    }
    const target = this.prng.pick(live);
    this.trace.record(this.queue.nowMs, target.id,
      `${watcher.label} resumes after revision ${watcher.resumeRevision}`);
    this.attach(watcher, target.id);
  }
}
