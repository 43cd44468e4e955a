import * as grpc from '@grpc/grpc-js';
import type { DiscoveredInstance } from '../../../src/client/discovered.js';
import { weighted } from './fake-view.js';

const METHOD = '/test.Greeter/Hello';
const identity = (buffer: Buffer): Buffer => buffer;

/** A one-method service with raw bytes both ways: the answer is the server's name. */
const GREETER: grpc.ServiceDefinition = {
  hello: {
    path: METHOD, requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity,
    responseSerialize: identity, responseDeserialize: identity,
  },
};

/** A greeter server on 127.0.0.1 counting its calls and the client ports they came from. */
export class Greeter {
  calls = 0;
  /** Answers every call UNAVAILABLE while set (a server up but failing). */
  failing = false;
  /** Client address:port of each call: a new one means a new connection. */
  readonly peers = new Set<string>();
  private server: grpc.Server | undefined;

  private constructor(readonly name: string, public port: number) {}

  static async start(name: string, port = 0): Promise<Greeter> {
    const greeter = new Greeter(name, port);
    await greeter.listen();
    return greeter;
  }

  /** An instance for this server, weight and anything else as given. */
  instance(weight = 100, patch: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
    return weighted(weight, { id: this.name, port: this.port, ...patch });
  }

  /** Serves again on the same port (after stop()). */
  async listen(): Promise<void> {
    const server = new grpc.Server();
    server.addService(GREETER, {
      hello: (call: grpc.ServerUnaryCall<Buffer, Buffer>,
        callback: grpc.sendUnaryData<Buffer>) => {
        this.calls += 1;
        this.peers.add(call.getPeer());
        if (this.failing) {
          callback({ code: grpc.status.UNAVAILABLE, details: `${this.name} is failing` });
        } else {
          callback(null, Buffer.from(this.name));
        }
      },
    });
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(),
        (error, port) => (error ? reject(error) : resolve(port)));
    });
    this.server = server;
  }

  /** Drops every connection at once, as a crash would. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }
}

/** Fast reconnects and no subchannel sharing between tests' channels. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 200,
  'grpc.use_local_subchannel_pool': 1,
};

export function greeterClient(target: string, options: grpc.ChannelOptions = {}): grpc.Client {
  return new grpc.Client(target, grpc.credentials.createInsecure(),
    { ...CHANNEL_OPTIONS, ...options });
}

export interface HelloOptions {
  readonly timeoutMs?: number;
  readonly waitForReady?: boolean;
}

/** One call; resolves with the name of the server that answered. */
export function hello(client: grpc.Client, options: HelloOptions = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 2_000);
  const metadata = new grpc.Metadata({ waitForReady: options.waitForReady ?? false });
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(METHOD, identity, identity, Buffer.alloc(0), metadata, { deadline },
      (error, answer) => {
        if (error || answer === undefined) reject(error);
        else resolve(answer.toString());
      });
  });
}

/** `count` calls, `parallel` at a time; how many each server answered. */
export async function spread(client: grpc.Client, count: number,
  parallel = 20): Promise<Map<string, number>> {
  const answers = new Map<string, number>();
  for (let sent = 0; sent < count; sent += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - sent) }, () => hello(client));
    for (const name of await Promise.all(batch)) answers.set(name, (answers.get(name) ?? 0) + 1);
  }
  return answers;
}

/** Calls until `done` says so (failed calls count as no answer), within `timeoutMs`. */
export async function callUntil(client: grpc.Client, done: (answer: string) => boolean,
  timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await hello(client, { timeoutMs: 500 }).catch(() => undefined);
    if (answer !== undefined && done(answer)) return;
    if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no matching answer within ${timeoutMs} ms`);
}

/** Calls until each named server has answered once: their connections are READY. */
export async function warmUp(client: grpc.Client, names: readonly string[]): Promise<void> {
  const seen = new Set<string>();
  await callUntil(client, (answer) => {
    seen.add(answer);
    return names.every((name) => seen.has(name));
  });
}

/** The error a call failed with (the test fails if it succeeded). */
export async function failure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}
