import { describe, expect, it } from 'vitest';
import { LookupCache } from '../../src/api/lookup-cache.js';

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
    const cache = new LookupCache({ entriesMax: 2, bytesMax: 10 });
    cache.get('a', 1, () => Buffer.alloc(4));
    cache.get('b', 1, () => Buffer.alloc(4));
    cache.get('c', 1, () => Buffer.alloc(4));
    const a = counted('aaaa');
    cache.get('a', 1, a.encode);
    expect(a.calls()).toBe(1);
    // 'c' (4 bytes) and 'a' (4 bytes) are kept; an 8-byte answer must push both out.
    cache.get('d', 1, () => Buffer.alloc(8));
    const c = counted('cccc');
    cache.get('c', 1, c.encode);
    expect(c.calls()).toBe(1);
  });

  it('serves an answer bigger than its whole budget without keeping it', () => {
    const cache = new LookupCache({ entriesMax: 4, bytesMax: 4 });
    const big = counted('0123456789');
    expect(cache.get('big', 1, big.encode).toString()).toBe('0123456789');
    cache.get('big', 1, big.encode);
    expect(big.calls()).toBe(2);
  });
});
