import { z } from 'zod';

/**
 * Text from the clinic's server as the desk stores and shows it: well-formed
 * Unicode (a lone surrogate becomes U+FFFD, which SQLite would otherwise store
 * as invalid UTF-8), without control characters other than tab and newline
 * (a NUL in a title), and without the bidi embedding, override and isolate
 * controls that can make a title read backwards ("Trojan Source"). Everything
 * else is kept exactly as sent.
 */
export function cleanText(text: string): string {
  if (!needsCleaning(text)) return text;
  let out = '';
  // Iterating by code point yields a lone surrogate as a one-unit string of its own.
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else if (!unsafe(code)) out += char;
  }
  return out;
}

function needsCleaning(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (unsafe(code) || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

function unsafe(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a;
  if (code >= 0x7f && code <= 0x9f) return true;
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** A string field of text as above; the length limits apply to what is kept. */
export const Text = () => z.string().overwrite(cleanText);
