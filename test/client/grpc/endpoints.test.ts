import { describe, expect, it } from 'vitest';
import {
  attributesOf, effectiveWeight, toEndpoints,
} from '../../../src/client/grpc/endpoints.js';
import { instance, weighted } from './fake-view.js';

describe('toEndpoints', () => {
  it('dials each instance with its attributes, 100 standing for an unset weight', () => {
    const { endpoints } = toEndpoints([
      weighted(0, { id: 'a', address: '10.0.0.1', port: 80, zone: 'z', priority: 2 }),
      instance({ id: 'b', address: '10.0.0.2', port: 81 }),
    ]);
    expect(endpoints).toEqual([
      { addresses: [{ host: '10.0.0.1', port: 80 }],
        roster: { id: 'a', weight: 0, zone: 'z', priority: 2 } },
      { addresses: [{ host: '10.0.0.2', port: 81 }],
        roster: { id: 'b', weight: 100, zone: '', priority: 0 } },
    ]);
  });

  it('leaves out draining and critical instances, and counts them', () => {
    const list = toEndpoints([
      instance({ id: 'a', port: 1, status: 'DRAINING' }),
      instance({ id: 'b', port: 2, health: 'CRITICAL' }),
      instance({ id: 'c', port: 3, health: 'WARNING' }),
    ]);
    expect(list.endpoints.map((e) => e.roster.id)).toEqual(['c']);
    expect(list.unavailable).toBe(2);
  });

  it('dials a named port, leaving out instances without it', () => {
    const list = toEndpoints([
      instance({ id: 'a', port: 80, ports: { grpc: 9090 } }),
      instance({ id: 'b', port: 80 }),
    ], 'grpc');
    expect(list.endpoints.map((e) => e.addresses)).toEqual([[{ host: '127.0.0.1', port: 9090 }]]);
    expect(list.unaddressable).toBe(1);
  });

  it('makes one endpoint of two instances at one address, the first speaking', () => {
    const list = toEndpoints([
      instance({ id: 'a', port: 80 }), instance({ id: 'b', port: 80 }),
      instance({ id: 'c', address: '', port: 80 }),
    ]);
    expect(list.endpoints.map((e) => e.roster.id)).toEqual(['a']);
    expect(list.unaddressable).toBe(1);
  });
});

describe('attributesOf', () => {
  it('reads the attributes back, and nothing from another resolver\'s endpoints', () => {
    const [endpoint] = toEndpoints([instance({ id: 'a', port: 1 })]).endpoints;
    expect(endpoint === undefined ? undefined : attributesOf(endpoint))
      .toEqual({ id: 'a', weight: 100, zone: '', priority: 0 });
    expect(attributesOf({ addresses: [] })).toBeUndefined();
    const odd: { addresses: never[]; roster: unknown } = { addresses: [], roster: { id: 1 } };
    expect(attributesOf(odd)).toBeUndefined();
  });

  it('weighs an instance by its own weight when it has one', () => {
    expect(effectiveWeight(weighted(7, { id: 'a' }))).toBe(7);
    expect(effectiveWeight(instance({ id: 'a', weight: 7 }))).toBe(100);
  });
});
