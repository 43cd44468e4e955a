import { describe, expect, it } from 'vitest';
import { murmur3 } from '../../../src/client/balance/murmur3.js';

/** MurmurHash3 x86_32 over bytes, written straight from the reference, to check against. */
function referenceMurmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  let h = seed | 0;
  const blocks = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i++) {
    const k = Math.imul(rotl(Math.imul(view.getUint32(i * 4, true), c1), 15), c2);
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  let k = 0;
  for (let i = bytes.length - 1; i >= tail; i--) k = (k << 8) | (bytes[i] ?? 0);
  if (bytes.length > tail) h ^= Math.imul(rotl(Math.imul(k, c1), 15), c2);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['test', 0, 0xba6bd213],
    ['Hello, world!', 1234, 0xfaf6cdb3],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('the reference gives the published value for %j, seed %d', (text, seed, want) => {
    expect(referenceMurmur3(new TextEncoder().encode(text), seed)).toBe(want);
  });

  it.each(['', 'a', 'ab', 'api-1', 'api-12', 'zone/éü', '🚀 rocket', 'x'.repeat(101)])(
    'hashes %j as the reference hashes its UTF-16LE bytes', (text) => {
      for (const seed of [0, 1, 0x9747b28c, 0xffffffff]) {
        const bytes = Buffer.from(text, 'utf16le');
        expect(murmur3(text, seed)).toBe(referenceMurmur3(bytes, seed));
      }
    });
});
