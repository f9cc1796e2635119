/**
 * Generated values for the property tests that hold a fast hand-written check
 * to its zod schema (`fast-check.test.ts`, `fast-snapshot.test.ts`): a seeded
 * generator, numbers and date-times at and past their limits, and text around
 * a field's length limit with the characters the desk's text cleaning treats
 * specially.
 */
import { expect } from 'vitest';

/** mulberry32: small, seeded, the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Control, bidi, lone surrogate, astral, whitespace and non-ASCII characters. */
export const HOSTILE = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u202e', '\u2066', '\ud800', '\udfff', '\ud83d\ude00', '\t', '\n', '\r', ' ', 'é', '東'];

/** Text of a length at, just under or just over `limit` (or anywhere below it), sprinkled with `HOSTILE`. */
export function textAround(random: () => number, limit: number): string {
  const length = pick(random, [0, 1, 2, limit - 1, limit, limit + 1, limit + 2, Math.floor(random() * limit)]);
  let out = '';
  while (out.length < length) out += random() < 0.1 ? pick(random, HOSTILE) : 'a';
  return out.slice(0, Math.max(0, length));
}

/**
 * Numbers and ids at and past every limit a schema sets (positive, integer,
 * safe, a day's minutes), and the near-misses a server sends instead (strings,
 * null, booleans, objects).
 */
export const NUMBERS: readonly unknown[] = [1, 2, 15, 31, 1_440, 1_441, 80_000_001, 2 ** 53 - 1, 2 ** 53, 0, -1, 1.5, Number.NaN, Infinity, -0, '1', '31', '012', '0', ' 1', '1e3', null, true, undefined, {}, [], 1e21];

/** Date-times valid and not quite (offsets, leap days, hour 24, missing seconds or zone, a space, a date alone). */
export const DATE_TIMES: readonly unknown[] = [
  '2026-11-26T09:00:00Z',
  '2026-11-26T09:00:00.000000Z',
  '2026-11-26T09:00:00.123+05:45',
  '2026-11-26T09:00:00-03:00',
  '2024-02-29T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-31T00:00:00Z',
  '2026-11-26T24:00:00Z',
  '2026-11-26T09:00Z',
  '2026-11-26 09:00:00Z',
  '2026-11-26T09:00:00z',
  '2026-11-26T09:00:00',
  '2026-11-26T09:00:00+0545',
  '2026-11-26T09:00:00.Z',
  '2026-11-26',
  '',
  null,
  undefined,
  1_764_147_600_000,
];

/** How the candidates fell: taken by the fast check, left to zod and accepted there, refused by both. */
export interface Tally {
  fast: number;
  zodOnly: number;
  refused: number;
}

/** The fast check never accepts what the schema refuses, and answers exactly what it answers (values and key order). */
export function holds<T>(fast: (v: unknown) => T | null, schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, value: unknown, tally: Tally): void {
  const quick = fast(value);
  const slow = schema.safeParse(value);
  if (quick === null) {
    if (slow.success) tally.zodOnly++;
    else tally.refused++;
    return;
  }
  tally.fast++;
  if (!slow.success) throw new Error(`the fast check accepted what zod refuses: ${JSON.stringify(value)}`);
  expect(quick).toStrictEqual(slow.data);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(slow.data));
}
