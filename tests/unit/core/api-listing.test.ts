import { describe, expect, it } from 'vitest';
import { pageCapFrom, readListPage, type ListPage } from '../../../src/main/core/api/listing';

const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];

/** The page of a body that must read as a list. */
function pageOf(body: unknown): ListPage {
  const result = readListPage(body);
  if (!result.ok) throw new Error(`expected a list, got ${JSON.stringify(result.problem)}`);
  return result.page;
}

/** `paginate()` at top level, keys in Laravel's order. */
function lengthAware(page: number, lastPage: number, perPage = 15) {
  const url = (p: number) => `http://clinic.internal/api/appointments?date=2026-11-26&page=${p}`;
  return {
    current_page: page,
    data: rows,
    first_page_url: url(1),
    from: (page - 1) * perPage + 1,
    last_page: lastPage,
    last_page_url: url(lastPage),
    links: [
      { url: page > 1 ? url(page - 1) : null, label: '&laquo; Previous', active: false },
      { url: url(1), label: '1', active: page === 1 },
      { url: page < lastPage ? url(page + 1) : null, label: 'Next &raquo;', active: false },
    ],
    next_page_url: page < lastPage ? url(page + 1) : null,
    path: 'http://clinic.internal/api/appointments',
    per_page: perPage,
    prev_page_url: page > 1 ? url(page - 1) : null,
    to: (page - 1) * perPage + rows.length,
    total: 40,
  };
}

