import { assert } from '../core/assert.js';
import type { Member, StoredInstance } from './model.js';
import { storedInstance } from './stored-instance.js';

/** The registry's whole state, as a snapshot carries it. */
export interface RegistryState {
  readonly revision: number;
  readonly members: readonly Member[];
  /** [id, ttlMs, remainingMs]; which instances a lease holds is on the instances. */
  readonly leases: readonly (readonly [number, number, number])[];
  readonly instances: readonly StoredInstance[];
}

const FORMAT_VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSnapshot(state: RegistryState): Uint8Array {
  const json = encoder.encode(JSON.stringify(state));
  const bytes = new Uint8Array(json.byteLength + 1);
  bytes[0] = FORMAT_VERSION;
  bytes.set(json, 1);
  return bytes;
}

export function decodeSnapshot(data: Uint8Array): RegistryState {
  assert(data.byteLength > 1 && data[0] === FORMAT_VERSION,
    `unknown snapshot format ${String(data[0])}`);
  const state = JSON.parse(decoder.decode(data.subarray(1))) as RegistryState;
  assert(Number.isSafeInteger(state.revision) && Array.isArray(state.instances) &&
    Array.isArray(state.members), 'snapshot is not a registry state');
  // Rebuilt to share one shape; instances saved before load figures existed have none.
  const instances = state.instances.map((instance) => storedInstance(instance, {
    ...instance, load: (instance as { load?: StoredInstance['load'] }).load ?? {},
  }));
  return { ...state, leases: state.leases ?? [], instances };
}
