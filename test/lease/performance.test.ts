import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Lessor } from '../../src/lease/lessor.js';

/** Sanity, not a benchmark: no timing assertion, only that it completes and stays bounded. */
describe('Lessor at scale', () => {
  it('200k leases, 1M renews: completes, and the wheels stay bounded by the lease count', () => {
    const leaseCount = 200_000;
    const clock = new ManualClock();
    const lessor = new Lessor({ clock });
    lessor.promote([], 0);
    for (let id = 0; id < leaseCount; id++) lessor.grant(id, 10_000 + (id % 50) * 1_000);
    let id = 0;
    let refused = 0;
    for (let renew = 0; renew < 1_000_000; renew++) {
      // A stride coprime with the lease count visits every lease in a scrambled order.
      id = (id + 7_919) % leaseCount;
      if (lessor.renew(id) === undefined) refused++;
      if (renew % 1_000 === 999) clock.advance(1); // 1M renews per second of clock time
      if (renew % 100_000 === 99_999) {
        expect(lessor.due(10_000).expired).toEqual([]);
        lessor.checkpoints(10_000);
        const sizes = lessor.internalSizes();
        expect(sizes.scheduled).toBeLessThanOrEqual(2 * leaseCount);
        expect(sizes.buckets).toBeLessThanOrEqual(2 * leaseCount);
        expect(sizes.heapEntries).toBeLessThanOrEqual(2 * sizes.buckets + 2 * 1_024 + 2);
      }
    }
    expect(refused).toBe(0);
    expect(lessor.status()).toMatchObject({ leases: leaseCount, revoking: 0, deferred: 0 });
    // Renewals spread over one second land in ~100 ten-ms buckets per distinct TTL.
    expect(lessor.bucketCount()).toBeLessThanOrEqual(50 * 101 + 50);
  });
});
