import { Prng } from '../../../src/core/prng.js';
import {
  RaftNode, type Message, type NodeId, type RaftLogger, type Refusal, type Snapshot,
} from '../../../src/raft/index.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import {
  formatConfState, formatLog, formatMessage, formatReady, formatSnapshot,
} from './format.js';

const LEVELS = ['debug', 'info', 'warn', 'none'] as const;
type Level = (typeof LEVELS)[number];

interface HarnessNode {
  readonly id: NodeId;
  readonly node: RaftNode;
  readonly storage: MemoryStorage;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** The state machine: the data of every applied non-empty normal entry, by log index. */
  applied: { index: number; word: string }[];
  /** Sent to this node and not yet delivered. */
  inbox: Message[];
}

interface Args {
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string>;
}

const ADD_NODES_OPTIONS = ['pre-vote', 'check-quorum', 'election', 'heartbeat', 'seed'];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs transcript commands against real RaftNodes over MemoryStorage and prints what happens:
 * every Ready a node hands out and every message it receives. Nodes do nothing on their own:
 * Readys are processed and messages delivered only when a command says so, so a transcript
 * controls (and shows) the exact interleaving.
 *
 * Commands: log-level debug|info|warn|none; add-nodes N [pre-vote=B check-quorum=B
 * election=T heartbeat=T seed=S]; campaign ID; propose ID WORD; transfer-leadership from=ID
 * to=ID; report-snapshot from=ID to=ID [ok=B]; tick ID [N]; tick-heartbeat ID; tick-election
 * ID; process-ready [ID...]; deliver-msgs [ID...]; stabilize [ID...]; cut ID ID; isolate ID;
 * recover; compact ID INDEX; raft-state; status ID.
 */
export class Harness {
  private readonly nodes = new Map<NodeId, HarnessNode>();
  /** Cut links, as `from>to`: messages on them are dropped. */
  private readonly cut = new Set<string>();
  private level: Level = 'info';
  private out: string[] = [];
  private indent = '';

  private readonly commands: Record<string, (args: Args) => void> = {
    'log-level': (args) => this.setLevel(word(args, 0)),
    'add-nodes': (args) => this.addNodes(args),
    'campaign': (args) => this.node(word(args, 0)).node.campaign(),
    'propose': (args) => this.propose(word(args, 0), word(args, 1)),
    'transfer-leadership': (args) => this.transfer(option(args, 'from'), option(args, 'to')),
    'tick': (args) => this.tick(word(args, 0), Number(args.positional[1] ?? 1)),
    'tick-heartbeat': (args) => this.tick(word(args, 0), 'heartbeat'),
    'tick-election': (args) => this.tick(word(args, 0), 'election'),
    'process-ready': (args) => this.ids(args).forEach((id) => this.handleReady(id)),
    'deliver-msgs': (args) => this.ids(args).forEach((id) => this.deliver(id)),
    'stabilize': (args) => this.stabilize(this.ids(args)),
    'isolate': (args) => this.isolate(word(args, 0)),
    'cut': (args) => this.cutLink(word(args, 0), word(args, 1)),
    'recover': () => this.cut.clear(),
    // The transport's report that a snapshot was (ok=true) or could not be (ok=false) sent.
    'report-snapshot': (args) => this.node(option(args, 'from')).node
      .reportSnapshot(Number(option(args, 'to')), flag(args, 'ok', true)),
    'compact': (args) => this.compact(word(args, 0), Number(word(args, 1))),
    'raft-state': () => this.allIds().forEach((id) => this.emit(this.stateLine(id))),
    'status': (args) => this.status(word(args, 0)),
  };

  /** Runs one command line and returns its output lines. */
  run(commandLine: string): string[] {
    const [name = '', ...rest] = commandLine.trim().split(/\s+/);
    const command = this.commands[name];
    if (command === undefined) throw new Error(`unknown command '${name}'`);
    this.out = [];
    command(parseArgs(rest));
    const output = this.out;
    this.out = [];
    if (output.some((line) => line.trim() === '')) throw new Error('output has a blank line');
    return output;
  }

  /** Adds an output line; `log-level none` mutes all output (setup a transcript need not show). */
  private emit(line: string): void {
    if (this.level !== 'none') this.out.push(this.indent + line);
  }

  private log(level: Exclude<Level, 'none'>, fields: object, message: string): void {
    if (LEVELS.indexOf(level) >= LEVELS.indexOf(this.level)) {
      this.emit(formatLog(level, fields, message));
    }
  }

