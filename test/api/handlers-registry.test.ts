import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  ListServicesResponse__Output,
} from '../../src/api/generated/types/roster/v1/ListServicesResponse.js';
import type {
  LookupResponse__Output,
} from '../../src/api/generated/types/roster/v1/LookupResponse.js';
import type { RegisterRequest } from '../../src/api/generated/types/roster/v1/RegisterRequest.js';
import type {
  RegisterResponse__Output,
} from '../../src/api/generated/types/roster/v1/RegisterResponse.js';
import type { RegistryClient } from '../../src/api/generated/types/roster/v1/Registry.js';
import type { Command } from '../../src/registry/index.js';
import { FakeFacade, instanceSpec } from './fake-facade.js';
import { callOptions, failure, serve, unaryOutcome, type Served } from './harness.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(fake = new FakeFacade(), limits = {}): Promise<Served> {
  served = await serve(fake, { limits });
  return served;
}

const md = () => new grpc.Metadata();
const register = (client: RegistryClient, request: RegisterRequest) =>
  unaryOutcome<RegisterResponse__Output>((callback) =>
    client.Register(request, md(), callOptions(), callback));
const instance = (service: string, id: string, extra: object = {}) =>
  ({ service, id, address: '10.0.0.1', port: 8080, ...extra });

/** The new lease a register command asks for, if any. */
function grantOf(command: Command | undefined): { ttlMs: number; grantId?: number } | undefined {
  if (command?.op !== 'register' || command.lease === undefined) return undefined;
  return 'ttlMs' in command.lease ? command.lease : undefined;
}

describe('Register', () => {
  it('grants a lease under a freshly drawn id and answers with it and the revision',
    async () => {
      const { client, fake } = await start();
      const outcome = await register(client, { instance: instance('api', 'a1'), ttl_ms: 5_000 });
      expect(outcome.error).toBeUndefined();
      expect(fake.writes).toHaveLength(1);
      const grant = grantOf(fake.writes[0]);
      expect(grant?.ttlMs).toBe(5_000);
      expect(grant?.grantId).toBeGreaterThan(0);
      expect(outcome.response).toEqual({
        instance_id: 'a1', lease_id: grant?.grantId, revision: 2, created: true,
      });
      expect(fake.registry.get({ namespace: 'default', service: 'api', id: 'a1' })?.leaseId)
        .toBe(grant?.grantId);
    });

  it('draws another lease id while the drawn one is taken, and gives up after four', async () => {
    const { client, fake, logger } = await start();
    fake.conflicts = 2;
    const ok = await register(client, { instance: instance('api', 'a1'), ttl_ms: 5_000 });
    expect(ok.response?.created).toBe(true);
    const grants = fake.writes.map((command) => grantOf(command)?.grantId);
    expect(grants).toHaveLength(3);
    expect(new Set(grants).size).toBe(3);
    expect(ok.response?.lease_id).toBe(grants[2]);

    fake.conflicts = 4;
    const refused = failure(await register(client,
      { instance: instance('api', 'a2'), ttl_ms: 5_000 }));
    expect(refused).toMatchObject({ status: grpc.status.INTERNAL, code: 'ROSTER_ERR_INTERNAL' });
    expect(fake.writes).toHaveLength(3 + 4);
    expect(fake.registry.size).toBe(1);
    expect(logger.errors).toHaveLength(1);
  });

  it('refuses invalid requests before proposing anything', async () => {
    const { client, fake } = await start();
    const cases: [RegisterRequest, grpc.status, string][] = [
      [{}, grpc.status.INVALID_ARGUMENT, 'service'],
      [{ instance: instance('Not_A_Name', 'a1') }, grpc.status.INVALID_ARGUMENT, 'service'],
      [{ instance: instance('api', 'a1', { port: 0, address: '' }) }, grpc.status.INVALID_ARGUMENT,
        'address'],
      [{ instance: instance('api', 'a1'), ttl_ms: 10 }, grpc.status.INVALID_ARGUMENT, 'ttl_ms'],
      [{ instance: instance('api', 'a1'), ttl_ms: 5_000, lease_id: 3 },
        grpc.status.INVALID_ARGUMENT, 'lease_id'],
      [{ instance: instance('api', 'a1', { health_check: { kind: 'http' } }) },
        grpc.status.UNIMPLEMENTED, 'health_check'],
    ];
    for (const [request, status, field] of cases) {
      const seen = failure(await register(client, request));
      expect({ request, status: seen.status }).toEqual({ request, status });
      expect(seen.details).toContain(field);
    }
    expect(fake.writes).toEqual([]);
    expect(fake.registry.revision).toBe(1);
  });

  it('refuses a registration over the quota without proposing it', async () => {
    const { client, fake } = await start(new FakeFacade(), { quotaBytes: 16 });
    const seen = failure(await register(client, { instance: instance('api', 'a1') }));
    expect(seen).toMatchObject({
      status: grpc.status.RESOURCE_EXHAUSTED, code: 'ROSTER_ERR_RESOURCE_EXHAUSTED',
    });
    expect(fake.writes).toEqual([]);
  });

  it('maps what the registry refused: an unknown lease, a full registry', async () => {
    const { client, fake } = await start(new FakeFacade({ limits: { instancesMax: 1 } }));
    expect(failure(await register(client, { instance: instance('api', 'a1'), lease_id: 42 })))
      .toMatchObject({ status: grpc.status.NOT_FOUND, code: 'ROSTER_ERR_NOT_FOUND' });
    expect((await register(client, { instance: instance('api', 'a1') })).error).toBeUndefined();
    expect(failure(await register(client, { instance: instance('api', 'a2') }))).toMatchObject({
      status: grpc.status.RESOURCE_EXHAUSTED, code: 'ROSTER_ERR_RESOURCE_EXHAUSTED',
    });
    expect(fake.registry.size).toBe(1);
  });
});

