import { describe, expect, it } from 'vitest';
import { instanceOf, toEndpoints } from '../../../src/client/grpc/endpoints.js';
import { instance, weighted } from './fake-view.js';

describe('toEndpoints', () => {
  it('dials each instance, carrying it on its endpoint', () => {
    const a = weighted(0, { id: 'a', address: '10.0.0.1', port: 80, zone: 'z', priority: 2 });
    const b = instance({ id: 'b', address: '10.0.0.2', port: 81 });
    expect(toEndpoints([a, b]).endpoints).toEqual([
      { addresses: [{ host: '10.0.0.1', port: 80 }], roster: a },
      { addresses: [{ host: '10.0.0.2', port: 81 }], roster: b },
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

describe('instanceOf', () => {
  it('reads the instance back, and nothing from another resolver\'s endpoints', () => {
    const one = instance({ id: 'a', port: 1 });
    const [endpoint] = toEndpoints([one]).endpoints;
    expect(endpoint === undefined ? undefined : instanceOf(endpoint)).toBe(one);
    expect(instanceOf({ addresses: [] })).toBeUndefined();
    const odd: { addresses: never[]; roster: unknown } = { addresses: [], roster: { id: 1 } };
    expect(instanceOf(odd)).toBeUndefined();
  });
});
