/**
 * Hostile clients for the integration tests: raw HTTP/2 and gRPC calls that the SDK would
 * never make (oversized messages, streams that are never read), and what the kernel says
 * about a server process (resident memory, open sockets).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import http2 from 'node:http2';
import { loadApiProtos } from '../../src/api/index.js';
import { rssMiB } from '../../src/bench/procfs.js';

export { rssMiB };

/** Open sockets of a process (its listeners included). */
export function socketCount(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // Closed meanwhile.
    }
  }
  return count;
}

/**
 * Sends the first 16 KiB of a gRPC message whose length prefix says `bytes`, and resolves
 * with the grpc-status the server answers and how long it took. A server that reads the
 * whole message first never answers (the rest is never sent): the caller's timeout shows it.
 */
export async function oversizedCall(address: string, path: string, bytes: number):
  Promise<{ status: string; ms: number }> {
  const session = http2.connect(`http://${address}`);
  try {
    const started = performance.now();
    const stream = session.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
    });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(bytes, 1);
    stream.write(Buffer.concat([prefix, Buffer.alloc(16 * 1024, 0x0a)]));
    const status = await new Promise<string>((resolve) => {
      const done = (value: unknown): void => resolve(String(value));
      stream.on('response', (headers) => {
        if (headers['grpc-status'] !== undefined) done(headers['grpc-status']);
      });
      stream.on('trailers', (headers) => done(headers['grpc-status']));
      stream.on('error', (error) => done(error.message));
      stream.on('close', () => done('closed'));
    });
    return { status, ms: performance.now() - started };
  } finally {
    session.destroy();
  }
}

/** A gRPC message on the wire: the 5-byte prefix (not compressed, length), then the bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** An encoded request of `method` of roster.v1.Registry or roster.v1.Cluster. */
export function encodeRequest(service: 'registry' | 'cluster', method: string,
  request: object): Buffer {
  const protos = loadApiProtos();
  const definition = service === 'registry' ? protos.registry.roster.v1.Registry.service
    : protos.cluster.roster.v1.Cluster.service;
  const serialize = (definition as unknown as Record<string, {
    requestSerialize: (value: object) => Buffer;
  }>)[method]?.requestSerialize;
  if (serialize === undefined) throw new Error(`no method ${method}`);
  return grpcFrame(serialize(request));
}

/**
 * A client that opens calls and never reads what they answer: its HTTP/2 streams are paused,
 * so it never grants the server flow-control window beyond the first 64 KiB, and whatever
 * the server has not sent stays in the server. (grpc-js clients read into their own memory
 * whether or not the application reads, so they cannot be this client.)
 */
export class UnreadClient {
  private readonly session: http2.ClientHttp2Session;
  readonly streams: http2.ClientHttp2Stream[] = [];
  /** grpc-status of the calls that ended, and how many were reset or closed without one. */
  readonly statuses: string[] = [];

  constructor(address: string) {
    this.session = http2.connect(`http://${address}`);
    this.session.on('error', () => {});
  }

  /** Opens a call with `frames` as its request(s) and never reads its answers. */
  open(path: string, frames: Buffer, options: { end?: boolean } = {}): http2.ClientHttp2Stream {
    const stream = this.session.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
    });
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) this.statuses.push(String(headers['grpc-status']));
    });
    stream.on('trailers', (headers) => this.statuses.push(String(headers['grpc-status'])));
    stream.on('error', () => {});
    stream.on('close', () => {
      if (stream.rstCode !== 0 && stream.rstCode !== undefined) this.statuses.push('reset');
    });
    stream.pause();
    if (options.end === false) stream.write(frames);
    else stream.end(frames);
    this.streams.push(stream);
    return stream;
  }

  get closed(): boolean {
    return this.session.closed || this.session.destroyed;
  }

  close(): void {
    this.session.destroy();
  }
}

/** The highest value `sample` returns, every `everyMs`, for `forMs`. */
export async function peakOver(sample: () => number, forMs: number, everyMs = 250):
  Promise<number> {
  let peak = sample();
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    peak = Math.max(peak, sample());
  }
  return peak;
}

/**
 * MiB of memory the server's JavaScript holds (V8 heap in use, and buffers outside it), from
 * its /metrics: what the process references, whatever the allocator keeps beneath.
 */
export async function heldMiB(httpAddress: string): Promise<number> {
  const text = await (await fetch(`http://${httpAddress}/metrics`)).text();
  const gauge = (name: string): number => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (match === null) throw new Error(`/metrics has no ${name}`);
    return Number(match[1]);
  };
  return (gauge('nodejs_heap_size_used_bytes') + gauge('nodejs_external_memory_bytes')) / 2 ** 20;
}
