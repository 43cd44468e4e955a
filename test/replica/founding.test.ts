import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clusterIdOf, decideFounding, decodeFoundingState, encodeFoundingState, isComplete,
  newFoundingState, recordFounder, type FoundingPeer, type FoundingState,
} from '../../src/replica/founding.js';
import type { Member } from '../../src/registry/index.js';

const FOUNDERS = ['a', 'b', 'c'];
const A = { name: 'a', id: 101 };

const SPEC = 'a=a:1/a:0,b=b:1/b:0,c=c:1/c:0';

function state(recorded: Record<string, number>): FoundingState {
  return { founders: FOUNDERS, spec: SPEC, recorded: new Map(Object.entries(recorded)) };
}

function founding(name: string, id: number, recorded: Record<string, number>,
  options: { founders?: string[]; spec?: string } = {}): FoundingPeer {
  return { name, id, state: 'founding', founders: options.founders ?? FOUNDERS,
    spec: options.spec ?? SPEC, recorded: new Map(Object.entries(recorded)), clusterId: 0,
    members: [] };
}

function founded(name: string, members: Member[],
  options: { recorded?: Record<string, number>; clusterId?: number } = {}): FoundingPeer {
  return { name, id: 900, state: 'founded', founders: FOUNDERS, spec: SPEC,
    recorded: new Map(Object.entries(options.recorded ?? {})),
    clusterId: options.clusterId ?? 555, members };
}

function member(name: string, id: number): Member {
  return { id, name, peerAddress: `${name}:7401`, clientAddress: `${name}:7400` };
}

const COMPLETE = { a: 101, b: 102, c: 103 };

describe('founding: recording the founders\' ids', () => {
  it('records each founder as it says, ignores strangers, and completes', () => {
    let current = newFoundingState(FOUNDERS, SPEC, A);
    expect(isComplete(current)).toBe(false);
    current = recordFounder(current, { name: 'b', id: 102 }) ?? current;
    expect(recordFounder(current, { name: 'zz', id: 5 })).toBe(current);
    expect(recordFounder(current, { name: 'b', id: 102 })).toBe(current);
    current = recordFounder(current, { name: 'c', id: 103 }) ?? current;
    expect(isComplete(current)).toBe(true);
    expect(Object.fromEntries(current.recorded)).toEqual(COMPLETE);
  });

  it('takes a founder\'s new id while the table is incomplete, refuses it once complete', () => {
    const incomplete = state({ a: 101, b: 102 });
    expect(recordFounder(incomplete, { name: 'b', id: 202 })?.recorded.get('b')).toBe(202);
    expect(recordFounder(state(COMPLETE), { name: 'b', id: 202 })).toBeUndefined();
  });

  it('keeps its state across an encoding, and refuses garbage', () => {
    const saved = state({ a: 101, c: 103 });
    const decoded = decodeFoundingState(encodeFoundingState(saved));
    expect(decoded.founders).toEqual(FOUNDERS);
    expect(decoded.spec).toBe(SPEC);
    expect(Object.fromEntries(decoded.recorded)).toEqual({ a: 101, c: 103 });
    for (const bad of ['{}', '{"founders":["A"],"spec":"","recorded":[]}',
      '{"founders":["a"],"spec":"","recorded":[["a",0]]}',
      '{"founders":["a","a"],"spec":"","recorded":[]}', '{"founders":["a"],"recorded":[]}']) {
      expect(() => decodeFoundingState(new TextEncoder().encode(bad)), bad).toThrow();
    }
  });

  it('derives one cluster id from the founders whatever their order, another for other ids', () => {
    const founders = [{ name: 'a', id: 1 }, { name: 'b', id: 2 }];
    expect(clusterIdOf(founders)).toBe(clusterIdOf([...founders].reverse()));
    const others = [{ name: 'a', id: 1 }, { name: 'b', id: 3 }];
    expect(clusterIdOf(founders)).not.toBe(clusterIdOf(others));
  });
});

