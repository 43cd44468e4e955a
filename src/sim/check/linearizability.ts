/**
 * A linearizability checker in the style of Porcupine: the Wing-Gong search with Lowe's
 * memoization. A history is linearizable when every operation can be given a single instant
 * inside its [call, return] interval such that running the operations one at a time, in the
 * order of those instants, through a sequential model yields exactly the observed outputs.
 *
 * The search walks a linked list of call/return events. Linearizing an operation "lifts" its
 * two events out of the list; reaching a return event of an operation that is still in the list
 * means everything linearized so far cannot be extended, so the search backtracks. A cache of
 * (set of linearized ops, model state) pairs skips configurations already proven to be dead
 * ends, which is what makes the search practical on histories of hundreds of operations.
 */

export interface Operation<I, O> {
  readonly clientId: number;
  readonly input: I;
  readonly output: O;
  /** Time the client invoked the op. */
  readonly call: number;
  /** Time it returned; Infinity when the outcome is unknown (timed out). */
  readonly return: number;
}

export interface Model<S, I, O> {
  /** Split a history into independent parts (e.g. by service); default: one part. */
  partition?(history: readonly Operation<I, O>[]): Operation<I, O>[][];
  init(): S;
  /**
   * Pure: may the op with this output happen in state s? If so, the next state.
   * Must not mutate s.
   */
  step(state: S, input: I, output: O): { ok: boolean; state: S };
  /** A canonical string of the state, for the memo cache (equal states => equal keys). */
  key(state: S): string;
  /** Human-readable op, for failure reports. */
  describe?(input: I, output: O): string;
}

export type CheckResult =
  | { readonly outcome: 'ok' }
  | { readonly outcome: 'illegal'; readonly partition: number; readonly detail: string }
  | { readonly outcome: 'unknown'; readonly partition: number; readonly detail: string };

const DEFAULT_STEP_BUDGET = 2_000_000;
/** How many ops of the longest prefix a failure report shows; the tail is where it went wrong. */
const PREFIX_TAIL_SHOWN = 8;
/** The "no node" value of the linked list. */
const NIL = -1;
/** The list's sentinel head node; entries are numbered from 1. */
const HEAD = 0;
/** Code units per String.fromCharCode call: far below any engine's argument-count limit. */
const KEY_CHUNK = 4096;

/**
 * Checks every partition of `history` against `model`. An illegal partition wins over one whose
 * search ran out of budget: the first is a definite bug, the second only a missing answer.
 */
export function checkLinearizability<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options?: { stepBudget?: number },
): CheckResult {
  const budget = options?.stepBudget ?? DEFAULT_STEP_BUDGET;
  if (!(budget >= 0)) throw new RangeError(`stepBudget must be >= 0, got ${budget}`);
  history.forEach(validateOperation);
  const parts = model.partition ? model.partition(history) : [history.slice()];
  // Reports number ops by their place in the whole history, not inside their partition.
  const indexOf = new Map<Operation<I, O>, number>();
  history.forEach((op, i) => indexOf.set(op, i));
  let firstUnknown: CheckResult | undefined;
  for (let p = 0; p < parts.length; p++) {
    const ops = parts[p] as Operation<I, O>[];
    const result = new PartitionSearch(model, ops, budget, p, indexOf).run();
    if (result.outcome === 'illegal') return result;
    if (result.outcome === 'unknown') firstUnknown ??= result;
  }
  return firstUnknown ?? { outcome: 'ok' };
}

function validateOperation<I, O>(op: Operation<I, O>, index: number): void {
  // A malformed history is a bug in whoever recorded it, not a linearizability verdict.
  if (!Number.isFinite(op.call)) {
    throw new RangeError(`operation #${index}: call time must be finite, got ${op.call}`);
  }
  if (!(op.return >= op.call)) {
    throw new RangeError(
      `operation #${index}: returns (${op.return}) before its call (${op.call})`);
  }
}

/** A fixed-size set of small integers, one bit each; its key identifies the set exactly. */
class Bitset {
  private readonly words: Uint32Array;
  /** The same memory as 16-bit units, for `key`. */
  private readonly units: Uint16Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.units = new Uint16Array(this.words.buffer);
  }

  set(bit: number): void {
    const w = bit >>> 5;
    this.words[w] = ((this.words[w] as number) | (1 << (bit & 31))) >>> 0;
  }

  clear(bit: number): void {
    const w = bit >>> 5;
    this.words[w] = ((this.words[w] as number) & ~(1 << (bit & 31))) >>> 0;
  }

  /**
   * Each 16 bits become one UTF-16 code unit: compact, equal sets of one size give equal keys,
   * and fromCharCode over a view is native code (a per-word loop dominated long searches).
   */
  key(): string {
    const units = this.units;
    if (units.length <= KEY_CHUNK) return String.fromCharCode(...units);
    let key = '';
    for (let from = 0; from < units.length; from += KEY_CHUNK) {
      key += String.fromCharCode(...units.subarray(from, from + KEY_CHUNK));
    }
    return key;
  }
}

