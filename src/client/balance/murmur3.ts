/**
 * MurmurHash3 x86_32 of a text's UTF-16LE bytes (two code units per 32-bit block), so no
 * encoder runs on the pick path. Good avalanche on short, similar texts (ids like "api-1",
 * "api-2"), which is what rendezvous hashing needs; not for anything security-related.
 */
export function murmur3(text: string, seed: number): number {
  let hash = seed | 0;
  const length = text.length;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    hash = mixIntoHash(hash, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  }
  if (i < length) hash ^= scrambleBlock(text.charCodeAt(i));
  return finalMix(hash ^ (length * 2));
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function scrambleBlock(block: number): number {
  return Math.imul(rotateLeft(Math.imul(block, C1), 15), C2);
}

function mixIntoHash(hash: number, block: number): number {
  const mixed = rotateLeft(hash ^ scrambleBlock(block), 13);
  return (Math.imul(mixed, 5) + 0xe6546b64) | 0;
}

function finalMix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotateLeft(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}
