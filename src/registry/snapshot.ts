import { assert } from '../core/assert.js';
import type { Member, StoredInstance } from './model.js';
import { instanceOf, storedInstance } from './stored-instance.js';

/** The registry's whole state, as a snapshot carries it. */
export interface RegistryState {
  readonly revision: number;
  readonly members: readonly Member[];
  /** [id, ttlMs, remainingMs]; which instances a lease holds is on the instances. */
  readonly leases: readonly (readonly [number, number, number])[];
  readonly instances: readonly StoredInstance[];
}

/**
 * The snapshot format: a format byte, then JSON text cut into lines: a header (revision,
 * members, how many lease and profile lines follow), then the leases, the profiles and the
 * instances, CHUNK_ITEMS to a line. Each line is parsed on its own, so the parsed arrays die
 * young, before the collector has to copy them, and no string or buffer is as large as the
 * whole snapshot. JSON text never holds a raw newline, so lines split at byte 10. Items are
 * arrays of their fields in a fixed order, not objects: field names would be half the bytes.
 * Each instance is split into a profile (namespace, service and the fields the replicas of one
 * deployment share: ports, protocol, version, place, tags, metadata, weight...) written once,
 * and the instance's own fields with its profile's number: the instances of a profile share its
 * lists and maps in memory. BENCHMARKS.md has what each of these choices saved.
 */
const FORMAT_PROFILES = 4;
const CHUNK_ITEMS = 1024;
const NEWLINE = 10;

type LeaseTuple = RegistryState['leases'][number];

type ProfileTuple = [
  namespace: string, service: string, ports: StoredInstance['ports'], protocol: string,
  version: string, environment: string, region: string, zone: string,
  tags: StoredInstance['tags'], metadata: StoredInstance['metadata'], weight: number,
  priority: number, capacity: number,
];
const PROFILE_LENGTH = 13;
type OwnTuple = [
  profile: number, id: string, address: string, port: number, leaseId: number,
  status: StoredInstance['status'], health: StoredInstance['health'],
  load: StoredInstance['load'], createRevision: number, modRevision: number,
];
const OWN_LENGTH = 10;

interface LinesHeader {
  readonly revision: number;
  readonly members: readonly Member[];
  readonly leaseLines: number;
  /** The profile lines that follow the lease lines. */
  readonly profileLines: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A lease as the registry holds it; a snapshot writes [id, ttlMs, remainingMs]. */
export interface LeaseFields {
  readonly id: number;
  readonly ttlMs: number;
  readonly remainingMs: number;
}

/** What a snapshot is written from: the registry's own objects, not copies of them. */
export interface SnapshotSource {
  readonly revision: number;
  readonly members: readonly Member[];
  readonly leases: readonly LeaseFields[];
  readonly instances: readonly StoredInstance[];
}

/** A decoded state as a source to write again (tools and tests). */
export function sourceOf(state: RegistryState): SnapshotSource {
  const leases = state.leases.map(([id, ttlMs, remainingMs]) => ({ id, ttlMs, remainingMs }));
  return { ...state, leases };
}

/**
 * Writes format 4. Lines are produced one chunk at a time and encoded straight into one
 * buffer, so the only large allocation is the result: at 100,000 instances the earlier
 * encoder held every line as a string, each line again as bytes, and a tuple per lease
 * (~25 MB promoted to the old generation, then garbage) on top of the 8.5 MB it returned.
 * `sizeHint` (the previous snapshot's size) lets the buffer be allocated once.
 */
export function encodeSnapshot(source: SnapshotSource, sizeHint = 0): Uint8Array {
  const writer = new SnapshotWriter(source, sizeHint);
  writer.step(Number.POSITIVE_INFINITY);
  return writer.finish();
}

/**
 * encodeSnapshot in steps of about `budget` instances or leases each, so that a server can
 * write a snapshot between its other work: at 60,000 instances the whole encoding holds an
 * event loop for 110-175 ms, which every request in flight then waits out. The source must
 * not change until finish(): the registry hands in its instances (replaced, never changed, by
 * every command) and copies of its lease figures, taken at one applied index.
 */
export class SnapshotWriter {
  private readonly source: SnapshotSource;
  private readonly sizeHint: number;
  private readonly profiles = new Map<string, number>();
  private readonly profileTuples: string[] = [];
  private readonly profileOfInstance: Int32Array;
  /** Instances whose profile is known: the header needs the profile count, so they go first. */
  private profiled = 0;
  private previous: StoredInstance | undefined = undefined;
  private previousProfile = 0;
  private out: LineSink | undefined = undefined;
  private leasesWritten = 0;
  private profilesWritten = 0;
  private instancesWritten = 0;

  constructor(source: SnapshotSource, sizeHint = 0) {
    this.source = source;
    this.sizeHint = sizeHint;
    this.profileOfInstance = new Int32Array(source.instances.length);
  }

