import type { Entry, HardState, NodeId, Snapshot } from '../../raft/index.js';
import type { MemoryStorage } from '../../storage/index.js';
import { hashBytes } from '../hash.js';

/** A broken invariant: the simulator stops the seed and reports it with a trace. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  readonly invariant: string;

  constructor(invariant: string, detail: string) {
    super(`${invariant}: ${detail}`);
    this.invariant = invariant;
  }
}

interface AppliedRecord {
  readonly term: number;
  readonly dataHash: number;
  readonly digest: number;
}

interface CommitRecord {
  readonly term: number;
  /** The lowest term in which some node knew this entry was committed. */
  knownInTerm: number;
}

const TERM_LIMIT = 1_000_000;

/**
 * Raft's safety properties (Figure 3), checked as they could break:
 * - election safety: at most one leader per term;
 * - log matching: two logs with an entry of the same index and term agree up to it (checked
 *   with prefix hashes of every durable log);
 * - leader completeness: a leader's log holds every entry committed in an earlier term;
 * - state-machine safety: no two nodes apply different entries (or reach different states)
 *   at one index;
 * - durable hard state: term and commit never go back, one vote per term.
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) -> hash of the log prefix ending with that entry. */
  private readonly prefixHashes = new Map<number, number>();
  /** Per node: prefix hashes of its durable log; hashes[k] ends at index base + k. */
  private readonly nodeLogs = new Map<NodeId, NodeLog>();
  /** The highest index any node knows to be committed, with the entry's term. */
  private committedMax = { index: 0, term: 0 };
  /** The voters a node counts when it campaigns (its applied configuration). */
  private readonly votersOf: (id: NodeId) => readonly NodeId[] | undefined;
  private readonly applied = new Map<number, AppliedRecord>();
  private readonly committed = new Map<number, CommitRecord>();
  private readonly durableHardStates = new Map<NodeId, HardState>();
  private readonly dataHashes = new WeakMap<Entry, number>();
  /** The term each node was last checked for leader completeness. */
  private readonly leaderChecked = new Map<NodeId, number>();
  /** Nodes whose data dir is gone for good: they never run, so never vote, again. */
  private readonly gone = new Set<NodeId>();
  leadersObserved = 0;

  /** The bootstrap snapshot is the common origin of every log and state. */
  constructor(options: {
    bootstrap: Snapshot;
    emptyDigest: number;
    votersOf: (id: NodeId) => readonly NodeId[] | undefined;
  }) {
    const { bootstrap, emptyDigest } = options;
    this.votersOf = options.votersOf;
    const { index, term } = bootstrap.metadata;
    // The two origins: a joining node's empty log, and the founders' bootstrap snapshot.
    this.prefixHashes.set(key(0, 0), 0);
    this.prefixHashes.set(key(index, term), 1);
    this.applied.set(index, { term, dataHash: 0, digest: emptyDigest });
  }

  observeLeader(id: NodeId, term: number): void {
    const existing = this.leaderOfTerm.get(term);
    if (existing === undefined) {
      this.leaderOfTerm.set(term, id);
      this.leadersObserved += 1;
    } else if (existing !== id) {
      throw new InvariantViolation('election safety',
        `nodes ${existing} and ${id} both led term ${term}`);
    }
  }

  /** A node (re)started from its durable storage: rebuild its log's prefix hashes. */
  observeRecovered(id: NodeId, storage: MemoryStorage): void {
    const snapshot = storage.snapshot().metadata;
    this.resetLog(id, snapshot.index, snapshot.term);
    this.appendLog(id, storage.allEntries());
    this.checkNoElectableLaggard();
  }

  /** Node `id`'s data dir is gone for good (a node of a new id may take its place). */
  forget(id: NodeId): void {
    this.gone.add(id);
    this.nodeLogs.delete(id);
  }

  /** A Ready became durable on node `id`. */
  observePersisted(options: {
    id: NodeId;
    storage: MemoryStorage;
    snapshot: Snapshot | undefined;
    entries: readonly Entry[];
    hardState: HardState | undefined;
    isLeader: boolean;
    term: number;
  }): void {
    const { id, storage } = options;
    if (options.snapshot !== undefined) {
      const { index, term } = options.snapshot.metadata;
      this.resetLog(id, index, term);
    }
    this.appendLog(id, options.entries);
    if (options.snapshot !== undefined || options.entries.length > 0) {
      this.checkStorageHoldsLog(id, storage);
    }
    if (options.hardState !== undefined) this.checkHardState(id, options.hardState, storage);
    if (options.isLeader && options.entries.some((entry) => entry.type === 'conf')) {
      checkOneConfChangeInFlight(id, storage);
    }
    if (options.isLeader && this.leaderChecked.get(id) !== options.term) {
      this.leaderChecked.set(id, options.term);
      this.checkLeaderCompleteness(id, options.term, storage);
    }
    this.checkNoElectableLaggard();
  }

  private resetLog(id: NodeId, index: number, term: number): void {
    const hash = this.prefixHashes.get(key(index, term));
    if (hash === undefined) {
      throw new InvariantViolation('log matching',
        `node ${id} holds a snapshot at (${index}, term ${term}) that no durable log ever had`);
    }
    this.nodeLogs.set(id, { base: index, baseTerm: term, hashes: [hash], terms: [term] });
  }

  /**
   * The storage Raft reads holds exactly the log Raft wrote: a restored snapshot leaves no
   * entry after its index, and a truncation no stale tail.
   */
  private checkStorageHoldsLog(id: NodeId, storage: MemoryStorage): void {
    const log = this.nodeLogs.get(id);
    if (log === undefined) return;
    const last = lastOf(log);
    const stored = storage.lastIndex();
    if (stored !== last.index || storage.term(stored) !== last.term) {
      throw new InvariantViolation('log matching',
        `node ${id} wrote a log ending at (${last.index}, term ${last.term}) but its storage ` +
        `ends at (${stored}, term ${storage.term(stored)})`);
    }
  }

  private appendLog(id: NodeId, entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const log = this.nodeLogs.get(id);
    if (log === undefined) {
      throw new InvariantViolation('log matching', `node ${id} has no log base`);
    }
    const first = (entries[0] as Entry).index;
    if (first <= log.base) return; // below its snapshot: storage ignores these too
    const keep = first - log.base;
    if (keep > log.hashes.length) {
      throw new InvariantViolation('log matching', `node ${id} appended ${first} after a gap`);
    }
    log.hashes.length = keep;
    log.terms.length = keep;
    for (const entry of entries) {
      const previous = log.hashes[log.hashes.length - 1] as number;
      const hash = mixHash(previous, entry.term, this.dataHash(entry));
      log.hashes.push(hash);
      log.terms.push(entry.term);
      this.recordPrefix(id, entry, hash);
    }
  }

  private recordPrefix(id: NodeId, entry: Entry, hash: number): void {
    const entryKey = key(entry.index, entry.term);
    const known = this.prefixHashes.get(entryKey);
    if (known === undefined) this.prefixHashes.set(entryKey, hash);
    else if (known !== hash) {
      throw new InvariantViolation('log matching',
        `node ${id}: entry (${entry.index}, term ${entry.term}) follows a different log prefix`);
    }
  }

  private checkHardState(id: NodeId, hardState: HardState, storage: MemoryStorage): void {
    const previous = this.durableHardStates.get(id);
    if (previous !== undefined) {
      if (hardState.term < previous.term) {
        throw new InvariantViolation('durable term',
          `node ${id} term ${previous.term} -> ${hardState.term}`);
      }
      if (hardState.term === previous.term && previous.vote !== 0 &&
        hardState.vote !== previous.vote) {
        throw new InvariantViolation('one vote per term',
          `node ${id} voted ${previous.vote} then ${hardState.vote} in term ${hardState.term}`);
      }
      if (hardState.commit < previous.commit) {
        throw new InvariantViolation('commit never goes back',
          `node ${id} commit ${previous.commit} -> ${hardState.commit}`);
      }
    }
    this.durableHardStates.set(id, hardState);
    this.recordCommit(id, hardState, storage);
  }

  private recordCommit(id: NodeId, hardState: HardState, storage: MemoryStorage): void {
    const index = hardState.commit;
    if (index < storage.firstIndex()) return; // inside its snapshot: checked by apply
    const term = storage.term(index);
    if (index > this.committedMax.index) this.committedMax = { index, term };
    const known = this.committed.get(index);
    if (known === undefined) {
      this.committed.set(index, { term, knownInTerm: hardState.term });
    } else if (known.term !== term) {
      throw new InvariantViolation('committed entries never change',
        `node ${id} committed term ${term} at index ${index}, previously term ${known.term}`);
    } else if (hardState.term < known.knownInTerm) {
      known.knownInTerm = hardState.term;
    }
  }

  private checkLeaderCompleteness(id: NodeId, term: number, storage: MemoryStorage): void {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    for (const [index, record] of this.committed) {
      if (record.knownInTerm >= term || index < first) continue;
      const has = index <= last && storage.term(index) === record.term;
      if (!has) {
        throw new InvariantViolation('leader completeness',
          `leader ${id} of term ${term} lacks entry ${index} (term ${record.term}) ` +
          `committed in term ${record.knownInTerm}`);
      }
    }
  }

  /**
   * Leader completeness in its potential form: an entry is committed only if no node lacking
   * it can ever win an election. So no voter whose durable log lacks the highest committed
   * entry may be at least as up to date (§5.4.1) as a majority of the voters it counts. This
   * flags a wrong commit (e.g. Figure 8) when it happens, not only once it is overwritten.
   */
  private checkNoElectableLaggard(): void {
    const { index, term } = this.committedMax;
    if (index === 0) return;
    const committedKey = this.prefixHashes.get(key(index, term));
    for (const [id, log] of this.nodeLogs) {
      if (hasEntry(log, index, committedKey)) continue;
      const voters = this.votersOf(id);
      if (voters === undefined || !voters.includes(id)) continue;
      const last = lastOf(log);
      const granting: string[] = [];
      for (const voter of voters) {
        if (this.gone.has(voter)) continue;
        const voterLog = this.nodeLogs.get(voter);
        const voterLast = voterLog === undefined ? { index: 0, term: 0 } : lastOf(voterLog);
        if (last.term > voterLast.term ||
          (last.term === voterLast.term && last.index >= voterLast.index)) {
          granting.push(`${voter} (last ${voterLast.index}, term ${voterLast.term})`);
        }
      }
      if (granting.length > voters.length / 2) {
        throw new InvariantViolation('leader completeness',
          `node ${id} lacks committed entry ${index} (term ${term}) yet its log ` +
          `(last ${last.index}, term ${last.term}) could win the votes of ${granting.join(', ')} ` +
          `among its voters [${voters.join(',')}]`);
      }
    }
  }

  /** Node `id` applied `entry`, reaching a state with `digest`. */
  observeApplied(id: NodeId, entry: Entry, digest: number): void {
    const dataHash = this.dataHash(entry);
    const known = this.applied.get(entry.index);
    if (known === undefined) {
      this.applied.set(entry.index, { term: entry.term, dataHash, digest });
      return;
    }
    if (known.term !== entry.term || known.dataHash !== dataHash) {
      throw new InvariantViolation('state machine safety',
        `node ${id} applied (${entry.index}, term ${entry.term}); ` +
        `another node applied term ${known.term}`);
    }
    if (known.digest !== digest) {
      throw new InvariantViolation('state machine safety',
        `node ${id} reached a different state after applying index ${entry.index}`);
    }
  }

  /** Node `id` restored a snapshot: its state must equal what others had at that index. */
  observeRestored(id: NodeId, snapshot: Snapshot, digest: number): void {
    const index = snapshot.metadata.index;
    const known = this.applied.get(index);
    if (known === undefined) {
      throw new InvariantViolation('state machine safety',
        `node ${id} restored a snapshot at ${index} that no node ever applied`);
    }
    if (known.digest !== digest || known.term !== snapshot.metadata.term) {
      throw new InvariantViolation('state machine safety',
        `node ${id} restored a snapshot at ${index} that differs from the applied state`);
    }
  }

  private dataHash(entry: Entry): number {
    let hash = this.dataHashes.get(entry);
    if (hash === undefined) {
      hash = (hashBytes(entry.data) ^ (entry.type === 'conf' ? 0x5bd1e995 : 0)) >>> 0;
      this.dataHashes.set(entry, hash);
    }
    return hash;
  }
}

