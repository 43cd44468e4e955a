import { assert } from './assert.js';

/**
 * A stable 52-bit hash of a text, never 0: the same on every node and every run. FNV-1a over
 * two 32-bit lanes (no BigInt), the high lane cut to 20 bits so the result is a safe integer.
 */
export function hash52(text: string): number {
  assert(text.length > 0, 'hash52 of an empty text');
  let low = 0x811c9dc5;
  let high = 0x0100_0193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    low = Math.imul(low ^ code, 0x01000193) >>> 0;
    high = Math.imul(high ^ code ^ (low >>> 24), 0x5bd1e995) >>> 0;
  }
  const value = (high & 0xfffff) * 0x1_0000_0000 + low;
  return value === 0 ? 1 : value;
}
