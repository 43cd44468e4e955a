import { describe, expect, it } from 'vitest';
import { LookupCache, entryBytes } from '../../src/api/lookup-cache.js';

function counted(text: string): { encode: () => Buffer; calls: () => number } {
  let calls = 0;
  return { encode: () => { calls += 1; return Buffer.from(text); }, calls: () => calls };
}

describe('LookupCache', () => {
  it('encodes a question once per revision', () => {
    const cache = new LookupCache();
    const answer = counted('a');
    expect(cache.get('q', 5, answer.encode).toString()).toBe('a');
    expect(cache.get('q', 5, answer.encode).toString()).toBe('a');
    expect(answer.calls()).toBe(1);
  });

  it('forgets every answer when the revision moves', () => {
    const cache = new LookupCache();
    cache.get('q', 5, () => Buffer.from('old'));
    const fresh = counted('new');
    expect(cache.get('q', 6, fresh.encode).toString()).toBe('new');
    expect(fresh.calls()).toBe(1);
  });

  it('keeps different questions apart', () => {
    const cache = new LookupCache();
    cache.get('a', 1, () => Buffer.from('A'));
    expect(cache.get('b', 1, () => Buffer.from('B')).toString()).toBe('B');
    expect(cache.get('a', 1, () => Buffer.from('X')).toString()).toBe('A');
  });

  it('evicts the oldest answers beyond its entry and byte bounds', () => {
    // Each entry: its 4 bytes, a 1-character key (2 bytes) and its overhead.
    const entry = entryBytes('a', Buffer.alloc(4));
    const cache = new LookupCache({ entriesMax: 2, bytesMax: entry * 2 });
    cache.get('a', 1, () => Buffer.alloc(4));
    cache.get('b', 1, () => Buffer.alloc(4));
    cache.get('c', 1, () => Buffer.alloc(4));
    expect(cache.size).toBe(2);
    const a = counted('aaaa');
    cache.get('a', 1, a.encode);
    expect(a.calls()).toBe(1);
    // 'c' and 'a' are kept; an answer twice as large must push both out.
    cache.get('d', 1, () => Buffer.alloc(4 + entry));
    const c = counted('cccc');
    cache.get('c', 1, c.encode);
    expect(c.calls()).toBe(1);
    expect(cache.heldBytes).toBeLessThanOrEqual(entry * 2);
  });

  it('counts the questions\' keys: huge filters cannot grow it past its byte bound', () => {
    const cache = new LookupCache({ entriesMax: 512, bytesMax: 1024 * 1024 });
    for (let i = 0; i < 100; i++) {
      // A 100 KB key (as long as the filters of a lookup) with a 1-byte answer.
      cache.get(`${i}`.padEnd(50_000, 'x'), 1, () => Buffer.alloc(1));
    }
    expect(cache.heldBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(cache.size).toBeLessThanOrEqual(10);
  });

  it('serves an answer bigger than its whole budget without keeping it', () => {
    const cache = new LookupCache({ entriesMax: 4, bytesMax: 4 });
    const big = counted('0123456789');
    expect(cache.get('big', 1, big.encode).toString()).toBe('0123456789');
    cache.get('big', 1, big.encode);
    expect(big.calls()).toBe(2);
  });
});
