import { randomBytes } from 'node:crypto';

/**
 * A new lease's id: random, so that a client cannot guess another's lease (and renew or
 * revoke it) by counting. The API carries ids as JS numbers (uint64 fields read as numbers),
 * so ids are random positive safe integers: 53 bits, never 0. Drawn on the leader, before
 * proposing, and carried in the command: the replicas apply the same id, and the state
 * machine draws nothing.
 */
export function randomLeaseId(): number {
  const bytes = randomBytes(7);
  // 53 bits: the low 5 of the first byte and the 48 of the other six.
  const id = ((bytes[0] as number) & 0x1f) * 2 ** 48 + bytes.readUIntBE(1, 6);
  // 0 means "no lease" on the wire; one draw in 2^53 maps to 1 instead.
  return id === 0 ? 1 : id;
}
