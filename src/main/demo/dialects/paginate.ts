import type { Notification } from '../../../shared/domain';
import { phpJsonEncode } from '../php-json';
import { currentPage, lengthAwarePaginate, queryString, requestPath, validatedPaging } from './laravel-paging';
import { CONTRACT_PRESENTERS, CONTRACT_STAFF_ACTIONS, contractUser, nameAndRole, type ApiDialect, type Presenters } from './types';

/**
 * Controllers that `return Model::query()->...->paginate($perPage)->withQueryString();`:
 * the paginator's own JSON at top level. `per_page` (default 15) is validated
 * `integer|min:1|max:25`, so 26 is a 422. Notifications keep `after_id`
 * (ascending, strictly after). The user carries the clinic's zone at top level
 * (`timezone`). No ETags; a doctor sees only their own schedule.
 */

/** The contract's records; the user with a top-level `timezone` (an app-wide `config('app.timezone')`). */
const PRESENTERS: Presenters = { ...CONTRACT_PRESENTERS, user: (user) => ({ ...contractUser(user), timezone: user.time_zone }) };

export const PAGINATE_PER_PAGE = 15;
export const PAGINATE_MAX_PER_PAGE = 25;

export const paginateDialect = (): ApiDialect => ({
  name: 'paginate',
  fullApi: true,
  encode: phpJsonEncode,
  present: PRESENTERS,
  list(request) {
    const notifications = request.kind === 'notifications';
    const { perPage, afterId } = validatedPaging(request.url, { fallback: PAGINATE_PER_PAGE, max: PAGINATE_MAX_PER_PAGE, afterId: notifications });
    const rows = notifications ? (request.rows as readonly Notification[]).filter((n) => n.id > afterId) : request.rows;
    return lengthAwarePaginate(rows, {
      page: currentPage(request.url),
      perPage,
      path: requestPath(request.req, request.url),
      query: queryString(request.url, 'page'),
    });
  },
  presenceUserInfo: nameAndRole,
  wrapsUser: false,
  etags: false,
  doctorView: 'own',
  staffActions: CONTRACT_STAFF_ACTIONS,
  options: 'router',
});