describe('Deregister', () => {
  const deregister = (client: RegistryClient, request: object) =>
    unaryOutcome((callback) => client.Deregister(request, md(), callOptions(), callback));

  it('removes one instance by key, or every instance of a lease', async () => {
    const { client, fake } = await start();
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a1') });
    const leased = fake.apply({
      op: 'register', instance: instanceSpec('api', 'a2'), lease: { ttlMs: 5_000, grantId: 77 },
    });
    expect(leased.result.ok).toBe(true);
    fake.apply({ op: 'register', instance: instanceSpec('web', 'w1'), lease: { id: 77 } });

    const one = await deregister(client, { service: 'api', id: 'a1' });
    expect(one.response).toEqual({ revision: 5, removed: 1 });
    const all = await deregister(client, { lease_id: 77 });
    expect(all.response).toEqual({ revision: 6, removed: 2 });
    expect(fake.registry.size).toBe(0);
  });

  it('answers NOT_FOUND for an unknown instance, and refuses a request naming none',
    async () => {
      const { client, fake } = await start();
      expect(failure(await deregister(client, { service: 'api', id: 'nope' })))
        .toMatchObject({ status: grpc.status.NOT_FOUND, code: 'ROSTER_ERR_NOT_FOUND' });
      expect(fake.writes).toHaveLength(1);
      expect(failure(await deregister(client, { id: 'a1' })))
        .toMatchObject({ status: grpc.status.INVALID_ARGUMENT });
      expect(fake.writes).toHaveLength(1);
      expect(fake.registry.revision).toBe(1);
    });
});

describe('Lookup and ListServices', () => {
  const lookup = (client: RegistryClient, request: object) =>
    unaryOutcome<LookupResponse__Output>((callback) =>
      client.Lookup(request, md(), callOptions(), callback));
  const list = (client: RegistryClient, request: object) =>
    unaryOutcome<ListServicesResponse__Output>((callback) =>
      client.ListServices(request, md(), callOptions(), callback));
  const ids = (response: { instances: { id: string }[] } | undefined) =>
    response?.instances.map((found) => found.id);

  it('waits for the read barrier when LINEARIZABLE, and answers what it sees then', async () => {
    const { client, fake } = await start();
    fake.holdBarrier = true;
    const pending = lookup(client, { service: 'api' });
    await vi.waitFor(() => expect(fake.heldBarriers).toHaveLength(1));
    expect(fake.reads).toEqual(['LINEARIZABLE']);
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a1') });
    fake.releaseBarriers();
    const { response } = await pending;
    expect(ids(response)).toEqual(['a1']);
    expect(response?.revision).toBe(2);
  });

  it('answers SERIALIZABLE at once, even while a barrier is held', async () => {
    const { client, fake } = await start();
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a1') });
    fake.holdBarrier = true;
    const { response } = await lookup(client, { service: 'api', consistency: 'SERIALIZABLE' });
    expect(ids(response)).toEqual(['a1']);
    expect(fake.reads).toEqual(['SERIALIZABLE']);
    expect(fake.heldBarriers).toEqual([]);
  });

  it('filters, and answers anew once the revision moves', async () => {
    const { client, fake } = await start();
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a1', { tags: ['blue'] }) });
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a2') });
    const first = await lookup(client, { service: 'api', tags: ['blue'] });
    expect([ids(first.response), first.response?.revision]).toEqual([['a1'], 3]);
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a3', { tags: ['blue'] }) });
    const second = await lookup(client, { service: 'api', tags: ['blue'] });
    expect([ids(second.response), second.response?.revision]).toEqual([['a1', 'a3'], 4]);
  });

  it('refuses an invalid query or consistency without reading', async () => {
    const { client, fake } = await start();
    expect(failure(await lookup(client, { service: 'Bad Name' })).status)
      .toBe(grpc.status.INVALID_ARGUMENT);
    expect(failure(await lookup(client, { service: 'api', consistency: 7 })).details)
      .toContain('consistency');
    expect(failure(await list(client, { namespace: 'No Such!' })).status)
      .toBe(grpc.status.INVALID_ARGUMENT);
    expect(fake.reads).toEqual([]);
  });

  it('lists the services of a namespace with the revision', async () => {
    const { client, fake } = await start();
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a1') });
    fake.apply({ op: 'register', instance: instanceSpec('api', 'a2') });
    fake.apply({ op: 'register', instance: instanceSpec('db', 'd1', { namespace: 'prod' }) });
    const { response } = await list(client, { consistency: 'SERIALIZABLE' });
    expect(response)
      .toEqual({ services: [{ name: 'api', instances: 2, healthy: 2 }], revision: 4 });
    expect(fake.reads).toEqual(['SERIALIZABLE']);
  });
});
