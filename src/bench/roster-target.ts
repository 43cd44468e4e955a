/** The driver's view of a Roster cluster: the SDK for unary calls, the raw API for streams. */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadApiProtos } from '../wire/index.js';
import type { KeepAliveRequest } from '../api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  KeepAliveResponse__Output,
} from '../api/generated/types/roster/v1/KeepAliveResponse.js';
import type { RegistryClient } from '../api/generated/types/roster/v1/Registry.js';
import { RosterClient } from '../client/index.js';
import type { BenchTls } from './system.js';
import { instanceDocument, type KeepAliveChannel, type LeaseRef, type Target } from './target.js';

export class RosterTarget implements Target {
  private readonly client: RosterClient;
  private readonly endpoints: readonly string[];
  private raw: RegistryClient | undefined;

  private readonly credentials: grpc.ChannelCredentials;

  /** Calls go to endpoints[0] first (the SDK follows leader hints from there). */
  constructor(
    endpoints: readonly string[],
    options: { attempts?: number; timeoutMs?: number; tls?: BenchTls } = {},
  ) {
    this.endpoints = endpoints;
    const tls = rosterTlsOptions(options.tls);
    this.credentials = tls === undefined ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
    this.client = new RosterClient({
      endpoints, tls, attempts: options.attempts ?? 8, timeoutMs: options.timeoutMs ?? 5_000,
    });
  }

  async register(service: string, id: string, ttlMs: number): Promise<LeaseRef> {
    const response = await this.client.registerOnce({
      instance: { service, id, ...instanceDocument(id) }, ttl_ms: ttlMs,
    });
    return response.lease_id;
  }

  async write(service: string, id: string): Promise<void> {
    await this.client.registerOnce({ instance: { service, id, ...instanceDocument(id) } });
  }

  async lookup(service: string, linearizable: boolean): Promise<number> {
    const response = await this.client.lookup({
      service, consistency: linearizable ? 'LINEARIZABLE' : 'SERIALIZABLE',
    });
    return response.instances.length;
  }

  watch(
    service: string, onEvent: (type: 'put' | 'delete', id: string) => void,
  ): Promise<() => void> {
    return new Promise((resolve) => {
      let started = false;
      const stream = this.client.watch({ service }, 0, (update) => {
        // The first notice anchors the watch: from here every change is delivered.
        if (!started) {
          started = true;
          resolve(() => stream.stop());
        }
        if (update.kind !== 'events') return;
        for (const event of update.events) {
          onEvent(event.type === 'DELETE' ? 'delete' : 'put', event.instance?.id ?? '');
        }
      });
    });
  }

  /** A KeepAlive stream to endpoints[0], which must be the leader. */
  keepAlive(onRenewed: (count: number) => void): Promise<KeepAliveChannel> {
    this.raw ??= new (loadApiProtos().registry.roster.v1.Registry)(
      this.endpoints[0] as string, this.credentials);
    const call = this.raw.KeepAlive() as grpc.ClientDuplexStream<KeepAliveRequest,
      KeepAliveResponse__Output>;
    call.on('data', (response: KeepAliveResponse__Output) => {
      let renewed = 0;
      for (const lease of response.leases) if (lease.found) renewed += 1;
      onRenewed(renewed);
    });
    call.on('error', () => {});
    const channel = {
      messagesSent: 0,
      send(leases: readonly LeaseRef[]): void {
        channel.messagesSent += 1;
        call.write({ lease_ids: leases as number[] });
      },
      close(): void {
        call.end();
      },
    };
    return Promise.resolve(channel);
  }

  close(): void {
    this.client.close();
    this.raw?.close();
  }
}

/** The bench's TLS files as the SDK takes them. */
export function rosterTlsOptions(tls: BenchTls | undefined):
  { ca: Buffer; cert: Buffer; key: Buffer } | undefined {
  return tls === undefined ? undefined : {
    ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile),
  };
}
