/**
 * Founding a new cluster without trusting a disk to be the one it was. Every data dir gets a
 * random member id when it is created; Raft knows members by these ids, so a node whose data
 * dir was lost comes back as a stranger and can never vote as the member it used to be.
 *
 * The founders of a cluster must agree on each other's ids before any of them writes the first
 * snapshot (index 1, term 1, the founders as voters): every founder must write the same one.
 * They learn the ids by Hello (raft.proto), each telling the others its own; a founder records
 * another's id durably before answering, and bootstraps only when its table of the founders'
 * ids is complete and every other founder has shown it the same complete table. So all
 * founders must be up once, and a table once complete never changes: a founder may replace an
 * id only while its table is incomplete (no one can have bootstrapped with it then).
 *
 * A founder that finds the cluster already running (a Hello answered "founded") does not
 * bootstrap: if the cluster knows it under its id, it starts on an empty log and is sent a
 * snapshot; if the cluster knows its name under another id, its data dir was lost and it must
 * rejoin as a new member (the old id removed, the new one added as a learner, then promoted).
 *
 * Pure: the caller (cli/) persists the state, talks to peers and acts on the step.
 */
import { RosterError } from '../core/errors.js';
import { hash52 } from '../core/hash.js';
import { limits } from '../core/limits.js';
import type { Member } from '../registry/index.js';
import { validateName } from '../registry/index.js';

export interface FounderId {
  readonly name: string;
  readonly id: number;
}

/** Saved in the data dir while founding (and kept, to answer founders that come late). */
export interface FoundingState {
  /** The founders' names, sorted (from --initial-cluster). */
  readonly founders: readonly string[];
  /**
   * The founders' addresses as this node was given them (canonical --initial-cluster): the
   * first snapshot records them, so every founder must have been given the same.
   */
  readonly spec: string;
  /** The member id recorded for each founder, as that founder said it. */
  readonly recorded: ReadonlyMap<string, number>;
}

/** What another node said of itself in a Hello exchange (request or answer). */
export interface FoundingPeer {
  readonly name: string;
  readonly id: number;
  readonly state: 'founding' | 'founded' | 'joining';
  readonly founders: readonly string[];
  /** Empty when the node was not a founder (it joined later). */
  readonly spec: string;
  readonly recorded: ReadonlyMap<string, number>;
  /** Once founded: the cluster and its members as that node knows them. */
  readonly clusterId: number;
  readonly members: readonly Member[];
}

export type FoundingStep =
  | { readonly kind: 'wait'; readonly why: string }
  /** Write the first snapshot with these founders as voters. */
  | { readonly kind: 'bootstrap'; readonly founders: readonly FounderId[];
    readonly clusterId: number }
  /** The cluster knows this node under this id: start on an empty log and catch up. */
  | { readonly kind: 'adopt'; readonly clusterId: number; readonly members: readonly Member[] }
  /** The cluster knows this name under another id: this data dir is new; rejoin. */
  | { readonly kind: 'rejoin'; readonly clusterId: number; readonly members: readonly Member[];
    readonly formerId: number }
  | { readonly kind: 'refuse'; readonly why: string };

export function newFoundingState(founders: readonly string[], spec: string, self: FounderId):
  FoundingState {
  return { founders: [...founders].sort(), spec, recorded: new Map([[self.name, self.id]]) };
}

export function isComplete(state: FoundingState): boolean {
  return state.founders.every((name) => state.recorded.has(name));
}

/**
 * Records `peer`'s own id as it says it. Returns the new state (the same object when nothing
 * changed), or undefined when the id conflicts with a complete table (a data dir recreated
 * after the table was shown to others: founding cannot go on safely).
 */
export function recordFounder(state: FoundingState, peer: FounderId):
  FoundingState | undefined {
  if (!state.founders.includes(peer.name)) return state;
  const known = state.recorded.get(peer.name);
  if (known === peer.id) return state;
  if (known !== undefined && isComplete(state)) return undefined;
  const recorded = new Map(state.recorded);
  recorded.set(peer.name, peer.id);
  return { founders: state.founders, spec: state.spec, recorded };
}

/** The cluster's id: a hash of the founders and their ids, so every founder derives the same. */
export function clusterIdOf(founders: readonly FounderId[]): number {
  const text = [...founders].sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((founder) => `${founder.name}=${founder.id}`).join(',');
  return hash52(`roster-cluster:${text}`);
}

/** What a founding node does next, given what each other founder last said. */
export function decideFounding(options: {
  readonly self: FounderId;
  readonly state: FoundingState;
  readonly peers: ReadonlyMap<string, FoundingPeer>;
}): FoundingStep {
  const { self, state, peers } = options;
  for (const peer of peers.values()) {
    const problem = founderMismatch(self, state, peer);
    if (problem !== undefined) return { kind: 'refuse', why: problem };
  }
  const founded = [...peers.values()].find((peer) => peer.state === 'founded');
  if (founded !== undefined) return joinFounded(self, state, founded);
  if (!isComplete(state)) {
    const missing = state.founders.filter((name) => !state.recorded.has(name));
    return { kind: 'wait', why: `waiting to hear from founders ${missing.join(', ')}` };
  }
  const behind = state.founders.filter((name) => name !== self.name &&
    !sameTable(peers.get(name)?.recorded, state.recorded, state.founders));
  if (behind.length > 0) {
    return { kind: 'wait', why: `waiting for founders ${behind.join(', ')} to know every id` };
  }
  const founders = state.founders.map((name) => ({ name, id: state.recorded.get(name) ?? 0 }));
  return { kind: 'bootstrap', founders, clusterId: clusterIdOf(founders) };
}

