import type { Appointment, Consultation } from '../domain';
import type { AppointmentUpdatePayload, ConsultationStatusPayload } from '../payloads';
import { compareIso } from '../time';

/**
 * "Newest wins": an update that is older than (or as old as) what the desk
 * holds never overwrites it, whatever order the network delivered them in.
 * Timestamps compare with microseconds, as Laravel writes them. The core
 * decides with these rules; the window uses the same ones (never a copy) only
 * where it has a race of its own to order: a REST answer and a live event that
 * crossed inside it, or events replayed after a snapshot.
 */

/**
 * Whether `incoming` replaces `held`: only when strictly newer. An equal stamp
 * is the same state seen twice (a duplicate delivery, a replay), not news.
 */
export function supersedes(incoming: { updated_at: string }, held: { updated_at: string } | null | undefined): boolean {
  return held == null || compareIso(incoming.updated_at, held.updated_at) > 0;
}

export type Merge<T> = { applied: true; value: T; changed: string[] } | { applied: false; reason: 'stale' | 'incomplete' };

/** The fields of an appointment whose change the board highlights (`changed`). */
export const APPOINTMENT_FIELDS = ['status', 'appointment_date', 'doctor_id', 'patient_id', 'patient_name', 'duration_minutes', 'reason'] as const;

/** Applies an `appointment-updated` payload to the appointment the desk holds (or builds it, when the payload carries enough). */
export function mergeAppointment(current: Appointment | null, update: AppointmentUpdatePayload, defaults: { clinic_id?: number } = {}): Merge<Appointment> {
  if (current && !supersedes({ updated_at: update.timestamp }, current)) return { applied: false, reason: 'stale' };
  const d = update.details;
  const base = current ?? buildAppointment(update, defaults.clinic_id);
  if (!base) return { applied: false, reason: 'incomplete' };
  // Moved to another doctor: the old doctor's name no longer applies (the payload may bring the new one).
  const moved = d.doctor_id !== undefined && d.doctor_id !== base.doctor_id;
  const { doctor_name: heldName, ...rest } = base;
  const doctorName = d.doctor_name ?? (moved ? undefined : heldName);
  const next: Appointment = {
    ...rest,
    ...(doctorName === undefined ? {} : { doctor_name: doctorName }),
    status: update.status,
    appointment_date: update.appointment_date,
    doctor_id: d.doctor_id ?? base.doctor_id,
    patient_id: d.patient_id ?? base.patient_id,
    patient_name: d.patient_name ?? base.patient_name,
    duration_minutes: d.duration_minutes ?? base.duration_minutes,
    reason: d.reason === undefined ? base.reason : d.reason,
    updated_at: update.timestamp,
  };
  const changed = current ? APPOINTMENT_FIELDS.filter((f) => next[f] !== current[f]) : [...APPOINTMENT_FIELDS];
  return { applied: true, value: next, changed };
}

/** Needs the doctor and the patient; the clinic is the desk's own when the payload does not say. */
function buildAppointment(update: AppointmentUpdatePayload, clinicId: number | undefined): Appointment | null {
  const d = update.details;
  const clinic = d.clinic_id ?? clinicId;
  if (clinic === undefined || d.doctor_id === undefined || d.patient_id === undefined) return null;
  return {
    id: update.id,
    clinic_id: clinic,
    doctor_id: d.doctor_id,
    patient_id: d.patient_id,
    patient_name: d.patient_name ?? '',
    status: update.status,
    appointment_date: update.appointment_date,
    duration_minutes: d.duration_minutes ?? 15,
    reason: d.reason ?? null,
    updated_at: update.timestamp,
  };
}

/** Applies a `consultation-status-changed` payload; a consultation the desk has not seen needs a REST refresh for its clinic and patient name. */
export function mergeConsultation(current: Consultation | null, update: ConsultationStatusPayload, liveOnly: { clinic_id: number } | null = null): Merge<Consultation> {
  if (!current && liveOnly) {
    // No list to complete it from: what the payload says, and a placeholder for the patient's name.
    const value: Consultation = {
      id: update.id,
      clinic_id: liveOnly.clinic_id,
      doctor_id: update.doctor_id,
      patient_id: update.patient_id,
      patient_name: `Patient ${update.patient_id}`,
      appointment_id: null,
      status: update.status,
      started_at: update.started_at,
      ended_at: update.ended_at,
      updated_at: update.timestamp,
    };
    return { applied: true, value, changed: ['status'] };
  }
  if (!current) return { applied: false, reason: 'incomplete' };
  if (!supersedes({ updated_at: update.timestamp }, current)) return { applied: false, reason: 'stale' };
  const next: Consultation = {
    ...current,
    status: update.status,
    doctor_id: update.doctor_id,
    patient_id: update.patient_id,
    started_at: update.started_at,
    ended_at: update.ended_at,
    updated_at: update.timestamp,
  };
  const changed = (['status', 'doctor_id', 'patient_id', 'started_at', 'ended_at'] as const).filter((f) => next[f] !== current[f]);
  return { applied: true, value: next, changed };
}

/**
 * Between a row a read brought (`read`) and the copy held: the held one only
 * when it is strictly newer (a live change the read predates); on a tie the
 * read's, the server's full copy.
 */
export function newer<T extends { updated_at: string }>(read: T, held: T): T {
  return supersedes(held, read) ? held : read;
}
