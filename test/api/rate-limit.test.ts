import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRateLimiter } from '../../src/api/rate-limit.js';
import { loadApiProtos } from '../../src/api/index.js';

describe('ConnectionRateLimiter: calls per second per connection', () => {
  it('admits a second\'s worth at once, then as time refills the bucket', () => {
    let now = 0;
    const limiter = new ConnectionRateLimiter(10, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.admit('a:1')).toBe(true);
    expect(limiter.admit('a:1')).toBe(false);
    expect(limiter.admit('b:2')).toBe(true);
    now += 100;
    expect(limiter.admit('a:1')).toBe(true);
    expect(limiter.admit('a:1')).toBe(false);
    now += 60_000;
    for (let i = 0; i < 10; i++) expect(limiter.admit('a:1')).toBe(true);
    expect(limiter.admit('a:1')).toBe(false);
    limiter.forget('a:1');
    limiter.forget('b:2');
    expect(limiter.connections).toBe(0);
  });
});

describe('its interceptor, on a real grpc-js server', () => {
  let server: grpc.Server | undefined;
  afterEach(() => server?.forceShutdown());

  it('answers calls past the rate RESOURCE_EXHAUSTED without running their handler', async () => {
    const limiter = new ConnectionRateLimiter(3, () => 0);
    server = new grpc.Server({ interceptors: [limiter.interceptor()] });
    let handled = 0;
    const protos = loadApiProtos();
    server.addService(protos.cluster.roster.v1.Cluster.service, {
      Status: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
        handled += 1;
        callback(null, {});
      },
    });
    const port = await new Promise<number>((resolve, reject) => server?.bindAsync('127.0.0.1:0',
      grpc.ServerCredentials.createInsecure(), (error, bound) =>
        (error === null ? resolve(bound) : reject(error))));
    const client = new protos.cluster.roster.v1.Cluster(`127.0.0.1:${port}`,
      grpc.credentials.createInsecure());
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await new Promise<number>((resolve) => client.Status({}, (error) =>
        resolve(error === null ? grpc.status.OK : error.code))));
    }
    client.close();
    expect(codes).toEqual([0, 0, 0, grpc.status.RESOURCE_EXHAUSTED,
      grpc.status.RESOURCE_EXHAUSTED]);
    expect(handled).toBe(3);
  });
});
