import { limits } from '../core/limits.js';
import type { KeepAliveRequest } from '../api/generated/types/roster/v1/KeepAliveRequest.js';

/** What one lease's heartbeat says besides "alive". */
export interface LeaseBeat {
  readonly status?: 'SERVING' | 'DRAINING';
  readonly load?: Readonly<Record<string, number>>;
}

/**
 * The leases a client heartbeats, and what each heartbeat carries. A KeepAlive message's
 * status and load apply to every lease it lists, so leases are grouped: all the plain ones in
 * one message, one message per status, and one per lease that reports load. Messages stay
 * within the server's cap on lease ids per message.
 */
export class LeaseBook {
  private readonly plain = new Set<number>();
  private readonly detailed = new Map<number, LeaseBeat>();

  get size(): number {
    return this.plain.size + this.detailed.size;
  }

  has(leaseId: number): boolean {
    return this.plain.has(leaseId) || this.detailed.has(leaseId);
  }

  set(leaseId: number, beat: LeaseBeat = {}): void {
    if (beat.status === undefined && beat.load === undefined) {
      this.detailed.delete(leaseId);
      this.plain.add(leaseId);
    } else {
      this.plain.delete(leaseId);
      this.detailed.set(leaseId, beat);
    }
  }

  delete(leaseId: number): void {
    this.plain.delete(leaseId);
    this.detailed.delete(leaseId);
  }

  /** The messages of one heartbeat round. */
  requests(): KeepAliveRequest[] {
    const requests = chunks([...this.plain]).map((ids): KeepAliveRequest => ({ lease_ids: ids }));
    const byStatus = new Map<string, number[]>();
    for (const [id, beat] of this.detailed) {
      if (beat.load !== undefined) {
        requests.push({ lease_ids: [id], status: beat.status, load: { ...beat.load } });
        continue;
      }
      const status = beat.status as string;
      const ids = byStatus.get(status) ?? [];
      ids.push(id);
      byStatus.set(status, ids);
    }
    for (const [status, ids] of byStatus) {
      for (const chunk of chunks(ids)) {
        requests.push({ lease_ids: chunk, status: status as LeaseBeat['status'] });
      }
    }
    return requests;
  }
}

function chunks(ids: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < ids.length; start += limits.keepAliveIdsMax) {
    out.push(ids.slice(start, start + limits.keepAliveIdsMax));
  }
  return out;
}
