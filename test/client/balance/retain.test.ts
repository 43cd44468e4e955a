import { describe, expect, it } from 'vitest';
import { harness, ids, weighted, instance } from './fixtures.js';

describe('retain', () => {
  it('forgets the ejection of an instance that left, so it comes back fresh', () => {
    const { balancer } = harness();
    const flaky = instance('flaky');
    for (let i = 0; i < 5; i++) balancer.begin(flaky)('failure');
    balancer.retain([instance('other')]);
    expect(balancer.isEjected(flaky)).toBe(false);
  });

  it('keeps the state of the instances still listed', () => {
    const { balancer } = harness();
    const flaky = instance('flaky');
    for (let i = 0; i < 5; i++) balancer.begin(flaky)('failure');
    balancer.begin(flaky);
    balancer.retain([flaky]);
    expect(balancer.isEjected(flaky)).toBe(true);
    expect(balancer.outstandingCalls(flaky)).toBe(1);
  });

  it('forgets calls in flight, and a late end does not touch the re-added instance', () => {
    const { balancer } = harness();
    const busy = instance('busy');
    const done = balancer.begin(busy);
    balancer.begin(busy);
    balancer.retain([]);
    expect(balancer.outstandingCalls(busy)).toBe(0);
    balancer.begin(busy);
    done('failure');
    expect(balancer.outstandingCalls(busy)).toBe(1);
  });

  it('does not count failures from before the removal against the re-added instance', () => {
    const { balancer } = harness();
    const flaky = instance('flaky');
    const pending = Array.from({ length: 4 }, () => balancer.begin(flaky));
    balancer.retain([]);
    for (const done of pending) done('failure');
    balancer.begin(flaky)('failure');
    expect(balancer.isEjected(flaky)).toBe(false);
  });

  it('restarts the weighted rotation of an instance removed and re-added', () => {
    const { balancer } = harness();
    const set = [weighted('a', 5), weighted('b', 1), weighted('c', 1)];
    const firstThree = ids([0, 1, 2].map(() => balancer.pick('weighted-round-robin', set)));
    expect(firstThree).toEqual(['a', 'a', 'b']);
    balancer.retain([]);
    const again = ids(Array.from({ length: 7 }, () => balancer.pick('weighted-round-robin', set)));
    expect(again.join(' ')).toBe('a a b a c a a');
  });
});
