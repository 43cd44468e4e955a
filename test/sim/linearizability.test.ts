import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/core/prng.js';
import { checkLinearizability } from '../../src/sim/check/linearizability.js';
import type { Model, Operation } from '../../src/sim/check/linearizability.js';
import { describeRegistryOp, registryModel } from '../../src/sim/check/registry-model.js';
import type {
  RegistryInput,
  RegistryOutput,
  RegistryState,
} from '../../src/sim/check/registry-model.js';

type RegistryOp = Operation<RegistryInput, RegistryOutput>;
type Pair = readonly [string, string];

// --- Building histories by hand -------------------------------------------------------------

const register = (service: string, instance: string, endpoint: string): RegistryInput => ({
  kind: 'register', service, instance, endpoint,
});
const deregister = (service: string, instance: string): RegistryInput => ({
  kind: 'deregister', service, instance,
});
const lookup = (service: string): RegistryInput => ({ kind: 'lookup', service });
const expire = (service: string, ...instances: string[]): RegistryInput => ({
  kind: 'expire', service, instances,
});

const registered: RegistryOutput = { kind: 'register' };
const expired: RegistryOutput = { kind: 'expire' };
const unknown: RegistryOutput = { kind: 'unknown' };
const found = (isFound: boolean): RegistryOutput => ({ kind: 'deregister', found: isFound });
const saw = (...instances: Pair[]): RegistryOutput => ({ kind: 'lookup', instances });

function op(
  clientId: number,
  call: number,
  ret: number,
  input: RegistryInput,
  output: RegistryOutput,
): RegistryOp {
  return { clientId, call, return: ret, input, output };
}

const check = (history: readonly RegistryOp[], stepBudget?: number) =>
  checkLinearizability(registryModel, history, stepBudget === undefined ? {} : { stepBudget });

// --- Building linearizable histories from a real (in-test) registry -------------------------

/** The obviously-correct registry the generated histories are recorded against. */
class InTestRegistry {
  private readonly services = new Map<string, Map<string, string>>();

