import type * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach } from 'vitest';
import {
  registerResolver, type ResolverRegistration,
} from '../../../src/client/grpc/register.js';
import { FakeDiscovery } from './fake-view.js';
import { Greeter, greeterClient } from './greeters.js';

export interface ResolverHarness {
  /** The fake discovery behind roster:///, made fresh for each test. */
  readonly discovery: FakeDiscovery;
  /** Greeter servers, stopped after the test. */
  start(...names: string[]): Promise<Greeter[]>;
  /** A client channel, closed after the test. */
  client(target?: string): grpc.Client;
}

/**
 * For a describe block of tests on real servers: roster:/// resolves through a fresh fake
 * discovery in each test, and every server and channel a test makes is closed after it.
 */
export function useResolverHarness(): ResolverHarness {
  let greeters: Greeter[] = [];
  let clients: grpc.Client[] = [];
  let registration: ResolverRegistration | undefined;
  let discovery = new FakeDiscovery();
  beforeEach(() => {
    discovery = new FakeDiscovery();
    registration = registerResolver(discovery);
  });
  afterEach(() => {
    for (const made of clients) made.close();
    for (const greeter of greeters) greeter.stop();
    registration?.unregister();
    clients = [];
    greeters = [];
  });
  return {
    get discovery() {
      return discovery;
    },
    start: async (...names) => {
      const started = await Promise.all(names.map((name) => Greeter.start(name)));
      greeters.push(...started);
      return started;
    },
    client: (target = 'roster:///greeter') => {
      const made = greeterClient(target);
      clients.push(made);
      return made;
    },
  };
}
