import { randomFillSync } from 'node:crypto';

/** Ids drawn per refill: one call into the CSPRNG costs as much as a thousand pool reads. */
const POOL_IDS = 512;
const ID_BYTES = 8;
const pool = Buffer.alloc(POOL_IDS * ID_BYTES);
let next = POOL_IDS;

/**
 * A new lease's id: random, so that a client cannot guess another's lease (and renew or
 * revoke it) by counting. The API carries ids as JS numbers (uint64 fields read as numbers),
 * so ids are random positive safe integers: 53 bits, never 0. Drawn on the leader, before
 * proposing, and carried in the command: the replicas apply the same id, and the state
 * machine draws nothing. The bytes come from the CSPRNG a pool at a time: a call per
 * registration cost the leader a tenth of its CPU at full load.
 */
export function randomLeaseId(): number {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const offset = next++ * ID_BYTES;
  // 53 bits: the low 5 of the first byte and the 48 of the next six.
  const id = ((pool[offset] as number) & 0x1f) * 2 ** 48 + pool.readUIntBE(offset + 1, 6);
  // 0 means "no lease" on the wire; one draw in 2^53 maps to 1 instead.
  return id === 0 ? 1 : id;
}
