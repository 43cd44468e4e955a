import { describe, expect, it } from 'vitest';
import {
  QUOTED_CHARS_MAX, hasControlCharacters, hasInvisibleFormatting, quote,
} from '../../src/core/text.js';

describe('quote: what error messages echo', () => {
  it.each<[string, string, string]>([
    ['plain text', 'web-1', '"web-1"'],
    ['quotes and backslashes', 'a"b\\c', '"a\\"b\\\\c"'],
    ['a newline (a forged log line)', 'a\nlevel=error', '"a\\u000alevel=error"'],
    ['NUL, DEL and a C1 control', 'a\u0000b\u007fc\u0085', '"a\\u0000b\\u007fc\\u0085"'],
    ['a right-to-left override', 'abc\u202Edef', '"abc\\u202edef"'],
    ['zero-width characters', 'a\u200Bb\uFEFF', '"a\\u200bb\\ufeff"'],
    ['a line separator', 'a\u2028b', '"a\\u2028b"'],
    ['a lone surrogate', 'a\uD800b', '"a\\ud800b"'],
    ['a surrogate pair (kept)', 'a\u{1F600}b', '"a\u{1F600}b"'],
    ['non-ASCII letters (kept)', 'zürich-東京', '"zürich-東京"'],
  ])('%s', (_name, input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it('cuts long values and says how long they were', () => {
    const quoted = quote('x'.repeat(10_000));
    expect(quoted).toBe(`"${'x'.repeat(QUOTED_CHARS_MAX)}"... (10000 characters)`);
  });
});

describe('character classes', () => {
  it.each<[string, boolean, boolean]>([
    ['plain', false, false],
    ['tab\there', true, false],
    ['\u0085', true, false],
    ['\u200E', false, true],
    ['\u2067isolate', false, true],
    ['\u061C', false, true],
    ['\u2060', false, true],
    ['é', false, false],
  ])('%j: control %s, invisible %s', (text, control, invisible) => {
    expect(hasControlCharacters(text)).toBe(control);
    expect(hasInvisibleFormatting(text)).toBe(invisible);
  });
});
