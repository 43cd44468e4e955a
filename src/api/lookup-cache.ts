/**
 * Encoded Lookup answers, kept until the registry's revision moves. A registry is read far
 * more than it is written, and encoding 100 instances costs ~0.7 ms of CPU: clients asking
 * the same question at the same revision share one encoding. Bounded by entries and by bytes,
 * the questions' keys counted with the answers (a key is as long as the filters a client
 * sent); any write clears it.
 */
import { assert } from '../core/assert.js';
import { limits } from '../core/limits.js';

/** A map entry's own cost beside its key and answer. */
const ENTRY_OVERHEAD_BYTES = 64;

/** What a kept answer costs: its bytes, its key (UTF-16 in memory) and the entry. */
export function entryBytes(key: string, answer: Buffer): number {
  return answer.byteLength + key.length * 2 + ENTRY_OVERHEAD_BYTES;
}

export interface LookupCacheLimits {
  readonly entriesMax: number;
  readonly bytesMax: number;
}

export class LookupCache {
  private readonly limits: LookupCacheLimits;
  private revision = -1;
  private readonly answers = new Map<string, Buffer>();
  private bytes = 0;

  constructor(bounds: LookupCacheLimits = {
    entriesMax: limits.lookupCacheEntriesMax, bytesMax: limits.lookupCacheBytesMax,
  }) {
    assert(bounds.entriesMax >= 1 && bounds.bytesMax >= 1, 'lookup cache limits must be >= 1');
    this.limits = bounds;
  }

  /** Bytes held, keys included (entryBytes). */
  get heldBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.answers.size;
  }

  /** The answer to `key` at `revision`, encoded by `encode` at most once per revision. */
  get(key: string, revision: number, encode: () => Buffer): Buffer {
    if (revision !== this.revision) {
      this.answers.clear();
      this.bytes = 0;
      this.revision = revision;
    }
    const cached = this.answers.get(key);
    if (cached !== undefined) return cached;
    const encoded = encode();
    const bytes = entryBytes(key, encoded);
    // An answer bigger than the whole budget is served but not kept.
    if (bytes > this.limits.bytesMax) return encoded;
    while (this.answers.size >= this.limits.entriesMax ||
      this.bytes + bytes > this.limits.bytesMax) {
      this.evictOldest();
    }
    this.answers.set(key, encoded);
    this.bytes += bytes;
    return encoded;
  }

  private evictOldest(): void {
    const oldest = this.answers.keys().next();
    if (oldest.done === true) return;
    this.bytes -= entryBytes(oldest.value, this.answers.get(oldest.value) as Buffer);
    this.answers.delete(oldest.value);
  }
}