  get done(): boolean {
    return this.out !== undefined && this.leasesWritten === this.source.leases.length &&
      this.profilesWritten === this.profileTuples.length &&
      this.instancesWritten === this.source.instances.length;
  }

  /** Does about `budget` items of the work (at least one line); true once all is written. */
  step(budget: number): boolean {
    assert(budget > 0, `a snapshot step needs a positive budget, got ${budget}`);
    let left = budget;
    const instances = this.source.instances;
    while (left > 0 && this.profiled < instances.length) {
      this.profileOfInstance[this.profiled] = this.profileIndex(instances[this.profiled] as
        StoredInstance);
      this.profiled += 1;
      left -= 1;
    }
    if (this.profiled < instances.length) return false;
    const out = this.out ?? this.writeHeader();
    while (left > 0 && !this.done) left -= this.writeChunk(out);
    return this.done;
  }

  /**
   * The bytes written since the last take() (the first ones begin with the format byte);
   * concatenated, every take() until step() returned true is the snapshot finish() gives.
   */
  take(): Uint8Array {
    return this.out === undefined ? new Uint8Array(0) : this.out.take();
  }

  /** The encoded snapshot; only once step() has returned true. */
  finish(): Uint8Array {
    assert(this.out !== undefined && this.done, 'finish() before the snapshot is written');
    return this.out.finish();
  }

  /**
   * Consecutive instances are mostly of one service and share their profile's very lists
   * and strings (stored-instance.ts): comparing those by identity spares a JSON text per
   * instance, garbage that would cost the leader full collections while it snapshots.
   */
  private profileIndex(instance: StoredInstance): number {
    const previous = this.previous;
    this.previous = instance;
    if (previous !== undefined && sameProfile(previous, instance)) return this.previousProfile;
    const key = JSON.stringify(profileOf(instance));
    let profile = this.profiles.get(key);
    if (profile === undefined) {
      profile = this.profileTuples.length;
      this.profiles.set(key, profile);
      this.profileTuples.push(key);
    }
    this.previousProfile = profile;
    return profile;
  }

  private writeHeader(): LineSink {
    const source = this.source;
    const out = new LineSink(Math.max(this.sizeHint, 64 * 1024));
    const header: LinesHeader = {
      revision: source.revision, members: source.members,
      leaseLines: chunkCount(source.leases.length),
      profileLines: chunkCount(this.profileTuples.length),
    };
    out.line(JSON.stringify(header));
    this.out = out;
    return out;
  }

  /** Writes the next line (leases, then profiles, then instances); returns its item count. */
  private writeChunk(out: LineSink): number {
    const { leases, instances } = this.source;
    if (this.leasesWritten < leases.length) {
      const start = this.leasesWritten;
      const end = Math.min(leases.length, start + CHUNK_ITEMS);
      const tuples = leases.slice(start, end)
        .map((lease): LeaseTuple => [lease.id, lease.ttlMs, lease.remainingMs]);
      out.line(JSON.stringify(tuples));
      this.leasesWritten = end;
      return end - start;
    }
    if (this.profilesWritten < this.profileTuples.length) {
      const start = this.profilesWritten;
      const end = Math.min(this.profileTuples.length, start + CHUNK_ITEMS);
      out.line(`[${this.profileTuples.slice(start, end).join(',')}]`);
      this.profilesWritten = end;
      return end - start;
    }
    const start = this.instancesWritten;
    const end = Math.min(instances.length, start + CHUNK_ITEMS);
    const tuples: OwnTuple[] = [];
    for (let index = start; index < end; index++) {
      const i = instances[index] as StoredInstance;
      tuples.push([this.profileOfInstance[index] as number, i.id, i.address, i.port, i.leaseId,
        i.status, i.health, i.load, i.createRevision, i.modRevision]);
    }
    out.line(JSON.stringify(tuples));
    this.instancesWritten = end;
    return end - start;
  }
}

function chunkCount(items: number): number {
  return Math.ceil(items / CHUNK_ITEMS);
}

/** The format byte, then lines separated by newlines, UTF-8 encoded into a growing buffer. */
class LineSink {
  private buffer: Uint8Array;
  private length = 1;
  private lines = 0;
  private readonly capacity: number;
  private taken = false;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buffer = new Uint8Array(capacity);
    this.buffer[0] = FORMAT_PROFILES;
  }

  /** What was written since the last take; the sink then starts a fresh buffer. */
  take(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.length);
    this.buffer = new Uint8Array(Math.min(this.capacity, 64 * 1024));
    this.length = 0;
    this.taken = true;
    return bytes;
  }

  line(text: string): void {
    const separator = this.lines > 0 ? 1 : 0;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const room = this.reserve(separator + text.length * 3);
    if (separator > 0) room[0] = NEWLINE;
    this.length += separator + encoder.encodeInto(text, room.subarray(separator)).written;
    this.lines += 1;
  }

  /** The bytes written; a view, so a generous hint costs address space, not a copy. */
  finish(): Uint8Array {
    assert(!this.taken, 'a snapshot read with take() has no whole to finish()');
    return this.buffer.subarray(0, this.length);
  }

  /** At least `bytes` of free space at the end, as a view. */
  private reserve(bytes: number): Uint8Array {
    const needed = this.length + bytes;
    if (needed > this.buffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.buffer.byteLength * 2));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer.subarray(this.length, needed);
  }
}

