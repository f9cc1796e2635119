import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseLocated, printParseErrorCode, type ParseError } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../../shared/json-limits';

/**
 * A JSON file on disk, and nothing else: read it (bounded, with a syntax error
 * located by line and column) and write it atomically. Used for the user's
 * settings and the admin policy (read-config-json.ts) and for the sign-in token
 * (electron/secrets.ts); what a problem means to the user is theirs to say.
 *
 * `JSON.parse` decides what is JSON and builds the value (strict JSON: no
 * comments, no trailing commas, `__proto__` an ordinary key); only when it
 * refuses the text does jsonc-parser find where and why, since V8's message
 * carries no position for some errors and words them differently per version.
 */

/** Largest file read by default: settings, policy and token files hold a few kilobytes. */
export const MAX_JSON_FILE_BYTES = 1024 * 1024;

export type JsonFileProblem =
  /** Not readable: `code` is the errno code (EACCES, EISDIR, ...). */
  | { kind: 'unreadable'; code: string }
  /** A FIFO, a device, a socket: it could block or never end. */
  | { kind: 'not-a-file' }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'too-deep'; limit: number }
  /** Nothing but white space. */
  | { kind: 'empty' }
  /** `reason` says what was expected and what was found; `line` and `column` count from 1. */
  | { kind: 'syntax'; reason: string; line: number; column: number };

export type JsonFileRead = { kind: 'ok'; value: unknown } | { kind: 'missing' } | { kind: 'error'; problem: JsonFileProblem };

export interface ReadJsonOptions {
  /** Default `MAX_JSON_FILE_BYTES`. */
  maxBytes?: number;
  /** Deepest nesting read, checked on the text before parsing; default `MAX_JSON_DEPTH`. */
  maxDepth?: number;
}

/**
 * Reads a JSON file: its value, `missing` when there is no such file, or the
 * problem. Stats first, so a FIFO or device is never opened and a huge file
 * never read whole; the nesting is bounded on the text, so no recursive walk
 * over the value meets a depth bomb. A UTF-8 byte-order mark (Windows
 * Notepad's) is skipped.
 */
export function readJsonFile(file: string, options: ReadJsonOptions = {}): JsonFileRead {
  const maxBytes = options.maxBytes ?? MAX_JSON_FILE_BYTES;
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) return { kind: 'error', problem: { kind: 'unreadable', code: 'EISDIR' } };
    if (!stat.isFile()) return { kind: 'error', problem: { kind: 'not-a-file' } };
    if (stat.size > maxBytes) return { kind: 'error', problem: { kind: 'too-large', size: stat.size, limit: maxBytes } };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', problem: { kind: 'unreadable', code: code ?? String(error) } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { kind: 'error', problem: { kind: 'empty' } };
  if (jsonTextDepth(text, maxDepth) > maxDepth) return { kind: 'error', problem: { kind: 'too-deep', limit: maxDepth } };
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'error', problem: locateSyntaxError(text, error) };
  }
}

/** The first syntax error of text `JSON.parse` refused, by jsonc-parser in strict JSON mode. */
function locateSyntaxError(text: string, v8Error: unknown): Extract<JsonFileProblem, { kind: 'syntax' }> {
  const errors: ParseError[] = [];
  parseLocated(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) {
    // Not expected (both are strict JSON); V8's own words, at its position when it gives one.
    const message = v8Error instanceof Error ? v8Error.message : String(v8Error);
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
    return { kind: 'syntax', reason: message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s+/g, ' '), ...position(text, offset) };
  }
  // After an unknown word, the parser's next complaint says whether a name or a value was due there.
  const next = errors.slice(1).find((e) => printParseErrorCode(e.error) !== 'InvalidSymbol');
  return { kind: 'syntax', reason: describe(text, first, next === undefined ? undefined : printParseErrorCode(next.error)), ...position(text, first.offset) };
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** What was expected and what was found, in words an administrator editing the file can act on. */
function describe(text: string, error: ParseError, nextCode: string | undefined): string {
  const token = text.slice(error.offset, error.offset + Math.max(error.length, 1));
  const found = token === '' ? 'the end of the file' : quote(token);
  const before = text.slice(0, error.offset).trimEnd().at(-1);
  const code = printParseErrorCode(error.error);
  if ((code === 'PropertyNameExpected' || code === 'ValueExpected') && before === ',' && (token === '}' || token === ']')) {
    return `a trailing comma before ${found} (JSON allows none)`;
  }
  switch (code) {
    case 'InvalidSymbol':
      if (nextCode === 'PropertyNameExpected') return `expected a property name in double quotes, found ${found}`;
      if (nextCode === 'ValueExpected') return `expected a value (a "string", a number, true, false, null, an object or a list), found ${found}`;
      return `unexpected ${found}`;
    case 'PropertyNameExpected':
      return `expected a property name in double quotes, found ${found}`;
    case 'ValueExpected':
      return `expected a value, found ${found}`;
    case 'ColonExpected':
      return `expected ':' after the property name, found ${found}`;
    case 'CommaExpected':
      return `expected a comma, found ${found}`;
    case 'CloseBraceExpected':
      return `expected ',' or '}', found ${found}`;
    case 'CloseBracketExpected':
      return `expected ',' or ']', found ${found}`;
    case 'EndOfFileExpected':
      return `unexpected ${found} after the end of the JSON`;
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return `a comment (JSON allows none): ${found}`;
    case 'UnexpectedEndOfString':
      return `a string without its closing quote: ${found}`;
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return `an incomplete number: ${found}`;
    case 'InvalidUnicode':
      return `a \\u escape without four hex digits in ${found}`;
    case 'InvalidEscapeCharacter':
      return `an unknown backslash escape in ${found}`;
    case 'InvalidCharacter':
      return `a tab or control character inside the string ${found} (write it as \\t, \\n or \\u00XX)`;
    default:
      return `${code} at ${found}`;
  }
}

/** A token as the message shows it: quoted, line breaks and tabs visible, at most 40 characters. */
function quote(token: string): string {
  const short = token.length > 40 ? `${token.slice(0, 40)}…` : token;
  return `'${short.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
}

export interface WriteJsonOptions {
  /** The file's permissions; default 0o600 (only this user: settings and tokens are theirs alone). */
  mode?: number;
}

/**
 * Writes `value` as indented JSON through write-file-atomic: a temp file with
 * a unique name beside the target, fsync'd, then renamed over it, so a reader
 * or a crash sees the old file or the new one, never half of one, and two
 * writers never share a temp file. Creates the folder. Throws what the disk
 * refuses (the temp file is removed).
 */
export function writeJsonFileAtomic(file: string, value: unknown, options: WriteJsonOptions = {}): void {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${text}\n`, { mode: options.mode ?? 0o600, fsync: true });
}