  execute(input: RegistryInput): RegistryOutput {
    const instances = this.services.get(input.service) ?? new Map<string, string>();
    this.services.set(input.service, instances);
    switch (input.kind) {
      case 'register':
        instances.set(input.instance, input.endpoint);
        return registered;
      case 'deregister':
        return found(instances.delete(input.instance));
      case 'lookup':
        return saw(...[...instances.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      case 'expire':
        for (const instance of input.instances) instances.delete(instance);
        return expired;
    }
  }
}

/** What happened to an op: completed, timed out after taking effect, or timed out before. */
type Fate = 'done' | 'applied' | 'dropped';

interface Planned {
  readonly input: RegistryInput;
  readonly clientId: number;
  readonly callSlack: number;
  readonly returnSlack: number;
  readonly fate: Fate;
}

const SPACING = 10;

/**
 * Executes the plans one at a time at points SPACING apart, and gives each op an interval that
 * contains its execution point: linearizable by construction, with lots of overlap.
 */
function recordHistory(plans: readonly Planned[]): RegistryOp[] {
  const registry = new InTestRegistry();
  return plans.map((plan, i) => {
    const at = (i + 1) * SPACING;
    const call = at - plan.callSlack;
    if (plan.fate === 'dropped') return op(plan.clientId, call, Infinity, plan.input, unknown);
    const output = registry.execute(plan.input);
    if (plan.fate === 'applied') return op(plan.clientId, call, Infinity, plan.input, unknown);
    return op(plan.clientId, call, at + plan.returnSlack, plan.input, output);
  });
}

const isWrite = (input: RegistryInput) => input.kind !== 'lookup';

function inputFrom(
  kind: RegistryInput['kind'],
  service: string,
  instance: string,
  endpoint: string,
): RegistryInput {
  switch (kind) {
    case 'register':
      return register(service, instance, endpoint);
    case 'deregister':
      return deregister(service, instance);
    case 'lookup':
      return lookup(service);
    case 'expire':
      return expire(service, instance);
  }
}

const plannedArb: fc.Arbitrary<Planned> = fc
  .record({
    kind: fc.constantFrom('register', 'register', 'deregister', 'lookup', 'lookup', 'expire'),
    service: fc.constantFrom('web', 'db'),
    instance: fc.constantFrom('a', 'b', 'c'),
    endpoint: fc.constantFrom('10.0.0.1:80', '10.0.0.2:80'),
    clientId: fc.integer({ min: 0, max: 5 }),
    callSlack: fc.integer({ min: 0, max: 35 }),
    returnSlack: fc.integer({ min: 0, max: 35 }),
    fate: fc.constantFrom<Fate>('done', 'done', 'done', 'done', 'applied', 'dropped'),
  })
  .map(({ kind, service, instance, endpoint, ...rest }) => {
    const input = inputFrom(kind, service, instance, endpoint);
    // Only writes time out here: an unknown lookup carries no information anyway.
    return { ...rest, input, fate: isWrite(input) ? rest.fate : 'done' };
  });

/** 8 clients round-robin: with slack < 40 and 8 * SPACING = 80, each client is sequential. */
function generateLargeHistory(seed: number, count: number): RegistryOp[] {
  const prng = new Prng(seed);
  const kinds = ['register', 'register', 'deregister', 'lookup', 'lookup', 'expire'] as const;
  const plans: Planned[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[prng.intBelow(kinds.length)] ?? 'lookup';
    const input = inputFrom(kind, `svc-${prng.intBelow(4)}`, `i${prng.intBelow(5)}`,
      `10.0.0.${prng.intBelow(3)}:80`);
    const timedOut = isWrite(input) && prng.nextFloat() < 0.2;
    const fate: Fate = timedOut ? (prng.nextFloat() < 0.5 ? 'applied' : 'dropped') : 'done';
    plans.push({ input, clientId: i % 8, callSlack: prng.intBetween(1, 39),
      returnSlack: prng.intBetween(1, 39), fate });
  }
  return recordHistory(plans);
}

// --- Tests ----------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly history: readonly RegistryOp[];
  readonly expected: 'ok' | 'illegal';
}

const e1 = '10.0.0.1:80';
const e2 = '10.0.0.2:80';

const sequentialCases: Case[] = [
  { name: 'empty history', history: [], expected: 'ok' },
  {
    name: 'register, lookup, deregister, lookup in sequence',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 30, lookup('web'), saw(['a', e1])),
      op(2, 40, 50, deregister('web', 'a'), found(true)),
      op(1, 60, 70, lookup('web'), saw()),
    ],
    expected: 'ok',
  },
  {
    name: 'lookup lists instances sorted, re-register replaces the endpoint',
    history: [
      op(1, 0, 10, register('web', 'b', e1), registered),
      op(1, 20, 30, register('web', 'a', e1), registered),
      op(2, 40, 50, register('web', 'b', e2), registered),
      op(3, 60, 70, lookup('web'), saw(['a', e1], ['b', e2])),
    ],
    expected: 'ok',
  },
  {
    name: 'stale read after a completed write',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 30, register('web', 'a', e2), registered),
      op(2, 40, 50, lookup('web'), saw(['a', e1])),
    ],
    expected: 'illegal',
  },
  {
    name: 'lookup misses an instance registered before it was called',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 11, 20, lookup('web'), saw()),
    ],
    expected: 'illegal',
  },
  {
    name: 'expire removes the listed instances only',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 30, register('web', 'b', e1), registered),
      op(2, 40, 50, expire('web', 'a'), expired),
      op(3, 60, 70, lookup('web'), saw(['b', e1])),
    ],
    expected: 'ok',
  },
  {
    name: 'an expired instance still listed afterwards',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 40, 50, expire('web', 'a'), expired),
      op(3, 60, 70, lookup('web'), saw(['a', e1])),
    ],
    expected: 'illegal',
  },
  {
    name: 'an output of the wrong kind',
    history: [op(1, 0, 10, register('web', 'a', e1), found(true))],
    expected: 'illegal',
  },
];

