import { describe, expect, it } from 'vitest';
import {
  INITIAL_REVISION, Registry, encodeCommand, validateInstance,
  type Command, type CommandResult, type LeaseChange, type RegistryEvent,
} from '../../src/registry/index.js';

/** The revision after `changes` changes to an empty registry. */
const rev = (changes: number): number => INITIAL_REVISION + changes;

function setup() {
  const registry = new Registry();
  const events: RegistryEvent[][] = [];
  const leaseChanges: LeaseChange[] = [];
  let index = 0;
  const apply = (command: Command): CommandResult => {
    index += 1;
    const applied = registry.apply({ index, data: encodeCommand(command) })[0]!;
    if (applied.events.length > 0) events.push([...applied.events]);
    leaseChanges.push(...applied.leaseChanges);
    return applied.result;
  };
  const spec = (id: string, service = 'web') =>
    validateInstance({ service, id, address: '10.0.0.1', port: 80 });
  return { registry, events, leaseChanges, apply, spec };
}

function leaseOf(result: CommandResult): number {
  if (result.op !== 'register' || !result.ok) {
    throw new Error(`not a registration: ${JSON.stringify(result)}`);
  }
  return result.instance.leaseId;
}

describe('leases in the registry', () => {
  it('register with a TTL grants a lease whose id is the revision, and tells the lessor', () => {
    const { registry, apply, spec, leaseChanges } = setup();
    const result = apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } });
    expect(leaseOf(result)).toBe(rev(1));
    expect(registry.lease(rev(1))).toEqual({ id: rev(1), ttlMs: 3000, remainingMs: 3000 });
    expect(leaseChanges).toEqual([{ type: 'granted', id: rev(1), ttlMs: 3000 }]);
  });

  it('several instances share one lease by id; an unknown lease is not found', () => {
    const { registry, apply, spec } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    expect(leaseOf(apply({ op: 'register', instance: spec('b'), lease: { id: lease } })))
      .toBe(lease);
    expect(registry.leaseInstances(lease).map((one) => one.id)).toEqual(['a', 'b']);
    const missing = apply({ op: 'register', instance: spec('c'), lease: { id: 999 } });
    expect(missing).toMatchObject({ ok: false, failure: { code: 'not_found' } });
    expect(registry.get({ namespace: 'default', service: 'web', id: 'c' })).toBeUndefined();
  });

  it('revoke removes every instance of the leases at one revision, reason expired', () => {
    const { registry, apply, spec, events, leaseChanges } = setup();
    const one = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    apply({ op: 'register', instance: spec('b', 'api'), lease: { id: one } });
    const two = leaseOf(apply({ op: 'register', instance: spec('c'), lease: { ttlMs: 3000 } }));
    apply({ op: 'register', instance: spec('keep') });
    events.length = 0;
    const result = apply({ op: 'revoke', leaseIds: [one, two, 12345] });
    expect(result).toEqual({ op: 'revoke', ok: true, revision: rev(5), count: 3 });
    expect(events).toHaveLength(1);
    expect(events[0]?.map((event) => [event.type, event.reason, event.revision, event.instance.id]))
      .toEqual([
        ['DELETE', 'expired', rev(5), 'b'], ['DELETE', 'expired', rev(5), 'a'],
        ['DELETE', 'expired', rev(5), 'c'],
      ]);
    expect(registry.size).toBe(1);
    expect(registry.leases()).toEqual([]);
    expect(leaseChanges.filter((change) => change.type === 'removed').map((change) => change.id))
      .toEqual([one, two]);
  });

  it('a lease follows its instances through updates, moves and restores', () => {
    const { registry, apply, spec, events } = setup();
    const one = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    apply({ op: 'register', instance: spec('b'), lease: { id: one } });
    apply({ op: 'setStatus', leaseIds: [one], status: 'draining' });
    // b moves to a lease of its own; a's new version stays on the first.
    const two = leaseOf(apply({ op: 'register', instance: spec('b'), lease: { ttlMs: 3000 } }));
    expect(registry.leaseInstances(one).map((instance) => [instance.id, instance.status]))
      .toEqual([['a', 'draining']]);
    expect(registry.leaseInstances(two).map((one) => one.id)).toEqual(['b']);
    const restored = new Registry();
    restored.restore(registry.snapshot());
    for (const target of [registry, restored]) {
      events.length = 0;
      expect(target.applyCommand({ op: 'revoke', leaseIds: [one] }).result)
        .toMatchObject({ count: 1 });
      expect(target.lookup({ namespace: 'default', service: 'web', tags: [], version: '',
        zone: '', region: '', environment: '', includeUnhealthy: true }).map((i) => i.id))
        .toEqual(['b']);
      expect(target.leaseInstances(two).map((instance) => instance.modRevision))
        .toEqual([rev(4)]);
    }
  });

  it('revoking leases that are gone changes nothing (a duplicate revoke after failover)', () => {
    const { registry, apply, events } = setup();
    expect(apply({ op: 'revoke', leaseIds: [7] }))
      .toEqual({ op: 'revoke', ok: true, revision: rev(0), count: 0 });
    expect(registry.revision).toBe(rev(0));
    expect(events).toEqual([]);
  });

  it('deregister by lease removes its instances, reason deregistered; ' +
    'unknown lease is not found', () => {
    const { registry, apply, spec, events } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    events.length = 0;
    expect(apply({ op: 'deregisterLease', leaseId: lease })).toMatchObject({ ok: true, count: 1 });
    expect(events[0]?.[0]).toMatchObject({ type: 'DELETE', reason: 'deregistered' });
    expect(registry.lease(lease)).toBeUndefined();
    expect(apply({ op: 'deregisterLease', leaseId: lease }))
      .toMatchObject({ ok: false, failure: { code: 'not_found' } });
  });

  it('deregistering one instance keeps the lease and its other instances', () => {
    const { registry, apply, spec } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    apply({ op: 'register', instance: spec('b'), lease: { id: lease } });
    apply({ op: 'deregister', key: { namespace: 'default', service: 'web', id: 'a' } });
    expect(registry.leaseInstances(lease).map((one) => one.id)).toEqual(['b']);
  });

  it('re-registering with a new TTL moves the instance to the new lease', () => {
    const { registry, apply, spec } = setup();
    const first = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    const second = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    expect(second).not.toBe(first);
    expect(registry.leaseInstances(first)).toEqual([]);
    expect(registry.leaseInstances(second).map((one) => one.id)).toEqual(['a']);
    // Revoking the old lease no longer touches the instance.
    apply({ op: 'revoke', leaseIds: [first] });
    expect(registry.size).toBe(1);
  });

  it('checkpoint records remaining TTLs without a revision or event', () => {
    const { registry, apply, spec, events } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    events.length = 0;
    apply({ op: 'checkpoint', leases: [[lease, 1200], [999, 5]] });
    expect(registry.lease(lease)?.remainingMs).toBe(1200);
    expect(registry.revision).toBe(rev(1));
    expect(events).toEqual([]);
  });

  it('status and load from heartbeats update instances once, with PUT updated events', () => {
    const { registry, apply, spec, events } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    events.length = 0;
    expect(apply({ op: 'setStatus', leaseIds: [lease], status: 'draining' }))
      .toMatchObject({ count: 1 });
    expect(registry.lookup({ namespace: 'default', service: 'web', tags: [], version: '', zone: '',
      region: '', environment: '', includeUnhealthy: false })).toEqual([]);
    expect(apply({ op: 'setStatus', leaseIds: [lease], status: 'draining' }))
      .toMatchObject({ count: 0 });
    expect(apply({ op: 'setLoad', updates: [[lease, { cpu: 0.5 }]] })).toMatchObject({ count: 1 });
    expect(registry.get({ namespace: 'default', service: 'web', id: 'a' })?.load)
      .toEqual({ cpu: 0.5 });
    expect(events.map((batch) => batch[0]?.reason)).toEqual(['updated', 'updated']);
  });

  it('snapshot and restore keep leases, their instances and checkpoints', () => {
    const { registry, apply, spec } = setup();
    const lease = leaseOf(apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } }));
    apply({ op: 'register', instance: spec('b'), lease: { id: lease } });
    apply({ op: 'checkpoint', leases: [[lease, 700]] });
    const copy = new Registry();
    copy.restore(registry.snapshot());
    expect(copy.leases()).toEqual([{ id: lease, ttlMs: 3000, remainingMs: 700 }]);
    expect(copy.leaseInstances(lease).map((one) => one.id)).toEqual(['a', 'b']);
    expect(copy.snapshot()).toEqual(registry.snapshot());
  });

  it('refuses a lease beyond leasesMax and changes nothing', () => {
    const registry = new Registry({ limits: { leasesMax: 1 } });
    const apply = (command: Command) =>
      registry.apply({ index: 1, data: encodeCommand(command) })[0]!.result;
    const spec = (id: string) =>
      validateInstance({ service: 'web', id, address: '10.0.0.1', port: 80 });
    apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000 } });
    expect(apply({ op: 'register', instance: spec('b'), lease: { ttlMs: 3000 } }))
      .toMatchObject({ ok: false, failure: { code: 'limit' } });
    expect(registry.size).toBe(1);
  });
});
