import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/registry/commands.js';
import type { Command } from '../../src/registry/model.js';
import { Registry } from '../../src/registry/registry.js';
import { validateInstance, validateKey } from '../../src/registry/validate.js';

/** Registers (some with a lease), deregistrations, and checkpoints that change leases in place. */
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      id: fc.integer({ min: 1, max: 40 }), service: fc.constantFrom('web', 'db'),
      tag: fc.constantFrom('a', 'b'), leased: fc.boolean(),
    }).map(({ id, service, tag, leased }): Command => ({
      op: 'register',
      instance: validateInstance({ service, id: `i${id}`, address: '10.0.0.1', port: 80,
        tags: [tag] }),
      ...(leased ? { lease: { ttlMs: 10_000 } } : {}),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 40 }).map((id): Command =>
      ({ op: 'deregister', key: validateKey({ service: 'web', id: `i${id}` }) })),
  },
  {
    weight: 2,
    arbitrary: fc.array(fc.tuple(fc.integer({ min: 1, max: 120 }),
      fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 6 })
      .map((leases): Command => ({ op: 'checkpoint', leases })),
  },
);

function applyAll(registry: Registry, commands: readonly Command[], firstIndex: number): void {
  commands.forEach((command, offset) => {
    registry.apply({ index: firstIndex + offset, data: encodeCommand(command) });
  });
}

describe('a snapshot written in steps', () => {
  it('is the state when it began, whatever is applied while it is written', () => {
    fc.assert(fc.property(
      fc.array(commandArb, { maxLength: 120 }), fc.array(commandArb, { maxLength: 60 }),
      fc.integer({ min: 1, max: 50 }),
      (before, during, budget) => {
        const reference = new Registry();
        applyAll(reference, before, 1);
        const expected = reference.snapshot();

        const live = new Registry();
        applyAll(live, before, 1);
        const progress = live.beginSnapshot();
        let next = 0;
        let steps = 0;
        while (!progress.step(budget)) {
          steps += 1;
          expect(steps).toBeLessThan(1_000);
          const command = during[next];
          if (command !== undefined) applyAll(live, [command], before.length + 1 + next++);
        }
        applyAll(live, during.slice(next), before.length + 1 + next);
        expect(Buffer.from(progress.finish()).toString('hex'))
          .toBe(Buffer.from(expected).toString('hex'));
      }), { numRuns: 300 });
  });

  it('takes as many steps as its budget asks for, and refuses to finish early', () => {
    const registry = new Registry();
    const commands = Array.from({ length: 3_000 }, (_, n): Command => ({
      op: 'register', instance: validateInstance({ service: 'web', id: `i${n}`,
        address: '10.0.0.1', port: 80 }), lease: { ttlMs: 10_000 },
    }));
    applyAll(registry, commands, 1);
    const progress = registry.beginSnapshot();
    expect(() => progress.finish()).toThrow(/before the snapshot is written/);
    let steps = 1;
    while (!progress.step(1_024)) steps += 1;
    // 3,000 profiles, then a header and 3 lease lines, 1 profile line, 3 instance lines.
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(progress.finish()).toEqual(registry.snapshot());
  });
});
