/**
 * The byte quota on the registry's state (--quota-bytes), checked by the leader before it
 * proposes a write that would add to the state, never when a command is applied.
 *
 * Why there: a check in apply would be part of the replicated state machine, so every replica
 * would have to use the same quota, or they would apply the same command differently and
 * diverge; the flag is per node, and a rolling restart that changes it would break that. The
 * leader's check needs no agreement: the state grows only through proposals, every proposal
 * passes one leader's check, and what a new leader sees is the same applied state. Writes in
 * flight are reserved until they are applied (or fail), so concurrent writes cannot overshoot
 * together: the state exceeds the quota by at most what one leader change leaves in flight.
 * Refused writes change nothing; reads, deregistrations and heartbeats are never refused, so
 * a full registry can always be shrunk.
 */
import { RosterError } from '../core/errors.js';

export class WriteQuota {
  private reserved = 0;

  constructor(private readonly bytesMax: number) {}

  get reservedBytes(): number {
    return this.reserved;
  }

  /**
   * Admits a write that adds `addedBytes` to a state now weighing `stateBytes`, or throws
   * RESOURCE_EXHAUSTED. Returns the function that ends the reservation (call it once the
   * write is applied or has failed).
   */
  admit(stateBytes: number, addedBytes: number): () => void {
    if (addedBytes <= 0) return () => {};
    if (stateBytes + this.reserved + addedBytes > this.bytesMax) {
      throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED',
        `the registry is at its quota of ${this.bytesMax} bytes (${stateBytes} used): ` +
        'writes that add to it are refused until instances are deregistered or expire; ' +
        'reads still work (--quota-bytes raises the quota)');
    }
    this.reserved += addedBytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= addedBytes;
    };
  }
}
