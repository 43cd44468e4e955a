import { describe, expect, it } from 'vitest';
import type {
  Greeter} from './greeters.js';
import { callUntil, failure, hello, spread, warmUp,
} from './greeters.js';
import { useResolverHarness } from './resolver-harness.js';

/** Chi-square's critical value for 1 degree of freedom at p = 0.001. */
const CHI_SQUARE_1DF_P001 = 10.828;

function chiSquare(observed: readonly number[], weights: readonly number[]): number {
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, seen, i) => {
    const expected = (total * (weights[i] ?? 0)) / weightSum;
    return sum + (seen - expected) ** 2 / expected;
  }, 0);
}

describe('roster_weighted over real servers', () => {
  const harness = useResolverHarness();
  const { start, client } = harness;

  it('ejects an instance that fails calls in a row, and sends the rest elsewhere', async () => {
    const [a, b] = await start('a', 'b') as [Greeter, Greeter];
    harness.discovery.initial = [a.instance(), b.instance()];
    const channel = client();
    await warmUp(channel, ['a', 'b']);
    a.failing = true;
    // Five failures in a row eject a (default); calls alternate, so 20 are plenty.
    for (let i = 0; i < 20; i++) await hello(channel).catch(() => undefined);
    const failedOnA = a.calls;
    const answers = await spread(channel, 100);
    expect(answers.get('b')).toBe(100);
    expect(a.calls).toBe(failedOnA);
  });

  it('splits calls by weight, and never calls weight 0', async () => {
    const [a, b, c] = await start('a', 'b', 'c') as [Greeter, Greeter, Greeter];
    harness.discovery.initial = [a.instance(3), b.instance(1), c.instance(0)];
    const channel = client();
    await warmUp(channel, ['a', 'b']);
    const answers = await spread(channel, 2_000);
    const observed = [answers.get('a') ?? 0, answers.get('b') ?? 0];
    expect(answers.get('c')).toBeUndefined();
    expect(c.calls).toBe(0);
    expect(chiSquare(observed, [3, 1])).toBeLessThan(CHI_SQUARE_1DF_P001);
  });

  it('sends calls to an added instance with the same channel and connections', async () => {
    const [a, b, c, d] = await start('a', 'b', 'c', 'd') as [Greeter, Greeter, Greeter, Greeter];
    harness.discovery.initial = [a.instance(), b.instance(), c.instance()];
    const channel = client();
    await warmUp(channel, ['a', 'b', 'c']);
    harness.discovery.view.set([a.instance(), b.instance(), c.instance(), d.instance()]);
    await warmUp(channel, ['d']);
    const answers = await spread(channel, 400);
    expect([...answers.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    // Each of the first three still saw one client connection: nothing reconnected.
    expect([a.peers.size, b.peers.size, c.peers.size]).toEqual([1, 1, 1]);
    expect(harness.discovery.views).toHaveLength(1);
  });

  it('sends no new call to an instance once a change leaves it out', async () => {
    const [a, b, c] = await start('a', 'b', 'c') as [Greeter, Greeter, Greeter];
    harness.discovery.initial = [a.instance(), b.instance(), c.instance()];
    const channel = client();
    await warmUp(channel, ['a', 'b', 'c']);
    harness.discovery.view.set([a.instance(), b.instance()]);
    const before = c.calls;
    const answers = await spread(channel, 300);
    expect(c.calls).toBe(before);
    expect([...answers.keys()].sort()).toEqual(['a', 'b']);
  });

  it('sends no new call to a draining or critical instance', async () => {
    const [a, b, c] = await start('a', 'b', 'c') as [Greeter, Greeter, Greeter];
    harness.discovery.initial = [a.instance(), b.instance(), c.instance()];
    const channel = client();
    await warmUp(channel, ['a', 'b', 'c']);
    harness.discovery.view.set([a.instance(), b.instance(100, { status: 'DRAINING' }),
      c.instance(100, { health: 'CRITICAL' })]);
    const [bBefore, cBefore] = [b.calls, c.calls];
    const answers = await spread(channel, 200);
    expect([b.calls, c.calls]).toEqual([bBefore, cBefore]);
    expect(answers.get('a')).toBe(200);
  });

  it('applies a new weight without reconnecting', async () => {
    const [a, b] = await start('a', 'b') as [Greeter, Greeter];
    harness.discovery.initial = [a.instance(1), b.instance(1)];
    const channel = client();
    await warmUp(channel, ['a', 'b']);
    harness.discovery.view.set([a.instance(1), b.instance(0)]);
    const answers = await spread(channel, 200);
    expect(answers.get('a')).toBe(200);
    harness.discovery.view.set([a.instance(1), b.instance(3)]);
    await warmUp(channel, ['b']);
    const split = await spread(channel, 400);
    expect(chiSquare([split.get('a') ?? 0, split.get('b') ?? 0], [1, 3]))
      .toBeLessThan(CHI_SQUARE_1DF_P001);
    expect(a.peers.size).toBe(1);
  });

  it('keeps calling the last set while the view is stale', async () => {
    const [a, b] = await start('a', 'b') as [Greeter, Greeter];
    harness.discovery.initial = [a.instance(), b.instance()];
    const channel = client();
    await warmUp(channel, ['a', 'b']);
    harness.discovery.view.goStale();
    const answers = await spread(channel, 200);
    expect([...answers.keys()].sort()).toEqual(['a', 'b']);
    harness.discovery.view.goFresh();
    harness.discovery.view.set([a.instance()]);
    expect((await spread(channel, 50)).get('a')).toBe(50);
  });

  it('fails calls fast with UNAVAILABLE while there is no instance', async () => {
    const [a] = await start('a') as [Greeter];
    harness.discovery.initial = [];
    const channel = client();
    const started = Date.now();
    const error = await failure(hello(channel, { timeoutMs: 5_000 }));
    expect(error.code).toBe(14);
    expect(error.details).toContain('no instances of greeter');
    expect(Date.now() - started).toBeLessThan(1_000);
    // waitForReady calls wait for an instance instead, and get it.
    const waiting = hello(channel, { waitForReady: true, timeoutMs: 5_000 });
    setTimeout(() => harness.discovery.view.set([a.instance()]), 50);
    await expect(waiting).resolves.toBe('a');
  });

  it('says why when every instance is draining or critical', async () => {
    const [a] = await start('a') as [Greeter];
    harness.discovery.initial = [a.instance(100, { status: 'DRAINING' })];
    const error = await failure(hello(client()));
    expect(error.code).toBe(14);
    expect(error.details).toContain('no instances of greeter to call (1 draining or critical)');
  });

  it('fails calls with the view error when it has no set, and keeps its set after', async () => {
    const [a] = await start('a') as [Greeter];
    const channel = client();
    await expect(hello(channel, { timeoutMs: 200 })).rejects.toThrow();
    harness.discovery.view.fail(new Error('invalid service name'));
    const error = await failure(hello(channel));
    expect(error.code).toBe(14);
    expect(error.details).toContain('discovery of greeter failed: invalid service name');
    harness.discovery.view.set([a.instance()]);
    await callUntil(channel, (answer) => answer === 'a');
    harness.discovery.view.fail(new Error('lost the cluster for good'));
    expect((await spread(channel, 20)).get('a')).toBe(20);
  });

  it('fails calls with UNAVAILABLE when no instance can be reached', async () => {
    const [a] = await start('a') as [Greeter];
    a.stop();
    harness.discovery.initial = [a.instance()];
    const error = await failure(hello(client(), { timeoutMs: 3_000 }));
    expect(error.code).toBe(14);
  });
});