  private setLevel(level: string): void {
    if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`bad level ${level}`);
    this.level = level as Level;
  }

  // ---- Nodes -------------------------------------------------------------------------------

  /**
   * `add-nodes N [pre-vote=B] [check-quorum=B] [election=T] [heartbeat=T] [seed=S]`: voters
   * 1..N, each bootstrapped from a snapshot at index 1, term 1. Election timeouts are
   * randomized by a Prng seeded from `seed`, so a transcript replays exactly.
   */
  private addNodes(args: Args): void {
    for (const key of args.options.keys()) {
      if (!ADD_NODES_OPTIONS.includes(key)) throw new Error(`unknown option ${key}=`);
    }
    const count = Number(word(args, 0));
    const settings = {
      preVote: flag(args, 'pre-vote', true),
      checkQuorum: flag(args, 'check-quorum', true),
      electionTicks: Number(args.options.get('election') ?? 10),
      heartbeatTicks: Number(args.options.get('heartbeat') ?? 1),
    };
    const prng = new Prng(Number(args.options.get('seed') ?? 1));
    const voters = Array.from({ length: count }, (_, i) => i + 1);
    const bootstrap: Snapshot = {
      metadata: { index: 1, term: 1, confState: { voters, learners: [] } },
      data: new Uint8Array(0),
    };
    this.emit(`PreVote:${settings.preVote} CheckQuorum:${settings.checkQuorum} ` +
      `Election:${settings.electionTicks} Heartbeat:${settings.heartbeatTicks} ` +
      formatConfState(bootstrap.metadata.confState));
    for (const id of voters) {
      const storage = MemoryStorage.fromSnapshot(bootstrap, { term: 1, vote: 0, commit: 1 });
      const logger = this.loggerFor();
      const node = new RaftNode({ id, storage, prng: prng.fork(), logger, ...settings });
      this.nodes.set(id, { id, node, storage, applied: [], inbox: [], ...settings });
    }
    for (const id of voters) this.emit(this.stateLine(id));
  }

  private loggerFor(): RaftLogger {
    return {
      debug: (fields, message) => this.log('debug', fields, message),
      info: (fields, message) => this.log('info', fields, message),
      warn: (fields, message) => this.log('warn', fields, message),
    };
  }

  private node(id: string | number): HarnessNode {
    const node = this.nodes.get(Number(id));
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private allIds(): NodeId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** The ids a command names, or every node. */
  private ids(args: Args): NodeId[] {
    if (args.positional.length === 0) return this.allIds();
    return args.positional.map((id) => this.node(id).id);
  }

  // ---- Local requests ----------------------------------------------------------------------

  private propose(id: string, data: string): void {
    const result = this.node(id).node.propose(encoder.encode(data));
    if (!result.ok) this.emit(refusalText(result.refusal));
  }

  private transfer(from: string, to: string): void {
    const result = this.node(from).node.transferLeadership(Number(to));
    if (!result.ok) this.emit(refusalText(result.refusal));
  }

  /** `tick ID [N]`, or an election or heartbeat timeout's worth of ticks. */
  private tick(id: string, ticks: number | 'election' | 'heartbeat'): void {
    const target = this.node(id);
    const count = ticks === 'election' ? target.electionTicks
      : ticks === 'heartbeat' ? target.heartbeatTicks : ticks;
    for (let i = 0; i < count; i++) target.node.tick();
  }

  /**
   * `compact ID INDEX`: the node snapshots its state machine as of INDEX (applied already) and
   * drops the log up to there, as a driver does to bound its log.
   */
  private compact(id: string, index: number): void {
    const target = this.node(id);
    const status = target.node.status();
    if (index > status.applied) throw new Error(`${index} is beyond applied ${status.applied}`);
    const words = target.applied.filter((item) => item.index <= index).map((item) => item.word);
    const created = target.storage.createSnapshot({
      index,
      confState: target.node.confStateAt(index) ?? status.confState,
      data: encoder.encode(words.join(' ')),
    });
    if (!created) throw new Error(`node ${id} already has a snapshot at or after ${index}`);
    target.storage.compact(index);
    this.emit(`Snapshot ${formatSnapshot(target.storage.snapshot())}`);
    this.emit(this.stateLine(target.id));
  }

  // ---- The network -------------------------------------------------------------------------

  private isolate(id: string): void {
    for (const other of this.allIds()) if (other !== Number(id)) this.cutLink(id, String(other));
  }

  /** Cuts the link both ways; messages already in flight on it are lost. */
  private cutLink(a: string, b: string): void {
    const [x, y] = [this.node(a).id, this.node(b).id];
    this.cut.add(`${x}>${y}`).add(`${y}>${x}`);
    for (const target of [this.node(x), this.node(y)]) {
      const kept = target.inbox.filter((message) => !this.isCut(message));
      for (const lost of target.inbox.filter((message) => this.isCut(message))) {
        this.emit(`dropped ${formatMessage(lost)}`);
      }
      target.inbox = kept;
    }
  }

  private isCut(message: Message): boolean {
    return this.cut.has(`${message.from}>${message.to}`);
  }

  /**
   * Processes one Ready as a driver does: persist (snapshot, entries, hard state), send, apply
   * the snapshot and committed entries, advance. Messages on cut links are shown as dropped.
   */
  private handleReady(id: NodeId): void {
    const target = this.node(id);
    if (!target.node.hasReady()) {
      this.emit(`> ${id} has no Ready`);
      return;
    }
    this.emit(`> ${id} handling Ready`);
    this.nested(() => {
      const ready = target.node.ready();
      const note = (message: Message): string => (this.delivers(message) ? '' : ' (dropped)');
      for (const line of formatReady(ready, note)) this.emit(line);
      if (ready.snapshot !== undefined) target.storage.applySnapshot(ready.snapshot);
      target.storage.append(ready.entries);
      if (ready.hardState !== undefined) target.storage.setHardState(ready.hardState);
      for (const message of [...ready.earlyMessages, ...ready.messages]) this.send(message);
      if (ready.snapshot !== undefined) restore(target, ready.snapshot);
      for (const entry of ready.committedEntries) {
        if (entry.type !== 'normal' || entry.data.byteLength === 0) continue;
        target.applied.push({ index: entry.index, word: decoder.decode(entry.data) });
      }
      target.node.advance();
    });
  }

  private delivers(message: Message): boolean {
    return this.nodes.has(message.to) && !this.isCut(message);
  }

  private send(message: Message): void {
    if (this.delivers(message)) this.node(message.to).inbox.push(message);
  }

  private deliver(id: NodeId): void {
    const target = this.node(id);
    const inbox = target.inbox;
    if (inbox.length === 0) return;
    target.inbox = [];
    this.emit(`> ${id} receiving messages`);
    this.nested(() => {
      for (const message of inbox) {
        this.emit(formatMessage(message));
        target.node.step(message);
      }
    });
  }

  /** Handles Readys and delivers messages, in id order, until nothing moves. */
  private stabilize(ids: readonly NodeId[]): void {
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const id of ids) {
        if (!this.node(id).node.hasReady()) continue;
        moved = true;
        this.handleReady(id);
      }
      for (const id of ids) {
        if (this.node(id).inbox.length === 0) continue;
        moved = true;
        this.deliver(id);
      }
      if (!moved) return;
    }
    throw new Error('did not stabilize within 1000 rounds');
  }

  private nested(body: () => void): void {
    const saved = this.indent;
    this.indent += '  ';
    try {
      body();
    } finally {
      this.indent = saved;
    }
  }

  // ---- State -------------------------------------------------------------------------------

  private stateLine(id: NodeId): string {
    const target = this.node(id);
    const s = target.node.status();
    const data = JSON.stringify(target.applied.map((item) => item.word).join(' '));
    const isolated = this.allIds().every((other) => other === id || this.cut.has(`${id}>${other}`));
    return `${id}: ${s.role} Term:${s.term} Vote:${s.vote} Lead:${s.leader} ` +
      `Commit:${s.commit} Applied:${s.applied} First:${s.firstIndex} Last:${s.lastIndex} ` +
      `Data:${data}${isolated && this.nodes.size > 1 ? ' (isolated)' : ''}`;
  }

  /** `status ID`: the node's state and, on a leader, its view of each member. */
  private status(id: string): void {
    const target = this.node(id);
    this.emit(this.stateLine(target.id));
    const progress = target.node.status().progress;
    for (const member of [...progress.keys()].sort((a, b) => a - b)) {
      const p = progress.get(member);
      if (p === undefined) continue;
      this.emit(`  ${member}: ${p.state} Match:${p.match} Next:${p.next}` +
        (p.isLearner ? ' learner' : ''));
    }
  }
}

/** The state machine becomes the snapshot's (its data: the applied words, space separated). */
function restore(target: HarnessNode, snapshot: Snapshot): void {
  const text = decoder.decode(snapshot.data);
  const index = snapshot.metadata.index;
  target.applied = text === '' ? [] : text.split(' ').map((w) => ({ index, word: w }));
}

function refusalText(refusal: Refusal): string {
  return `refused: ${refusal.reason}${refusal.detail === '' ? '' : ` (${refusal.detail})`}`;
}

function parseArgs(tokens: readonly string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (const token of tokens) {
    const equals = token.indexOf('=');
    if (equals > 0) options.set(token.slice(0, equals), token.slice(equals + 1));
    else positional.push(token);
  }
  return { positional, options };
}

function word(args: Args, position: number): string {
  const value = args.positional[position];
  if (value === undefined) throw new Error(`missing argument ${position + 1}`);
  return value;
}

function option(args: Args, key: string): string {
  const value = args.options.get(key);
  if (value === undefined) throw new Error(`missing ${key}=`);
  return value;
}

function flag(args: Args, key: string, fallback: boolean): boolean {
  const value = args.options.get(key);
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') throw new Error(`${key} must be true or false`);
  return value === 'true';
}