function founderMismatch(self: FounderId, state: FoundingState, peer: FoundingPeer):
  string | undefined {
  // A node that joined later knows no founders; only founders' lists must agree.
  if (peer.founders.length > 0 &&
    (!sameNames(peer.founders, state.founders) || peer.spec !== state.spec)) {
    return `${peer.name} was started with --initial-cluster ${peer.spec}, this node with ` +
      `${state.spec}: give every founder the same --initial-cluster`;
  }
  const recordedForUs = peer.recorded.get(self.name);
  const theirsComplete = peer.founders.every((name) => peer.recorded.has(name));
  if (peer.state === 'founding' && recordedForUs !== undefined && recordedForUs !== self.id &&
    theirsComplete) {
    return `${peer.name} recorded ${self.name} as member ${recordedForUs}, but this data dir is ` +
      `member ${self.id}: it was created again while the cluster was being founded. Stop ` +
      'every founder, empty all their data dirs, and start them again';
  }
  return undefined;
}

/**
 * The cluster runs already. A founder it still has under this id writes the same first
 * snapshot as every founder did, if it holds the same complete table (a table once complete
 * never changes); otherwise it starts empty and is sent a snapshot.
 */
function joinFounded(self: FounderId, state: FoundingState, peer: FoundingPeer): FoundingStep {
  const namesake = peer.members.find((member) => member.name === self.name);
  if (namesake === undefined) {
    return { kind: 'refuse', why: `cluster ${peer.clusterId} (as ${peer.name} knows it) has ` +
      `no member named ${self.name}: it was removed. To add it again, start it with --join` };
  }
  if (namesake.id === self.id) {
    if (isComplete(state) && sameTable(peer.recorded, state.recorded, state.founders)) {
      const founders = state.founders.map((name) => ({ name, id: state.recorded.get(name) ?? 0 }));
      const clusterId = clusterIdOf(founders);
      if (clusterId === peer.clusterId) return { kind: 'bootstrap', founders, clusterId };
    }
    return { kind: 'adopt', clusterId: peer.clusterId, members: peer.members };
  }
  return { kind: 'rejoin', clusterId: peer.clusterId, members: peer.members,
    formerId: namesake.id };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = [...a].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((name, i) => name === right[i]);
}

function sameTable(table: ReadonlyMap<string, number> | undefined,
  expected: ReadonlyMap<string, number>, founders: readonly string[]): boolean {
  return table !== undefined &&
    founders.every((name) => table.has(name) && table.get(name) === expected.get(name));
}

// ---- Encoding and validation ----------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFoundingState(state: FoundingState): Uint8Array {
  return encoder.encode(JSON.stringify({
    founders: state.founders, spec: state.spec, recorded: [...state.recorded.entries()],
  }));
}

/** Throws on anything but what encodeFoundingState wrote. */
export function decodeFoundingState(bytes: Uint8Array): FoundingState {
  const value = JSON.parse(decoder.decode(bytes)) as
    { founders?: unknown; spec?: unknown; recorded?: unknown };
  const founders = validateFounderNames(value.founders);
  const spec = validateSpec(value.spec);
  if (!Array.isArray(value.recorded)) throw invalid('founding state: no recorded ids');
  const recorded = new Map<string, number>();
  for (const item of value.recorded as unknown[]) {
    const [name, id] = Array.isArray(item) ? item as unknown[] : [];
    recorded.set(validateName('founder', name, limits.serviceNameCharsMax), validateId(id));
  }
  return { founders, spec, recorded };
}

/** A founders' address list from a peer or the disk: a bounded string. */
export function validateSpec(value: unknown): string {
  const maxChars = limits.foundersMax * (limits.serviceNameCharsMax + 2 * limits.addressCharsMax);
  if (typeof value !== 'string' || value.length > maxChars) {
    throw invalid('the founders\' addresses must be a string of bounded length');
  }
  return value;
}

/** A founders list from a peer or the disk: bounded, valid names, no duplicates. */
export function validateFounderNames(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > limits.foundersMax) {
    throw invalid(`founders must be a list of at most ${limits.foundersMax} names`);
  }
  const names = (value as unknown[]).map(
    (name) => validateName('founder', name, limits.serviceNameCharsMax));
  if (new Set(names).size !== names.length) throw invalid('founders name a member twice');
  return names.sort();
}

export function validateId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid('a member id is not a positive integer below 2^53');
  }
  return value;
}

function invalid(detail: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', detail);
}
