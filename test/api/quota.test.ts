import { describe, expect, it } from 'vitest';
import { WriteQuota } from '../../src/api/quota.js';
import { isRosterError } from '../../src/core/errors.js';

describe('WriteQuota: the leader admits what writes add to the state', () => {
  it('admits up to the quota and refuses past it with RESOURCE_EXHAUSTED', () => {
    const quota = new WriteQuota(1000);
    expect(() => quota.admit(900, 100)).not.toThrow();
    let error: unknown;
    try {
      quota.admit(900, 101);
    } catch (caught) {
      error = caught;
    }
    expect(isRosterError(error, 'ROSTER_ERR_RESOURCE_EXHAUSTED')).toBe(true);
    expect((error as Error).message).toContain('quota of 1000 bytes');
  });

  it('counts writes in flight until they are released, once', () => {
    const quota = new WriteQuota(1000);
    const first = quota.admit(0, 600);
    expect(() => quota.admit(0, 600)).toThrow(/quota/);
    first();
    first();
    expect(quota.reservedBytes).toBe(0);
    expect(() => quota.admit(0, 600)).not.toThrow();
  });

  it('never refuses what does not add: a full registry can always shrink', () => {
    const quota = new WriteQuota(10);
    expect(() => quota.admit(1_000_000, 0)).not.toThrow();
    expect(() => quota.admit(1_000_000, -500)).not.toThrow();
  });
});
