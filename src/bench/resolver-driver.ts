/**
 * resolver_update_ms: how long from a new server's registration to the first call that reaches
 * it through a grpc-js channel on `roster:///`, while calls keep flowing. It spans the Raft
 * commit, the watch event, the resolver's update, the new connection and the first pick.
 */
import * as grpc from '@grpc/grpc-js';
import { RosterClient, registerResolver } from '../client/index.js';
import type { DriverSpec } from './driver-protocol.js';
import { rosterTlsOptions } from './roster-target.js';
import { percentiles, type Percentiles } from './stats.js';
import { sleep } from './system.js';

const SERVICE = 'bench-resolver';
const METHOD = '/bench.Echo/Echo';
/** Calls kept in flight on the channel, so a new server is picked as soon as it is READY. */
const CALLS_IN_FLIGHT = 4;
const identity = (buffer: Buffer): Buffer => buffer;
const ECHO: grpc.ServiceDefinition = {
  echo: {
    path: METHOD, requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity,
    responseSerialize: identity, responseDeserialize: identity,
  },
};

/** A server on 127.0.0.1 that notes when its first call arrives. */
async function echoServer(): Promise<{ port: number; firstCall: Promise<number>;
  server: grpc.Server }> {
  const server = new grpc.Server();
  let reached: (atMs: number) => void = () => {};
  const firstCall = new Promise<number>((resolve) => {
    reached = resolve;
  });
  server.addService(ECHO, {
    echo: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
      reached(performance.now());
      callback(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0',
    grpc.ServerCredentials.createInsecure(), (error, bound) =>
      (error === null ? resolve(bound) : reject(error))));
  return { port, firstCall, server };
}

/** Keeps CALLS_IN_FLIGHT calls going on the channel until stopped. */
function keepCalling(channel: grpc.Client): () => void {
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      await new Promise<void>((resolve) => {
        channel.makeUnaryRequest(METHOD, identity, identity, Buffer.alloc(0),
          { deadline: Date.now() + 5_000 }, () => resolve());
      });
    }
  };
  for (let i = 0; i < CALLS_IN_FLIGHT; i++) void loop();
  return () => {
    running = false;
  };
}

export async function resolverUpdate(spec: Extract<DriverSpec, { kind: 'resolver' }>):
  Promise<{ update: Percentiles; missing: number }> {
  const client = new RosterClient({ endpoints: spec.endpoints, tls: rosterTlsOptions(spec.tls) });
  const resolver = registerResolver(client);
  const servers: grpc.Server[] = [];
  const register = async (id: string, port: number): Promise<void> => {
    await client.registerOnce({ instance: { service: SERVICE, id, address: '127.0.0.1', port } });
  };
  const first = await echoServer();
  servers.push(first.server);
  await register('seed', first.port);
  const channel = new grpc.Client(`roster:///${SERVICE}`, grpc.credentials.createInsecure());
  const stop = keepCalling(channel);
  await first.firstCall;
  const updateMs: number[] = [];
  for (let sample = 0; sample < spec.samples; sample++) {
    const next = await echoServer();
    servers.push(next.server);
    const registeredAt = performance.now();
    await register(`s${sample}`, next.port);
    const reachedAt = await Promise.race([next.firstCall, sleep(spec.timeoutMs).then(() => -1)]);
    if (reachedAt >= 0) updateMs.push(reachedAt - registeredAt);
    await sleep(spec.spacingMs);
  }
  stop();
  channel.close();
  resolver.unregister();
  client.close();
  for (const server of servers) server.forceShutdown();
  return { update: percentiles(updateMs), missing: spec.samples - updateMs.length };
}
