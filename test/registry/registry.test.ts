import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limits } from '../../src/core/limits.js';
import {
  INITIAL_REVISION, Registry, encodeCommand, encodeMemberContext, formatKey,
  validateInstance, validateKey,
  type Command, type CommandResult, type InstanceKey, type LookupQuery, type Member,
  type MemberAddresses, type RawInstance, type RegistryEvent, type StateLimits,
  type StoredInstance,
} from '../../src/registry/index.js';
import { decodeSnapshot, encodeSnapshot, sourceOf } from '../../src/registry/snapshot.js';

// ---- helpers ------------------------------------------------------------------------------

/** The revision after `changes` changes to an empty registry. */
const rev = (changes: number): number => INITIAL_REVISION + changes;

/** A registry that records its events and feeds commands through apply() as log entries. */
class Harness {
  readonly registry: Registry;
  readonly events: RegistryEvent[] = [];
  readonly batches: (readonly RegistryEvent[])[] = [];
  private index = 0;

  constructor(options: { limits?: Partial<StateLimits> } = {}) {
    this.registry = new Registry(options);
  }

  apply(command: Command): CommandResult {
    this.index += 1;
    const applied = this.registry.apply({ index: this.index, data: encodeCommand(command) })[0]!;
    if (applied.events.length > 0) {
      this.batches.push(applied.events);
      this.events.push(...applied.events);
    }
    return applied.result;
  }

  register(raw: Partial<RawInstance> & { id: string }): CommandResult {
    return this.apply(registerCommand(raw));
  }

  deregister(raw: { namespace?: string; service?: string; id: string }): CommandResult {
    return this.apply({ op: 'deregister', key: validateKey({ service: 'web', ...raw }) });
  }
}

function registerCommand(raw: Partial<RawInstance> & { id: string }): Command {
  const instance = validateInstance({ service: 'web', address: '10.0.0.1', port: 80, ...raw });
  return { op: 'register', instance };
}

type RegisterOk = Extract<CommandResult, { op: 'register'; ok: true }>;
type Failed = Extract<CommandResult, { ok: false }>;

function registered(result: CommandResult): RegisterOk {
  if (result.op !== 'register' || !result.ok) {
    expect.fail(`expected a successful register, got ${JSON.stringify(result)}`);
  }
  return result;
}

