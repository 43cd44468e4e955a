import { assert } from '../core/assert.js';
import type { Entry } from '../raft/index.js';
import type { StateMachine } from '../replica/index.js';

/**
 * A small replicated registry for the simulator (the real one is src/registry): services ->
 * instance -> endpoint. Enough to check linearizability of register/deregister/lookup.
 */
export type RegistryCommand =
  | {
      readonly op: 'register';
      readonly service: string;
      readonly instance: string;
      readonly endpoint: string;
    }
  | { readonly op: 'deregister'; readonly service: string; readonly instance: string };

export type RegistryResult =
  | { readonly kind: 'register' }
  | { readonly kind: 'deregister'; readonly found: boolean };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: RegistryCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeCommand(data: Uint8Array): RegistryCommand {
  const command = JSON.parse(decoder.decode(data)) as RegistryCommand;
  assert(command.op === 'register' || command.op === 'deregister',
    `unknown command ${String(command.op)}`);
  return command;
}

export class RegistryLite implements StateMachine<RegistryResult> {
  private services = new Map<string, Map<string, string>>();
  /** Order-independent digest of the whole state, maintained incrementally. */
  digest = 0;

  apply(entry: Entry): RegistryResult {
    const command = decodeCommand(entry.data);
    const instances = this.services.get(command.service) ?? new Map<string, string>();
    this.services.set(command.service, instances);
    const previous = instances.get(command.instance);
    if (previous !== undefined) {
      this.digest = (this.digest - itemHash(command.service, command.instance, previous)) >>> 0;
    }
    if (command.op === 'register') {
      instances.set(command.instance, command.endpoint);
      this.digest =
        (this.digest + itemHash(command.service, command.instance, command.endpoint)) >>> 0;
      return { kind: 'register' };
    }
    instances.delete(command.instance);
    return { kind: 'deregister', found: previous !== undefined };
  }

  lookup(service: string): [string, string][] {
    const instances = this.services.get(service);
    if (instances === undefined) return [];
    return [...instances].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  snapshot(): Uint8Array {
    const items: [string, string, string][] = [];
    for (const [service, instances] of this.services) {
      for (const [instance, endpoint] of instances) items.push([service, instance, endpoint]);
    }
    return encoder.encode(JSON.stringify(items));
  }

  restore(data: Uint8Array): void {
    this.services = new Map();
    this.digest = 0;
    if (data.byteLength === 0) return;
    const items = JSON.parse(decoder.decode(data)) as [string, string, string][];
    for (const [service, instance, endpoint] of items) {
      const instances = this.services.get(service) ?? new Map<string, string>();
      this.services.set(service, instances);
      instances.set(instance, endpoint);
      this.digest = (this.digest + itemHash(service, instance, endpoint)) >>> 0;
    }
  }
}

function itemHash(service: string, instance: string, endpoint: string): number {
  return hashString(`${service}\u0000${instance}\u0000${endpoint}`);
}

/** FNV-1a, 32 bits: for digests and checks, not security. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function hashBytes(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
