import { describe, expect, it } from 'vitest';
import type { StoredInstance } from '../../src/registry/model.js';
import { decodeSnapshot, encodeSnapshot, type RegistryState } from '../../src/registry/snapshot.js';

const instance: StoredInstance = {
  namespace: 'default', service: 'api', id: 'a-1', address: '10.0.0.1', port: 80,
  ports: { http: 80 }, protocol: 'http', version: '1.2.3', environment: 'prod', region: 'eu',
  zone: 'eu-1a', tags: ['blue'], metadata: { team: 'x' }, weight: 100, priority: 1,
  capacity: 10, leaseId: 7, status: 'draining', health: 'warning', load: { cpu: 0.5 },
  createRevision: 3, modRevision: 4,
};
const state: RegistryState = {
  revision: 9,
  members: [{ id: 1, name: 'n1', peerAddress: 'p:1', clientAddress: 'c:1' }],
  leases: [[7, 5000, 4000]],
  instances: [instance, { ...instance, id: 'a-2', leaseId: 0, tags: [], load: {} }],
};

describe('registry snapshots', () => {
  it('round-trip every field', () => {
    expect(decodeSnapshot(encodeSnapshot(state))).toEqual(state);
  });

  it('write instances as field arrays, well under the size of objects', () => {
    const objects = JSON.stringify(state).length;
    expect(encodeSnapshot(state).byteLength).toBeLessThan(objects * 0.75);
  });

  it('still read format 1 (instances as objects, load figures optional)', () => {
    const { load: _load, ...withoutLoad } = instance;
    const legacy = { ...state, instances: [withoutLoad] };
    const bytes = new TextEncoder().encode(JSON.stringify(legacy));
    const data = new Uint8Array(bytes.byteLength + 1);
    data[0] = 1;
    data.set(bytes, 1);
    expect(decodeSnapshot(data).instances).toEqual([{ ...instance, load: {} }]);
  });

  it('refuses an unknown format or a malformed instance', () => {
    const data = encodeSnapshot(state);
    data[0] = 3;
    expect(() => decodeSnapshot(data)).toThrow(/unknown snapshot format 3/);
    const bad = new TextEncoder().encode(JSON.stringify({ ...state, instances: [['x']] }));
    const malformed = new Uint8Array(bad.byteLength + 1);
    malformed[0] = 2;
    malformed.set(bad, 1);
    expect(() => decodeSnapshot(malformed)).toThrow(/malformed/);
  });
});
