import type { Notification } from '../../../shared/domain';
import { phpJsonEncode } from '../php-json';
import { cursorPaginate, queryString, requestPath, validatedPaging } from './laravel-paging';
import { CONTRACT_STAFF_ACTIONS, LIST_ORDER, contractUser, nameAndRole, presentRows, type ApiDialect, type Presenters } from './types';

/**
 * Controllers that `return Model::query()->orderBy(...)->cursorPaginate($perPage)->withQueryString();`:
 * `{data, path, per_page, next_cursor, next_page_url, prev_cursor, prev_page_url}`
 * with an opaque `?cursor=`. `per_page` (default 15) is validated up to 100.
 * Notifications keep `after_id` (ascending, strictly after). And the stack
 * emits every id as a numeric string ("12"), as some PHP drivers and casts do.
 * The user carries the clinic's zone at top level (`timezone`). No ETags; a
 * doctor sees only their own schedule.
 */

export const CURSOR_PER_PAGE = 15;
export const CURSOR_MAX_PER_PAGE = 100;

const isIdKey = (key: string) => key === 'id' || key.endsWith('_id');

/** Every `id` and `*_id` (and each of `*_ids`) as a numeric string, in nested records too; nulls stay null. */
export function stringIds(record: unknown): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      if (isIdKey(key) && typeof value === 'number') return [key, String(value)];
      if (key.endsWith('_ids') && Array.isArray(value)) return [key, (value as unknown[]).map((v) => (typeof v === 'number' ? String(v) : v))];
      return [key, stringIds(value)];
    }),
  );
}

const STRING_ID_PRESENTERS: Presenters = {
  user: (user) => stringIds({ ...contractUser(user), timezone: user.time_zone }),
  member: stringIds,
  notification: stringIds,
  appointment: stringIds,
  consultation: stringIds,
  conversation: stringIds,
  message: stringIds,
};

export const cursorDialect = (): ApiDialect => ({
  name: 'cursor',
  fullApi: true,
  encode: phpJsonEncode,
  present: STRING_ID_PRESENTERS,
  list(request) {
    const notifications = request.kind === 'notifications';
    const { perPage, afterId } = validatedPaging(request.url, { fallback: CURSOR_PER_PAGE, max: CURSOR_MAX_PER_PAGE, afterId: notifications });
    const rows = notifications ? (request.rows as readonly Notification[]).filter((n) => n.id > afterId) : request.rows;
    const page = cursorPaginate<object>(rows, {
      perPage,
      cursor: request.url.searchParams.get('cursor'),
      columns: LIST_ORDER[request.kind],
      path: requestPath(request.req, request.url),
      query: queryString(request.url, 'cursor'),
    });
    return { ...page, data: presentRows(STRING_ID_PRESENTERS, request.kind, page.data) };
  },
  presenceUserInfo: nameAndRole,
  wrapsUser: false,
  etags: false,
  doctorView: 'own',
  staffActions: CONTRACT_STAFF_ACTIONS,
  options: 'router',
});
