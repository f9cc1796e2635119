import { z } from 'zod';
import { NotificationsQuery, type Message, type Notification } from '../../../shared/domain';
import type { ClinicStore } from '../clinic-store';
import { validate } from '../http-kit';
import { CONTRACT_PRESENTERS, CONTRACT_STAFF_ACTIONS, clinicWithZone, contractUser, nameAndRole, type ApiDialect, type ListRequest, type Presenters } from './types';

/**
 * The desk's contract (docs/backend-contract.md): lists are `{data}`, and
 * notifications `{data, meta: {per_page, has_more, last_id}}` paged by
 * `after_id`/`per_page`; messages take `before_id`/`limit`. The user says its
 * clinic's zone as `clinic: {id, name, timezone}`; lists send a weak ETag and
 * answer 304 to `If-None-Match`; a doctor sees only their own schedule.
 */

export const MessagesQuery = z.object({
  before_id: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface ContractWindow {
  rows: unknown[];
  meta?: { per_page: number; has_more: boolean; last_id: number | null };
}

/** The contract's paging: `after_id`/`per_page` for notifications, `before_id`/`limit` for messages, all rows otherwise. */
export function contractWindow(request: ListRequest): ContractWindow {
  const query = Object.fromEntries(request.url.searchParams);
  switch (request.kind) {
    case 'notifications': {
      const q = validate(NotificationsQuery, query);
      const after = (request.rows as readonly Notification[]).filter((n) => n.id > q.after_id);
      const rows = after.slice(0, q.per_page);
      return { rows, meta: { per_page: q.per_page, has_more: after.length > q.per_page, last_id: rows[rows.length - 1]?.id ?? null } };
    }
    case 'messages': {
      const q = validate(MessagesQuery, query);
      const before = (request.rows as readonly Message[]).filter((m) => q.before_id === undefined || m.id < q.before_id);
      return { rows: before.slice(-q.limit) };
    }
    default:
      return { rows: [...request.rows] };
  }
}

/** The contract's records, and the user with its clinic next to `clinic_id`: `clinic: {id, name, timezone}`. */
export const zonedUserPresenters = (store: ClinicStore): Presenters => ({
  ...CONTRACT_PRESENTERS,
  user: (user) => ({ ...contractUser(user), clinic: clinicWithZone(store, user) }),
});

export const defaultDialect = (store: ClinicStore): ApiDialect => ({
  name: 'default',
  fullApi: true,
  encode: (body) => JSON.stringify(body),
  present: zonedUserPresenters(store),
  list(request) {
    const { rows, meta } = contractWindow(request);
    return meta === undefined ? { data: rows } : { data: rows, meta };
  },
  presenceUserInfo: nameAndRole,
  wrapsUser: false,
  etags: true,
  doctorView: 'own',
  staffActions: CONTRACT_STAFF_ACTIONS,
  options: 'router',
});
