/**
 * Encoded Lookup answers, kept until the registry's revision moves. A registry is read far
 * more than it is written, and encoding 100 instances costs ~0.7 ms of CPU: clients asking
 * the same question at the same revision share one encoding. Bounded by entries and bytes;
 * any write clears it.
 */
import { assert } from '../core/assert.js';

export interface LookupCacheLimits {
  readonly entriesMax: number;
  readonly bytesMax: number;
}

export class LookupCache {
  private readonly limits: LookupCacheLimits;
  private revision = -1;
  private readonly answers = new Map<string, Buffer>();
  private bytes = 0;

  constructor(limits: LookupCacheLimits = { entriesMax: 512, bytesMax: 8 * 1024 * 1024 }) {
    assert(limits.entriesMax >= 1 && limits.bytesMax >= 1, 'lookup cache limits must be >= 1');
    this.limits = limits;
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
    // An answer bigger than the whole budget is served but not kept.
    if (encoded.byteLength > this.limits.bytesMax) return encoded;
    while (this.answers.size >= this.limits.entriesMax ||
      this.bytes + encoded.byteLength > this.limits.bytesMax) {
      this.evictOldest();
    }
    this.answers.set(key, encoded);
    this.bytes += encoded.byteLength;
    return encoded;
  }

  private evictOldest(): void {
    const oldest = this.answers.keys().next();
    if (oldest.done === true) return;
    this.bytes -= (this.answers.get(oldest.value) as Buffer).byteLength;
    this.answers.delete(oldest.value);
  }
}
