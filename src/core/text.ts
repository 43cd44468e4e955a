/**
 * Characters that must not reach a terminal, a log line or a dashboard unescaped, and the one
 * way error messages quote what a client sent. A value echoed raw could forge log lines
 * (newlines), reorder what an operator reads (bidi controls, "Trojan Source") or hide
 * characters (zero-width), and a large one would make every error as large as the request.
 */

/** C0 controls, DEL and C1 controls. */
export function isControlCharacter(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Bidirectional formatting (LRM, RLM, ALM, embeddings, overrides and isolates) and
 * zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM): invisible, and they change how
 * the text around them reads.
 */
export function isInvisibleFormatting(code: number): boolean {
  return code === 0x061c || code === 0x200e || code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0x200b && code <= 0x200d) || code === 0x2060 || code === 0xfeff;
}

export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControlCharacter(text.charCodeAt(i))) return true;
  return false;
}

export function hasInvisibleFormatting(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (isInvisibleFormatting(text.charCodeAt(i))) return true;
  }
  return false;
}

/** Characters of a value an error message quotes; the rest is cut. */
export const QUOTED_CHARS_MAX = 64;

/**
 * `value` in double quotes for an error message: at most `maxChars` characters of it, with
 * quotes, backslashes, controls, invisible formatting, line separators and lone surrogates
 * written as escapes, so the message is one printable line that shows what was sent.
 */
export function quote(value: string, maxChars = QUOTED_CHARS_MAX): string {
  const shown = value.length > maxChars ? value.slice(0, maxChars) : value;
  let out = '"';
  for (let i = 0; i < shown.length; i++) {
    const code = shown.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) {
      out += `\\${shown[i] as string}`;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < shown.length &&
      isLowSurrogate(shown.charCodeAt(i + 1))) {
      out += shown.slice(i, i + 2);
      i += 1;
    } else if (isControlCharacter(code) || isInvisibleFormatting(code) || code === 0x2028 ||
      code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += shown[i] as string;
    }
  }
  out += '"';
  return value.length > maxChars ? `${out}... (${value.length} characters)` : out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