/**
 * Single-server membership changes are safe only one at a time: a leader appends a conf entry
 * only once every earlier one in its log is committed (§4.1 of Ongaro's thesis).
 */
function checkOneConfChangeInFlight(id: NodeId, storage: MemoryStorage): void {
  const commit = storage.hardState().commit;
  const from = Math.max(commit + 1, storage.firstIndex());
  if (from > storage.lastIndex()) return;
  const pending = storage.entries(from, storage.lastIndex() + 1, Number.POSITIVE_INFINITY)
    .filter((entry) => entry.type === 'conf').map((entry) => entry.index);
  if (pending.length > 1) {
    throw new InvariantViolation('one conf change at a time',
      `leader ${id} holds conf entries at ${pending.join(', ')} beyond its commit ${commit}`);
  }
}

interface NodeLog {
  readonly base: number;
  readonly baseTerm: number;
  readonly hashes: number[];
  readonly terms: number[];
}

function lastOf(log: NodeLog): { index: number; term: number } {
  return {
    index: log.base + log.hashes.length - 1,
    term: log.terms[log.terms.length - 1] as number,
  };
}

/** Whether the log holds the entry whose prefix hash is `prefixHash` at `index`. */
function hasEntry(log: NodeLog, index: number, prefixHash: number | undefined): boolean {
  if (index <= log.base) return true; // inside its snapshot: applied state, checked on apply
  const offset = index - log.base;
  return offset < log.hashes.length && log.hashes[offset] === prefixHash;
}

function key(index: number, term: number): number {
  if (term >= TERM_LIMIT) throw new Error(`term ${term} beyond the checker's key space`);
  return index * TERM_LIMIT + term;
}

function mixHash(previous: number, term: number, dataHash: number): number {
  let hash = Math.imul(previous ^ term, 0x9e3779b1) >>> 0;
  hash = Math.imul(hash ^ dataHash, 0x85ebca6b) >>> 0;
  return (hash ^ (hash >>> 15)) >>> 0;
}
