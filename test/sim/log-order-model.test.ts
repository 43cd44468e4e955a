import { describe, expect, it } from 'vitest';
import { checkLinearizability, type Operation } from '../../src/sim/check/linearizability.js';
import {
  rankByLogIndex, registryModelInLogOrder, type LoggedInput,
} from '../../src/sim/check/log-order-model.js';
import type { RegistryOutput } from '../../src/sim/check/registry-model.js';

type Op = Operation<LoggedInput, RegistryOutput>;

function register(
  instance: string, endpoint: string, logIndex: number, call: number, ret: number,
): Op {
  return {
    clientId: logIndex,
    input: { kind: 'register', service: 's', instance, endpoint, logIndex },
    output: { kind: 'register' },
    call,
    return: ret,
  };
}

function lookup(instances: [string, string][], call: number, ret: number): Op {
  return {
    clientId: 99,
    input: { kind: 'lookup', service: 's' },
    output: { kind: 'lookup', instances },
    call,
    return: ret,
  };
}

function check(history: Op[]): string {
  return checkLinearizability(registryModelInLogOrder, rankByLogIndex(history)).outcome;
}

describe('the log-order witness for the linearizability check', () => {
  it('accepts concurrent writes whose effects follow their log order', () => {
    const history = [
      register('a', 'e1', 10, 0, 100),
      register('a', 'e2', 11, 1, 100),
      register('a', 'e3', 12, 2, 100),
      lookup([['a', 'e3']], 101, 102),
    ];
    expect(check(history)).toBe('ok');
  });

  it('rejects a read that saw a state the log order never produced', () => {
    // Concurrent writes: plain linearizability allows e2 last, but the log put e3 last.
    const history = [
      register('a', 'e1', 10, 0, 100),
      register('a', 'e2', 11, 1, 100),
      register('a', 'e3', 12, 2, 100),
      lookup([['a', 'e2']], 101, 102),
    ];
    expect(check(history)).toBe('illegal');
  });

  it('rejects a log order that contradicts real time', () => {
    // e2 completed before e1 was called, yet the log put e1 first.
    const history = [
      register('a', 'e2', 11, 0, 5),
      register('a', 'e1', 10, 6, 10),
    ];
    expect(check(history)).toBe('illegal');
  });

  it('ranks writes per service and leaves reads and unlogged writes unranked', () => {
    const ranked = rankByLogIndex([
      register('a', 'x', 40, 0, 1),
      register('a', 'y', 7, 0, 1),
      lookup([], 0, 1),
    ]);
    expect(ranked.map((op) => op.input.logRank)).toEqual([1, 0, undefined]);
  });
});
