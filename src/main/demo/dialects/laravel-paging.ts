import type { IncomingMessage } from 'node:http';
import { ValidationError } from '../http-kit';
import { phpJsonEncode } from '../php-json';

/**
 * Laravel's paginators as they answer in JSON: `LengthAwarePaginator::toArray()`
 * (what `paginate()` returns), `CursorPaginator::toArray()` (`cursorPaginate()`),
 * the `links` array with its `UrlWindow`, `withQueryString()` URLs, and the
 * query-parameter rules the dialects validate like a FormRequest would.
 */

// ------------------------------------------------------------ requests ---

/** `$request->url()`: absolute, from the request's Host, without the query string. */
export function requestPath(req: IncomingMessage, url: URL): string {
  const path = url.pathname !== '/' ? url.pathname.replace(/\/+$/, '') : url.pathname;
  return `http://${req.headers.host ?? 'localhost'}${path}`;
}

/**
 * `$request->query()` as `withQueryString()` appends it, without `except`:
 * a repeated key keeps its first place and its last value, and empty values
 * are gone (ConvertEmptyStringsToNull makes them null; http_build_query skips nulls).
 */
export function queryString(url: URL, except: string): Array<[string, string]> {
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams) if (key !== except) query.set(key, value.trim());
  return [...query].filter(([, value]) => value !== '');
}

/** PHP's rawurlencode: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
function rawUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `Arr::query()` (http_build_query with RFC 3986 encoding). */
function buildQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([key, value]) => `${rawUrlEncode(key)}=${rawUrlEncode(value)}`).join('&');
}

/** `filter_var($value, FILTER_VALIDATE_INT)`: optional sign, no leading zeros, surrounding blanks allowed. */
function phpInt(value: string): number | null {
  return /^\s*[+-]?(0|[1-9]\d*)\s*$/.test(value) ? Number(value) : null;
}

/** `Paginator::resolveCurrentPage()`: a valid integer of at least 1, else 1. */
export function currentPage(url: URL): number {
  const page = phpInt(url.searchParams.get('page') ?? '');
  return page !== null && page >= 1 ? page : 1;
}

export interface IntegerRule {
  min?: number;
  max?: number;
}

/**
 * Validates optional integer query parameters like `nullable|integer|min:..|max:..`,
 * with Laravel's English messages; every failing field is in the one 422.
 */
export function validateIntegers(url: URL, rules: Readonly<Record<string, IntegerRule>>): Record<string, number | undefined> {
  const values: Record<string, number | undefined> = {};
  const errors: Record<string, string[]> = {};
  for (const [field, rule] of Object.entries(rules)) {
    const raw = url.searchParams.get(field)?.trim() ?? '';
    if (raw === '') continue;
    const label = field.replace(/_/g, ' ');
    const value = phpInt(raw);
    if (value === null) errors[field] = [`The ${label} field must be an integer.`];
    else if (rule.min !== undefined && value < rule.min) errors[field] = [`The ${label} field must be at least ${rule.min}.`];
    else if (rule.max !== undefined && value > rule.max) errors[field] = [`The ${label} field must not be greater than ${rule.max}.`];
    else values[field] = value;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values;
}

/**
 * A controller's `$request->validate(['per_page' => 'nullable|integer|min:1|max:N'])`,
 * plus `'after_id' => 'nullable|integer|min:0'` where the list takes it.
 */
export function validatedPaging(url: URL, options: { fallback: number; max: number; afterId: boolean }): { perPage: number; afterId: number } {
  const rules: Record<string, IntegerRule> = { per_page: { min: 1, max: options.max } };
  if (options.afterId) rules.after_id = { min: 0 };
  const values = validateIntegers(url, rules);
  return { perPage: values.per_page ?? options.fallback, afterId: values.after_id ?? 0 };
}

/**
 * `min($request->integer('per_page', $default), $cap)` handed to `paginate()`:
 * intval() of the input, where 0 or less (or no number) means the model's default.
 */
export function cappedPerPage(url: URL, fallback: number, cap: number): number {
  const leading = /^\s*[+-]?\d+/.exec(url.searchParams.get('per_page') ?? '')?.[0];
  const asked = leading === undefined ? fallback : Number(leading);
  return Math.min(asked >= 1 ? asked : fallback, cap);
}

// ------------------------------------------------------------ paginate ---

export interface PaginationLink {
  url: string | null;
  label: string;
  active: boolean;
}

/** `LengthAwarePaginator::toArray()`, keys in Laravel's order. */
export interface LengthAwarePage<T> {
  current_page: number;
  data: T[];
  first_page_url: string;
  from: number | null;
  last_page: number;
  last_page_url: string;
  links: PaginationLink[];
  next_page_url: string | null;
  path: string;
  per_page: number;
  prev_page_url: string | null;
  to: number | null;
  total: number;
}

export interface PageRequest {
  page: number;
  perPage: number;
  /** `$request->url()`. */
  path: string;
  /** `withQueryString()`: the request's query without `page`. */
  query: ReadonlyArray<readonly [string, string]>;
}

/** The translations Laravel ships for `pagination.previous` / `pagination.next`. */
export const PREVIOUS_LABEL = '&laquo; Previous';
export const NEXT_LABEL = 'Next &raquo;';

const range = (from: number, to: number) => Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);