describe('founding: what a founder does next', () => {
  const cases: {
    what: string;
    recorded: Record<string, number>;
    peers: FoundingPeer[];
    step: string;
    detail?: RegExp;
  }[] = [
    { what: 'waits while ids are missing', recorded: { a: 101 },
      peers: [founding('b', 102, { b: 102 })], step: 'wait', detail: /founders b, c/ },
    { what: 'waits until every other founder shows the same complete table',
      recorded: COMPLETE, peers: [founding('b', 102, COMPLETE), founding('c', 103, { c: 103 })],
      step: 'wait', detail: /founders c to know/ },
    { what: 'bootstraps when every founder shows the same complete table', recorded: COMPLETE,
      peers: [founding('b', 102, COMPLETE), founding('c', 103, COMPLETE)], step: 'bootstrap' },
    { what: 'never bootstraps on tables that differ', recorded: COMPLETE,
      peers: [founding('b', 102, COMPLETE), founding('c', 103, { ...COMPLETE, b: 202 })],
      step: 'wait' },
    { what: 'refuses founders started with other founders', recorded: { a: 101 },
      peers: [founding('b', 102, { b: 102 }, { founders: ['a', 'b'] })], step: 'refuse',
      detail: /same --initial-cluster/ },
    { what: 'refuses founders given other addresses', recorded: { a: 101 },
      peers: [founding('b', 102, { b: 102 }, { spec: 'a=x:1/x:0,b=b:1/b:0,c=c:1/c:0' })],
      step: 'refuse', detail: /same --initial-cluster/ },
    { what: 'refuses when a complete table holds another id for it (recreated mid-founding)',
      recorded: { a: 101 }, peers: [founding('b', 102, { ...COMPLETE, a: 99 })],
      step: 'refuse', detail: /created again while the cluster was being founded/ },
    { what: 'adopts a running cluster that has it as a member under its id', recorded: { a: 101 },
      peers: [founded('b', [member('a', 101), member('b', 102)])], step: 'adopt' },
    { what: 'bootstraps as the others did when the running cluster was founded on its table',
      recorded: COMPLETE,
      peers: [founded('b', [member('a', 101), member('b', 102)], {
        recorded: COMPLETE, clusterId: clusterIdOf(Object.entries(COMPLETE)
          .map(([name, id]) => ({ name, id }))),
      })], step: 'bootstrap' },
    { what: 'rejoins a running cluster that has its name under another id (data dir lost)',
      recorded: { a: 101 }, peers: [founded('b', [member('a', 77), member('b', 102)])],
      step: 'rejoin' },
    { what: 'refuses a running cluster that removed its name', recorded: { a: 101 },
      peers: [founded('b', [member('b', 102), member('c', 103)])], step: 'refuse',
      detail: /removed.*--join/ },
  ];

  it.each(cases)('$what', ({ recorded, peers, step, detail }) => {
    const decided = decideFounding({
      self: A, state: state(recorded), peers: new Map(peers.map((peer) => [peer.name, peer])),
    });
    expect(decided.kind).toBe(step);
    if (detail !== undefined) expect('why' in decided ? decided.why : '').toMatch(detail);
    if (decided.kind === 'bootstrap') {
      expect(decided.founders).toEqual([{ name: 'a', id: 101 }, { name: 'b', id: 102 },
        { name: 'c', id: 103 }]);
      expect(decided.clusterId).toBe(clusterIdOf(decided.founders));
    }
    if (decided.kind === 'rejoin') expect(decided.formerId).toBe(77);
  });
});

/**
 * The safety of founding: whatever the order of Hellos, crashes (a founder forgets what it
 * heard) and data dirs recreated mid-way (a new id), every founder that writes a first
 * snapshot writes it with the same founders' ids.
 */
describe('founding: a property over any exchange', () => {
  interface Node {
    name: string;
    id: number;
    state: FoundingState;
    peers: Map<string, FoundingPeer>;
    /** The founders it bootstrapped with, once it did. */
    bootstrapped: string | undefined;
  }

  function fresh(name: string, id: number): Node {
    return { name, id, state: newFoundingState(FOUNDERS, SPEC, { name, id }), peers: new Map(),
      bootstrapped: undefined };
  }

  function says(node: Node): FoundingPeer {
    const members = [...node.state.recorded].map(([name, id]) => member(name, id));
    return {
      name: node.name, id: node.id, state: node.bootstrapped === undefined ? 'founding' : 'founded',
      founders: FOUNDERS, spec: SPEC, recorded: node.state.recorded, members,
      clusterId: node.bootstrapped === undefined ? 0 : clusterIdOf(members),
    };
  }

  function learn(node: Node, peer: FoundingPeer): void {
    node.peers.set(peer.name, peer);
    if (peer.state !== 'founding' || node.bootstrapped !== undefined) return;
    node.state = recordFounder(node.state, peer) ?? node.state;
  }

  const action = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('hello'), from: fc.nat(2),
      to: fc.nat(2) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('decide'), node: fc.nat(2) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash'), node: fc.nat(2) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('round') }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('wipe'), node: fc.nat(2) }) },
  );

  it('never lets two founders bootstrap with different ids', () => {
    let founded = 0;
    fc.assert(fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
      let nextId = 1000;
      const nodes = FOUNDERS.map((name, i) => fresh(name, i + 1));
      const bootstraps = new Set<string>();
      for (const step of actions) {
        if (step.kind === 'hello') {
          const from = nodes[step.from] as Node;
          const to = nodes[step.to] as Node;
          if (from === to) continue;
          learn(to, says(from));
          learn(from, says(to));
        } else if (step.kind === 'decide') {
          const node = nodes[step.node] as Node;
          if (node.bootstrapped !== undefined) continue;
          const decided = decideFounding({ self: { name: node.name, id: node.id },
            state: node.state, peers: node.peers });
          if (decided.kind === 'bootstrap') {
            node.bootstrapped = JSON.stringify(decided.founders);
            bootstraps.add(node.bootstrapped);
          }
        } else if (step.kind === 'round') {
          for (const from of nodes) for (const to of nodes) if (from !== to) learn(to, says(from));
        } else if (step.kind === 'crash') {
          (nodes[step.node] as Node).peers = new Map();
        } else {
          const node = nodes[step.node] as Node;
          nextId += 1;
          nodes[step.node] = fresh(node.name, nextId);
        }
      }
      expect(bootstraps.size).toBeLessThanOrEqual(1);
      if (bootstraps.size > 0) founded += 1;
    }), { numRuns: 5000 });
    // The runs reach the interesting part: founders bootstrapping.
    expect(founded).toBeGreaterThan(100);
  });

  it('founds a cluster when the founders talk, none lost', () => {
    const nodes = FOUNDERS.map((name, i) => fresh(name, i + 1));
    for (let round = 0; round < 3; round++) {
      for (const from of nodes) for (const to of nodes) if (from !== to) learn(to, says(from));
    }
    const decided = nodes.map((node) => decideFounding({
      self: { name: node.name, id: node.id }, state: node.state, peers: node.peers,
    }).kind);
    expect(decided).toEqual(['bootstrap', 'bootstrap', 'bootstrap']);
  });
});