const concurrentCases: Case[] = [
  {
    name: 'touching intervals are concurrent (return at 10, call at 10): may see the old value',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 10, 20, lookup('web'), saw()),
    ],
    expected: 'ok',
  },
  ...[saw(['a', e1]), saw(['a', e2])].map((output, i) => ({
    name: `a read concurrent with a write sees the ${i === 0 ? 'old' : 'new'} value`,
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 40, register('web', 'a', e2), registered),
      op(2, 25, 30, lookup('web'), output),
    ],
    expected: 'ok' as const,
  })),
  {
    name: 'two sequential reads during a write see old then new',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 40, register('web', 'a', e2), registered),
      op(2, 22, 24, lookup('web'), saw(['a', e1])),
      op(2, 26, 28, lookup('web'), saw(['a', e2])),
    ],
    expected: 'ok',
  },
  {
    name: 'two sequential reads during a write see new then old',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 40, register('web', 'a', e2), registered),
      op(2, 22, 24, lookup('web'), saw(['a', e2])),
      op(3, 26, 28, lookup('web'), saw(['a', e1])),
    ],
    expected: 'illegal',
  },
];

const unknownCases: Case[] = [
  ...[saw(['a', e1]), saw()].map((output, i) => ({
    name: `a later read ${i === 0 ? 'sees' : 'does not see'} a timed-out register`,
    history: [
      op(1, 0, Infinity, register('web', 'a', e1), unknown),
      op(2, 10, 20, lookup('web'), output),
    ],
    expected: 'ok' as const,
  })),
  {
    name: 'a timed-out register seen, then not seen by a later read',
    history: [
      op(1, 0, Infinity, register('web', 'a', e1), unknown),
      op(2, 10, 20, lookup('web'), saw(['a', e1])),
      op(3, 30, 40, lookup('web'), saw()),
    ],
    expected: 'illegal',
  },
  {
    name: 'a timed-out register not seen, then seen by a later read',
    history: [
      op(1, 0, Infinity, register('web', 'a', e1), unknown),
      op(2, 10, 20, lookup('web'), saw()),
      op(3, 30, 40, lookup('web'), saw(['a', e1])),
    ],
    expected: 'ok',
  },
  {
    name: 'seen then gone is fine when a timed-out deregister explains it',
    history: [
      op(1, 0, Infinity, register('web', 'a', e1), unknown),
      op(2, 10, 20, lookup('web'), saw(['a', e1])),
      op(4, 25, Infinity, deregister('web', 'a'), unknown),
      op(3, 30, 40, lookup('web'), saw()),
    ],
    expected: 'ok',
  },
  {
    name: 'a timed-out op cannot take effect before it was called',
    history: [
      op(2, 0, 10, lookup('web'), saw(['a', e1])),
      op(1, 20, Infinity, register('web', 'a', e1), unknown),
    ],
    expected: 'illegal',
  },
];

const deregisterCases: Case[] = [
  {
    name: 'deregister not found when the instance must exist',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 20, 30, deregister('web', 'a'), found(false)),
    ],
    expected: 'illegal',
  },
  {
    name: 'deregister not found, concurrent with the register',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 5, 30, deregister('web', 'a'), found(false)),
      op(3, 40, 50, lookup('web'), saw(['a', e1])),
    ],
    expected: 'ok',
  },
  {
    name: 'deregister found for an instance never registered',
    history: [op(1, 0, 10, deregister('web', 'a'), found(true))],
    expected: 'illegal',
  },
  {
    name: 'two deregisters of one instance both found',
    history: [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 20, 30, deregister('web', 'a'), found(true)),
      op(3, 20, 30, deregister('web', 'a'), found(true)),
    ],
    expected: 'illegal',
  },
];

