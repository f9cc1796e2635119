import { z } from 'zod';
import { clockIn } from '../../shared/clinic-time';
import { CLINIC_WIDE_ROLES, type Appointment, type Consultation, type User } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import { CANCEL_REASON_MAX } from '../../shared/staff-actions';
import type { ClinicStore, StatusChange } from './clinic-store';
import { actionForStatus } from './demo-backend';
import { HttpError, ValidationError } from './http-kit';

/**
 * The rules of the staff actions (docs/backend-contract.md, "Staff actions"),
 * in one place for every dialect: who may act on what (the model policies),
 * what the requests must hold (the form requests, in Laravel's wording),
 * which changes of status are allowed, and the one sentence a refusal says
 * ("Already checked in by Elena Ruiz at 09:02.", on the clinic's wall clock).
 * A refusal is thrown as Laravel would: 403, 409 or 422.
 */

/** Statuses before the visit: what a check-in, no-show or cancellation starts from, and what an undo goes back to. */
export const PRE_VISIT_STATUSES = ['scheduled', 'confirmed', 'reminder_sent'] as const;

/** What `PATCH /api/appointments/{id}` may set: the three actions, and the statuses an undo goes back to. */
export const SETTABLE_STATUSES = ['checked_in', 'no_show', 'cancelled', ...PRE_VISIT_STATUSES] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** The statuses a desk may undo. */
const UNDOABLE_STATUSES: readonly string[] = ['checked_in', 'no_show', 'cancelled'];

/**
 * Where each status may be set from. A check-in starts before the visit, or
 * undoes a no-show or cancellation made after a check-in; a no-show or a
 * cancellation before the consultation; a pre-visit status only as an undo.
 */
const ALLOWED_FROM: Readonly<Record<SettableStatus, readonly string[]>> = {
  checked_in: [...PRE_VISIT_STATUSES, 'no_show', 'cancelled'],
  no_show: [...PRE_VISIT_STATUSES, 'checked_in'],
  cancelled: [...PRE_VISIT_STATUSES, 'checked_in'],
  scheduled: UNDOABLE_STATUSES,
  confirmed: UNDOABLE_STATUSES,
  reminder_sent: UNDOABLE_STATUSES,
};

export const UNAUTHORIZED = 'This action is unauthorized.';

// ------------------------------------------------------------ requests ---

/** Laravel's TrimStrings and ConvertEmptyStringsToNull: what a rule sees of a string. */
const trimmed = (value: unknown) => (typeof value === 'string' ? (value.trim() === '' ? null : value.trim()) : value);

const label = (field: string) => field.replace(/_/g, ' ');

/** `required|string`, or `nullable|string` when `optional`, with `max` characters. */
function text(field: string, max: number) {
  return z.string({ error: (issue) => (issue.input === undefined || issue.input === null ? `The ${label(field)} field is required.` : `The ${label(field)} field must be a string.`) }).max(max, {
    error: `The ${label(field)} field must not be greater than ${max} characters.`,
  });
}

/** `in:...`: Laravel's message names no values. */
const oneOf = <T extends readonly [string, ...string[]]>(field: string, values: T) => z.enum(values, { error: `The selected ${label(field)} is invalid.` });

/** `required|integer`: a JSON number or a numeric string (the cursor dialect's desks send ids as strings). */
function integer(field: string) {
  return z.preprocess(
    (value) => {
      const v = trimmed(value);
      return typeof v === 'string' && /^[+-]?\d{1,15}$/.test(v) ? Number(v) : v;
    },
    z
      .number({ error: (issue) => (issue.input === undefined || issue.input === null ? `The ${label(field)} field is required.` : `The ${label(field)} field must be an integer.`) })
      .int({ error: `The ${label(field)} field must be an integer.` }),
  );
}

const NOT_AN_OBJECT = 'The given data was invalid.';

/** `PATCH /api/appointments/{id}`: `status` one of SETTABLE_STATUSES, `reason` required to cancel, `expected_status` optional. */
export const StatusChangeRequest = z
  .object(
    {
      status: z.preprocess(trimmed, text('status', 40).pipe(oneOf('status', SETTABLE_STATUSES))),
      reason: z.preprocess(trimmed, text('reason', CANCEL_REASON_MAX).nullish()),
      expected_status: z.preprocess(trimmed, text('expected_status', 40).nullish()),
    },
    { error: NOT_AN_OBJECT },
  )
  .superRefine((value, ctx) => {
    if (value.status === 'cancelled' && (value.reason === null || value.reason === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'The reason field is required when status is cancelled.' });
    }
  });
export type StatusChangeRequest = z.infer<typeof StatusChangeRequest>;

/** `POST /api/consultations`: `appointment_id` (`required|integer|exists`; the last is the handler's). */
export const StartConsultationRequest = z.object({ appointment_id: integer('appointment_id') }, { error: NOT_AN_OBJECT });

/** `PATCH /api/consultations/{id}`: `status` must be `completed`. */
export const ConsultationUpdateRequest = z.object({ status: z.preprocess(trimmed, text('status', 40).pipe(oneOf('status', ['completed']))) }, { error: NOT_AN_OBJECT });

/** Validates like a FormRequest: each failing field with the rule's own sentence, all in one 422. */
export function validateRequest<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    (errors[field] ??= []).push(issue.message);
  }
  throw new ValidationError(errors);
}

// ---------------------------------------------------------------- policy ---

