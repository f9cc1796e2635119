import { z } from 'zod';
import { Id } from './ids';
import { Text } from './text';
import { IsoDate, IsoDateTime } from './time';

/**
 * REST resources of the clinic back end (Laravel API resources). These are the
 * shapes `GET /api/...` returns inside `{ data: ... }`; docs/backend-contract.md
 * describes each endpoint. Unknown extra fields are tolerated (stripped) so a
 * newer back end does not break older desks.
 */

/** The roles the desk knows what to do with. */
export const ROLES = ['admin', 'reception', 'doctor', 'patient'] as const;
export const KnownRole = z.enum(ROLES);
export type KnownRole = z.infer<typeof KnownRole>;
/**
 * A role as the clinic's server names it. Clinics have nurses, managers and
 * more: an unknown role is kept and shown as it is, never a reason to refuse a
 * sign-in or drop a presence member. Such a user gets a staff member's view.
 */
export const Role = z.string().trim().min(1).max(40);
export type Role = KnownRole | (string & {});

/** Roles that use the desktop app and see the whole clinic. */
export const CLINIC_WIDE_ROLES: readonly Role[] = ['admin', 'reception'];

export const User = z.object({
  id: Id,
  name: Text().min(1).max(200),
  email: z.email().max(254),
  role: Role,
  clinic_id: Id,
  /** Set for users who are doctors: their id in the doctors table, not their user id. */
  doctor_id: Id.nullable().default(null),
  /**
   * The clinic's time zone when the server says it (`clinic.timezone` and the
   * like), as written: checked where it is used, so a name this runtime does
   * not know never refuses a sign-in (the desk then uses the policy's or the OS zone).
   */
  time_zone: z.string().max(64).nullable().default(null).catch(null),
});
export type User = z.infer<typeof User>;

export const ClinicMember = z.object({
  id: Id,
  name: Text().min(1).max(200),
  role: Role,
  clinic_id: Id,
  doctor_id: Id.nullable().default(null),
});
export type ClinicMember = z.infer<typeof ClinicMember>;

export const Notification = z.object({
  id: Id,
  user_id: Id,
  type: z.string().min(1).max(64),
  title: Text().max(500),
  message: Text().max(5000),
  action_url: z.string().max(2048).nullable().default(null),
  created_at: IsoDateTime,
  read_at: IsoDateTime.nullable().default(null),
});
export type Notification = z.infer<typeof Notification>;

/**
 * Appointment statuses the dashboard knows how to show. The seed declares the
 * field as a free string, so an unknown status is kept and shown as is.
 */
export const KNOWN_APPOINTMENT_STATUSES = [
  'scheduled',
  'confirmed',
  'reminder_sent',
  'checked_in',
  'in_consultation',
  'completed',
  'cancelled',
  'no_show',
] as const;
export type KnownAppointmentStatus = (typeof KNOWN_APPOINTMENT_STATUSES)[number];
export const AppointmentStatus = z.string().min(1).max(40);

export const Appointment = z.object({
  id: Id,
  clinic_id: Id,
  doctor_id: Id,
  /** When the server names the doctor (a nested `doctor`, or `doctor_name`): the board's column title without a members list. */
  doctor_name: Text().max(200).optional(),
  patient_id: Id,
  patient_name: Text().max(200),
  status: AppointmentStatus,
  appointment_date: IsoDateTime,
  duration_minutes: z.number().int().positive().max(24 * 60),
  reason: Text().max(1000).nullable().default(null),
  updated_at: IsoDateTime,
});
export type Appointment = z.infer<typeof Appointment>;

export const CONSULTATION_STATUSES = ['pending', 'active', 'completed', 'cancelled'] as const;
export const KnownConsultationStatus = z.enum(CONSULTATION_STATUSES);
export type KnownConsultationStatus = z.infer<typeof KnownConsultationStatus>;
/** As the server sends it; a status the desk does not know (`on_hold`) is kept and shown as it is. */
export const ConsultationStatus = z.string().trim().min(1).max(40);
export type ConsultationStatus = KnownConsultationStatus | (string & {});
/** Consultations in these states are followed live (their channel is joined). */
export const OPEN_CONSULTATION_STATUSES: readonly ConsultationStatus[] = ['pending', 'active'];

export const Consultation = z.object({
  id: Id,
  clinic_id: Id,
  doctor_id: Id,
  patient_id: Id,
  patient_name: Text().max(200),
  appointment_id: Id.nullable().default(null),
  status: ConsultationStatus,
  started_at: IsoDateTime.nullable(),
  ended_at: IsoDateTime.nullable(),
  updated_at: IsoDateTime,
});
export type Consultation = z.infer<typeof Consultation>;

export const MESSAGE_BODY_MAX = 4000;

/** The desk's own key for a message it sends: a retried send with the same key creates one message (the server's `client_id`). */
export const ClientId = z.string().min(1).max(64);

export const Message = z.object({
  id: Id,
  conversation_id: Id,
  sender_id: Id,
  sender_name: Text().max(200),
  body: Text().min(1).max(MESSAGE_BODY_MAX),
  created_at: IsoDateTime,
});
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
  id: Id,
  clinic_id: Id,
  subject: Text().max(200),
  participant_ids: z.array(Id),
  last_message: Message.nullable().default(null),
  unread_count: z.number().int().nonnegative(),
  /** Highest message id the signed-in user has read, for read receipts. */
  last_read_message_id: Id.nullable().default(null),
  updated_at: IsoDateTime,
});
export type Conversation = z.infer<typeof Conversation>;

/** `POST /api/login` answer. */
export const LoginResponse = z.object({ token: z.string().min(1).max(4096), user: User });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** `{ data: [...], meta? }`, the Laravel resource-collection envelope. */
export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    meta: z.record(z.string(), z.unknown()).optional(),
  });
}

/** `{ data: {...} }`, the single-resource envelope. */
export function itemEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ data: item });
}

/** Paging metadata of `GET /api/notifications?after_id=&per_page=`. */
export const NotificationPageMeta = z.object({
  per_page: z.number().int().positive(),
  has_more: z.boolean(),
  last_id: Id.nullable(),
});
export const NotificationPage = z.object({
  data: z.array(Notification),
  meta: NotificationPageMeta,
});
export type NotificationPage = z.infer<typeof NotificationPage>;

/** Laravel's 422 body: `{ message, errors: { field: [messages] } }`. */
export const ValidationErrorBody = z.object({
  message: Text(),
  errors: z.record(z.string(), z.array(z.string())),
});
export type ValidationErrorBody = z.infer<typeof ValidationErrorBody>;

/** Laravel's body for 401/403/404/429/5xx with `Accept: application/json`. */
export const ErrorBody = z.object({ message: z.string() });

export const AppointmentsQuery = z.object({ date: IsoDate });
export const ConsultationsQuery = z.object({ status: KnownConsultationStatus.optional() });
export const NotificationsQuery = z.object({
  after_id: z.coerce.number().int().nonnegative().default(0),
  per_page: z.coerce.number().int().min(1).max(500).default(50),
});
export const SendMessageRequest = z.object({
  body: z.string().trim().min(1).max(MESSAGE_BODY_MAX),
  /** Idempotency key: a retried send with the same key creates one message. */
  client_id: ClientId.optional(),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;
export const LoginRequest = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;
