import { describe, expect, it } from 'vitest';
import { harness, ids, instance, shuffled } from './fixtures.js';

describe('round-robin', () => {
  it('visits each eligible instance once per cycle, in id order', () => {
    const { balancer } = harness();
    const set = [instance('c'), instance('a'), instance('d'), instance('b')];
    const picks = Array.from({ length: 8 }, () => balancer.pick('round-robin', set));
    expect(ids(picks)).toEqual(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd']);
  });

  it('does not depend on the order the instances are listed in', () => {
    const { balancer } = harness();
    const set = ['a', 'b', 'c', 'd', 'e'].map((id) => instance(id));
    const picks = Array.from({ length: 10 }, (_, i) => balancer.pick('round-robin',
      shuffled(set, i)));
    expect(ids(picks).join('')).toBe('abcdeabcde');
  });

  it('skips draining and critical instances', () => {
    const { balancer } = harness();
    const set = [instance('a'), instance('b', { status: 'DRAINING' }),
      instance('c', { health: 'CRITICAL' }), instance('d')];
    const picks = Array.from({ length: 4 }, () => balancer.pick('round-robin', set));
    expect(ids(picks)).toEqual(['a', 'd', 'a', 'd']);
  });

  it('takes newcomers into the cycle at their place and goes on past leavers', () => {
    const { balancer } = harness();
    const [a, b, c, d] = [instance('a'), instance('b'), instance('c'), instance('d')];
    expect(balancer.pick('round-robin', [a, b, d])?.id).toBe('a');
    expect(balancer.pick('round-robin', [a, b, d])?.id).toBe('b');
    expect(balancer.pick('round-robin', [a, c, d])?.id).toBe('c');
    expect(balancer.pick('round-robin', [a, d])?.id).toBe('d');
    expect(balancer.pick('round-robin', [a, d])?.id).toBe('a');
  });

  it('returns undefined when nothing is eligible', () => {
    const { balancer } = harness();
    expect(balancer.pick('round-robin', [])).toBeUndefined();
    expect(balancer.pick('round-robin', [instance('a', { status: 'DRAINING' })])).toBeUndefined();
  });
});
