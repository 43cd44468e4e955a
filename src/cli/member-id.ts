import { randomFillSync } from 'node:crypto';
import type { NodeId } from '../raft/index.js';

/** A data dir's member id: random, so a wiped dir never comes back as the member it was. */
export function randomMemberId(): NodeId {
  const words = new Uint32Array(2);
  for (;;) {
    randomFillSync(words);
    const id = ((words[0] as number) & 0x1f_ffff) * 0x1_0000_0000 + (words[1] as number);
    if (id > 0) return id;
  }
}
