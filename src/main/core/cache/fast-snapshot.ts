import type { z } from 'zod';
import type { Appointment } from '../../../shared/domain';
import { Board } from '../../../shared/desk-state';
import { IsoDate } from '../../../shared/time';
import { DATE_TIME, isDateTime, isId, isPlainObject, text } from '../realtime/fast-check';

/**
 * A hand-written check for the well-formed case of the board's snapshot, in
 * front of its zod schema when the cache reads it back at start (2,000
 * appointments: the full zod parse was ~40 ms of the desk's start, see
 * bench/README.md "Start"). The same contract as the payload checks
 * (realtime/fast-check.ts): a snapshot the check accepts gets exactly the
 * output zod would give it (same fields, same cleaning, same defaults, same
 * key order); anything else, however slightly off, returns `null` and goes to
 * zod, which stays the authority on what is refused and why. The check only
 * has to be stricter than the schema, never looser.
 * `tests/unit/core/fast-snapshot.test.ts` holds it to that over generated boards.
 */

/** zod's own pattern for `IsoDate`, or null if zod does not expose it: then every board goes to zod. */
const DATE: RegExp | null = (() => {
  const pattern = (IsoDate as unknown as { _zod?: { pattern?: unknown } })._zod?.pattern;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : null;
})();

/** One column of the board, as `Board` gives it. */
type BoardDoctor = Board['doctors'][number];

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/** `BoardDoctor`'s output, or null (then ask zod). */
function fastDoctor(value: unknown): BoardDoctor | null {
  if (!isPlainObject(value)) return null;
  const { doctorId, name, refreshSeconds } = value;
  if (!isId(doctorId)) return null;
  if (typeof name !== 'string' || name.length > 200) return null;
  // `.nullable().default(null)`: absent is null; an own key holding undefined is left to zod.
  let seconds: number | null = null;
  if (refreshSeconds === undefined) {
    if (hasOwn(value, 'refreshSeconds')) return null;
  } else if (refreshSeconds !== null) {
    if (!isId(refreshSeconds)) return null;
    seconds = refreshSeconds;
  }
  return { doctorId, name, refreshSeconds: seconds };
}

/** `Appointment`'s output, or null (then ask zod). */
function fastAppointment(value: unknown): Appointment | null {
  if (!isPlainObject(value)) return null;
  const { id, clinic_id: clinicId, doctor_id: doctorId, doctor_name: doctorName, patient_id: patientId, patient_name: patientName, status } = value;
  const { appointment_date: date, duration_minutes: duration, reason, updated_at: updatedAt } = value;
  if (!isId(id) || !isId(clinicId) || !isId(doctorId) || !isId(patientId)) return null;
  // `.optional()`: absent stays absent; an own key holding undefined is left to zod.
  let cleanDoctorName: string | undefined;
  if (doctorName === undefined) {
    if (hasOwn(value, 'doctor_name')) return null;
  } else {
    cleanDoctorName = text(doctorName, 200);
    if (cleanDoctorName === undefined) return null;
  }
  const cleanPatientName = text(patientName, 200);
  if (cleanPatientName === undefined) return null;
  if (typeof status !== 'string' || status.length < 1 || status.length > 40) return null;
  if (!isDateTime(date) || !isDateTime(updatedAt)) return null;
  if (typeof duration !== 'number' || !Number.isSafeInteger(duration) || duration <= 0 || duration > 24 * 60) return null;
  // `.nullable().default(null)`.
  let cleanReason: string | null = null;
  if (reason === undefined) {
    if (hasOwn(value, 'reason')) return null;
  } else if (reason !== null) {
    const cleaned = text(reason, 1000);
    if (cleaned === undefined) return null;
    cleanReason = cleaned;
  }
  return {
    id,
    clinic_id: clinicId,
    doctor_id: doctorId,
    ...(cleanDoctorName === undefined ? {} : { doctor_name: cleanDoctorName }),
    patient_id: patientId,
    patient_name: cleanPatientName,
    status,
    appointment_date: date,
    duration_minutes: duration,
    reason: cleanReason,
    updated_at: updatedAt,
  };
}

/** `Board`'s output for a well-formed board, or null (then ask zod). */
export function fastBoard(value: unknown): Board | null {
  if (DATE === null || DATE_TIME === null || !isPlainObject(value)) return null;
  const { date, doctors, appointments, syncedAt, stale } = value;
  if (typeof date !== 'string' || !DATE.test(date)) return null;
  if (!Array.isArray(doctors) || !Array.isArray(appointments)) return null;
  if (syncedAt !== null && !isDateTime(syncedAt)) return null;
  if (typeof stale !== 'boolean') return null;
  const outDoctors: BoardDoctor[] = [];
  for (const doctor of doctors) {
    const checked = fastDoctor(doctor);
    if (checked === null) return null;
    outDoctors.push(checked);
  }
  const outAppointments: Appointment[] = [];
  for (const appointment of appointments) {
    const checked = fastAppointment(appointment);
    if (checked === null) return null;
    outAppointments.push(checked);
  }
  return { date, doctors: outDoctors, appointments: outAppointments, syncedAt, stale };
}

/** The fast check in front of `schema`, for the snapshots that have one (by the schema's identity). */
export function fastSnapshotCheck<T>(schema: z.ZodType<T>): ((value: unknown) => T | null) | null {
  return (schema as unknown) === Board ? (fastBoard as (value: unknown) => T | null) : null;
}
