import { describe, expect, it } from 'vitest';
import type { StoredInstance } from '../../src/registry/model.js';
import {
  decodeSnapshot, encodeSnapshot, sourceOf, type RegistryState,
} from '../../src/registry/snapshot.js';
import { storedInstance } from '../../src/registry/stored-instance.js';

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

/** An instance as one array of all its fields, without profiles. */
function tuple(i: StoredInstance): unknown[] {
  return [i.namespace, i.service, i.id, i.address, i.port, i.ports, i.protocol, i.version,
    i.environment, i.region, i.zone, i.tags, i.metadata, i.weight, i.priority, i.capacity,
    i.leaseId, i.status, i.health, i.load, i.createRevision, i.modRevision];
}

describe('registry snapshots', () => {
  it('round-trip every field', () => {
    expect(decodeSnapshot(encodeSnapshot(sourceOf(state)))).toEqual(state);
  });

  it('round-trip many lines of leases and instances (1,024 to a line)', () => {
    const many: RegistryState = {
      ...state,
      leases: Array.from({ length: 2_100 }, (_, i) => [i + 1, 5000, 4000 - i] as const),
      instances: Array.from({ length: 2_500 },
        (_, i) => ({ ...instance, id: `a-${i}`, leaseId: (i % 2_100) + 1 })),
    };
    const data = encodeSnapshot(sourceOf(many));
    expect(data[0]).toBe(4);
    // A header, three lease lines, one profile line and three instance lines.
    expect(data.filter((byte) => byte === 10)).toHaveLength(7);
    const decoded = decodeSnapshot(data);
    expect(decoded).toEqual(many);
    // The instances of one profile share its lists and maps.
    expect(decoded.instances[1]?.tags).toBe(decoded.instances[0]?.tags);
    expect(decoded.instances[1]?.metadata).toBe(decoded.instances[0]?.metadata);
    // Built in storedInstance's field order: one hidden class for restored and applied ones.
    expect(Object.keys(decoded.instances[0] as StoredInstance)).toEqual(Object.keys(
      storedInstance(instance, instance)));
    const empty: RegistryState = { revision: 0, members: [], leases: [], instances: [] };
    expect(decodeSnapshot(encodeSnapshot(sourceOf(empty)))).toEqual(empty);
  });

  it('give the same bytes whatever the size hint, multi-byte text included', () => {
    const wide: RegistryState = {
      ...state,
      instances: Array.from({ length: 3_000 }, (_, i) => ({
        ...instance, id: `a-${i}`,
        metadata: { note: `zone \u00e9t\u00e9 \u6771\u4eac ${i % 7} \u{1f680}` },
      })),
    };
    const unhinted = encodeSnapshot(sourceOf(wide));
    for (const hint of [1, unhinted.byteLength, unhinted.byteLength * 3]) {
      expect(encodeSnapshot(sourceOf(wide), hint)).toEqual(unhinted);
    }
    expect(decodeSnapshot(unhinted)).toEqual(wide);
  });

  it('write each profile once: a fraction of whole-instance arrays for replicas of one service',
    () => {
      const replicas: RegistryState = {
        ...state,
        instances: Array.from({ length: 1_000 }, (_, i) => ({ ...instance, id: `a-${i}` })),
      };
      const arrays = JSON.stringify(replicas.instances.map(tuple)).length;
      expect(encodeSnapshot(sourceOf(replicas)).byteLength).toBeLessThan(arrays * 0.6);
    });

  it('write instances as field arrays, well under the size of objects', () => {
    const objects = JSON.stringify(state).length;
    expect(encodeSnapshot(sourceOf(state)).byteLength).toBeLessThan(objects * 0.75);
  });

  it('refuses an unknown format or a malformed instance', () => {
    const data = encodeSnapshot(sourceOf(state));
    data[0] = 5;
    expect(() => decodeSnapshot(data)).toThrow(/unknown snapshot format 5/);
    const orphan = new TextEncoder().encode(
      `${JSON.stringify({ revision: 1, members: [], leaseLines: 0, profileLines: 0 })}\n` +
      '[[0,"a","10.0.0.1",80,0,"serving","passing",{},2,2]]');
    const noProfile = new Uint8Array(orphan.byteLength + 1);
    noProfile[0] = 4;
    noProfile.set(orphan, 1);
    expect(() => decodeSnapshot(noProfile)).toThrow(/missing profile 0/);
    const lines = new TextEncoder().encode(
      `${JSON.stringify({ revision: 1, members: [], leaseLines: 0, profileLines: 0 })}\n[["x"]]`);
    const badLine = new Uint8Array(lines.byteLength + 1);
    badLine[0] = 4;
    badLine.set(lines, 1);
    expect(() => decodeSnapshot(badLine)).toThrow(/malformed/);
    for (const older of [1, 2, 3]) {
      data[0] = older;
      expect(() => decodeSnapshot(data)).toThrow(/this version reads format 4/);
    }
  });
});