/** The same profile, by identity (equal but separate lists fall back to the JSON key). */
function sameProfile(a: StoredInstance, b: StoredInstance): boolean {
  return a.namespace === b.namespace && a.service === b.service && a.ports === b.ports &&
    a.protocol === b.protocol && a.version === b.version && a.environment === b.environment &&
    a.region === b.region && a.zone === b.zone && a.tags === b.tags &&
    a.metadata === b.metadata && a.weight === b.weight && a.priority === b.priority &&
    a.capacity === b.capacity;
}

function profileOf(i: StoredInstance): ProfileTuple {
  return [i.namespace, i.service, i.ports, i.protocol, i.version, i.environment, i.region,
    i.zone, i.tags, i.metadata, i.weight, i.priority, i.capacity];
}

export function decodeSnapshot(data: Uint8Array): RegistryState {
  const format = data[0];
  assert(data.byteLength > 1 && format === FORMAT_PROFILES,
    `unknown snapshot format ${String(format)}: this version reads format ${FORMAT_PROFILES}`);
  let offset = 1;
  const nextLine = (): unknown => {
    let end = data.indexOf(NEWLINE, offset);
    if (end < 0) end = data.byteLength;
    const value: unknown = JSON.parse(decoder.decode(data.subarray(offset, end)));
    offset = end + 1;
    return value;
  };
  const header = nextLine() as LinesHeader;
  assert(header !== null && Number.isSafeInteger(header.revision) &&
    Array.isArray(header.members) && Number.isSafeInteger(header.leaseLines) &&
    Number.isSafeInteger(header.profileLines), 'snapshot is not a registry state');
  const leases: LeaseTuple[] = [];
  for (let line = 0; line < header.leaseLines; line++) {
    const chunk = nextLine();
    assert(Array.isArray(chunk), 'snapshot lease line is malformed');
    for (const lease of chunk as LeaseTuple[]) leases.push(lease);
  }
  const profiles: StoredInstance[] = [];
  for (let line = 0; line < header.profileLines; line++) {
    const chunk = nextLine();
    assert(Array.isArray(chunk), 'snapshot profile line is malformed');
    for (const profile of chunk as ProfileTuple[]) profiles.push(profileInstance(profile));
  }
  const instances: StoredInstance[] = [];
  while (offset < data.byteLength) {
    const chunk = nextLine();
    assert(Array.isArray(chunk), 'snapshot instance line is malformed');
    for (const tuple of chunk as OwnTuple[]) instances.push(fromOwnTuple(tuple, profiles));
  }
  return { revision: header.revision, members: header.members, leases, instances };
}

/** A profile as an instance with empty own fields, its strings interned once. */
function profileInstance(profile: ProfileTuple): StoredInstance {
  assert(Array.isArray(profile) && profile.length === PROFILE_LENGTH,
    'snapshot profile is malformed');
  const [namespace, service, ports, protocol, version, environment, region, zone, tags,
    metadata, weight, priority, capacity] = profile;
  return storedInstance({
    namespace, service, id: '', address: '', port: 0, ports, protocol, version, environment,
    region, zone, tags, metadata, weight, priority, capacity,
  }, { leaseId: 0, status: 'serving', health: 'passing', load: {}, createRevision: 0,
    modRevision: 0 });
}

/**
 * Each status and health parsed is a string of its own (JSON.parse does not share them): the
 * registry's constants instead spare 100,000s of copies of "serving" and "passing".
 */
const STATUSES: Readonly<Record<string, StoredInstance['status']>> =
  { serving: 'serving', draining: 'draining' };
const HEALTHS: Readonly<Record<string, StoredInstance['health']>> =
  { passing: 'passing', warning: 'warning', critical: 'critical' };

/** Fields by index, not destructured: a restore runs before the optimizing compiler has. */
function fromOwnTuple(tuple: OwnTuple, profiles: readonly StoredInstance[]): StoredInstance {
  assert(Array.isArray(tuple) && tuple.length === OWN_LENGTH, 'snapshot instance is malformed');
  const profile = profiles[tuple[0]];
  assert(profile !== undefined,
    `snapshot instance ${tuple[1]} names a missing profile ${tuple[0]}`);
  return instanceOf(profile, {
    id: tuple[1], address: tuple[2], port: tuple[3], leaseId: tuple[4],
    status: STATUSES[tuple[5]] ?? tuple[5], health: HEALTHS[tuple[6]] ?? tuple[6],
    load: tuple[7], createRevision: tuple[8], modRevision: tuple[9],
  });
}
