import { describe, expect, it } from 'vitest';
import { randomLeaseId } from '../../src/api/lease-ids.js';

describe('randomLeaseId', () => {
  it('draws positive safe integers, spread over 53 bits, without repeats', () => {
    const ids = Array.from({ length: 10_000 }, () => randomLeaseId());
    for (const id of ids) {
      expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Sequential or small ids would put most draws below 2^32.
    expect(ids.filter((id) => id > 2 ** 32).length).toBeGreaterThan(9_900);
    expect(Math.max(...ids)).toBeGreaterThan(2 ** 52);
  });
});
