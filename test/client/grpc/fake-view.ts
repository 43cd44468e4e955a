import { EventEmitter } from 'node:events';
import type {
  DiscoverFilters, DiscoveredInstance, PickPolicy,
} from '../../../src/client/discovered.js';
import type { ServiceView, ServiceViewEvents } from '../../../src/client/service-view.js';
import type { DiscoverySource } from '../../../src/client/grpc/resolver.js';

/** A discovered instance, every field present as the SDK decodes it. */
export function instance(patch: Partial<DiscoveredInstance> & { id: string }): DiscoveredInstance {
  return {
    namespace: '', service: 'greeter', address: '127.0.0.1', port: 0, ports: {},
    protocol: '', version: '', environment: '', region: '', zone: '', tags: [], metadata: {},
    weight: 0, priority: 0, capacity: 0, health_check: null, lease_id: 0, status: 'SERVING',
    health: 'PASSING', create_revision: 0, mod_revision: 0, load: {},
    ...patch,
  };
}

/** An instance with a weight of its own (as the proto's optional field decodes). */
export function weighted(weight: number,
  patch: Partial<DiscoveredInstance> & { id: string }): DiscoveredInstance {
  return instance({ ...patch, weight, _weight: 'weight' });
}

/** A ServiceView driven by hand: each call below is what the real one does on its own. */
export class FakeServiceView extends EventEmitter<ServiceViewEvents> implements ServiceView {
  revision = 0;
  stale = false;
  ageMs = 0;
  closed = false;
  private current: readonly DiscoveredInstance[] = [];
  private resolveReady: () => void = () => {};
  private readonly whenReady = new Promise<void>((resolve) => { this.resolveReady = resolve; });

  constructor(readonly service: string, readonly filters: DiscoverFilters | undefined) {
    super();
  }

  instances(): readonly DiscoveredInstance[] {
    return this.current;
  }

  ready(): Promise<void> {
    return this.whenReady;
  }

  pick(_policy: PickPolicy, _key?: string): DiscoveredInstance | undefined {
    return this.current[0];
  }

  close(): void {
    this.closed = true;
  }

  /** A new set from the cluster: the first makes the view ready, each is a 'change'. */
  set(instances: readonly DiscoveredInstance[]): void {
    this.current = Object.freeze([...instances]);
    this.revision += 1;
    this.resolveReady();
    this.emit('change', this.current);
  }

  goStale(): void {
    this.stale = true;
    this.emit('stale');
  }

  goFresh(): void {
    this.stale = false;
    this.emit('fresh');
  }

  fail(error: Error): void {
    this.emit('error', error);
  }
}

/** A RosterClient's discover(), recording every view it opens. */
export class FakeDiscovery implements DiscoverySource {
  readonly views: FakeServiceView[] = [];
  /** What a new view starts with (ready at once); undefined: not ready until set(). */
  initial: readonly DiscoveredInstance[] | undefined;

  constructor(initial?: readonly DiscoveredInstance[]) {
    this.initial = initial;
  }

  discover(service: string, filters?: DiscoverFilters): FakeServiceView {
    const view = new FakeServiceView(service, filters);
    if (this.initial !== undefined) view.set(this.initial);
    this.views.push(view);
    return view;
  }

  /** The one view still open; tests drive it. */
  get view(): FakeServiceView {
    const open = this.views.filter((view) => !view.closed);
    const [view] = open;
    if (open.length !== 1 || view === undefined) {
      throw new Error(`expected one open view, found ${open.length}`);
    }
    return view;
  }
}
