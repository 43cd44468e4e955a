import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from '../../src/core/utf8.js';

const encoder = new TextEncoder();

describe('utf8ByteLength', () => {
  it.each([
    ['', 0], ['a', 1], ['é', 2], ['€', 3], ['😀', 4], ['a😀b', 6],
    ['\ud83d', 3], ['\ude00', 3], ['\ude00\ud83d', 6], ['x\ud83dy', 5],
  ])('%j takes %i bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });

  it('agrees with TextEncoder on any string, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).byteLength);
    }), { numRuns: 2000 });
  });
});
