import * as grpc from '@grpc/grpc-js';
import { loadApiProtos } from '../../src/wire/index.js';
import type { RegistryClient } from '../../src/api/generated/types/roster/v1/Registry.js';
import { ApiServer } from '../../src/api/server.js';
import type { ApiLogger } from '../../src/api/unary.js';
import type { ClientLimits } from '../../src/core/limits.js';
import type { Scheduler } from '../../src/replica/api-surface.js';
import { FakeFacade } from './fake-facade.js';

/** Generous: a call that should answer does so in milliseconds; this only bounds a hang. */
export const CALL_DEADLINE_MS = 20_000;

export function callOptions(): grpc.CallOptions {
  return { deadline: Date.now() + CALL_DEADLINE_MS };
}

export class RecordingLogger implements ApiLogger {
  readonly errors: { fields: object; message: string }[] = [];
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(fields: object, message: string): void {
    this.errors.push({ fields, message });
  }
}

const realTimers: Scheduler = {
  soon: (task) => setImmediate(task),
  every: (intervalMs, task) => {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
  after: (delayMs, task) => {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** An ApiServer over a fake node on 127.0.0.1, with a client of it. */
export interface Served {
  readonly fake: FakeFacade;
  readonly address: string;
  readonly client: RegistryClient;
  readonly logger: RecordingLogger;
  /** The fake's own member entry, for a follower that names this server as its leader. */
  readonly member: { id: number; name: string; peerAddress: string; clientAddress: string };
  /** Server streams the node still accounts buffers for: 0 once every stream is over. */
  openStreams(): number;
  stop(): Promise<void>;
}

export async function serve(fake = new FakeFacade(), options: {
  limits?: Partial<ClientLimits>; forwardTimeoutMs?: number;
} = {}): Promise<Served> {
  const logger = new RecordingLogger();
  const server = new ApiServer({
    node: fake, logger, scheduler: realTimers,
    forwardTimeoutMs: options.forwardTimeoutMs ?? CALL_DEADLINE_MS,
    healthIntervalMs: 60_000,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const address = await server.start('127.0.0.1:0');
  const client = new (loadApiProtos().registry.roster.v1.Registry)(address,
    grpc.credentials.createInsecure());
  return {
    fake, address, client, logger,
    member: { id: fake.id, name: fake.name, peerAddress: '', clientAddress: address },
    openStreams: () => server.bufferedBytes().streams,
    stop: async () => {
      client.close();
      await server.stop(1_000);
    },
  };
}

/** How a unary call ended: its answer or error, and the trailers either way. */
export interface UnaryOutcome<Response> {
  readonly response: Response | undefined;
  readonly error: grpc.ServiceError | undefined;
  readonly trailers: grpc.Metadata;
}

export function unaryOutcome<Response>(
  start: (callback: grpc.requestCallback<Response>) => grpc.ClientUnaryCall,
): Promise<UnaryOutcome<Response>> {
  return new Promise((resolve) => {
    let answer: { response: Response | undefined; error: grpc.ServiceError | undefined } |
      undefined;
    let trailers: grpc.Metadata | undefined;
    const settle = (): void => {
      if (answer !== undefined && trailers !== undefined) resolve({ ...answer, trailers });
    };
    const call = start((error, response) => {
      answer = { response, error: error ?? undefined };
      settle();
    });
    call.on('status', (status: grpc.StatusObject) => {
      trailers = status.metadata;
      settle();
    });
  });
}

/** A unary call expected to fail: its status code, Roster error code and leader hint. */
export function failure(outcome: UnaryOutcome<unknown>): {
  status: grpc.status; code: unknown; leader: unknown; details: string;
} {
  if (outcome.error === undefined) throw new Error('the call succeeded');
  return {
    status: outcome.error.code,
    code: outcome.error.metadata.get('roster-error-code')[0],
    leader: outcome.error.metadata.get('roster-leader')[0],
    details: outcome.error.details,
  };
}

/** The messages of a client stream, awaited one by one, and how the stream ended. */
export class Inbox<Message> {
  readonly messages: Message[] = [];
  status: grpc.StatusObject | undefined;
  readonly finished: Promise<grpc.StatusObject>;
  private taken = 0;
  private over = false;
  private wake: (() => void) | undefined;

  constructor(stream: NodeJS.EventEmitter) {
    stream.on('data', (message: Message) => {
      this.messages.push(message);
      this.notify();
    });
    stream.on('end', () => {
      this.over = true;
      this.notify();
    });
    // The status event carries the error too; without a listener an error would throw.
    stream.on('error', () => {});
    this.finished = new Promise((resolve) => {
      stream.on('status', (status: grpc.StatusObject) => {
        this.status = status;
        resolve(status);
        // Messages still buffered in the stream are emitted before this.
        setImmediate(() => {
          this.over = true;
          this.notify();
        });
      });
    });
  }

  async next(): Promise<Message> {
    while (this.taken >= this.messages.length) {
      if (this.over) {
        throw new Error(`the stream ended (${this.status?.code} ${this.status?.details}) ` +
          `before message ${this.taken + 1}`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const message = this.messages[this.taken] as Message;
    this.taken += 1;
    return message;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
