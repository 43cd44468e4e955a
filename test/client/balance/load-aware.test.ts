import { describe, expect, it } from 'vitest';
import type { PickPolicy } from '../../../src/client/discovered.js';
import { harness, instance, tally } from './fixtures.js';

const POLICIES: PickPolicy[] = ['least-outstanding', 'power-of-two-choices'];

describe.each(POLICIES)('%s', (policy) => {
  it('prefers the instance with fewer calls in flight', () => {
    const { balancer } = harness();
    const [busy, idle] = [instance('busy'), instance('idle')];
    balancer.begin(busy);
    balancer.begin(busy);
    balancer.begin(idle);
    const counts = tally(200, () => balancer.pick(policy, [busy, idle]));
    expect(counts.get('idle')).toBe(200);
  });

  it('counts a call as ended once its done function runs, and only once', () => {
    const { balancer } = harness();
    const [first, second] = [instance('first'), instance('second')];
    const done = balancer.begin(first);
    balancer.begin(second);
    balancer.begin(second);
    done('success');
    done('success');
    expect(balancer.outstandingCalls(first)).toBe(0);
    expect(balancer.outstandingCalls(second)).toBe(2);
    expect(balancer.pick(policy, [first, second])?.id).toBe('first');
  });

  it('spreads calls among equally loaded instances', () => {
    const { balancer } = harness(3);
    const set = ['a', 'b', 'c', 'd'].map((id) => instance(id));
    const counts = tally(4_000, () => balancer.pick(policy, set));
    for (const id of ['a', 'b', 'c', 'd']) expect(counts.get(id)).toBeGreaterThan(850);
  });

  it('keeps calls in flight even across many instances', () => {
    const { balancer } = harness(5);
    const set = Array.from({ length: 8 }, (_, i) => instance(`i${i}`));
    for (let i = 0; i < 800; i++) {
      const chosen = balancer.pick(policy, set);
      if (chosen !== undefined) balancer.begin(chosen);
    }
    const loads = set.map((member) => balancer.outstandingCalls(member));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(
      policy === 'least-outstanding' ? 1 : 8);
  });

  it('skips draining and critical instances, and returns undefined when none is left', () => {
    const { balancer } = harness();
    const draining = instance('draining', { status: 'DRAINING' });
    const critical = instance('critical', { health: 'CRITICAL' });
    const counts = tally(100, () => balancer.pick(policy, [draining, critical, instance('ok')]));
    expect([...counts.keys()]).toEqual(['ok']);
    expect(balancer.pick(policy, [draining, critical])).toBeUndefined();
  });
});

describe('power-of-two-choices', () => {
  it('never picks the most loaded instance, which loses every comparison', () => {
    const { balancer } = harness(11);
    const set = ['a', 'b', 'c', 'd', 'e'].map((id) => instance(id));
    const hot = set[2] ?? instance('c');
    for (let i = 0; i < 3; i++) balancer.begin(hot);
    const counts = tally(2_000, () => balancer.pick('power-of-two-choices', set));
    expect(counts.get('c')).toBeUndefined();
  });
});