function failed(result: CommandResult): Failed {
  if (result.ok) expect.fail(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

function query(patch: Partial<LookupQuery> = {}): LookupQuery {
  return {
    namespace: 'default', service: 'web', tags: [], version: '', zone: '', region: '',
    environment: '', includeUnhealthy: false, ...patch,
  };
}

const ids = (instances: readonly StoredInstance[]): string[] => instances.map((i) => i.id);

function key(id: string, service = 'web', namespace = 'default'): InstanceKey {
  return { namespace, service, id };
}

/** Everything a client can observe through the public queries. */
function observe(registry: Registry): unknown {
  return {
    revision: registry.revision,
    size: registry.size,
    namespaces: registry.namespaceNames().map((namespace) => ({
      namespace,
      services: registry.listServices(namespace),
      instances: registry.listServices(namespace).map(({ name }) =>
        registry.lookup(query({ namespace, service: name, includeUnhealthy: true }))),
    })),
    members: registry.members(),
  };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// ---- register / deregister ----------------------------------------------------------------

describe('Registry: register', () => {
  it('starts empty at the initial revision', () => {
    const { registry } = new Harness();
    expect(registry.revision).toBe(rev(0));
    expect(registry.size).toBe(0);
    expect(registry.namespaceNames()).toEqual([]);
    expect(registry.members()).toEqual([]);
  });

  it('creates an instance at the next revision with a PUT registered event', () => {
    const h = new Harness();
    const result = registered(h.register({ id: 'a', tags: ['x'] }));
    expect(result.created).toBe(true);
    expect(result.revision).toBe(rev(1));
    expect(result.instance).toMatchObject({
      id: 'a', service: 'web', namespace: 'default', tags: ['x'], leaseId: 0,
      status: 'serving', health: 'passing', createRevision: rev(1), modRevision: rev(1),
    });
    expect(h.registry.revision).toBe(rev(1));
    expect(h.registry.size).toBe(1);
    expect(h.registry.get(key('a'))).toEqual(result.instance);
    expect(h.batches).toEqual([[
      { type: 'PUT', reason: 'registered', revision: rev(1), instance: result.instance },
    ]]);
  });

  it('treats an identical re-registration as a no-op', () => {
    const h = new Harness();
    const first = registered(h.register({ id: 'a', tags: ['y', 'x'], metadata: { k: 'v' } }));
    const before = h.registry.snapshot();
    // Same registration, differently ordered: normalization makes it identical.
    const again = registered(h.register({ id: 'a', tags: ['x', 'y', 'x'], metadata: { k: 'v' } }));
    expect(again.created).toBe(false);
    expect(again.revision).toBe(rev(1));
    expect(again.instance).toEqual(first.instance);
    expect(h.registry.revision).toBe(rev(1));
    expect(h.events).toHaveLength(1);
    expect(hex(h.registry.snapshot())).toBe(hex(before));
  });

  it.each<[string, Partial<RawInstance>]>([
    ['address', { address: '10.0.0.2' }],
    ['port', { port: 81 }],
    ['named ports', { ports: { http: 8080 } }],
    ['protocol', { protocol: 'grpc' }],
    ['version', { version: 'v2' }],
    ['environment', { environment: 'prod' }],
    ['region', { region: 'eu' }],
    ['zone', { zone: 'eu-1a' }],
    ['tags', { tags: ['x', 'z'] }],
    ['metadata', { metadata: { k: 'w' } }],
    ['weight', { weight: 5 }],
    ['priority', { priority: 1 }],
    ['capacity', { capacity: 10 }],
  ])('updates an instance whose %s changed', (_field, change) => {
    const h = new Harness();
    registered(h.register({ id: 'a', tags: ['x'], metadata: { k: 'v' } }));
    registered(h.register({ id: 'other' })); // rev(2)
    const result = registered(h.register({ id: 'a', tags: ['x'], metadata: { k: 'v' },
      ...change }));
    expect(result.created).toBe(false);
    expect(result.revision).toBe(rev(3));
    expect(result.instance.createRevision).toBe(rev(1));
    expect(result.instance.modRevision).toBe(rev(3));
    expect(result.instance).toMatchObject(change);
    expect(h.registry.revision).toBe(rev(3));
    expect(h.registry.size).toBe(2);
    expect(h.registry.get(key('a'))).toEqual(result.instance);
    expect(h.events.at(-1)).toEqual(
      { type: 'PUT', reason: 'updated', revision: rev(3), instance: result.instance });
    expect(h.events).toHaveLength(3);
  });

  it('emits one batch per command', () => {
    const h = new Harness();
    h.register({ id: 'a' });
    h.register({ id: 'b' });
    h.deregister({ id: 'a' });
    expect(h.batches.map((batch) => batch.length)).toEqual([1, 1, 1]);
    expect(h.events.map((event) => event.revision)).toEqual([rev(1), rev(2), rev(3)]);
  });
});

describe('Registry: deregister', () => {
  it('removes an instance with a DELETE deregistered event', () => {
    const h = new Harness();
    const created = registered(h.register({ id: 'a' }));
    registered(h.register({ id: 'b' }));
    const result = h.deregister({ id: 'a' });
    expect(result).toEqual({ op: 'deregister', ok: true, revision: rev(3), count: 1 });
    expect(h.registry.revision).toBe(rev(3));
    expect(h.registry.size).toBe(1);
    expect(h.registry.get(key('a'))).toBeUndefined();
    expect(ids(h.registry.lookup(query()))).toEqual(['b']);
    expect(h.events.at(-1)).toEqual({
      type: 'DELETE', reason: 'deregistered', revision: rev(3),
      instance: { ...created.instance, modRevision: rev(3) },
    });
  });

  it('fails with not_found for a missing instance and changes nothing', () => {
    const h = new Harness();
    registered(h.register({ id: 'a' }));
    const before = h.registry.snapshot();
    for (const missing of [{ id: 'b' }, { id: 'a', service: 'db' }, { id: 'a', namespace: 'x' }]) {
      const failure = failed(h.deregister(missing)).failure;
      expect(failure.code).toBe('not_found');
      expect(failure.detail).toContain(formatKey(validateKey({ service: 'web', ...missing })));
    }
    expect(h.registry.revision).toBe(rev(1));
    expect(h.events).toHaveLength(1);
    expect(hex(h.registry.snapshot())).toBe(hex(before));
  });

  it('fails with not_found after the instance was already deregistered', () => {
    const h = new Harness();
    h.register({ id: 'a' });
    h.deregister({ id: 'a' });
    expect(failed(h.deregister({ id: 'a' })).failure.code).toBe('not_found');
    expect(h.registry.revision).toBe(rev(2));
  });

  it('re-creates a deregistered instance with a new createRevision', () => {
    const h = new Harness();
    h.register({ id: 'a' });
    h.deregister({ id: 'a' });
    const again = registered(h.register({ id: 'a' }));
    expect(again.created).toBe(true);
    expect(again.instance.createRevision).toBe(rev(3));
    expect(h.events.at(-1)?.reason).toBe('registered');
  });
});

// ---- queries ------------------------------------------------------------------------------

describe('Registry: lookup', () => {
  function populated(): Harness {
    const h = new Harness();
    h.register({ id: 'c', tags: ['blue', 'canary'], version: 'v2', zone: 'z1', region: 'r1',
      environment: 'prod' });
    h.register({ id: 'a', tags: ['blue'], version: 'v1', zone: 'z1', region: 'r1',
      environment: 'prod' });
    h.register({ id: 'b', tags: ['green', 'canary'], version: 'v1', zone: 'z2', region: 'r2',
      environment: 'staging' });
    h.register({ id: 'd', version: 'v1', zone: 'z2', region: 'r1', environment: 'prod' });
    h.register({ id: 'x', service: 'db' });
    return h;
  }

  it('returns every instance of the service, sorted by id', () => {
    expect(ids(populated().registry.lookup(query()))).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each<[string, Partial<LookupQuery>, string[]]>([
    ['one tag', { tags: ['canary'] }, ['b', 'c']],
    ['all of several tags', { tags: ['blue', 'canary'] }, ['c']],
    ['tags no instance has together', { tags: ['blue', 'green'] }, []],
    ['an unknown tag', { tags: ['red'] }, []],
    ['version', { version: 'v1' }, ['a', 'b', 'd']],
    ['zone', { zone: 'z2' }, ['b', 'd']],
    ['region', { region: 'r1' }, ['a', 'c', 'd']],
    ['environment', { environment: 'staging' }, ['b']],
    ['several filters at once', { version: 'v1', region: 'r1', tags: ['blue'] }, ['a']],
    ['a version nobody has', { version: 'v3' }, []],
  ])('filters by %s', (_name, filters, expected) => {
    const { registry } = populated();
    expect(ids(registry.lookup(query(filters)))).toEqual(expected);
    expect(ids(registry.lookup(query({ ...filters, includeUnhealthy: true })))).toEqual(expected);
  });

  it('returns [] for an unknown service or namespace', () => {
    const { registry } = populated();
    expect(registry.lookup(query({ service: 'nope' }))).toEqual([]);
    expect(registry.lookup(query({ namespace: 'nope' }))).toEqual([]);
    expect(registry.lookup(query({ namespace: 'nope', includeUnhealthy: true }))).toEqual([]);
  });

  it('sorts by code-unit order, not insertion or locale order', () => {
    const h = new Harness();
    for (const id of ['b', 'B', 'a', 'A', '_', '10', '9']) h.register({ id });
    expect(ids(h.registry.lookup(query()))).toEqual(['10', '9', 'A', 'B', '_', 'a', 'b']);
  });

  it('returns healthy instances both with and without includeUnhealthy', () => {
    // Through commands alone every instance is passing and serving.
    const { registry } = populated();
    const all = registry.lookup(query({ includeUnhealthy: true }));
    expect(all.every((i) => i.health === 'passing' && i.status === 'serving')).toBe(true);
    expect(registry.lookup(query())).toEqual(all);
  });

  // No command makes an instance unhealthy yet, so a snapshot with such instances is restored.
  it('leaves out critical and draining instances unless includeUnhealthy', () => {
    const source = populated().registry;
    const state = decodeSnapshot(source.snapshot());
    const health: Record<string, Partial<StoredInstance>> = {
      a: { health: 'critical' }, b: { status: 'draining' }, c: { health: 'warning' },
    };
    const instances = state.instances.map((i) => ({ ...i, ...health[i.id] }));
    const registry = new Registry();
    registry.restore(encodeSnapshot(sourceOf({ ...state, instances })));
    expect(ids(registry.lookup(query()))).toEqual(['c', 'd']);
    expect(ids(registry.lookup(query({ includeUnhealthy: true })))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(registry.lookup(query({ version: 'v1' })))).toEqual(['d']);
    expect(registry.listServices('default')).toEqual([
      { name: 'db', instances: 1, healthy: 1 },
      { name: 'web', instances: 4, healthy: 2 },
    ]);
  });
});

describe('Registry: listServices and namespaces', () => {
  it('counts instances per service, sorted by name', () => {
    const h = new Harness();
    h.register({ id: '1', service: 'zeta' });
    h.register({ id: '1', service: 'alpha' });
    h.register({ id: '2', service: 'alpha' });
    h.register({ id: '1', service: 'mid' });
    h.register({ id: '1', service: 'mid', version: 'v2' }); // an update, not a new instance
    h.register({ id: '1', service: 'other', namespace: 'team-b' });
    expect(h.registry.listServices('default')).toEqual([
      { name: 'alpha', instances: 2, healthy: 2 },
      { name: 'mid', instances: 1, healthy: 1 },
      { name: 'zeta', instances: 1, healthy: 1 },
    ]);
    expect(h.registry.listServices('team-b'))
      .toEqual([{ name: 'other', instances: 1, healthy: 1 }]);
    expect(h.registry.listServices('unknown')).toEqual([]);
    expect(h.registry.size).toBe(5);
  });

  it('drops empty services and namespaces after their last deregister', () => {
    const h = new Harness();
    h.register({ id: '1', service: 'web' });
    h.register({ id: '2', service: 'web' });
    h.register({ id: '1', service: 'db' });
    h.register({ id: '1', service: 'web', namespace: 'zz' });
    h.register({ id: '1', service: 'web', namespace: 'aa' });
    expect(h.registry.namespaceNames()).toEqual(['aa', 'default', 'zz']);

    h.deregister({ id: '1', service: 'web' });
    expect(h.registry.listServices('default').map((s) => s.name)).toEqual(['db', 'web']);
    h.deregister({ id: '2', service: 'web' });
    expect(h.registry.listServices('default')).toEqual([{ name: 'db', instances: 1, healthy: 1 }]);
    expect(h.registry.lookup(query({ includeUnhealthy: true }))).toEqual([]);
    h.deregister({ id: '1', service: 'db' });
    expect(h.registry.listServices('default')).toEqual([]);
    expect(h.registry.namespaceNames()).toEqual(['aa', 'zz']);
    h.deregister({ id: '1', namespace: 'zz' });
    h.deregister({ id: '1', namespace: 'aa' });
    expect(h.registry.namespaceNames()).toEqual([]);
    expect(h.registry.size).toBe(0);
    expect(h.registry.revision).toBe(rev(10));
    // The emptied registry holds the same state as a fresh one, but for the revision.
    const fresh = new Registry();
    fresh.restore(encodeSnapshot(sourceOf({
      revision: rev(10), members: [], leases: [], instances: [],
    })));
    expect(hex(h.registry.snapshot())).toBe(hex(fresh.snapshot()));
  });

  it('isolates namespaces that have the same service and id', () => {
    const h = new Harness();
    h.register({ id: 'a', namespace: 'prod', version: 'v1' });
    h.register({ id: 'a', namespace: 'dev', version: 'v2' });
    h.register({ id: 'b', namespace: 'dev' });
    expect(ids(h.registry.lookup(query({ namespace: 'prod' })))).toEqual(['a']);
    expect(ids(h.registry.lookup(query({ namespace: 'dev' })))).toEqual(['a', 'b']);
    expect(h.registry.get(key('a', 'web', 'prod'))?.version).toBe('v1');
    expect(h.registry.get(key('a', 'web', 'dev'))?.version).toBe('v2');
    expect(h.registry.lookup(query())).toEqual([]);

    h.deregister({ id: 'a', namespace: 'dev' });
    expect(ids(h.registry.lookup(query({ namespace: 'prod' })))).toEqual(['a']);
    expect(ids(h.registry.lookup(query({ namespace: 'dev' })))).toEqual(['b']);
    expect(h.registry.namespaceNames()).toEqual(['dev', 'prod']);
  });
});

// ---- limits -------------------------------------------------------------------------------

describe('Registry: state limits', () => {
  const small = (patch: Partial<StateLimits>): Partial<StateLimits> =>
    ({ instancesMax: 100, servicesMax: 100, namespacesMax: 100, ...patch });

  function expectRefused(h: Harness, raw: Partial<RawInstance> & { id: string }, what: string) {
    const before = { snapshot: hex(h.registry.snapshot()), events: h.events.length };
    const failure = failed(h.register(raw)).failure;
    expect(failure.code).toBe('limit');
    expect(failure.detail).toContain(what);
    expect(hex(h.registry.snapshot())).toBe(before.snapshot);
    expect(h.events).toHaveLength(before.events);
    expect(h.registry.get(validateKey({ service: 'web', ...raw }))).toBeUndefined();
  }

  it('uses the default limits when none are given', () => {
    expect(limits.instancesMax).toBeGreaterThan(3);
    const h = new Harness();
    for (const id of ['a', 'b', 'c', 'd']) registered(h.register({ id, namespace: `n${id}` }));
  });

  it('refuses the (n+1)th instance', () => {
    const h = new Harness({ limits: small({ instancesMax: 3 }) });
    registered(h.register({ id: 'a' }));
    registered(h.register({ id: 'b', service: 'db' }));
    registered(h.register({ id: 'c', namespace: 'other' }));
    expectRefused(h, { id: 'd' }, 'at most 3 instances');
    expectRefused(h, { id: 'd', service: 'db' }, 'at most 3 instances');
    expect(h.registry.size).toBe(3);
    expect(h.registry.revision).toBe(rev(3));
  });

  it('refuses the (n+1)th service, but not more instances of existing ones', () => {
    const h = new Harness({ limits: small({ servicesMax: 2 }) });
    registered(h.register({ id: 'a', service: 'web' }));
    registered(h.register({ id: 'a', service: 'db' }));
    expectRefused(h, { id: 'a', service: 'cache' }, 'at most 2 services');
    // The same service name in another namespace is another service.
    expectRefused(h, { id: 'a', service: 'web', namespace: 'other' }, 'at most 2 services');
    registered(h.register({ id: 'b', service: 'web' }));
    expect(h.registry.listServices('default').map((s) => s.name)).toEqual(['db', 'web']);
  });

  it('refuses the (n+1)th namespace, but not new services in existing ones', () => {
    const h = new Harness({ limits: small({ namespacesMax: 2 }) });
    registered(h.register({ id: 'a', namespace: 'one' }));
    registered(h.register({ id: 'a', namespace: 'two' }));
    expectRefused(h, { id: 'a', namespace: 'three' }, 'at most 2 namespaces');
    expectRefused(h, { id: 'a' }, 'at most 2 namespaces');
    registered(h.register({ id: 'a', service: 'db', namespace: 'one' }));
    expect(h.registry.namespaceNames()).toEqual(['one', 'two']);
  });

  it('still updates and re-registers existing instances at the limit', () => {
    const h = new Harness({ limits: small({ instancesMax: 1, servicesMax: 1, namespacesMax: 1 }) });
    registered(h.register({ id: 'a' }));
    const same = registered(h.register({ id: 'a' }));
    expect(same.created).toBe(false);
    expect(same.revision).toBe(rev(1));
    const updated = registered(h.register({ id: 'a', version: 'v2' }));
    expect(updated.created).toBe(false);
    expect(updated.revision).toBe(rev(2));
    expect(h.registry.get(key('a'))?.version).toBe('v2');
    expect(h.events.map((e) => e.reason)).toEqual(['registered', 'updated']);
  });

  it('makes room again after a deregister', () => {
    const h = new Harness({ limits: small({ instancesMax: 1, servicesMax: 1, namespacesMax: 1 }) });
    registered(h.register({ id: 'a' }));
    expectRefused(h, { id: 'b', service: 'db', namespace: 'other' }, 'at most 1 namespaces');
    h.deregister({ id: 'a' });
    expect(registered(h.register({ id: 'b', service: 'db', namespace: 'other' })).revision)
      .toBe(rev(3));
  });
});

// ---- snapshot / restore -------------------------------------------------------------------

const ADDRESSES: MemberAddresses = {
  name: 'roster-1', peerAddress: '10.1.0.1:7000', clientAddress: '10.1.0.1:8000',
};

function richHarness(): Harness {
  const h = new Harness();
  h.register({ id: 'a', tags: ['t1', 't2'], metadata: { k: 'v', z: 'ü' },
    version: 'v1', zone: 'z', ports: { http: 81 } });
  h.register({ id: 'b', namespace: 'ops', service: 'db', weight: 0, priority: -5 });
  h.register({ id: 'c', service: 'api' });
  h.register({ id: 'a', version: 'v2' }); // an update
  h.register({ id: 'gone' });
  h.deregister({ id: 'gone' });
  h.registry.applyConfChange({
    type: 'addLearner', nodeId: 0x1234_5678, context: encodeMemberContext(ADDRESSES),
  });
  return h;
}

describe('Registry: snapshot and restore', () => {
  it('round-trips into a fresh registry', () => {
    const { registry } = richHarness();
    const copy = new Registry();
    copy.restore(registry.snapshot());
    expect(observe(copy)).toEqual(observe(registry));
    expect(copy.revision).toBe(rev(6));
    expect(copy.size).toBe(3);
    expect(copy.members()).toEqual([{ id: 0x1234_5678, ...ADDRESSES }]);
    expect(copy.namespaceNames()).toEqual(['default', 'ops']);
    expect(copy.listServices('default')).toEqual([
      { name: 'api', instances: 1, healthy: 1 }, { name: 'web', instances: 1, healthy: 1 },
    ]);
    expect(copy.lookup(query({ version: 'v2' }))).toEqual(registry.lookup(query()));
    expect(hex(copy.snapshot())).toBe(hex(registry.snapshot()));
  });

  it('continues identically after a restore', () => {
    const original = richHarness();
    const copy = new Harness();
    copy.registry.restore(original.registry.snapshot());
    const next: Command[] = [
      registerCommand({ id: 'a', version: 'v2' }), // no-op in both
      registerCommand({ id: 'a', version: 'v3' }),
      registerCommand({ id: 'new', namespace: 'ops', service: 'db' }),
      { op: 'deregister', key: key('b', 'db', 'ops') },
      { op: 'deregister', key: key('missing') },
    ];
    const events = original.events.length;
    for (const command of next) expect(copy.apply(command)).toEqual(original.apply(command));
    expect(copy.events).toEqual(original.events.slice(events));
    expect(hex(copy.registry.snapshot())).toBe(hex(original.registry.snapshot()));
    expect(copy.registry.get(key('a'))?.createRevision).toBe(rev(1));
  });

  it('replaces all previous state', () => {
    const target = new Harness();
    target.register({ id: 'old', service: 'old', namespace: 'old' });
    target.registry.setMembers([{ id: 9, name: 'n9', peerAddress: 'p', clientAddress: 'c' }]);
    const source = richHarness().registry;
    target.registry.restore(source.snapshot());
    expect(observe(target.registry)).toEqual(observe(source));
  });

  it('resets to the initial state when restoring empty data', () => {
    const h = richHarness();
    h.registry.restore(new Uint8Array(0));
    expect(observe(h.registry)).toEqual(observe(new Registry()));
    expect(h.registry.revision).toBe(rev(0));
    expect(h.registry.members()).toEqual([]);
    expect(hex(h.registry.snapshot())).toBe(hex(new Registry().snapshot()));
    expect(registered(h.register({ id: 'a' })).revision).toBe(rev(1));
    expect(registered(h.register({ id: 'a' })).created).toBe(false);
  });

  it('counts restored instances against the limits', () => {
    const source = new Harness();
    source.register({ id: 'a' });
    source.register({ id: 'b' });
    const h = new Harness({ limits: { instancesMax: 2, servicesMax: 5, namespacesMax: 5 } });
    h.registry.restore(source.registry.snapshot());
    expect(h.registry.size).toBe(2);
    expect(failed(h.register({ id: 'c' })).failure.code).toBe('limit');
  });
});

// ---- determinism --------------------------------------------------------------------------

const rawArb = fc.record({
  namespace: fc.constantFrom('default', 'ns2'),
  service: fc.constantFrom('web', 'db'),
  id: fc.constantFrom('i1', 'i2', 'i3'),
  version: fc.constantFrom('', 'v1', 'v2'),
  tags: fc.shuffledSubarray(['a', 'b', 'c', 'a']),
  metadata: fc.dictionary(fc.constantFrom('k1', 'k2', 'k3'), fc.constantFrom('x', 'y')),
  weight: fc.integer({ min: 0, max: 2 }),
});
const keyArb = rawArb.map(
  ({ namespace, service, id }): InstanceKey => ({ namespace, service, id }));
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: rawArb.map(registerCommand), weight: 3 },
  { arbitrary: keyArb.map((k): Command => ({ op: 'deregister', key: k })), weight: 1 },
);
const commandsArb = fc.array(commandArb, { maxLength: 80 });
const stateLimitsArb = fc.record({
  instancesMax: fc.integer({ min: 1, max: 12 }),
  servicesMax: fc.integer({ min: 1, max: 4 }),
  namespacesMax: fc.integer({ min: 1, max: 2 }),
});

function run(commands: readonly Command[], options: { limits?: Partial<StateLimits> } = {}) {
  const h = new Harness(options);
  const results = commands.map((command) => h.apply(command));
  return { h, results, snapshot: hex(h.registry.snapshot()) };
}

describe('Registry: determinism', () => {
  it('gives identical snapshots, results and events for the same commands', () => {
    fc.assert(fc.property(commandsArb, fc.option(stateLimitsArb, { nil: undefined }),
      (commands, stateLimits) => {
        const options = stateLimits === undefined ? {} : { limits: stateLimits };
        const one = run(commands, options);
        const two = run(commands, options);
        expect(two.snapshot).toBe(one.snapshot);
        expect(two.results).toEqual(one.results);
        expect(two.h.batches).toEqual(one.h.batches);
      }), { numRuns: 200 });
  });

  it('agrees with a simple model of the commands', () => {
    fc.assert(fc.property(commandsArb, (commands) => {
      const h = new Harness();
      const model = new Map<string, Extract<Command, { op: 'register' }>>();
      let changes = 0;
      for (const command of commands) {
        const result = h.apply(command);
        if (command.op === 'register') {
          const id = formatKey(command.instance);
          const previous = model.get(id);
          const changed = JSON.stringify(previous?.instance) !== JSON.stringify(command.instance);
          if (changed) changes += 1;
          expect(registered(result).created).toBe(previous === undefined);
          model.set(id, command);
        } else if (command.op === 'deregister') {
          const existed = model.delete(formatKey(command.key));
          if (existed) changes += 1;
          expect(result.ok).toBe(existed);
        }
        expect(h.registry.revision).toBe(rev(changes));
      }
      expect(h.registry.size).toBe(model.size);
      expect(h.events).toHaveLength(changes);
      expect(h.events.map((e) => e.revision)).toEqual(h.events.map((_, i) => rev(i + 1)));
      for (const command of model.values()) {
        expect(h.registry.get(command.instance)).toMatchObject(command.instance);
      }
    }), { numRuns: 200 });
  });

  it('reaches the same state when snapshotted and restored midway', () => {
    fc.assert(fc.property(commandsArb, fc.nat(), (commands, cut) => {
      const split = cut % (commands.length + 1);
      const straight = run(commands);
      const first = run(commands.slice(0, split));
      const second = new Harness();
      second.registry.restore(first.h.registry.snapshot());
      const results = commands.slice(split).map((command) => second.apply(command));
      expect(hex(second.registry.snapshot())).toBe(straight.snapshot);
      expect(results).toEqual(straight.results.slice(split));
      expect([...first.h.batches, ...second.batches]).toEqual(straight.h.batches);
      expect(observe(second.registry)).toEqual(observe(straight.h.registry));
    }), { numRuns: 200 });
  });
});

// ---- members ------------------------------------------------------------------------------

describe('Registry: members', () => {
  const id1 = 0x1234_5678;
  const member1: Member = { id: id1, ...ADDRESSES };

  function addLearner(registry: Registry, nodeId: number, addresses: MemberAddresses): void {
    registry.applyConfChange({
      type: 'addLearner', nodeId, context: encodeMemberContext(addresses),
    });
  }

  it('adds a learner with the addresses its context carries', () => {
    const registry = new Registry();
    addLearner(registry, id1, ADDRESSES);
    expect(registry.members()).toEqual([member1]);
    expect(registry.member(id1)).toEqual(member1);
    expect(registry.member(id1 + 1)).toBeUndefined();
  });

  it('keeps a member on promote, and deletes it on remove', () => {
    const registry = new Registry();
    addLearner(registry, id1, ADDRESSES);
    const id2 = 0x2345_6789;
    addLearner(registry, id2, { ...ADDRESSES, name: 'roster-2' });
    registry.applyConfChange({ type: 'promote', nodeId: id1, context: new Uint8Array(0) });
    expect(registry.member(id1)).toEqual(member1);
    expect(registry.members()).toHaveLength(2);
    registry.applyConfChange({ type: 'remove', nodeId: id1, context: new Uint8Array(0) });
    expect(registry.member(id1)).toBeUndefined();
    expect(registry.members().map((m) => m.name)).toEqual(['roster-2']);
    // Removing an unknown member changes nothing.
    registry.applyConfChange({ type: 'remove', nodeId: 12345, context: new Uint8Array(0) });
    expect(registry.members()).toHaveLength(1);
  });

  it('replaces a member re-added with new addresses', () => {
    const registry = new Registry();
    addLearner(registry, id1, ADDRESSES);
    addLearner(registry, id1, { ...ADDRESSES, peerAddress: '10.9.9.9:7000' });
    expect(registry.members()).toEqual([{ ...member1, peerAddress: '10.9.9.9:7000' }]);
  });

  it.each<[string, string]>([
    ['plain text', '10.0.0.7:7000'],
    ['JSON of another shape', '{"name":"x","peerAddress":"p"}'],
    ['JSON null', 'null'],
    ['empty', ''],
  ])('adds nothing for a context that is not ours (%s)', (_name, text) => {
    const registry = new Registry();
    registry.applyConfChange({
      type: 'addLearner', nodeId: 7, context: new TextEncoder().encode(text),
    });
    expect(registry.members()).toEqual([]);
    expect(registry.member(7)).toBeUndefined();
  });

  it('seeds the table with setMembers, sorted by id, replacing what was there', () => {
    const registry = new Registry();
    addLearner(registry, id1, ADDRESSES);
    const members: Member[] = [
      { id: 30, name: 'c', peerAddress: 'p3', clientAddress: 'c3' },
      { id: 10, name: 'a', peerAddress: 'p1', clientAddress: 'c1' },
      { id: 20, name: 'b', peerAddress: 'p2', clientAddress: 'c2' },
    ];
    registry.setMembers(members);
    expect(registry.members().map((m) => m.id)).toEqual([10, 20, 30]);
    expect(registry.member(id1)).toBeUndefined();
    expect(registry.member(20)).toEqual(members[2]);
    const copy = new Registry();
    copy.restore(registry.snapshot());
    expect(copy.members()).toEqual(registry.members());
  });
});
