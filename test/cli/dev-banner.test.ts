import { describe, expect, it } from 'vitest';
import { devPorts, resetAdvice } from '../../src/cli/dev.js';

describe('roster dev banner', () => {
  it('tells how to start afresh: all of .roster, but only the nodes\' dirs elsewhere', () => {
    expect(resetAdvice('.roster')).toBe('`npx roster dev --reset` or `rm -rf .roster`');
    expect(resetAdvice('/srv/x')).toBe(
      '`npx roster dev --reset --data-dir /srv/x` or `rm -rf /srv/x/node-*`');
  });

  it('node i listens on base+10i (client), +1 (peer), +2 (HTTP)', () => {
    expect(devPorts(2, 7400)).toEqual({ client: 7420, peer: 7421, http: 7422 });
  });
});
