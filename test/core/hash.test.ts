import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash52 } from '../../src/core/hash.js';

describe('hash52', () => {
  it('is stable, positive, a safe integer, and tells typical texts apart', () => {
    const texts = ['roster-0', 'roster-1', 'roster-2', 'roster-3', 'roster-4'];
    const values = texts.map(hash52);
    expect(texts.map(hash52)).toEqual(values);
    expect(new Set(values).size).toBe(texts.length);
    for (const value of values) {
      expect(Number.isSafeInteger(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
    expect(() => hash52('')).toThrow();
  });

  it('gives a valid value for any text', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 64 }), (text) => {
      const value = hash52(text);
      expect(Number.isSafeInteger(value) && value > 0).toBe(true);
      expect(hash52(text)).toBe(value);
    }));
  });
});