/** Reception and admin of the appointment's clinic; a doctor their own appointments. */
export function mayChangeStatus(user: User, appointment: Pick<Appointment, 'clinic_id' | 'doctor_id'>): boolean {
  if (CLINIC_WIDE_ROLES.includes(user.role)) return user.clinic_id === appointment.clinic_id;
  return isTheDoctor(user, appointment);
}

/** The appointment's (or consultation's) own doctor: who calls in, starts and completes. */
export function isTheDoctor(user: User, record: Pick<Appointment | Consultation, 'doctor_id'>): boolean {
  return user.role === 'doctor' && user.doctor_id !== null && user.doctor_id === record.doctor_id;
}

export function authorize(allowed: boolean): void {
  if (!allowed) throw new HttpError(403, UNAUTHORIZED);
}

// ------------------------------------------------------------- sentences ---

/** How the statuses read in a sentence. */
const STATUS_WORDS: Readonly<Record<string, string>> = {
  scheduled: 'scheduled',
  confirmed: 'confirmed',
  reminder_sent: 'marked reminder sent',
  checked_in: 'checked in',
  no_show: 'marked no-show',
  cancelled: 'cancelled',
  completed: 'completed',
};

/**
 * The one sentence of a 409: who gave the record its current status and when,
 * on the clinic's 24-hour wall clock. "Already checked in by Elena Ruiz at
 * 09:02.", "Already in consultation with Dr. Maya Ortiz since 09:05.", and
 * for an undo someone else made, "Already set back to confirmed by ...".
 */
export function alreadySentence(change: { status: string; from: string | null; by: string; at: string }, zone: string): string {
  const time = clockIn(change.at, zone);
  if (change.status === 'in_consultation') return `Already in consultation with ${change.by} since ${time}.`;
  const words = STATUS_WORDS[change.status];
  const undone = change.from !== null && UNDOABLE_STATUSES.includes(change.from) && (PRE_VISIT_STATUSES as readonly string[]).includes(change.status);
  if (undone) return `Already set back to ${change.status.replace(/_/g, ' ')} by ${change.by} at ${time}.`;
  return words === undefined ? `Already set to ${change.status} by ${change.by} at ${time}.` : `Already ${words} by ${change.by} at ${time}.`;
}

function nameOf(store: ClinicStore, userId: number): string {
  return store.userById(userId)?.name ?? `user ${userId}`;
}

/** The 409 for an appointment: its current status, as recorded (`StatusChange`). */
export function appointmentConflict(store: ClinicStore, appointment: Appointment): HttpError {
  const change: StatusChange = store.statusChange(appointment.id) ?? {
    status: appointment.status,
    from: null,
    byUserId: store.presumedActor(appointment),
    at: appointment.updated_at,
    reason: null,
  };
  return new HttpError(409, alreadySentence({ status: appointment.status, from: change.from, by: nameOf(store, change.byUserId), at: change.at }, store.timeZone));
}

/** The 409 for a consultation already active ("in consultation with ... since") or completed ("completed by ... at"), by its doctor. */
export function consultationConflict(store: ClinicStore, consultation: Consultation): HttpError {
  const doctor = store.doctor(consultation.doctor_id)?.name ?? `doctor ${consultation.doctor_id}`;
  const active = consultation.status === 'active';
  const at = (active ? consultation.started_at : consultation.ended_at) ?? consultation.updated_at;
  return new HttpError(409, alreadySentence({ status: active ? 'in_consultation' : consultation.status, from: null, by: doctor, at }, store.timeZone));
}

// ----------------------------------------------------------- transitions ---

/**
 * Checks a change of an appointment's status, in Laravel's order: a stale
 * card (`expected_status` not the current status) or a change already made is
 * a 409 naming who made the current status; a change the rules do not allow
 * is a 422. Returns the action its broadcast carries.
 */
export function checkStatusChange(store: ClinicStore, appointment: Appointment, request: StatusChangeRequest): AppointmentAction {
  const current = appointment.status;
  const expected = request.expected_status ?? null;
  if ((expected !== null && expected !== current) || request.status === current) throw appointmentConflict(store, appointment);
  if (!ALLOWED_FROM[request.status].includes(current)) {
    throw new ValidationError({ status: [`The status field cannot change from ${current} to ${request.status}.`] });
  }
  return broadcastAction(current, request.status);
}

/**
 * The `appointment-updated` action (the seed has only `confirmed`, `cancelled`
 * and `reminder`): a check-in is `confirmed`, a no-show or a cancellation
 * `cancelled`, an undo `confirmed` whatever status it goes back to.
 */
export function broadcastAction(from: string, to: string): AppointmentAction {
  return UNDOABLE_STATUSES.includes(from) && (PRE_VISIT_STATUSES as readonly string[]).includes(to) ? 'confirmed' : actionForStatus(to);
}

/** A call-in or a consultation's start needs the patient checked in (a consultation already running is the caller's 409). */
export function requireCheckedIn(appointment: Appointment, what: 'call-in' | 'start'): void {
  if (appointment.status === 'checked_in') return;
  const sentence = what === 'call-in' ? 'Only a checked-in patient can be called in' : 'A consultation can only start for a checked-in patient';
  throw new ValidationError({ status: [`${sentence}; the appointment is ${appointment.status}.`] });
}

/** Completing: from `active`; a completed one is a 409, anything else a 422. */
export function checkCompletion(store: ClinicStore, consultation: Consultation): void {
  if (consultation.status === 'active') return;
  if (consultation.status === 'completed') throw consultationConflict(store, consultation);
  throw new ValidationError({ status: [`The status field cannot change from ${consultation.status} to completed.`] });
}
