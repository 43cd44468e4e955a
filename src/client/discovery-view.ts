import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../core/backoff.js';
import type { LookupRequest } from '../api/generated/types/roster/v1/LookupRequest.js';
import type { LookupResponse__Output } from '../api/generated/types/roster/v1/LookupResponse.js';
import type { WatchEvent__Output } from '../api/generated/types/roster/v1/WatchEvent.js';
import type { WatchRequest } from '../api/generated/types/roster/v1/WatchRequest.js';
import { Balancer, type CallOutcome } from './balance/balancer.js';
import type { DiscoverFilters, DiscoveredInstance, PickPolicy } from './discovered.js';
import { isServable } from './balance/eligibility.js';
import { matchesLabels } from './instance-filter.js';
import { TypedEmitter } from './typed-emitter.js';
import type { ClientRuntime, TimerHandle } from './runtime.js';
import { isServiceError } from './service-error.js';
import type { ServiceView, ServiceViewEvents } from './service-view.js';
import { loadCachedView, saveCachedView } from './view-cache-file.js';
import type { WatchUpdate } from './watch-stream.js';

export interface DiscoverOptions {
  /**
   * A file holding the last known set: read at start (so a process starting while the cluster
   * is down still has instances) and rewritten, at most once per second, as the set changes.
   */
  readonly cacheFile?: string;
  /** The caller's zone, preferred by pick('zone-first'). */
  readonly localZone?: string;
  /**
   * Silence after which a view whose stream looks open calls itself stale: an idle watch
   * hears a progress notice every 5 s, so three missed ones mean the node stopped answering.
   */
  readonly staleAfterMs?: number;
}

/** What a view needs from its client. */
export interface DiscoveryHost {
  lookup(request: LookupRequest): Promise<LookupResponse__Output>;
  watch(request: Omit<WatchRequest, 'start_revision'>, startRevision: number,
    onUpdate: (update: WatchUpdate) => void): { stop(): void };
  readonly runtime: ClientRuntime;
}

/** Lookups refused for what they ask or who asks: asking again cannot help. */
const REFUSED_FOR_GOOD = new Set<number>([grpc.status.INVALID_ARGUMENT,
  grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]);
const LOOKUP_BACKOFF = { initialMs: 200, maxMs: 5_000 };
const STALE_AFTER_MS = 15_000;
const CACHE_WRITE_DELAY_MS = 1_000;
const DEFAULT_NAMESPACE = 'default';

/**
 * A live view of one service: a lookup, then a watch from the revision it reflects (resumed
 * on another node from the last revision seen when a node fails). The cluster is asked for
 * every instance, healthy or not, so that an instance turning critical or draining leaves
 * the set and one recovering comes back; the filters are applied here, as Lookup applies them.
 */
export class DiscoveryView extends TypedEmitter<ServiceViewEvents> implements ServiceView {
  readonly service: string;
  private readonly host: DiscoveryHost;
  private readonly namespace: string;
  private readonly filters: DiscoverFilters;
  private readonly options: DiscoverOptions;
  private readonly balancer: Balancer;
  private readonly lookupBackoff: Backoff;
  /** Every instance of the service matching the label filters, healthy or not, by id. */
  private readonly known = new Map<string, DiscoveredInstance>();
  private current: readonly DiscoveredInstance[] = [];
  private currentRevision = 0;
  private isStale = true;
  /** When the set was last known current; undefined before any answer or cache. */
  private currentAtMs: number | undefined;
  /** The pieces of a snapshot, until its caught-up marker makes them the whole set. */
  private snapshot: Map<string, DiscoveredInstance> | undefined;
  private watch: { stop(): void } | undefined;
  private lookupTimer: TimerHandle | undefined;
  private silenceTimer: TimerHandle | undefined;
  private cacheTimer: TimerHandle | undefined;
  private closed = false;
  private hasSet = false;
  private readonly firstSet: Promise<void>;
  private markReady: () => void = () => {};

