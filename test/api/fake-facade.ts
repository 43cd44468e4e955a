import { RosterError } from '../../src/core/errors.js';
import { watchEventEncoder } from '../../src/api/watch-service.js';
import type { NodeId } from '../../src/raft/index.js';
import { Registry, type Applied, type StateLimits } from '../../src/registry/index.js';
import {
  validateInstance,
  type BackupSource, type Command, type CommandResult, type InstanceSpec, type KeepAliveRequest,
  type LeaseRenewal, type Member, type MemberView, type NodeStatus, type RawInstance,
  type ReadConsistency, type RegistryFacade, type RegistryView, type WatchFilter, type WatchSink,
} from '../../src/replica/api-surface.js';
import { WatchHub } from '../../src/watch/index.js';

interface Held<Value> {
  readonly resolve: (value: Value) => void;
  readonly reject: (error: unknown) => void;
}

interface HeldKeepAlive extends Held<LeaseRenewal[]> {
  readonly request: KeepAliveRequest;
}

export interface FakeFacadeOptions {
  readonly name?: string;
  readonly limits?: Partial<StateLimits>;
  readonly watchersMax?: number;
}

/**
 * A node without Raft: a real Registry whose commands apply at once, and a real WatchHub fed
 * with their events. Switches make it a follower, fail its writes, reads or heartbeats, and
 * hold read barriers, writes or heartbeats until the test releases them. Everything the
 * handlers asked of it is recorded.
 */
export class FakeFacade implements RegistryFacade {
  readonly id: NodeId = 1;
  readonly name: string;
  readonly clusterId = 7;
  readonly registry: Registry;
  readonly hub: WatchHub<Uint8Array>;

  /** false: a follower; leader() then says who leads. */
  leading = true;
  leaderMember: Member | undefined;
  writeError: unknown;
  readError: unknown;
  keepAliveError: unknown;
  /** The next this-many register commands fail with a lease id conflict. */
  conflicts = 0;
  holdBarrier = false;
  holdWrites = false;
  holdKeepAlives = false;

  readonly writes: Command[] = [];
  readonly reads: ReadConsistency[] = [];
  readonly keepAlives: KeepAliveRequest[] = [];
  readonly heldBarriers: Held<RegistryView>[] = [];
  /** Writes waiting for releaseWrites(): each applies when released. */
  readonly heldWrites: (() => void)[] = [];
  readonly heldKeepAlives: HeldKeepAlive[] = [];

  constructor(options: FakeFacadeOptions = {}) {
    this.name = options.name ?? 'fake-1';
    this.registry = new Registry(options.limits === undefined ? {} : { limits: options.limits });
    this.hub = new WatchHub<Uint8Array>({
      encode: watchEventEncoder(),
      currentState: (filter) => this.registry.instances(filter),
      ...(options.watchersMax === undefined ? {} : { watchersMax: options.watchersMax }),
    }, this.registry.revision);
  }

  get local(): RegistryView {
    return this.registry;
  }

  /** Applies a command as if it had been committed, publishing its events to watchers. */
  apply(command: Command): Applied {
    const applied = this.registry.applyCommand(command);
    this.hub.publish(applied.events);
    return applied;
  }

  follow(leader: Member | undefined): void {
    this.leading = false;
    this.leaderMember = leader;
  }

  write(command: Command): Promise<CommandResult> {
    this.writes.push(command);
    if (this.writeError !== undefined) return Promise.reject(this.writeError);
    if (command.op === 'register' && this.conflicts > 0) {
      this.conflicts -= 1;
      return Promise.resolve({
        op: 'register', ok: false, failure: { code: 'conflict', detail: 'lease id in use' },
      });
    }
    if (this.holdWrites) {
      return new Promise((resolve) => {
        this.heldWrites.push(() => resolve(this.apply(command).result));
      });
    }
    return Promise.resolve(this.apply(command).result);
  }

  read(consistency: ReadConsistency): Promise<RegistryView> {
    this.reads.push(consistency);
    if (this.readError !== undefined) return Promise.reject(this.readError);
    if (consistency === 'SERIALIZABLE' || !this.holdBarrier) return Promise.resolve(this.local);
    return new Promise((resolve, reject) => this.heldBarriers.push({ resolve, reject }));
  }

