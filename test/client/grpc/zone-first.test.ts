import { describe, expect, it } from 'vitest';
import { ZoneFirstChooser, preferredTier } from '../../../src/client/grpc/zone-first.js';

const at = (id: string, weight: number, zone = '', priority = 0) =>
  ({ id, weight, zone, priority });

function picks(chooser: ZoneFirstChooser, ready: ReturnType<typeof at>[], count: number) {
  return Array.from({ length: count }, () => chooser.choose(ready)?.id ?? '-').join('');
}

describe('ZoneFirstChooser', () => {
  it('spreads by weight, smoothly, and never picks weight 0', () => {
    const chooser = new ZoneFirstChooser(undefined);
    expect(picks(chooser, [at('a', 3), at('b', 1), at('c', 0)], 8)).toBe('aabaaaba');
  });

  it('picks nothing when nothing has a weight', () => {
    expect(new ZoneFirstChooser(undefined).choose([at('a', 0)])).toBeUndefined();
    expect(new ZoneFirstChooser(undefined).choose([])).toBeUndefined();
  });

  it('keeps to the lowest priority, then to the local zone', () => {
    const ready = [at('p1a', 100, 'a', 1), at('p0b', 100, 'b', 0), at('p0a', 0, 'a', 0)];
    expect(preferredTier(ready, 'a').map((e) => e.id)).toEqual(['p0b']);
    const zoned = [at('a1', 1, 'a'), at('b1', 1, 'b'), at('a2', 1, 'a')];
    expect(preferredTier(zoned, 'a').map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(preferredTier(zoned, 'c').map((e) => e.id)).toEqual(['a1', 'b1', 'a2']);
    expect(preferredTier(zoned, undefined)).toHaveLength(3);
  });

  it('forgets endpoints it is told are gone', () => {
    const chooser = new ZoneFirstChooser(undefined);
    expect(picks(chooser, [at('a', 1), at('b', 3)], 1)).toBe('b');
    chooser.retain(new Set(['b']));
    expect(picks(chooser, [at('b', 3)], 1)).toBe('b');
    // Remembered, a's credit from waiting would tie with b and win by order; it is forgotten.
    expect(picks(chooser, [at('a', 1), at('b', 3)], 1)).toBe('b');
  });
});