/** `UrlWindow::make()` (onEachSide 3) as `elements()` lays it out: page runs separated by '...'. */
export function urlWindow(current: number, last: number, onEachSide = 3): Array<number[] | '...'> {
  if (last < onEachSide * 2 + 8) return [range(1, last)];
  const window = onEachSide + 4;
  if (current <= window) return [range(1, window + onEachSide), '...', range(last - 1, last)];
  if (current > last - window) return [range(1, 2), '...', range(last - (window + (onEachSide - 1)), last)];
  return [range(1, 2), '...', range(current - onEachSide, current + onEachSide), '...', range(last - 1, last)];
}

/** `paginate()`: one page of `rows` (already in the query's order) and Laravel's JSON around it. */
export function lengthAwarePaginate<T>(rows: readonly T[], request: PageRequest): LengthAwarePage<T> {
  const { page, perPage, path } = request;
  const total = rows.length;
  const lastPage = Math.max(Math.ceil(total / perPage), 1);
  const items = rows.slice((page - 1) * perPage, page * perPage);
  const url = (p: number) => `${path}?${buildQuery([...request.query, ['page', String(Math.max(p, 1))]])}`;
  const prev = page > 1 ? url(page - 1) : null;
  const next = page < lastPage ? url(page + 1) : null;
  const from = items.length > 0 ? (page - 1) * perPage + 1 : null;
  const links: PaginationLink[] = [
    { url: prev, label: PREVIOUS_LABEL, active: false },
    ...urlWindow(page, lastPage).flatMap((element): PaginationLink[] =>
      element === '...' ? [{ url: null, label: '...', active: false }] : element.map((p) => ({ url: url(p), label: String(p), active: p === page })),
    ),
    { url: next, label: NEXT_LABEL, active: false },
  ];
  return {
    current_page: page,
    data: items,
    first_page_url: url(1),
    from,
    last_page: lastPage,
    last_page_url: url(lastPage),
    links,
    next_page_url: next,
    path,
    per_page: perPage,
    prev_page_url: prev,
    to: from === null ? null : from + items.length - 1,
    total,
  };
}

/**
 * An API Resource collection over `paginate()` (PaginatedResourceResponse):
 * the paginator's URLs move to `links`, the rest of its fields to `meta`.
 */
export function resourceCollection<T>(page: LengthAwarePage<T>) {
  const { data, first_page_url, last_page_url, prev_page_url, next_page_url, ...meta } = page;
  return {
    data,
    links: { first: first_page_url, last: last_page_url, prev: prev_page_url, next: next_page_url },
    meta: {
      current_page: meta.current_page,
      from: meta.from,
      last_page: meta.last_page,
      links: meta.links,
      path: meta.path,
      per_page: meta.per_page,
      to: meta.to,
      total: meta.total,
    },
  };
}

// -------------------------------------------------------------- cursor ---

