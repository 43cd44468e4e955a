import { describe, expect, it } from 'vitest';
import {
  INITIAL_REVISION, Registry, decodeCommand, encodeCommand, validateInstance,
  type Command, type CommandResult,
} from '../../src/registry/index.js';

function setup() {
  const registry = new Registry();
  let index = 0;
  const apply = (command: Command): CommandResult => {
    index += 1;
    return registry.apply({ index, data: encodeCommand(command) })[0]!.result;
  };
  const spec = (id: string) =>
    validateInstance({ service: 'web', id, address: '10.0.0.1', port: 80 });
  return { registry, apply, spec };
}

describe('lease ids carried in the command (drawn by the proposer)', () => {
  it('a granted lease takes the id the command carries, on every replica alike', () => {
    const replicas = [setup(), setup()];
    const command: Command = {
      op: 'register', instance: replicas[0]!.spec('a'),
      lease: { ttlMs: 3000, grantId: 7_654_321_987_654 },
    };
    const bytes = encodeCommand(command);
    expect(decodeCommand(bytes)).toEqual(command);
    for (const { registry } of replicas) {
      const { result } = registry.apply({ index: 1, data: bytes })[0]!;
      expect(result).toMatchObject({ ok: true, instance: { leaseId: 7_654_321_987_654 } });
      expect(registry.lease(7_654_321_987_654)).toMatchObject({ ttlMs: 3000 });
    }
  });

  it('an id a live lease holds is refused as a conflict, changing nothing', () => {
    const { registry, apply, spec } = setup();
    apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000, grantId: 42 } });
    const revision = registry.revision;
    const lease = { ttlMs: 3000, grantId: 42 };
    const again = apply({ op: 'register', instance: spec('b'), lease });
    expect(again).toMatchObject({ ok: false, failure: { code: 'conflict' } });
    expect(registry.revision).toBe(revision);
    expect(registry.get({ namespace: 'default', service: 'web', id: 'b' })).toBeUndefined();
  });

  it('a command without an id takes the revision, or the next id free after it', () => {
    const { apply, spec } = setup();
    const taken = INITIAL_REVISION + 2;
    apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000, grantId: taken } });
    const result = apply({ op: 'register', instance: spec('b'), lease: { ttlMs: 3000 } });
    expect(result).toMatchObject({ ok: true, instance: { leaseId: taken + 1 } });
  });
});

describe('the state weight the quota counts', () => {
  it('grows with instances and leases, shrinks back when they go, and survives a snapshot', () => {
    const { registry, apply, spec } = setup();
    expect(registry.stateBytes).toBe(0);
    apply({ op: 'register', instance: spec('a'), lease: { ttlMs: 3000, grantId: 9 } });
    const one = registry.stateBytes;
    expect(one).toBeGreaterThan(0);
    apply({ op: 'register', instance: spec('b') });
    expect(registry.stateBytes).toBeGreaterThan(one);
    const copy = new Registry();
    copy.restore(registry.snapshot());
    expect(copy.stateBytes).toBe(registry.stateBytes);
    apply({ op: 'deregister', key: { namespace: 'default', service: 'web', id: 'b' } });
    expect(registry.stateBytes).toBe(one);
    apply({ op: 'deregisterLease', leaseId: 9 });
    expect(registry.stateBytes).toBe(0);
  });

  it('an update replaces the weight of what it replaces', () => {
    const { registry, apply } = setup();
    const small = validateInstance({ service: 'web', id: 'a', address: '10.0.0.1', port: 80 });
    const large = validateInstance({
      service: 'web', id: 'a', address: '10.0.0.1', port: 80, metadata: { k: 'v'.repeat(1000) },
    });
    apply({ op: 'register', instance: large });
    const heavy = registry.stateBytes;
    apply({ op: 'register', instance: small });
    expect(registry.stateBytes).toBeLessThan(heavy - 1000 + 1);
  });
});

describe('a snapshot read as it is written', () => {
  it('its pieces, concatenated, are the snapshot', () => {
    const { registry, apply } = setup();
    for (let i = 0; i < 3000; i++) {
      apply({
        op: 'register',
        instance: validateInstance({
          service: `s${i % 7}`, id: `i${i}`, address: '10.0.0.1', port: 80 + (i % 50),
          metadata: { n: String(i) },
        }),
        lease: { ttlMs: 3000, grantId: 1000 + i },
      });
    }
    const whole = registry.snapshot();
    const stream = registry.snapshotStream();
    const pieces: Uint8Array[] = [];
    for (let step = 0; step < 1000; step++) {
      const done = stream.step(256);
      pieces.push(stream.take());
      if (done) break;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(Buffer.concat(pieces).equals(Buffer.from(whole))).toBe(true);
    expect(stream.revision).toBe(registry.revision);
  });
});