describe('checkLinearizability with the registry model', () => {
  const groups = { sequentialCases, concurrentCases, unknownCases, deregisterCases };
  for (const [group, cases] of Object.entries(groups)) {
    it.each(cases)(`${group}: $name -> $expected`, ({ history, expected }) => {
      expect(check(history).outcome).toBe(expected);
    });
  }

  it('reports the longest prefix and the ops that could not follow it', () => {
    const result = check([
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(1, 20, 30, register('web', 'a', e2), registered),
      op(2, 40, 50, lookup('web'), saw(['a', e1])),
    ]);
    expect(result.outcome).toBe('illegal');
    if (result.outcome !== 'illegal') return;
    expect(result.partition).toBe(0);
    expect(result.detail).toContain('longest linearizable prefix has 2 ops');
    expect(result.detail).toContain('#1 client 1 [20, 30] register web/a=10.0.0.2:80 -> ok');
    expect(result.detail).toContain('state after the prefix: [["a","10.0.0.2:80"]]');
    expect(result.detail).toMatch(
      /could not linearize next:\n {2}#2 client 2 \[40, 50\] lookup web -> \{a=10\.0\.0\.1:80\}/,
    );
    expect(result.detail.split('\n').length).toBeLessThan(10);
  });

  it('checks services independently and names the partition that failed', () => {
    const result = check([
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 0, 10, register('db', 'x', e1), registered),
      op(1, 20, 30, lookup('web'), saw(['a', e1])),
      op(2, 20, 30, lookup('db'), saw()),
      op(3, 40, 50, lookup('cache'), saw()),
    ]);
    expect(result).toMatchObject({ outcome: 'illegal', partition: 1 });
    if (result.outcome === 'illegal') expect(result.detail).toContain('lookup db -> {}');
  });

  it('does not let one service explain another', () => {
    // Sees in db what only web registered: legal if services were one map, illegal per service.
    const history = [
      op(1, 0, 10, register('web', 'a', e1), registered),
      op(2, 20, 30, lookup('db'), saw(['a', e1])),
    ];
    expect(check(history)).toMatchObject({ outcome: 'illegal', partition: 1 });
  });

  it('returns unknown rather than hanging when the step budget runs out', () => {
    // 30 concurrent timed-out registers then an impossible read: 2^30 subsets to rule out.
    const history = Array.from({ length: 30 }, (_, i) =>
      op(i, i, Infinity, register('web', `i${i}`, e1), unknown));
    history.push(op(99, 100, 110, lookup('web'), saw(['ghost', e1])));
    const result = check(history, 1000);
    expect(result).toMatchObject({ outcome: 'unknown', partition: 0 });
    if (result.outcome === 'unknown') expect(result.detail).toContain('gave up after 1000 steps');
  });

  it('prefers a definite illegal verdict over an exhausted budget in another partition', () => {
    const history = Array.from({ length: 20 }, (_, i) =>
      op(i, i, Infinity, register('web', `i${i}`, e1), unknown));
    history.push(op(99, 100, 110, lookup('web'), saw(['ghost', e1])));
    history.push(op(98, 0, 10, deregister('db', 'x'), found(true)));
    expect(check(history, 500)).toMatchObject({ outcome: 'illegal', partition: 1 });
  });

  it('rejects malformed histories', () => {
    expect(() => check([op(1, 10, 5, lookup('web'), saw())])).toThrow(RangeError);
    expect(() => check([op(1, NaN, 5, lookup('web'), saw())])).toThrow(RangeError);
    expect(() => check([], -1)).toThrow(RangeError);
  });
});

