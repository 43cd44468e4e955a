import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../../src/registry/model.js';
import { storedInstance, withChanges } from '../../src/registry/stored-instance.js';

const spec: InstanceSpec = {
  namespace: 'default', service: 'api', id: 'a-1', address: '10.0.0.1', port: 80,
  ports: { http: 80 }, protocol: 'http', version: '1.2.3', environment: 'prod',
  region: 'eu', zone: 'eu-1a', tags: ['blue'], metadata: { team: 'x' },
  weight: 100, priority: 0, capacity: 10,
};
const state = {
  leaseId: 7, status: 'serving', health: 'passing', load: {}, createRevision: 3, modRevision: 4,
} as const;

describe('storedInstance', () => {
  it('keeps every field of the spec and the state, and nothing else', () => {
    const extra = { ...spec, stray: 'not part of an instance' };
    expect(storedInstance(extra, state)).toEqual({ ...spec, ...state });
  });

  it('shares one frozen object for empty maps and lists', () => {
    const bare = { ...spec, ports: {}, tags: [], metadata: {} };
    const a = storedInstance(bare, state);
    const b = storedInstance({ ...bare, id: 'a-2' }, { ...state, load: {} });
    expect(a.ports).toBe(b.ports);
    expect(a.metadata).toBe(b.ports);
    expect(a.load).toBe(b.load);
    expect(a.tags).toBe(b.tags);
    expect(Object.isFrozen(a.tags)).toBe(true);
    expect(Object.isFrozen(a.metadata)).toBe(true);
  });

  it('keeps non-empty maps and lists as given', () => {
    const instance = storedInstance(spec, { ...state, load: { cpu: 0.5 } });
    expect(instance.ports).toBe(spec.ports);
    expect(instance.tags).toBe(spec.tags);
    expect(instance.load).toEqual({ cpu: 0.5 });
  });
});

describe('withChanges', () => {
  it('changes only the named fields', () => {
    const instance = storedInstance(spec, state);
    const changed = withChanges(instance, { modRevision: 9, status: 'draining' });
    expect(changed).toEqual({ ...instance, modRevision: 9, status: 'draining' });
    expect(instance.modRevision).toBe(4);
  });

  it('can set a lease id to 0 (no lease)', () => {
    expect(withChanges(storedInstance(spec, state), { leaseId: 0 }).leaseId).toBe(0);
  });

  it('borrows a sibling\'s tags, metadata and ports when equal, and only then', () => {
    const first = storedInstance(spec, state);
    const same = storedInstance({ ...spec, id: 'a-2', tags: ['blue'], metadata: { team: 'x' },
      ports: { http: 80 } }, state, first);
    expect(same.tags).toBe(first.tags);
    expect(same.metadata).toBe(first.metadata);
    expect(same.ports).toBe(first.ports);
    const other = storedInstance({ ...spec, id: 'a-3', tags: ['blue', 'canary'],
      metadata: { team: 'y' }, ports: { grpc: 80 } }, state, first);
    expect(other.tags).toEqual(['blue', 'canary']);
    expect(other.metadata).toEqual({ team: 'y' });
    expect(other.ports).toEqual({ grpc: 80 });
    const reordered = storedInstance({ ...spec, metadata: { b: '1', a: '2' } }, state,
      storedInstance({ ...spec, metadata: { a: '2', b: '1' } }, state));
    expect(Object.keys(reordered.metadata)).toEqual(['b', 'a']);
  });
});
