/**
 * The parts of grpc-js's experimental API that src/client/grpc relies on, as it relies on them.
 * grpc-js may change that API in any minor: package.json pins the minor, and this file is what
 * fails when a new one breaks something, before any channel does.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import * as adapter from '../../../src/client/grpc/experimental.js';

const x = grpc.experimental;
const { READY, IDLE } = grpc.connectivityState;

function fakeHelper(calls: string[]): grpc.experimental.ChannelControlHelper {
  return {
    createSubchannel: () => { throw new Error('not here'); },
    updateState: () => calls.push('parent.updateState'),
    requestReresolution: () => calls.push('parent.requestReresolution'),
    addChannelzChild: () => {},
    removeChannelzChild: () => {},
  };
}

function fakeBalancer(calls: string[]): grpc.experimental.LoadBalancer {
  return {
    updateAddressList: () => true, exitIdle: () => calls.push('exitIdle'),
    resetBackoff: () => {}, destroy: () => {}, getTypeName: () => 'fake',
  };
}

const pickArgs = (): grpc.experimental.PickArgs =>
  ({ metadata: new grpc.Metadata(), extraPickInfo: {} });

describe('grpc.experimental, as src/client/grpc uses it', () => {
  it('has every name the adapter re-exports', () => {
    for (const [name, value] of Object.entries(adapter)) {
      expect(value, name).toBeDefined();
    }
    expect(typeof x.registerResolver).toBe('function');
    expect(typeof x.registerLoadBalancerType).toBe('function');
    expect(x.registerResolver.length).toBe(2);
    expect(x.registerLoadBalancerType.length).toBe(3);
  });

  it('numbers pick results as the picker returns them', () => {
    expect(x.PickResultType).toMatchObject({ COMPLETE: 0, QUEUE: 1, TRANSIENT_FAILURE: 2,
      DROP: 3 });
  });

  it('builds child helpers that override some methods and pass the rest through', () => {
    const calls: string[] = [];
    const child = x.createChildChannelControlHelper(fakeHelper(calls), {
      updateState: () => calls.push('child.updateState'),
    });
    child.updateState(READY, new x.QueuePicker(fakeBalancer(calls)), null);
    child.requestReresolution();
    expect(calls).toEqual(['child.updateState', 'parent.requestReresolution']);
  });

  it('has a QueuePicker that queues and wakes its balancer, once', () => {
    const calls: string[] = [];
    const picker = new x.QueuePicker(fakeBalancer(calls));
    expect(picker.pick(pickArgs()).pickResultType).toBe(x.PickResultType.QUEUE);
    picker.pick(pickArgs());
    return new Promise<void>((resolve) => setImmediate(() => {
      expect(calls).toEqual(['exitIdle']);
      resolve();
    }));
  });

  it('has an UnavailablePicker failing picks with UNAVAILABLE and the details given', () => {
    const result = new x.UnavailablePicker({ details: 'no instances of greeter' }).pick(pickArgs());
    expect(result.pickResultType).toBe(x.PickResultType.TRANSIENT_FAILURE);
    expect(result.status).toMatchObject({ code: grpc.status.UNAVAILABLE,
      details: 'no instances of greeter' });
  });

  it('has a LeafLoadBalancer: one endpoint, its state and picker, starting IDLE', () => {
    const endpoint = { addresses: [{ host: '127.0.0.1', port: 1 }] };
    const leaf = new x.LeafLoadBalancer(endpoint, fakeHelper([]), {}, '');
    expect(leaf.getConnectivityState()).toBe(IDLE);
    expect(leaf.getEndpoint()).toBe(endpoint);
    for (const method of ['startConnecting', 'getPicker', 'exitIdle', 'destroy'] as const) {
      expect(typeof leaf[method], method).toBe('function');
    }
    leaf.destroy();
  });

  it('names endpoints by address, equal for equal addresses', () => {
    const name = (port: number) => x.endpointToString({ addresses: [{ host: '10.0.0.1', port }] });
    expect(name(80)).toBe(name(80));
    expect(name(80)).not.toBe(name(81));
  });

  it('wraps values and errors as StatusOr', () => {
    expect(x.statusOrFromValue([1])).toEqual({ ok: true, value: [1] });
    expect(x.statusOrFromError({ code: grpc.status.UNAVAILABLE, details: 'd' }))
      .toMatchObject({ ok: false, error: { code: grpc.status.UNAVAILABLE, details: 'd' } });
  });
});

describe('a channel, as src/client/grpc relies on it', () => {
  let client: grpc.Client | undefined;
  afterEach(() => client?.close());

  it('asks the resolver class for the default authority when made', () => {
    class Refusing implements grpc.experimental.Resolver {
      updateResolution() {}
      destroy() {}
      static getDefaultAuthority(): string { throw new Error('bad target'); }
    }
    x.registerResolver('contract-refusing', Refusing);
    expect(() => new grpc.Client('contract-refusing:///svc', grpc.credentials.createInsecure()))
      .toThrow(/bad target/);
  });

  it('hands the resolver\'s endpoints, config and errors to one policy instance', async () => {
    const seen: {
      endpoints?: grpc.experimental.Endpoint[]; config?: unknown; balancers: number;
      updates: boolean[];
    } = { balancers: 0, updates: [] };
    const endpoint = { addresses: [{ host: '127.0.0.1', port: 1 }], roster: { id: 'a' } };
    class ProbeConfig implements grpc.experimental.TypedLoadBalancingConfig {
      constructor(readonly json: unknown) {}
      getLoadBalancerName() { return 'contract_probe'; }
      toJsonObject() { return { contract_probe: {} }; }
      static createFromJson(json: unknown) { return new ProbeConfig(json); }
    }
    class ProbeBalancer implements grpc.experimental.LoadBalancer {
      constructor(private readonly helper: grpc.experimental.ChannelControlHelper) {
        seen.balancers += 1;
      }
      updateAddressList(list: grpc.experimental.StatusOr<grpc.experimental.Endpoint[]>,
        config: grpc.experimental.TypedLoadBalancingConfig): boolean {
        seen.updates.push(list.ok);
        if (list.ok) seen.endpoints = list.value;
        seen.config = config instanceof ProbeConfig ? config.json : undefined;
        this.helper.updateState(grpc.connectivityState.TRANSIENT_FAILURE,
          new x.UnavailablePicker({ details: 'probe' }), 'probe');
        return true;
      }
      exitIdle() {}
      resetBackoff() {}
      destroy() {}
      getTypeName() { return 'contract_probe'; }
    }
    class ProbeResolver implements grpc.experimental.Resolver {
      constructor(_uri: grpc.experimental.GrpcUri,
        private readonly listener: grpc.experimental.ResolverListener) {}
      updateResolution() {
        const config = x.statusOrFromValue<grpc.ServiceConfig>({
          loadBalancingConfig: [{ contract_probe: { localZone: 'a' } }], methodConfig: [],
        });
        setImmediate(() => {
          this.listener(x.statusOrFromValue([endpoint]), {}, config, '');
          this.listener(x.statusOrFromError({ code: grpc.status.UNAVAILABLE, details: 'gone' }),
            {}, config, '');
        });
      }
      destroy() {}
      static getDefaultAuthority(uri: grpc.experimental.GrpcUri) { return uri.path; }
    }
    x.registerLoadBalancerType('contract_probe', ProbeBalancer, ProbeConfig);
    x.registerResolver('contract-probe', ProbeResolver);
    client = new grpc.Client('contract-probe:///svc', grpc.credentials.createInsecure());
    const failed = await new Promise<grpc.ServiceError | null>((resolve) => {
      client?.makeUnaryRequest('/p.P/M', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0),
        { deadline: Date.now() + 2_000 }, (error) => resolve(error));
    });
    expect(failed?.details).toContain('probe');
    expect(seen.endpoints?.[0]).toBe(endpoint);
    expect(seen.config).toEqual({ localZone: 'a' });
    expect(seen.updates.slice(0, 2)).toEqual([true, false]);
    expect(seen.balancers).toBe(1);
  });
});
