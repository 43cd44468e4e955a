import { describe, expect, it } from 'vitest';
import type { Greeter} from './greeters.js';
import { callUntil, spread, warmUp } from './greeters.js';
import { useResolverHarness } from './resolver-harness.js';

describe('zone-first over real servers', () => {
  const harness = useResolverHarness();
  const { start, client } = harness;

  it('calls the local zone only, and other zones once it has nothing', async () => {
    const [a1, a2, b1] = await start('a1', 'a2', 'b1') as [Greeter, Greeter, Greeter];
    harness.discovery.initial = [
      a1.instance(100, { zone: 'a' }), a2.instance(100, { zone: 'a' }),
      b1.instance(100, { zone: 'b' }),
    ];
    const channel = client('roster:///greeter?zone=a');
    await warmUp(channel, ['a1', 'a2']);
    // The zone is a preference, not a filter: discovery lists every zone.
    expect(harness.discovery.view.filters).toEqual({});
    const local = await spread(channel, 200);
    expect([...local.keys()].sort()).toEqual(['a1', 'a2']);

    harness.discovery.view.set([
      a1.instance(100, { zone: 'a', status: 'DRAINING' }), b1.instance(100, { zone: 'b' }),
    ]);
    expect((await spread(channel, 50)).get('b1')).toBe(50);
  });

  it('fails over to another zone when the local one loses its connections',
    async () => {
      const [a1, b1] = await start('a1', 'b1') as [Greeter, Greeter];
      harness.discovery.initial =
        [a1.instance(100, { zone: 'a' }), b1.instance(100, { zone: 'b' })];
      const channel = client('roster:///greeter?zone=a');
      await warmUp(channel, ['a1']);
      expect((await spread(channel, 50)).get('a1')).toBe(50);
      a1.stop();
      await callUntil(channel, (answer) => answer === 'b1');
      expect((await spread(channel, 50)).get('b1')).toBe(50);
    });

  it('spreads over every zone when the caller names none or an empty one', async () => {
    const [a1, b1] = await start('a1', 'b1') as [Greeter, Greeter];
    harness.discovery.initial = [a1.instance(100, { zone: 'a' }), b1.instance(100, { zone: 'b' })];
    await warmUp(client('roster:///greeter?zone=c'), ['a1', 'b1']);
    await warmUp(client('roster:///greeter'), ['a1', 'b1']);
  });

  it('calls priority 0 while it has a connection, fails over, and comes back', async () => {
    const [p0, p1] = await start('p0', 'p1') as [Greeter, Greeter];
    harness.discovery.initial =
      [p0.instance(100, { priority: 0 }), p1.instance(100, { priority: 1 })];
    const channel = client('roster:///greeter');
    await warmUp(channel, ['p0']);
    expect((await spread(channel, 50)).get('p0')).toBe(50);

    p0.stop();
    await callUntil(channel, (answer) => answer === 'p1');
    expect((await spread(channel, 50)).get('p1')).toBe(50);

    await p0.listen();
    await callUntil(channel, (answer) => answer === 'p0');
    expect((await spread(channel, 50)).get('p0')).toBe(50);
  });

  it('prefers the lowest priority over the local zone', async () => {
    const [far, near] = await start('far', 'near') as [Greeter, Greeter];
    harness.discovery.initial = [
      far.instance(100, { zone: 'b', priority: 0 }), near.instance(100, { zone: 'a', priority: 1 }),
    ];
    const channel = client('roster:///greeter?zone=a');
    await warmUp(channel, ['far']);
    expect((await spread(channel, 50)).get('far')).toBe(50);
  });
});