  constructor(host: DiscoveryHost, service: string, filters: DiscoverFilters = {},
    options: DiscoverOptions = {}) {
    super();
    this.host = host;
    this.service = service;
    this.namespace = filters.namespace ?? DEFAULT_NAMESPACE;
    this.filters = filters;
    this.options = options;
    const random = (): number => host.runtime.random();
    this.balancer = new Balancer({ random, nowMs: () => host.runtime.nowMs(),
      localZone: options.localZone });
    this.lookupBackoff = new Backoff({ ...LOOKUP_BACKOFF, random });
    this.firstSet = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** Starts following the cluster (and reads the file cache, if any). */
  start(): this {
    if (this.options.cacheFile !== undefined) void this.loadCache(this.options.cacheFile);
    this.lookup();
    return this;
  }

  instances(): readonly DiscoveredInstance[] {
    return this.current;
  }

  get revision(): number {
    return this.currentRevision;
  }

  get stale(): boolean {
    return this.isStale;
  }

  get ageMs(): number {
    if (!this.isStale) return 0;
    if (this.currentAtMs === undefined) return Infinity;
    return Math.max(0, this.host.runtime.nowMs() - this.currentAtMs);
  }

  ready(): Promise<void> {
    return this.firstSet;
  }

  pick(policy: PickPolicy, key?: string): DiscoveredInstance | undefined {
    return this.balancer.pick(policy, this.current, key);
  }

  /** A call to the instance starts; the function returned reports how it ended. */
  begin(instance: DiscoveredInstance): (outcome: CallOutcome) => void {
    return this.balancer.begin(instance);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch?.stop();
    this.watch = undefined;
    for (const timer of [this.lookupTimer, this.silenceTimer, this.cacheTimer]) {
      if (timer !== undefined) this.host.runtime.clearTimer(timer);
    }
    this.emit('closed');
    this.removeAllListeners();
  }

  private lookup(): void {
    this.lookupTimer = undefined;
    const request: LookupRequest = {
      namespace: this.namespace, service: this.service, include_unhealthy: true,
      consistency: 'SERIALIZABLE', tags: [...(this.filters.tags ?? [])],
      version: this.filters.version, zone: this.filters.zone, region: this.filters.region,
      environment: this.filters.environment,
    };
    this.host.lookup(request).then((response) => this.looked(response), (error: unknown) => {
      if (this.closed) return;
      if (isServiceError(error) && REFUSED_FOR_GOOD.has(error.code)) {
        this.fail(error);
        return;
      }
      this.lookupTimer = this.host.runtime.setTimer(() => this.lookup(),
        this.lookupBackoff.nextDelayMs());
    });
  }

  private looked(response: LookupResponse__Output): void {
    if (this.closed) return;
    this.replaceAll(response.instances);
    this.currentRevision = response.revision;
    this.heard();
    this.watch = this.host.watch({ namespace: this.namespace, service: this.service },
      response.revision, (update) => this.onUpdate(update));
  }

  private onUpdate(update: WatchUpdate): void {
    if (this.closed) return;
    switch (update.kind) {
      case 'events':
        this.applyEvents(update.events);
        break;
      case 'snapshot':
        this.snapshot ??= new Map();
        for (const event of update.events) this.putInto(this.snapshot, event.instance);
        return;
      case 'caughtUp':
        this.replaceAll([...(this.snapshot ?? new Map<string, DiscoveredInstance>()).values()]);
        this.snapshot = undefined;
        break;
      case 'progress':
        break;
      case 'reconnecting':
        this.snapshot = undefined;
        this.becomeStale();
        return;
      case 'failed':
        this.fail(update.error);
        return;
    }
    this.currentRevision = Math.max(this.currentRevision, update.revision);
    this.heard();
  }

  private applyEvents(events: readonly WatchEvent__Output[]): void {
    let changed = false;
    for (const event of events) {
      const instance = event.instance;
      if (instance === null) continue;
      if (event.type === 'PUT' && matchesLabels(instance, this.filters)) {
        this.known.set(instance.id, instance);
        changed = true;
      } else if (this.known.delete(instance.id)) {
        changed = true;
      }
    }
    if (changed) this.publish();
  }

  private putInto(target: Map<string, DiscoveredInstance>,
    instance: DiscoveredInstance | null): void {
    if (instance !== null && matchesLabels(instance, this.filters)) {
      target.set(instance.id, instance);
    }
  }

  private replaceAll(instances: readonly DiscoveredInstance[]): void {
    this.known.clear();
    for (const instance of instances) this.putInto(this.known, instance);
    this.publish();
  }

  /** Rebuilds the visible set and tells the listeners. */
  private publish(): void {
    const visible: DiscoveredInstance[] = [];
    for (const instance of this.known.values()) {
      if (this.filters.includeUnhealthy === true || isServable(instance)) visible.push(instance);
    }
    this.current = visible;
    this.balancer.retain(visible);
    this.emit('change', visible);
    this.scheduleCacheWrite();
  }

  /** The cluster just spoke: the set is current. */
  private heard(): void {
    this.currentAtMs = this.host.runtime.nowMs();
    this.setReady();
    if (this.isStale) {
      this.isStale = false;
      this.emit('fresh');
    }
    if (this.silenceTimer === undefined) this.armSilenceTimer();
  }

  /** Fires staleAfterMs after the last word from the cluster (re-armed lazily, not per event). */
  private armSilenceTimer(): void {
    const staleAfterMs = this.options.staleAfterMs ?? STALE_AFTER_MS;
    const silentMs = this.host.runtime.nowMs() - (this.currentAtMs ?? 0);
    this.silenceTimer = this.host.runtime.setTimer(() => {
      this.silenceTimer = undefined;
      if (this.host.runtime.nowMs() - (this.currentAtMs ?? 0) < staleAfterMs) {
        this.armSilenceTimer();
      } else {
        this.becomeStale();
      }
    }, Math.max(0, staleAfterMs - silentMs));
  }

  private becomeStale(): void {
    if (this.isStale) return;
    this.isStale = true;
    this.emit('stale');
  }

  private fail(error: Error): void {
    this.becomeStale();
    // An 'error' with no listener would throw in the caller's process: only tell listeners.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private setReady(): void {
    if (this.hasSet) return;
    this.hasSet = true;
    this.markReady();
  }

  private async loadCache(path: string): Promise<void> {
    const cached = await loadCachedView(path, this.namespace, this.service);
    // The cluster answered first: its set is newer than any file.
    if (cached === undefined || this.closed || this.currentAtMs !== undefined) return;
    this.currentAtMs = cached.currentAtMs;
    this.currentRevision = cached.revision;
    this.replaceAll(cached.instances);
    this.setReady();
  }

  private scheduleCacheWrite(): void {
    const path = this.options.cacheFile;
    if (path === undefined || this.cacheTimer !== undefined) return;
    this.cacheTimer = this.host.runtime.setTimer(() => {
      this.cacheTimer = undefined;
      if (this.closed) return;
      void saveCachedView(path, {
        namespace: this.namespace, service: this.service, revision: this.currentRevision,
        currentAtMs: this.currentAtMs ?? this.host.runtime.nowMs(),
        instances: [...this.known.values()],
      }).catch(() => {});
    }, CACHE_WRITE_DELAY_MS);
  }
}
