/**
 * The driver's view of an etcd cluster, through etcd's own gRPC API (the etcd3 client's raw
 * RPC stubs, so no client-side lease keepalive or retry policy gets in the way). A
 * registration is a lease grant then a put bound to it, as etcd users register instances.
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { instanceDocument, type KeepAliveChannel, type LeaseRef, type Target } from './target.js';

const PREFIX = '/services/';

function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1] = (end[end.length - 1] as number) + 1;
  return end;
}

export class EtcdTarget implements Target {
  private readonly client: Etcd3;

  /** All endpoints: the client spreads calls over them, as etcd3 does by default. */
  constructor(endpoints: readonly string[], options: { faultHandling?: 'none' } = {}) {
    this.client = new Etcd3({
      hosts: endpoints.map((endpoint) => `http://${endpoint}`),
      ...(options.faultHandling === 'none'
        ? { faultHandling: { host: () => noop, global: noop } } : {}),
    });
  }

  async register(service: string, id: string, ttlMs: number): Promise<LeaseRef> {
    const lease = await this.client.leaseClient.leaseGrant({ TTL: Math.ceil(ttlMs / 1000) });
    await this.client.kv.put({
      key: Buffer.from(`${PREFIX}${service}/${id}`),
      value: Buffer.from(JSON.stringify(instanceDocument(id))),
      lease: lease.ID,
    });
    return lease.ID;
  }

  async write(service: string, id: string): Promise<void> {
    await this.client.kv.put({
      key: Buffer.from(`${PREFIX}${service}/${id}`),
      value: Buffer.from(JSON.stringify(instanceDocument(id))),
    });
  }

  async lookup(service: string, linearizable: boolean): Promise<number> {
    const prefix = `${PREFIX}${service}/`;
    const response = await this.client.kv.range({
      key: Buffer.from(prefix), range_end: prefixEnd(prefix), serializable: !linearizable,
    });
    // A registry client uses the instances: each value is parsed, as Roster's are decoded.
    for (const kv of response.kvs) JSON.parse(kv.value.toString());
    return response.kvs.length;
  }

  async watch(
    service: string, onEvent: (type: 'put' | 'delete', id: string) => void,
  ): Promise<() => void> {
    const prefix = `${PREFIX}${service}/`;
    const watcher = await this.client.watch().prefix(prefix).create();
    const idOf = (key: Buffer): string => key.toString().slice(prefix.length);
    // A discovery client needs the instance, not only its key: parse it, as Roster's client
    // decodes the instance each event carries (and as lookup() does).
    watcher.on('put', (kv) => {
      JSON.parse(kv.value.toString());
      onEvent('put', idOf(kv.key));
    });
    watcher.on('delete', (kv) => onEvent('delete', idOf(kv.key)));
    return () => {
      void watcher.cancel();
    };
  }

  async keepAlive(onRenewed: (count: number) => void): Promise<KeepAliveChannel> {
    const stream = await this.client.leaseClient.leaseKeepAlive();
    stream.on('data', (response: { TTL: string }) => onRenewed(Number(response.TTL) > 0 ? 1 : 0));
    stream.on('error', () => {});
    const channel = {
      messagesSent: 0,
      send(leases: readonly LeaseRef[]): void {
        for (const lease of leases) {
          channel.messagesSent += 1;
          stream.write({ ID: lease });
        }
      },
      close(): void {
        stream.end();
      },
    };
    return channel;
  }

  close(): void {
    this.client.close();
  }
}
