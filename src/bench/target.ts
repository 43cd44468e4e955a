/**
 * What the load driver does to a system, in the system's own client API: Roster through its
 * SDK and gRPC API, etcd through the etcd3 client and etcd's gRPC API, with the same meaning
 * (a registration is an instance bound to its own lease; a lookup reads a service's instances;
 * a watch follows one service).
 */

/** A lease id as its system spells it (etcd's are 64-bit, kept as strings). */
export type LeaseRef = number | string;

export interface KeepAliveChannel {
  /** Renews these leases: one message for Roster (it batches), one per lease for etcd. */
  send(leases: readonly LeaseRef[]): void;
  /** Messages sent so far. */
  readonly messagesSent: number;
  close(): void;
}

export interface Target {
  /** Registers instance `id` of `service` bound to a new lease of `ttlMs`. */
  register(service: string, id: string, ttlMs: number): Promise<LeaseRef>;
  /** Registers instance `id` of `service` without a lease (etcd: a plain put). */
  write(service: string, id: string): Promise<void>;
  /** The instances of `service`, read linearizably or from the node's own state. */
  lookup(service: string, linearizable: boolean): Promise<number>;
  /** Follows `service` from now; returns a function that ends the watch. */
  watch(
    service: string, onEvent: (type: 'put' | 'delete', id: string) => void,
  ): Promise<() => void>;
  /** A KeepAlive stream; `onRenewed(count)` for each answer, with the leases it renewed. */
  keepAlive(onRenewed: (count: number) => void): Promise<KeepAliveChannel>;
  close(): void;
}

/** The same ~200-byte description of an instance for both systems. */
export function instanceDocument(id: string): {
  address: string; port: number; tags: string[]; metadata: Record<string, string>;
} {
  const n = Number(/\d+$/.exec(id)?.[0] ?? 0);
  return {
    address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    port: 8080,
    tags: ['v1', 'http', 'primary'],
    metadata: { version: '1.4.2', commit: '9f2c1e7', owner: 'team-platform', region: 'eu-west' },
  };
}
