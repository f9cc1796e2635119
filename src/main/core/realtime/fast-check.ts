import type { ConsultationStatusPayload, NotificationPayload } from '../../../shared/payloads';
import { cleanText } from '../../../shared/text';
import { IsoDateTime } from '../../../shared/time';

/**
 * Hand-written checks for the well-formed case of the two payloads that
 * arrive most (a notification, a consultation's status), in front of the
 * shared zod schemas: a payload the check accepts gets exactly the output zod
 * would give it (same fields, same cleaning, same order); anything else,
 * however slightly off, returns `null` and goes to zod, which stays the
 * authority on what is refused and why. So the check only has to be stricter
 * than the schema, never looser: ids only as numbers (a string id goes to
 * zod), objects only plain ones, dates only through zod's own pattern.
 * `tests/unit/core/fast-check.test.ts` holds it to that over generated and
 * fuzzed payloads.
 */

/** zod's own pattern for `IsoDateTime` (a format check is a pattern test), or null if zod does not expose it: then every payload goes to zod. */
export const DATE_TIME: RegExp | null = (() => {
  const pattern = (IsoDateTime as unknown as { _zod?: { pattern?: unknown } })._zod?.pattern;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : null;
})();

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** `Id` / the number branch of `LooseId`: a positive safe integer. */
export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME !== null && DATE_TIME.test(value);
}

/** `Text().max(max)`: the text as cleaned, if it is within `max`; else undefined. */
export function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = cleanText(value);
  return clean.length <= max ? clean : undefined;
}

/** `NotificationPayload`'s output for a well-formed notification, or null (then ask zod). */
export function fastNotification(value: unknown): NotificationPayload | null {
  if (DATE_TIME === null || !isPlainObject(value)) return null;
  const { id, user_id: userId, type, title, message, action_url: actionUrl, created_at: createdAt } = value;
  if (!isId(id) || !isId(userId)) return null;
  if (typeof type !== 'string' || type.length < 1 || type.length > 64) return null;
  const cleanTitle = text(title, 500);
  if (cleanTitle === undefined) return null;
  const cleanMessage = text(message, 5000);
  if (cleanMessage === undefined) return null;
  if (actionUrl !== undefined && actionUrl !== null && (typeof actionUrl !== 'string' || actionUrl.length > 2048)) return null;
  if (!isDateTime(createdAt)) return null;
  return { id, user_id: userId, type, title: cleanTitle, message: cleanMessage, action_url: actionUrl ?? null, created_at: createdAt };
}

/** `ConsultationStatusPayload`'s output for a well-formed update, or null (then ask zod). */
export function fastConsultation(value: unknown): ConsultationStatusPayload | null {
  if (DATE_TIME === null || !isPlainObject(value)) return null;
  const { id, status, doctor_id: doctorId, patient_id: patientId, started_at: startedAt, ended_at: endedAt, timestamp } = value;
  if (!isId(id) || !isId(doctorId) || !isId(patientId)) return null;
  if (typeof status !== 'string') return null;
  const trimmed = status.trim();
  if (trimmed.length < 1 || trimmed.length > 40) return null;
  if (startedAt !== null && !isDateTime(startedAt)) return null;
  if (endedAt !== null && !isDateTime(endedAt)) return null;
  if (!isDateTime(timestamp)) return null;
  return { id, status: trimmed, doctor_id: doctorId, patient_id: patientId, started_at: startedAt, ended_at: endedAt, timestamp };
}
