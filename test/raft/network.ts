import { Prng } from '../../src/core/prng.js';
import {
  RaftNode, type ConfState, type Entry, type Message, type NodeId, type RaftConfig, type ReadState,
  type Snapshot,
} from '../../src/raft/index.js';
import { MemoryStorage } from '../../src/storage/index.js';

export const ELECTION_TICKS = 10;
export const HEARTBEAT_TICKS = 1;

export interface TestNode {
  readonly id: NodeId;
  node: RaftNode;
  storage: MemoryStorage;
  /** Committed normal entries with data, in apply order. */
  applied: Entry[];
  readStates: ReadState[];
  /** Every message this node sent, for assertions on the wire. */
  sent: Message[];
}

/** A bootstrap snapshot at index 1 (term 1) carrying the initial membership. */
export function bootstrapSnapshot(confState: ConfState): Snapshot {
  return { metadata: { index: 1, term: 1, confState }, data: new Uint8Array(0) };
}

/**
 * A synchronous in-process network of real RaftNodes over MemoryStorage (etcd-io/raft's test
 * `network`): each round processes every node's Ready (persist, send, apply, advance) and
 * delivers the messages, dropping those on cut links.
 */
export class TestNetwork {
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly cutLinks = new Set<string>();
  private readonly prng: Prng;
  /** Messages matching this are dropped (after being recorded as sent). */
  dropIf: (message: Message) => boolean = () => false;

  constructor(options: {
    voters: readonly NodeId[];
    learners?: readonly NodeId[];
    seed?: number;
    config?: Partial<RaftConfig>;
  }) {
    this.prng = new Prng(options.seed ?? 1);
    const confState = { voters: [...options.voters], learners: [...(options.learners ?? [])] };
    for (const id of [...confState.voters, ...confState.learners]) {
      const storage = MemoryStorage.fromSnapshot(bootstrapSnapshot(confState), {
        term: 1, vote: 0, commit: 1,
      });
      this.add(id, storage, options.config);
    }
  }

  add(id: NodeId, storage: MemoryStorage, config: Partial<RaftConfig> = {}): TestNode {
    const node = new RaftNode({
      id,
      storage,
      prng: this.prng.fork(),
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: HEARTBEAT_TICKS,
      ...config,
    });
    const testNode: TestNode = { id, node, storage, applied: [], readStates: [], sent: [] };
    this.nodes.set(id, testNode);
    return testNode;
  }

  /** Crash and restart: memory is lost, the (stable) storage survives. */
  restart(id: NodeId, config: Partial<RaftConfig> = {}): TestNode {
    const storage = this.get(id).storage;
    return this.add(id, storage, config);
  }

  /** A node joining with empty storage (it learns everything from the leader). */
  join(id: NodeId, config: Partial<RaftConfig> = {}): TestNode {
    return this.add(id, new MemoryStorage(), config);
  }

  get(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(`${a}>${b}`);
    this.cutLinks.add(`${b}>${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  recover(): void {
    this.cutLinks.clear();
  }

  /** Processes Readys and delivers messages until nothing moves. Returns rounds taken. */
  stabilize(maxRounds = 1000): number {
    for (let round = 0; round < maxRounds; round++) {
      const messages = this.processReadys();
      if (messages.length === 0 && !this.anyReady()) return round;
      this.deliver(messages);
    }
    throw new Error('network did not stabilize');
  }

  private anyReady(): boolean {
    for (const testNode of this.nodes.values()) if (testNode.node.hasReady()) return true;
    return false;
  }

  processReadys(): Message[] {
    const out: Message[] = [];
    for (const testNode of this.nodes.values()) {
      while (testNode.node.hasReady()) {
        const ready = testNode.node.ready();
        if (ready.snapshot !== undefined) testNode.storage.applySnapshot(ready.snapshot);
        testNode.storage.append(ready.entries);
        if (ready.hardState !== undefined) testNode.storage.setHardState(ready.hardState);
        for (const message of [...ready.earlyMessages, ...ready.messages]) {
          testNode.sent.push(message);
          out.push(message);
        }
        for (const entry of ready.committedEntries) {
          if (entry.type === 'normal' && entry.data.byteLength > 0) testNode.applied.push(entry);
        }
        testNode.readStates.push(...ready.readStates);
        testNode.node.advance();
      }
    }
    return out;
  }

  deliver(messages: readonly Message[]): void {
    for (const message of messages) {
      if (this.cutLinks.has(`${message.from}>${message.to}`) || this.dropIf(message)) continue;
      const target = this.nodes.get(message.to);
      if (target !== undefined) target.node.step(message);
    }
  }

  tick(id: NodeId, ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.get(id).node.tick();
  }

  /** Ticks every node (optionally stabilizing after each tick). */
  tickAll(ticks: number, options: { stabilize?: boolean } = { stabilize: true }): void {
    for (let i = 0; i < ticks; i++) {
      for (const testNode of this.nodes.values()) testNode.node.tick();
      if (options.stabilize !== false) this.stabilize();
    }
  }

  /** Makes `id` campaign and runs the election to completion. */
  elect(id: NodeId): void {
    this.get(id).node.campaign();
    this.stabilize();
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()]
      .filter((testNode) => testNode.node.status().role === 'leader')
      .map((testNode) => testNode.id);
  }
}

/** Three voters, 1 leading term 2, with `entries` entries committed everywhere. */
export function replicatedNetwork(entries: number): TestNetwork {
  const network = new TestNetwork({ voters: [1, 2, 3] });
  network.elect(1);
  for (let i = 0; i < entries; i++) network.get(1).node.propose(data(`e${i}`));
  network.stabilize();
  return network;
}

export function data(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(entry: Entry): string {
  return new TextDecoder().decode(entry.data);
}
