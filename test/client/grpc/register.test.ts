import type * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  registerResolver, type ResolverRegistration,
} from '../../../src/client/grpc/register.js';
import { FakeDiscovery } from './fake-view.js';
import { Greeter, greeterClient, hello } from './greeters.js';

describe('registerResolver', () => {
  const registrations: ResolverRegistration[] = [];
  const clients: grpc.Client[] = [];
  const greeters: Greeter[] = [];

  function register(discovery: FakeDiscovery, scheme?: string): ResolverRegistration {
    const registration = registerResolver(discovery, scheme === undefined ? {} : { scheme });
    registrations.push(registration);
    return registration;
  }

  function client(target: string): grpc.Client {
    const made = greeterClient(target);
    clients.push(made);
    return made;
  }

  afterEach(() => {
    for (const made of clients.splice(0)) made.close();
    for (const greeter of greeters.splice(0)) greeter.stop();
    for (const registration of registrations.splice(0)) registration.unregister();
  });

  it('opens one view per channel, on its first call, and closes it with the channel', async () => {
    const greeter = await Greeter.start('a');
    greeters.push(greeter);
    const discovery = new FakeDiscovery([greeter.instance()]);
    register(discovery);
    const channel = client('roster:///greeter?tag=blue');
    expect(discovery.views).toHaveLength(0);
    await hello(channel);
    await hello(channel);
    expect(discovery.views).toHaveLength(1);
    expect(discovery.view).toMatchObject({ service: 'greeter', filters: { tags: ['blue'] } });
    channel.close();
    expect(discovery.views[0]?.closed).toBe(true);
  });

  it('fails a channel to a malformed target when it is made', () => {
    register(new FakeDiscovery([]));
    expect(() => client('roster:///greeter?colour=blue')).toThrow(/unknown query key colour/);
    expect(() => client('roster://cluster/greeter')).toThrow(/no authority/);
  });

  it('hands new channels back to the registration before, or to none', async () => {
    const first = new FakeDiscovery([]);
    const second = new FakeDiscovery([]);
    register(first);
    const later = register(second);
    await expect(hello(client('roster:///one'))).rejects.toThrow(/no instances of one/);
    expect(second.views).toHaveLength(1);
    later.unregister();
    await expect(hello(client('roster:///two'))).rejects.toThrow(/no instances of two/);
    expect(first.views.map((view) => view.service)).toEqual(['two']);
    for (const registration of registrations) registration.unregister();
    expect(() => client('roster:///three')).toThrow(/no Roster client is registered for roster:/);
  });

  it('serves a scheme of its own, for a second cluster', async () => {
    const greeter = await Greeter.start('b');
    greeters.push(greeter);
    const discovery = new FakeDiscovery([greeter.instance()]);
    expect(register(discovery, 'roster-eu').scheme).toBe('roster-eu');
    expect(await hello(client('roster-eu:///greeter'))).toBe('b');
    expect(() => registerResolver(discovery, { scheme: 'no scheme' })).toThrow(/invalid URI/);
  });

  it('keeps the service config the channel was given', async () => {
    const [a, b] = [await Greeter.start('a'), await Greeter.start('b')];
    greeters.push(a, b);
    register(new FakeDiscovery([a.instance(), b.instance()]));
    // pick_first, as the channel says: every call to one instance.
    const pinned = greeterClient('roster:///greeter',
      { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ pick_first: {} }] }) });
    clients.push(pinned);
    const answers = new Set<string>();
    for (let i = 0; i < 20; i += 1) answers.add(await hello(pinned));
    expect(answers.size).toBe(1);
  });
});