interface Event {
  readonly time: number;
  readonly isCall: boolean;
  readonly op: number;
}

/** Calls before returns at equal times: intervals are closed, so touching ops are concurrent. */
function compareEvents(a: Event, b: Event): number {
  // Explicit comparisons, because Infinity - Infinity is NaN.
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
  return a.op - b.op;
}

/**
 * The event list as parallel typed arrays: node 0 is the head, nodes 1..2n the events in time
 * order. `match` links a call node to its return node (NIL for return nodes).
 */
class EventList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly match: Int32Array;
  readonly opOf: Int32Array;

  constructor(calls: readonly number[], returns: readonly number[]) {
    const events: Event[] = [];
    calls.forEach((time, op) => events.push({ time, isCall: true, op }));
    // Unknown outcomes return at Infinity, which sorts after every real event.
    returns.forEach((time, op) => events.push({ time, isCall: false, op }));
    events.sort(compareEvents);
    const size = events.length + 1;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.match = new Int32Array(size).fill(NIL);
    this.opOf = new Int32Array(size).fill(NIL);
    const callNode = new Int32Array(calls.length);
    events.forEach((event, i) => {
      const node = i + 1;
      this.opOf[node] = event.op;
      if (event.isCall) callNode[event.op] = node;
      else this.match[callNode[event.op] as number] = node;
    });
    for (let node = 0; node < size; node++) {
      this.prev[node] = node - 1;
      this.next[node] = node + 1 < size ? node + 1 : NIL;
    }
  }

  isCall(node: number): boolean {
    return (this.match[node] as number) !== NIL;
  }

  /** Unlinks a call node and its return node (the return always follows the call). */
  lift(call: number): void {
    const ret = this.match[call] as number;
    this.unlink(call);
    this.unlink(ret);
  }

  /** Exactly undoes `lift`, relinking in the reverse order (dancing links). */
  unlift(call: number): void {
    const ret = this.match[call] as number;
    this.relink(ret);
    this.relink(call);
  }

  private unlink(node: number): void {
    const before = this.prev[node] as number;
    const after = this.next[node] as number;
    this.next[before] = after;
    if (after !== NIL) this.prev[after] = before;
  }

  private relink(node: number): void {
    const before = this.prev[node] as number;
    const after = this.next[node] as number;
    this.next[before] = node;
    if (after !== NIL) this.prev[after] = node;
  }
}

/** The search over one partition; iterative, so deep histories cannot overflow the stack. */
class PartitionSearch<S, I, O> {
  private readonly list: EventList;
  private readonly linearized: Bitset;
  /** Configurations (linearized set + state) already entered; entering one again is futile. */
  private readonly cache = new Set<string>();
  /** The call nodes linearized so far, in order, and the state before each. */
  private readonly stackCalls: number[] = [];
  private readonly stackStates: S[] = [];
  /** The longest linearizable prefix seen, as op indices, for the failure report. */
  private longest: number[] = [];

  constructor(
    private readonly model: Model<S, I, O>,
    private readonly ops: readonly Operation<I, O>[],
    private readonly budget: number,
    private readonly partition: number,
    private readonly indexOf: ReadonlyMap<Operation<I, O>, number>,
  ) {
    this.list = new EventList(ops.map((op) => op.call), ops.map((op) => op.return));
    this.linearized = new Bitset(ops.length);
  }

  run(): CheckResult {
    const { list, model } = this;
    let state = model.init();
    let node = list.next[HEAD] as number;
    let steps = 0;
    while ((list.next[HEAD] as number) !== NIL) {
      if (++steps > this.budget) return this.gaveUp();
      if (list.isCall(node)) {
        const next = this.tryLinearize(node, state);
        if (next === undefined) {
          node = list.next[node] as number;
        } else {
          state = next.state;
          node = list.next[HEAD] as number;
        }
        continue;
      }
      // A pending op's return: nothing left in the list can be linearized before it.
      if (this.stackCalls.length === 0) return this.illegal();
      this.rememberLongest();
      const call = this.stackCalls.pop() as number;
      state = this.stackStates.pop() as S;
      this.linearized.clear(list.opOf[call] as number);
      list.unlift(call);
      node = list.next[call] as number;
    }
    return { outcome: 'ok' };
  }