/** `CursorPaginator::toArray()`, keys in Laravel's order. */
export interface CursorPage<T> {
  data: T[];
  path: string;
  per_page: number;
  next_cursor: string | null;
  next_page_url: string | null;
  prev_cursor: string | null;
  prev_page_url: string | null;
}

export interface CursorRequest {
  perPage: number;
  /** The `cursor` query parameter as sent. */
  cursor: string | null;
  /** The `orderBy` columns, ascending; the cursor carries their values. */
  columns: readonly string[];
  path: string;
  /** `withQueryString()`: the request's query without `cursor`. */
  query: ReadonlyArray<readonly [string, string]>;
}

type CursorValue = string | number | boolean | null;
interface Cursor {
  parameters: Record<string, CursorValue>;
  pointsToNextItems: boolean;
}

/** `Cursor::encode()`: URL-safe base64 of the JSON, without padding. */
export function encodeCursor(cursor: Cursor): string {
  const json = phpJsonEncode({ ...cursor.parameters, _pointsToNextItems: cursor.pointsToNextItems });
  return Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `Cursor::fromEncoded()`: text that is not JSON means "no cursor" (the first
 * page). JSON without the flag or a column is an error in Laravel too (a 500).
 */
export function decodeCursor(encoded: string | null, columns: readonly string[]): Cursor | null {
  if (encoded === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('Cannot read the cursor: not an array');
  const { _pointsToNextItems: flag, ...parameters } = parsed as Record<string, CursorValue>;
  if (flag === undefined) throw new Error('Undefined array key "_pointsToNextItems"');
  for (const column of columns) {
    if (!(column in parameters)) throw new Error(`Unable to find parameter [${column}] in pagination item.`);
  }
  return { parameters, pointsToNextItems: Boolean(flag) };
}

function compareValue(row: unknown, param: CursorValue): number {
  if (typeof row === 'number') {
    const other = Number(param);
    return row < other ? -1 : row > other ? 1 : 0;
  }
  const [a, b] = [String(row), String(param)];
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `cursorPaginate()`: the page after (or before) the cursor of `rows`, already sorted by `columns`. */
export function cursorPaginate<T extends object>(rows: readonly T[], request: CursorRequest): CursorPage<T> {
  const { perPage, columns } = request;
  const cursor = decodeCursor(request.cursor, columns);
  const value = (row: T, column: string) => (row as Record<string, unknown>)[column];
  // (c1, c2) > (v1, v2), as Laravel's nested where clauses compare them.
  const compare = (row: T, parameters: Record<string, CursorValue>) => {
    for (const column of columns) {
      const c = compareValue(value(row, column), parameters[column] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  };
  let candidates: T[];
  if (cursor === null) candidates = [...rows];
  else if (cursor.pointsToNextItems) candidates = rows.filter((row) => compare(row, cursor.parameters) > 0);
  else candidates = rows.filter((row) => compare(row, cursor.parameters) < 0).reverse();
  const hasMore = candidates.length > perPage;
  const items = candidates.slice(0, perPage);
  if (cursor !== null && !cursor.pointsToNextItems) items.reverse();

  const cursorFor = (row: T, next: boolean): Cursor => ({
    parameters: Object.fromEntries(columns.map((column) => [column, value(row, column) as CursorValue])),
    pointsToNextItems: next,
  });
  const first = items[0];
  const last = items[items.length - 1];
  const nextCursor =
    (cursor === null && !hasMore) || (cursor !== null && cursor.pointsToNextItems && !hasMore) || last === undefined ? null : encodeCursor(cursorFor(last, true));
  const prevCursor = cursor === null || (!cursor.pointsToNextItems && !hasMore) || first === undefined ? null : encodeCursor(cursorFor(first, false));
  const url = (encoded: string) => `${request.path}?${buildQuery([...request.query, ['cursor', encoded]])}`;
  return {
    data: items,
    path: request.path,
    per_page: perPage,
    next_cursor: nextCursor,
    next_page_url: nextCursor === null ? null : url(nextCursor),
    prev_cursor: prevCursor,
    prev_page_url: prevCursor === null ? null : url(prevCursor),
  };
}
