import * as grpc from '@grpc/grpc-js';
import { loadApiProtos } from '../../src/wire/index.js';
import { ERROR_CODE_KEY, LEADER_HINT_KEY } from '../../src/core/errors.js';
import type {
  KeepAliveRequest__Output,
} from '../../src/api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  WatchManyRequest__Output,
} from '../../src/api/generated/types/roster/v1/WatchManyRequest.js';

/** How a node answers one unary call: success, or a status with Roster's metadata. */
export type Outcome =
  | { readonly ok: true; readonly leader?: string }
  | { readonly status: grpc.status; readonly code?: string; readonly leader?: string };

type Stream = grpc.ServerDuplexStream<unknown, unknown>;

function metadataOf(outcome: Outcome): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if ('code' in outcome && outcome.code !== undefined) metadata.set(ERROR_CODE_KEY, outcome.code);
  if (outcome.leader !== undefined) metadata.set(LEADER_HINT_KEY, outcome.leader);
  return metadata;
}

/**
 * A real gRPC server on 127.0.0.1 that plays one Roster node: unary calls answer from a
 * script (success once it runs out); KeepAlive renews every lease it is sent; WatchMany records
 * each create and answers it with one event at `watchRevision`.
 */
export class FakeNode {
  /** Unary methods called here, in order. */
  readonly calls: string[] = [];
  readonly script: Outcome[] = [];
  /** The start_revision of every watch created here. */
  readonly watchStarts: number[] = [];
  readonly keepAliveLeases: number[][] = [];
  watchRevision = 1;
  private readonly streams = new Set<Stream>();

  private constructor(private readonly server: grpc.Server, readonly address: string) {}

  static async start(): Promise<FakeNode> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0',
      grpc.ServerCredentials.createInsecure(), (error, bound) =>
        (error === null ? resolve(bound) : reject(error))));
    const node = new FakeNode(server, `127.0.0.1:${port}`);
    node.serve();
    return node;
  }

  /** Ends every open stream with this outcome's status and metadata. */
  failStreams(outcome: Exclude<Outcome, { ok: true }>): void {
    for (const stream of this.streams) {
      stream.emit('error', { code: outcome.status, details: 'failed by the test',
        metadata: metadataOf(outcome) });
    }
    this.streams.clear();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  reset(): void {
    this.calls.length = 0;
    this.script.length = 0;
    this.watchStarts.length = 0;
    this.keepAliveLeases.length = 0;
    this.failStreams({ status: grpc.status.UNAVAILABLE });
  }

  close(): void {
    this.server.forceShutdown();
  }

  private serve(): void {
    const protos = loadApiProtos();
    this.server.addService(protos.registry.roster.v1.Registry.service, {
      Register: this.unary('Register', { lease_id: 42, revision: 3 }),
      Deregister: this.unary('Deregister', { revision: 4 }),
      Lookup: this.unary('Lookup', { instances: [], revision: 5 }),
      KeepAlive: (call: Stream) => this.keepAlive(call),
      WatchMany: (call: Stream) => this.watchMany(call),
    });
    this.server.addService(protos.cluster.roster.v1.Cluster.service, {
      Status: this.unary('Status', { name: 'fake' }),
    });
  }

  private unary(method: string, response: object) {
    return (_call: unknown, callback: grpc.sendUnaryData<object>): void => {
      this.calls.push(method);
      const outcome = this.script.shift() ?? { ok: true };
      if ('ok' in outcome) {
        callback(null, response, metadataOf(outcome));
      } else {
        callback({ code: outcome.status, details: `scripted ${outcome.code ?? 'failure'}`,
          metadata: metadataOf(outcome) }, null);
      }
    };
  }

  private track(call: Stream): void {
    this.streams.add(call);
    call.on('error', () => this.streams.delete(call));
    call.on('cancelled', () => this.streams.delete(call));
  }

  private keepAlive(call: Stream): void {
    this.track(call);
    call.on('data', (request: KeepAliveRequest__Output) => {
      this.keepAliveLeases.push(request.lease_ids);
      call.write({ revision: 1, leases: request.lease_ids.map((id) =>
        ({ lease_id: id, found: true, remaining_ms: 1_000 })) });
    });
  }

  private watchMany(call: Stream): void {
    this.track(call);
    call.on('data', (request: WatchManyRequest__Output) => {
      if (request.create === undefined || request.create === null) return;
      this.watchStarts.push(request.create.start_revision);
      call.write({ watch_id: request.watch_id, revision: this.watchRevision,
        events: [{ type: 'PUT', reason: 'REGISTERED', revision: this.watchRevision }] });
    });
  }
}