  /** Linearizes the op of `call` next if the model allows it and the result is a new config. */
  private tryLinearize(call: number, state: S): { state: S } | undefined {
    const opIndex = this.list.opOf[call] as number;
    const op = this.ops[opIndex] as Operation<I, O>;
    const result = this.model.step(state, op.input, op.output);
    if (!result.ok) return undefined;
    this.linearized.set(opIndex);
    const key = `${this.linearized.key()}|${this.model.key(result.state)}`;
    if (this.cache.has(key)) {
      this.linearized.clear(opIndex);
      return undefined;
    }
    this.cache.add(key);
    this.stackCalls.push(call);
    this.stackStates.push(state);
    this.list.lift(call);
    return { state: result.state };
  }

  /** Copies the stack only when about to shrink it from a new record depth: rare, and O(n). */
  private rememberLongest(): void {
    if (this.stackCalls.length <= this.longest.length) return;
    this.longest = this.stackCalls.map((call) => this.list.opOf[call] as number);
  }

  private illegal(): CheckResult {
    const report = new FailureReport(this.model, this.ops, this.indexOf).describe(this.longest);
    const detail = `partition ${this.partition}: ${report}`;
    return { outcome: 'illegal', partition: this.partition, detail };
  }

  private gaveUp(): CheckResult {
    this.rememberLongest();
    const detail =
      `partition ${this.partition}: search gave up after ${this.budget} steps ` +
      `(${this.ops.length} ops, ${this.cache.size} configurations cached); the longest ` +
      `linearizable prefix found has ${this.longest.length} ops. Raise stepBudget or check a ` +
      'shorter history.';
    return { outcome: 'unknown', partition: this.partition, detail };
  }
}

/** Turns the longest linearizable prefix into a few lines a human can act on. */
class FailureReport<S, I, O> {
  constructor(
    private readonly model: Model<S, I, O>,
    private readonly ops: readonly Operation<I, O>[],
    private readonly indexOf: ReadonlyMap<Operation<I, O>, number>,
  ) {}

  describe(prefix: readonly number[]): string {
    const state = this.replay(prefix);
    const lines = [
      `no linearization of ${this.ops.length} ops; the longest linearizable prefix has ` +
        `${prefix.length} ops` + (prefix.length > 0 ? ', ending:' : '.'),
    ];
    const shownFrom = Math.max(0, prefix.length - PREFIX_TAIL_SHOWN);
    if (shownFrom > 0) lines.push(`  ... ${shownFrom} earlier ops`);
    for (const op of prefix.slice(shownFrom)) lines.push(`  ${this.line(op)}`);
    lines.push(`state after the prefix: ${this.model.key(state)}`);
    lines.push('could not linearize next:');
    for (const op of this.frontier(prefix)) {
      const operation = this.ops[op] as Operation<I, O>;
      const allowed = this.model.step(state, operation.input, operation.output).ok;
      const why = allowed ? 'allowed here, but nothing consistent follows' : 'impossible here';
      lines.push(`  ${this.line(op)}  (${why})`);
    }
    return lines.join('\n');
  }

  private replay(prefix: readonly number[]): S {
    let state = this.model.init();
    for (const index of prefix) {
      const op = this.ops[index] as Operation<I, O>;
      state = this.model.step(state, op.input, op.output).state;
    }
    return state;
  }

  /** The ops that could come right after the prefix: called before any pending op returned. */
  private frontier(prefix: readonly number[]): number[] {
    const done = new Set(prefix);
    const pending = this.ops.map((_, i) => i).filter((i) => !done.has(i));
    // A reduce, not Math.min(...): spreading a huge array overflows the argument limit.
    const firstReturn = pending.reduce(
      (min, i) => Math.min(min, (this.ops[i] as Operation<I, O>).return), Infinity);
    return pending.filter((i) => (this.ops[i] as Operation<I, O>).call <= firstReturn);
  }

  private line(index: number): string {
    const op = this.ops[index] as Operation<I, O>;
    const number = this.indexOf.get(op) ?? index;
    const ret = op.return === Infinity ? 'never' : String(op.return);
    const what = this.model.describe
      ? this.model.describe(op.input, op.output)
      : `${JSON.stringify(op.input)} -> ${JSON.stringify(op.output)}`;
    return `#${number} client ${op.clientId} [${op.call}, ${ret}] ${what}`;
  }
}
