import { z } from 'zod';
import { Id } from './ids';
import { AppointmentStatus, type Role } from './domain';
import { IsoDateTime } from './time';

/**
 * What staff do from the desk (issue 15): reception checks patients in, marks
 * a no-show or cancels (and may undo that for a few seconds); a doctor calls
 * the waiting patient in, starts and completes the consultation. Each is one
 * REST call through the outbox (docs/backend-contract.md, "Staff actions");
 * the server's broadcast then updates every other desk.
 */

export const STAFF_ACTIONS = ['check-in', 'no-show', 'cancel', 'call-in', 'start-consultation', 'complete-consultation'] as const;
export const StaffActionKind = z.enum(STAFF_ACTIONS);
export type StaffActionKind = z.infer<typeof StaffActionKind>;

/** Which actions a role may take, before asking what the server offers. Unknown roles (a nurse) act on nothing. */
export const ROLE_ACTIONS: Readonly<Record<string, readonly StaffActionKind[]>> = {
  reception: ['check-in', 'no-show', 'cancel'],
  admin: ['check-in', 'no-show', 'cancel'],
  doctor: ['call-in', 'start-consultation', 'complete-consultation'],
};

export function actionsForRole(role: Role): readonly StaffActionKind[] {
  return Object.hasOwn(ROLE_ACTIONS, role) ? (ROLE_ACTIONS[role] ?? []) : [];
}

/** The appointment status each status-changing action sets. */
export const ACTION_STATUS = {
  'check-in': 'checked_in',
  'no-show': 'no_show',
  cancel: 'cancelled',
} as const satisfies Partial<Record<StaffActionKind, string>>;

/** Actions that may be undone, and for how long after they were taken. */
export const UNDOABLE_ACTIONS: readonly StaffActionKind[] = ['check-in', 'no-show', 'cancel'];
export const UNDO_WINDOW_MS = 8_000;

export const CANCEL_REASON_MAX = 500;

/** One action's key: the outbox's dedupe key and the `Idempotency-Key` the server may use. */
export const ActionId = z.uuid();
export type ActionId = z.infer<typeof ActionId>;

/**
 * What the user asks for. `expectedStatus` is the status the card showed when
 * they acted: the server may refuse a change made from a stale card (409).
 */
export const StaffActionRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('check-in'), appointmentId: Id, expectedStatus: AppointmentStatus }),
  z.object({ kind: z.literal('no-show'), appointmentId: Id, expectedStatus: AppointmentStatus }),
  z.object({ kind: z.literal('cancel'), appointmentId: Id, expectedStatus: AppointmentStatus, reason: z.string().trim().min(1).max(CANCEL_REASON_MAX) }),
  z.object({ kind: z.literal('call-in'), appointmentId: Id }),
  z.object({ kind: z.literal('start-consultation'), appointmentId: Id }),
  z.object({ kind: z.literal('complete-consultation'), consultationId: Id }),
]);
export type StaffActionRequest = z.infer<typeof StaffActionRequest>;

/** `done`: the server took it; `queued`: it waits in the outbox until the server answers. A refusal is the call's error. */
export const StaffActionResult = z.object({ id: ActionId, status: z.enum(['done', 'queued']) });
export type StaffActionResult = z.infer<typeof StaffActionResult>;

/**
 * An action the server has not answered yet, shown on its card at once.
 * `sending`: on its way; `queued`: waits in the durable outbox (kept across a
 * restart). `undo` is an undo of `undoes` on its way back to `status`.
 */
export const PENDING_ACTION_STATES = ['sending', 'queued'] as const;
export const PendingStaffAction = z.object({
  id: ActionId,
  kind: z.union([StaffActionKind, z.literal('undo')]),
  appointmentId: Id.nullable(),
  consultationId: Id.nullable(),
  /** The appointment status the card shows meanwhile; null when the action does not change it (call-in). */
  status: AppointmentStatus.nullable(),
  /** The status the card had before: what an undo goes back to. */
  previousStatus: AppointmentStatus.nullable(),
  createdAt: IsoDateTime,
  state: z.enum(PENDING_ACTION_STATES),
  /** Until when the user may undo it; null when it cannot be undone. */
  undoUntil: IsoDateTime.nullable(),
  /** The action an undo reverses. */
  undoes: ActionId.nullable(),
});
export type PendingStaffAction = z.infer<typeof PendingStaffAction>;

/**
 * How an action ended. `done`: the server took it (its answer also arrives as
 * `appointment.updated` / `consultation.updated`); `refused`: the server said
 * no for good (`message` is its one sentence: "Already checked in by Elena
 * Ruiz at 09:02."), and the card is back to what the server holds; `undone`:
 * withdrawn before it was sent, or reversed by an undo.
 */
export const StaffActionSettled = z.object({
  id: ActionId,
  kind: z.union([StaffActionKind, z.literal('undo')]),
  appointmentId: Id.nullable(),
  outcome: z.enum(['done', 'refused', 'undone']),
  message: z.string().max(1000).nullable(),
});
export type StaffActionSettled = z.infer<typeof StaffActionSettled>;

/** A colleague's call-in, from their desk's whisper on `presence-clinic.{id}`: "Dr. Ortiz is ready for Ana Lima". */
export const CalledIn = z.object({
  appointmentId: Id,
  patientName: z.string().min(1).max(200),
  doctorId: Id,
  doctorName: z.string().min(1).max(200),
  at: IsoDateTime,
});
export type CalledIn = z.infer<typeof CalledIn>;

/** The whisper's event name as Echo sends it (`whisper('called-in')`), and its payload on the wire. */
export const CALLED_IN_CLIENT_EVENT = 'client-called-in';
export const CalledInWhisper = z.object({
  appointment_id: Id,
  patient_name: z.string().min(1).max(200),
  doctor_id: Id,
  doctor_name: z.string().min(1).max(200),
  at: IsoDateTime,
});
export type CalledInWhisper = z.infer<typeof CalledInWhisper>;