describe('readListPage', () => {
  it('reads a bare array as one page', () => {
    expect(pageOf(rows)).toEqual({ records: rows, next: null, perPage: null, hasMore: null });
    expect(pageOf([])).toEqual({ records: [], next: null, perPage: null, hasMore: null });
  });

  it('reads {data} as one page', () => {
    expect(pageOf({ data: rows })).toEqual({ records: rows, next: null, perPage: null, hasMore: null });
  });

  it("reads the desk's default {data, meta: {per_page, has_more}}", () => {
    expect(pageOf({ data: rows, meta: { per_page: 3, has_more: true, last_id: 3 } })).toEqual({ records: rows, next: null, perPage: 3, hasMore: true });
    expect(pageOf({ data: rows, meta: { per_page: 500, has_more: false, last_id: 3 } })).toEqual({ records: rows, next: null, perPage: 500, hasMore: false });
  });

  it('reads an API Resource collection, taking only the query of links.next', () => {
    const body = {
      data: rows,
      links: {
        first: 'https://clinic.example.org/api/appointments?page=1',
        last: 'https://clinic.example.org/api/appointments?page=3',
        prev: null,
        next: 'https://clinic.example.org/api/appointments?page=2',
      },
      meta: { current_page: 1, from: 1, last_page: 3, links: [], path: 'https://clinic.example.org/api/appointments', per_page: 15, to: 15, total: 40 },
    };
    const page = pageOf(body);
    expect(page).toEqual({ records: rows, next: { page: '2' }, perPage: 15, hasMore: true });
    expect(JSON.stringify(page.next)).not.toContain('clinic.example.org');
  });

  it('keeps the whole query of a next URL built withQueryString()', () => {
    const body = { data: rows, links: { next: 'http://10.0.0.5/api/notifications?after_id=0&per_page=50&page=2' }, meta: { current_page: 1, last_page: 4 } };
    expect(pageOf(body).next).toEqual({ after_id: '0', per_page: '50', page: '2' });
  });

  it('reads the last page of an API Resource collection', () => {
    const body = { data: rows, links: { first: 'http://x/api/a?page=1', last: 'http://x/api/a?page=3', prev: 'http://x/api/a?page=2', next: null }, meta: { current_page: 3, last_page: 3, per_page: 15 } };
    expect(pageOf(body)).toEqual({ records: rows, next: null, perPage: 15, hasMore: false });
  });

  it('takes the next page from the page numbers when links.next is missing', () => {
    expect(pageOf({ data: rows, meta: { current_page: 2, last_page: 3 } }).next).toEqual({ page: '3' });
    expect(pageOf({ data: rows, meta: { current_page: '1', last_page: '2' } }).next).toEqual({ page: '2' });
    expect(pageOf({ data: rows, meta: { current_page: 3, last_page: 3 } }).next).toBeNull();
  });

  it('reads paginate() at the top level from next_page_url', () => {
    expect(pageOf(lengthAware(1, 3))).toEqual({ records: rows, next: { date: '2026-11-26', page: '2' }, perPage: 15, hasMore: true });
    expect(pageOf(lengthAware(2, 3)).next).toEqual({ date: '2026-11-26', page: '3' });
  });

  it('reads the last page of paginate()', () => {
    expect(pageOf(lengthAware(3, 3))).toEqual({ records: rows, next: null, perPage: 15, hasMore: false });
  });

  it('reads simplePaginate(), which has no last_page', () => {
    const simple = (next: string | null) => ({
      current_page: 1,
      data: rows,
      first_page_url: 'http://clinic.internal/api/consultations?page=1',
      from: 1,
      next_page_url: next,
      path: 'http://clinic.internal/api/consultations',
      per_page: 3,
      prev_page_url: null,
      to: 3,
    });
    expect(pageOf(simple('http://clinic.internal/api/consultations?page=2'))).toEqual({ records: rows, next: { page: '2' }, perPage: 3, hasMore: true });
    expect(pageOf(simple(null))).toEqual({ records: rows, next: null, perPage: 3, hasMore: false });
  });

  it('reads cursorPaginate() from next_page_url', () => {
    const body = {
      data: rows,
      path: 'http://clinic.internal/api/notifications',
      per_page: 100,
      next_cursor: 'eyJpZCI6MywiX3BvaW50c1RvTmV4dEl0ZW1zIjp0cnVlfQ',
      next_page_url: 'http://clinic.internal/api/notifications?after_id=0&per_page=100&cursor=eyJpZCI6MywiX3BvaW50c1RvTmV4dEl0ZW1zIjp0cnVlfQ',
      prev_cursor: null,
      prev_page_url: null,
    };
    expect(pageOf(body)).toEqual({
      records: rows,
      next: { after_id: '0', per_page: '100', cursor: 'eyJpZCI6MywiX3BvaW50c1RvTmV4dEl0ZW1zIjp0cnVlfQ' },
      perPage: 100,
      hasMore: true,
    });
  });

  it('reads cursorPaginate() from next_cursor alone', () => {
    const body = { data: rows, path: 'http://clinic.internal/api/notifications', per_page: 15, next_cursor: 'eyJpZCI6M30', next_page_url: null, prev_cursor: null, prev_page_url: null };
    expect(pageOf(body)).toEqual({ records: rows, next: { cursor: 'eyJpZCI6M30' }, perPage: 15, hasMore: true });
    expect(pageOf({ data: rows, meta: { next_cursor: 'abc' } }).next).toEqual({ cursor: 'abc' });
  });

  it('reads the last page of cursorPaginate()', () => {
    const body = { data: rows, path: 'http://clinic.internal/api/notifications', per_page: 15, next_cursor: null, next_page_url: null, prev_cursor: 'eyJpZCI6MX0', prev_page_url: 'http://clinic.internal/api/notifications?cursor=eyJpZCI6MX0' };
    expect(pageOf(body)).toEqual({ records: rows, next: null, perPage: 15, hasMore: false });
  });

  it('reads a paginator wrapped in {data: {...}}', () => {
    expect(pageOf({ data: lengthAware(1, 3) })).toEqual({ records: rows, next: { date: '2026-11-26', page: '2' }, perPage: 15, hasMore: true });
    expect(pageOf({ data: lengthAware(3, 3) }).next).toBeNull();
  });

  it('reads a page size sent as a string', () => {
    expect(pageOf({ ...lengthAware(1, 1), per_page: '25' }).perPage).toBe(25);
    expect(pageOf({ ...lengthAware(1, 1), per_page: 0 }).perPage).toBeNull();
  });

  it('refuses a body that is not a list, saying what it saw', () => {
    expect(readListPage({ message: 'Server Error' })).toEqual({
      ok: false,
      problem: { path: '(body)', seen: 'an object with message', expected: expect.stringContaining('a JSON array'), profileLine: null },
    });
    expect(readListPage({ data: { id: 1, name: 'one record' } })).toMatchObject({ ok: false, problem: { path: '(body)', seen: 'an object with data' } });
    expect(readListPage({ data: null })).toMatchObject({ ok: false, problem: { seen: 'an object with data' } });
    expect(readListPage('<html>')).toMatchObject({ ok: false, problem: { path: '(body)', seen: 'text of 6 characters', profileLine: null } });
    expect(readListPage(null)).toMatchObject({ ok: false, problem: { path: '(body)', seen: 'null' } });
    expect(readListPage(42)).toMatchObject({ ok: false, problem: { seen: '42' } });
  });
});

describe('pageCapFrom', () => {
  it("reads the cap from Laravel's validation messages", () => {
    expect(pageCapFrom(['The per page field must not be greater than 100.'])).toBe(100);
    expect(pageCapFrom(['The per page may not be greater than 50.'])).toBe(50);
    expect(pageCapFrom(['max:25'])).toBe(25);
  });

  it('reads the first message that names a number', () => {
    expect(pageCapFrom(['The per page field must be an integer.', 'The per page field must not be greater than 25.'])).toBe(25);
  });

  it('is null when no message names a cap', () => {
    expect(pageCapFrom(['The per page field must be an integer.'])).toBeNull();
    expect(pageCapFrom(['The per page field must be at least 1.'])).toBeNull();
    expect(pageCapFrom([])).toBeNull();
  });
});
