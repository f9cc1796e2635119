import type { FieldProblem } from '../../../shared/features';
import { describe, isRecord, lookup } from './records';

/**
 * Every list shape a Laravel app produces, read into one form: the records of
 * this page and how to ask for the next. A bare array; `{data}`; an API
 * Resource collection (`links.next`, `meta.current_page`/`last_page`);
 * `paginate()` and `simplePaginate()` (`next_page_url` at the top);
 * `cursorPaginate()` (`next_cursor`); the desk's default (`meta.has_more`).
 */

export interface ListPage {
  records: unknown[];
  /** Query parameters that ask for the next page (from `next_page_url`, `links.next`, `next_cursor`, or the page number); null on the last page. */
  next: Record<string, string> | null;
  /** The page size the server used, when it says so. */
  perPage: number | null;
  /** The default dialect's `meta.has_more`, or a paginator's word that this is (not) the last page; null when the answer does not say. */
  hasMore: boolean | null;
}

export type ListPageResult = { ok: true; page: ListPage } | { ok: false; problem: FieldProblem };

export function readListPage(body: unknown): ListPageResult {
  if (Array.isArray(body)) return { ok: true, page: { records: body, next: null, perPage: null, hasMore: null } };
  if (!isRecord(body)) return notAList(body);
  const data = body.data;
  // `{data: {current_page, data: [...]}}`: a paginator wrapped in a resource.
  if (isRecord(data) && Array.isArray(data.data)) return readListPage(data);
  if (!Array.isArray(data)) return notAList(body);
  const meta = isRecord(body.meta) ? body.meta : {};
  const next = nextQuery(body, meta);
  // A paginator that names no next page has said this is the last one.
  const paginator = [body.next_page_url, meta.next_page_url, body.next_cursor, meta.next_cursor, lookup(body, 'links.next'), body.current_page, meta.current_page].some((v) => v !== undefined);
  return {
    ok: true,
    page: {
      records: data,
      next,
      perPage: positiveInt(body.per_page ?? meta.per_page),
      hasMore: typeof meta.has_more === 'boolean' ? meta.has_more : paginator ? next !== null : null,
    },
  };
}

function nextQuery(body: Record<string, unknown>, meta: Record<string, unknown>): Record<string, string> | null {
  const url = [lookup(body, 'links.next'), body.next_page_url, meta.next_page_url].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (url !== undefined) {
    const params = queryOf(url);
    if (params !== null && Object.keys(params).length > 0) return params;
  }
  const cursor = body.next_cursor ?? meta.next_cursor;
  if (typeof cursor === 'string' && cursor.length > 0) return { cursor };
  const current = positiveInt(body.current_page ?? meta.current_page);
  const last = positiveInt(body.last_page ?? meta.last_page);
  if (current !== null && last !== null && current < last) return { page: String(current + 1) };
  return null;
}

/**
 * Only the query of a next-page URL is used, against the desk's own address:
 * Laravel builds those URLs from `APP_URL`, which behind a proxy is often not
 * the address the desk reaches (and a link elsewhere must not receive the token).
 */
function queryOf(url: string): Record<string, string> | null {
  try {
    return Object.fromEntries(new URL(url, 'http://desk.invalid').searchParams);
  } catch {
    return null;
  }
}

function positiveInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

function notAList(body: unknown): ListPageResult {
  return {
    ok: false,
    problem: {
      path: '(body)',
      seen: describe(body),
      expected: 'a list: a JSON array, {"data": [...]}, or one of Laravel\'s paginators',
      profileLine: null,
    },
  };
}

/**
 * The largest page a 422 allows, from Laravel's validation message ("The per
 * page field must not be greater than 100.", "may not be greater than 100",
 * "max:100"); null when it does not say.
 */
export function pageCapFrom(messages: readonly string[]): number | null {
  for (const message of messages) {
    const m = /(?:greater than|max(?:imum)?(?: of)?:?|at most|up to|between\s+\d+\s+and)\s*(\d{1,5})/i.exec(message);
    if (m?.[1]) return Number(m[1]);
  }
  return null;
}
