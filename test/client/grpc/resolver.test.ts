import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { RosterEndpoint } from '../../../src/client/grpc/endpoints.js';
import { RosterResolver } from '../../../src/client/grpc/resolver.js';
import { FakeDiscovery, weighted } from './fake-view.js';

type ListenerArgs = Parameters<grpc.experimental.ResolverListener>;

/** A resolver for `target` with a listener recording each update (accepting them unless told). */
function resolverFor(target: string, discovery: FakeDiscovery,
  options: grpc.ChannelOptions = {}) {
  const updates: ListenerArgs[] = [];
  const state = { accept: true };
  const resolver = new RosterResolver(parseUri(target), (...args: ListenerArgs) => {
    updates.push(args);
    return state.accept;
  }, options, discovery);
  return { resolver, updates, state };
}

/** grpc-js's URI split (its parser is not exported). */
function parseUri(target: string): grpc.experimental.GrpcUri {
  const [, scheme = '', authority, path = ''] =
    /^([a-z]+):(?:\/\/([^/]*)\/)?(.+)$/.exec(target) ?? [];
  return { scheme, authority, path };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function endpointsOf(update: ListenerArgs | undefined): RosterEndpoint[] {
  if (update === undefined || !update[0].ok) throw new Error('expected endpoints');
  return update[0].value as RosterEndpoint[];
}

describe('RosterResolver', () => {
  const resolvers: RosterResolver[] = [];
  afterEach(() => {
    for (const resolver of resolvers.splice(0)) resolver.destroy();
  });

  it('opens one view on the first resolution, with the hard filters only', async () => {
    const only = weighted(5, { id: 'a', port: 1, zone: 'a' });
    const discovery = new FakeDiscovery([only]);
    const { resolver, updates } = resolverFor(
      'roster:///greeter?zone=a&tag=x&tag=y&version=2&namespace=n', discovery);
    resolvers.push(resolver);
    expect(discovery.views).toHaveLength(0);
    resolver.updateResolution();
    resolver.updateResolution();
    expect(discovery.views).toHaveLength(1);
    expect(discovery.view.filters).toEqual({ tags: ['x', 'y'], version: '2', namespace: 'n' });
    expect(updates).toHaveLength(0);
    await tick();
    expect(updates).toHaveLength(1);
    expect(endpointsOf(updates[0])).toEqual([{
      addresses: [{ host: '127.0.0.1', port: 1 }],
      roster: only,
    }]);
  });

  it('carries the policy and the caller zone in the service config', async () => {
    const discovery = new FakeDiscovery([]);
    const { resolver, updates } = resolverFor('roster:///greeter?zone=eu-1a', discovery);
    resolvers.push(resolver);
    resolver.updateResolution();
    await tick();
    const config = updates[0]?.[2];
    expect(config).toEqual({ ok: true, value: {
      loadBalancingConfig: [{ roster_weighted: { localZone: 'eu-1a' } }], methodConfig: [],
    } });
    expect(updates[0]?.[3]).toBe('no instances of greeter');
  });

  it('leaves a service config set on the channel in charge', async () => {
    const discovery = new FakeDiscovery([]);
    const { resolver, updates } = resolverFor('roster:///greeter', discovery,
      { 'grpc.service_config': '{"loadBalancingConfig":[{"round_robin":{}}]}' });
    resolvers.push(resolver);
    resolver.updateResolution();
    await tick();
    expect(updates[0]?.[2]).toBeNull();
  });

  it('reports each change at once, and a repeated set once', async () => {
    const discovery = new FakeDiscovery();
    const { resolver, updates } = resolverFor('roster:///greeter', discovery);
    resolvers.push(resolver);
    resolver.updateResolution();
    const view = discovery.view;
    view.set([weighted(1, { id: 'a', port: 1 })]);
    expect(updates).toHaveLength(1);
    await tick();
    expect(updates).toHaveLength(1);
    view.set([weighted(1, { id: 'a', port: 1 }), weighted(1, { id: 'b', port: 2 })]);
    expect(endpointsOf(updates[1]).map((e) => e.roster.id)).toEqual(['a', 'b']);
    view.goStale();
    view.goFresh();
    expect(updates).toHaveLength(2);
  });

  it('sends a refused update again when asked to resolve, and only then', async () => {
    const discovery = new FakeDiscovery([weighted(1, { id: 'a', port: 1 })]);
    const { resolver, updates, state } = resolverFor('roster:///greeter', discovery);
    resolvers.push(resolver);
    state.accept = false;
    resolver.updateResolution();
    await tick();
    expect(updates).toHaveLength(1);
    state.accept = true;
    resolver.updateResolution();
    expect(updates).toHaveLength(1);
    await tick();
    expect(updates).toHaveLength(2);
    resolver.updateResolution();
    await tick();
    expect(updates).toHaveLength(2);
  });

  it('reports view errors as UNAVAILABLE, with the policy kept', async () => {
    const discovery = new FakeDiscovery();
    const { resolver, updates } = resolverFor('roster:///greeter', discovery);
    resolvers.push(resolver);
    resolver.updateResolution();
    discovery.view.fail(new Error('invalid service name'));
    const [status, , config] = updates[0] ?? [];
    expect(status).toMatchObject({ ok: false, error: {
      code: grpc.status.UNAVAILABLE, details: 'discovery of greeter failed: invalid service name',
    } });
    expect(config).toMatchObject({ ok: true });
  });

  it('closes its view on destroy, falls silent, and opens a new one when asked', async () => {
    const discovery = new FakeDiscovery([weighted(1, { id: 'a', port: 1 })]);
    const { resolver, updates } = resolverFor('roster:///greeter', discovery);
    resolvers.push(resolver);
    resolver.updateResolution();
    const first = discovery.view;
    resolver.destroy();
    await tick();
    expect(first.closed).toBe(true);
    first.set([]);
    expect(updates).toHaveLength(0);
    resolver.updateResolution();
    expect(discovery.views).toHaveLength(2);
    await tick();
    expect(updates).toHaveLength(1);
  });

  it('retries discovery that throws on the next resolution', async () => {
    const discovery = new FakeDiscovery([]);
    let fail = true;
    const flaky = {
      discover: (service: string) => {
        if (fail) throw new Error('client closed');
        return discovery.discover(service);
      },
    };
    const updates: ListenerArgs[] = [];
    const resolver = new RosterResolver(parseUri('roster:///greeter'),
      (...args: ListenerArgs) => updates.push(args) > 0, {}, flaky);
    resolvers.push(resolver);
    resolver.updateResolution();
    await tick();
    expect(updates[0]?.[0]).toMatchObject({ ok: false });
    fail = false;
    resolver.updateResolution();
    await tick();
    expect(updates[1]?.[0]).toEqual({ ok: true, value: [] });
  });

  it('names the service as the default authority', () => {
    expect(RosterResolver.getDefaultAuthority(parseUri('roster:///greeter?zone=a')))
      .toBe('greeter');
    expect(() => RosterResolver.getDefaultAuthority(parseUri('roster:///greeter?zones=a')))
      .toThrow(/unknown query key zones/);
  });
});
