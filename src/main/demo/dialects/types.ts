import type { IncomingMessage } from 'node:http';
import type { Appointment, ClinicMember, Consultation, Conversation, Message, Notification, User } from '../../../shared/domain';
import type { ClinicStore } from '../clinic-store';
import type { DoctorView } from '../policy';
import type { ApiDialectName } from './names';

/**
 * What a dialect is: a way of reading list requests and of shaping answers.
 * The app (laravel-app.ts) keeps the store, authorization and broadcasting;
 * it hands a dialect every row a request may see, in the list's order, and
 * sends what the dialect returns.
 */

/** The records the REST API answers with, in the default (contract) shapes. */
export interface Records {
  user: User;
  member: ClinicMember;
  notification: Notification;
  appointment: Appointment;
  consultation: Consultation;
  conversation: Conversation;
  message: Message;
}
export type RecordKind = keyof Records;

/** The list endpoints and the record each lists. */
export const LIST_RECORD = {
  members: 'member',
  notifications: 'notification',
  appointments: 'appointment',
  consultations: 'consultation',
  conversations: 'conversation',
  messages: 'message',
} as const satisfies Record<string, RecordKind>;
export type ListKind = keyof typeof LIST_RECORD;
export type ListRow<K extends ListKind> = Records[(typeof LIST_RECORD)[K]];

/** The columns each list is ordered by (the cursor's parameters in the cursor dialect). */
export const LIST_ORDER: Readonly<Record<ListKind, readonly string[]>> = {
  members: ['id'],
  notifications: ['id'],
  appointments: ['appointment_date', 'id'],
  consultations: ['id'],
  conversations: ['id'],
  messages: ['id'],
};

/** Record shapers: how a dialect writes each record (identity in the default dialect). */
export type Presenters = { [K in RecordKind]: (row: Records[K]) => unknown };

export interface ListRequest<K extends ListKind = ListKind> {
  kind: K;
  /**
   * Every row the user may see that the request's filters (date, status)
   * select, in the list's order: notifications and messages ascending by id,
   * appointments by time. Paging (after_id, page, cursor, ...) is the dialect's.
   */
  rows: ReadonlyArray<ListRow<K>>;
  user: User;
  url: URL;
  req: IncomingMessage;
}

/**
 * How an app offers the staff actions (docs/backend-contract.md, "Staff
 * actions"); the consultations' routes are the contract's wherever there are any.
 */
export interface StaffActionRoutes {
  /** The method of the status change at `/api/appointments/{id}`: the contract's PATCH, or an app's `Route::put` only. */
  readonly appointmentUpdate: 'PATCH' | 'PUT';
  /** Whether `POST /api/appointments/{id}/call-in` exists. */
  readonly callIn: boolean;
}

/** The contract's actions: PATCH for a status change, and the call-in. */
export const CONTRACT_STAFF_ACTIONS: StaffActionRoutes = { appointmentUpdate: 'PATCH', callIn: true };

/**
 * Who answers an OPTIONS request: `router`, Laravel's router (200 with an
 * `Allow` of the route's methods, 404 for no route); `cors`, a CORS middleware
 * that answers every OPTIONS under /api/ itself (204 and no `Allow`).
 */
export type OptionsAnswer = 'router' | 'cors';

export interface ApiDialect {
  readonly name: ApiDialectName;
  /** False: only login, logout, the current user and `/broadcasting/auth` exist. */
  readonly fullApi: boolean;
  /** How answers are encoded (JSON.stringify, or PHP's json_encode). */
  readonly encode: (body: unknown) => string;
  readonly present: Presenters;
  /** The answer of a list endpoint (throws ValidationError for bad paging parameters). */
  readonly list: (request: ListRequest) => unknown;
  /** `user_info` of a presence channel's `channel_data`. */
  readonly presenceUserInfo: (user: User) => Record<string, unknown>;
  /**
   * `GET /api/user` answers `{data: user}` (a `UserResource` returned from the
   * route); login's `user` is never wrapped (a resource nested in an array is not).
   */
  readonly wrapsUser: boolean;
  /**
   * GET lists carry a weak `ETag` of their body and answer `304 Not Modified`
   * (no body) to a matching `If-None-Match`, as Laravel's `cache.headers:etag` middleware does.
   */
  readonly etags: boolean;
  /** What a doctor sees of colleagues' schedules over REST and on their channels (see policy.ts). */
  readonly doctorView: DoctorView;
  /** The staff actions' routes; null: there are none (every action path is a route 404). */
  readonly staffActions: StaffActionRoutes | null;
  readonly options: OptionsAnswer;
}

/** The contract's user fields: the app's model without the zone, which each dialect places (or leaves out) itself. */
export function contractUser(user: User): Omit<User, 'time_zone'> {
  return { id: user.id, name: user.name, email: user.email, role: user.role, clinic_id: user.clinic_id, doctor_id: user.doctor_id };
}

/** The clinic as Laravel apps nest it on the user (`'clinic' => ['id', 'name', 'timezone']`). */
export function clinicWithZone(store: ClinicStore, user: User): { id: number; name: string | null; timezone: string | null } {
  return { id: user.clinic_id, name: store.world.clinics.find((c) => c.id === user.clinic_id)?.name ?? null, timezone: user.time_zone };
}

/** Applies the record shaper of the list's kind to each row. */
export function presentRows(present: Presenters, kind: ListKind, rows: readonly unknown[]): unknown[] {
  const shape = present[LIST_RECORD[kind]] as (row: unknown) => unknown;
  return rows.map((row) => shape(row));
}

/** Presenters that leave every record as it is (the contract's shapes; the user without a zone). */
export const CONTRACT_PRESENTERS: Presenters = {
  user: contractUser,
  member: (row) => row,
  notification: (row) => row,
  appointment: (row) => row,
  consultation: (row) => row,
  conversation: (row) => row,
  message: (row) => row,
};

/** Laravel's default channel callback for a presence channel: `['name' => ..., 'role' => ...]`. */
export const nameAndRole = (user: User): Record<string, unknown> => ({ name: user.name, role: user.role });