  /** Completes every held read barrier, with the state as it is now. */
  releaseBarriers(): void {
    for (const held of this.heldBarriers.splice(0)) held.resolve(this.local);
  }

  releaseWrites(): void {
    for (const release of this.heldWrites.splice(0)) release();
  }

  keepAlive(request: KeepAliveRequest): Promise<LeaseRenewal[]> {
    this.keepAlives.push(request);
    if (this.keepAliveError !== undefined) return Promise.reject(this.keepAliveError);
    if (!this.holdKeepAlives) return Promise.resolve(this.renewals(request));
    return new Promise((resolve, reject) => this.heldKeepAlives.push({ request, resolve, reject }));
  }

  /** Answers the held heartbeats, oldest first (or fails them with `error`). */
  releaseKeepAlives(error?: unknown): void {
    for (const held of this.heldKeepAlives.splice(0)) {
      if (error === undefined) held.resolve(this.renewals(held.request));
      else held.reject(error);
    }
  }

  private renewals(request: KeepAliveRequest): LeaseRenewal[] {
    return request.ids.map((id) => {
      const lease = this.registry.lease(id);
      return { id, found: lease !== undefined, remainingMs: lease?.remainingMs ?? 0 };
    });
  }

  /** As the node does: "from now" is the hub's revision, announced with a progress notice. */
  watch(filter: WatchFilter, startRevision: number, sink: WatchSink<Uint8Array>): number {
    return startRevision === 0 ? this.hub.watchFromNow(filter, sink, 0)
      : this.hub.watch(filter, startRevision, sink, 0);
  }

  cancelWatch(id: number): void {
    this.hub.cancel(id);
  }

  watchDrained(id: number): void {
    this.hub.onDrain(id);
  }

  isLeader(): boolean {
    return this.leading;
  }

  leaderId(): NodeId {
    return this.leading ? this.id : (this.leaderMember?.id ?? 0);
  }

  leader(): Member | undefined {
    return this.leaderMember;
  }

  members(): MemberView[] {
    return this.leaderMember === undefined ? [] : [{ ...this.leaderMember, learner: false }];
  }

  memberNamed(name: string): MemberView | undefined {
    return this.members().find((member) => member.name === name);
  }

  addMember(): Promise<MemberView> {
    return Promise.reject(new RosterError('ROSTER_ERR_NOT_IMPLEMENTED', 'fake'));
  }

  promoteMember(): Promise<void> {
    return Promise.reject(new RosterError('ROSTER_ERR_NOT_IMPLEMENTED', 'fake'));
  }

  removeMember(): Promise<void> {
    return Promise.reject(new RosterError('ROSTER_ERR_NOT_IMPLEMENTED', 'fake'));
  }

  transferLeadership(): Promise<NodeId> {
    return Promise.reject(new RosterError('ROSTER_ERR_NOT_IMPLEMENTED', 'fake'));
  }

  backup(): Promise<BackupSource> {
    return Promise.reject(new RosterError('ROSTER_ERR_NOT_IMPLEMENTED', 'fake'));
  }

  /** Nothing to make durable: the fake keeps its state in memory only. */
  snapshotNow(): Promise<void> {
    return Promise.resolve();
  }

  status(): NodeStatus {
    return {
      id: this.id, name: this.name, role: this.leading ? 'leader' : 'follower', term: 1,
      commitIndex: 0, appliedIndex: 0, firstIndex: 0, lastIndex: 0, snapshotIndex: 0,
      leaderId: this.leaderId(), revision: this.registry.revision, instances: this.registry.size,
      ready: true, leases: 0, leaseProtection: false, leasesDeferred: 0,
      watchers: this.hub.stats().watchers,
    };
  }
}

/** A valid instance to apply directly, as if another node's client had registered it. */
export function instanceSpec(
  service: string, id: string, extra: RawInstance = {},
): InstanceSpec {
  return validateInstance({ service, id, address: '10.0.0.1', port: 8080, ...extra });
}
