import type { ClinicStore } from '../clinic-store';
import { phpJsonEncode } from '../php-json';
import { zonedUserPresenters } from './default';
import { cappedPerPage, currentPage, lengthAwarePaginate, queryString, requestPath, resourceCollection } from './laravel-paging';
import { CONTRACT_STAFF_ACTIONS, nameAndRole, type ApiDialect } from './types';

/**
 * A typical Laravel app with API Resources: every list is
 * `XResource::collection(Model::query()->...->paginate($perPage)->withQueryString())`,
 * answered as `{data, links, meta}`. `per_page` (default 15) is silently capped at 50.
 * Notifications are `latest('id')`, newest first, and know nothing of `after_id`.
 * `GET /api/user` is a `UserResource`, `{data: {..., clinic: {id, name, timezone}}}`
 * (login's `user` unwrapped); lists send a weak ETag (304 to `If-None-Match`).
 * Doctors see the whole clinic's schedule, over REST and on every colleague's channel.
 * The staff actions are the contract's, but a CORS middleware in front answers
 * every OPTIONS under /api/ itself (204, no `Allow`), so a desk cannot tell
 * from OPTIONS what is offered here.
 */

export const RESOURCE_PER_PAGE = 15;
export const RESOURCE_MAX_PER_PAGE = 50;

export const resourceDialect = (store: ClinicStore): ApiDialect => ({
  name: 'resource',
  fullApi: true,
  encode: phpJsonEncode,
  present: zonedUserPresenters(store),
  list(request) {
    const rows = request.kind === 'notifications' ? [...request.rows].reverse() : request.rows;
    const page = lengthAwarePaginate(rows, {
      page: currentPage(request.url),
      perPage: cappedPerPage(request.url, RESOURCE_PER_PAGE, RESOURCE_MAX_PER_PAGE),
      path: requestPath(request.req, request.url),
      query: queryString(request.url, 'page'),
    });
    return resourceCollection(page);
  },
  presenceUserInfo: nameAndRole,
  wrapsUser: true,
  etags: true,
  doctorView: 'clinic',
  staffActions: CONTRACT_STAFF_ACTIONS,
  options: 'cors',
});