describe('checkLinearizability properties', () => {
  const plansArb = fc.array(plannedArb, { maxLength: 40, size: 'max' });

  it('accepts every history recorded from a real registry with containing intervals', () => {
    fc.assert(
      fc.property(plansArb, (plans) => {
        expect(check(recordHistory(plans)).outcome).toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects the same histories with one lookup showing an instance no one registered', () => {
    fc.assert(
      fc.property(plansArb, fc.nat(), fc.constantFrom('web', 'db'), (plans, pick, service) => {
        const history = recordHistory([
          ...plans,
          { input: lookup(service), clientId: 9, callSlack: 5, returnSlack: 5, fate: 'done' },
        ]);
        const lookups = history.filter((o) => o.output.kind === 'lookup');
        const victim = lookups[pick % lookups.length] as RegistryOp;
        const output = victim.output as Extract<RegistryOutput, { kind: 'lookup' }>;
        const mutated = { ...victim, output: saw(...output.instances, ['zz-ghost', e1]) };
        const result = check(history.map((o) => (o === victim ? mutated : o)));
        expect(result.outcome).toBe('illegal');
        if (result.outcome === 'illegal') expect(result.detail).toContain('zz-ghost');
      }),
      { numRuns: 300 },
    );
  });

  it('checks a 400-op history over 4 services, 8 clients, ~20% timed-out writes', () => {
    for (const seed of [1, 2, 3]) {
      const history = generateLargeHistory(seed, 400);
      expect(history.filter((o) => o.return === Infinity).length).toBeGreaterThan(20);
      expect(check(history).outcome).toBe('ok');
    }
  });
});

describe('the checker with a model that does not partition or describe', () => {
  /** A single integer register: write(v) or read() -> v. */
  type RegInput = { readonly write?: number };
  const intRegister: Model<number, RegInput, number> = {
    init: () => 0,
    step: (state, input, output) =>
      input.write === undefined
        ? { ok: output === state, state }
        : { ok: true, state: input.write },
    key: (state) => String(state),
  };
  const rw = (call: number, ret: number, input: RegInput, output: number) =>
    ({ clientId: 0, call, return: ret, input, output });

  it('treats the whole history as one partition and describes ops as JSON', () => {
    const result = checkLinearizability(intRegister, [
      rw(0, 10, { write: 1 }, 0),
      rw(20, 30, { write: 2 }, 0),
      rw(40, 50, {}, 1),
    ]);
    expect(result).toMatchObject({ outcome: 'illegal', partition: 0 });
    if (result.outcome === 'illegal') expect(result.detail).toContain('{} -> 1');
  });

  it('handles a long history without recursion', () => {
    const history = Array.from({ length: 20_000 }, (_, i) =>
      rw(i * 2, i * 2 + 1, i % 2 === 0 ? { write: i } : {}, i % 2 === 0 ? 0 : i - 1));
    expect(checkLinearizability(intRegister, history).outcome).toBe('ok');
  });
});

describe('registryModel', () => {
  it('steps purely and keys equal states equally', () => {
    const empty = registryModel.init();
    const ab = registryModel.step(
      registryModel.step(empty, register('web', 'b', e1), registered).state,
      register('web', 'a', e2), registered).state;
    const ba = registryModel.step(
      registryModel.step(empty, register('web', 'a', e2), registered).state,
      register('web', 'b', e1), unknown).state;
    expect(empty).toEqual([]);
    expect(registryModel.key(ab)).toBe(registryModel.key(ba));
    expect(ab).toEqual([['a', e2], ['b', e1]]);
    expect(Object.isFrozen(ab)).toBe(true);
    const gone: RegistryState = registryModel.step(ab, deregister('web', 'a'), unknown).state;
    expect(gone).toEqual([['b', e1]]);
    expect(ab).toEqual([['a', e2], ['b', e1]]);
  });

  it('describes ops in one line', () => {
    expect(describeRegistryOp(register('web', 'a', e1), registered))
      .toBe('register web/a=10.0.0.1:80 -> ok');
    expect(describeRegistryOp(deregister('web', 'a'), found(false)))
      .toBe('deregister web/a -> not found');
    expect(describeRegistryOp(lookup('web'), saw(['a', e1], ['b', e2])))
      .toBe('lookup web -> {a=10.0.0.1:80, b=10.0.0.2:80}');
    expect(describeRegistryOp(expire('web', 'a', 'b'), unknown))
      .toBe('expire web/[a, b] -> unknown (timed out)');
  });
});
