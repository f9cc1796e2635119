import type { z } from 'zod';
import { Appointment, ClinicMember, Consultation, Conversation, Message, Notification, User } from '../../../shared/domain';
import type { FieldProblem } from '../../../shared/features';
import type { ProfileResource } from './profile';

/**
 * Tolerant readers for the records of the clinic's REST API: strict about what
 * the desk needs, liberal about the rest. Each desk field is looked for where
 * the admin's profile says, then under the names Laravel apps commonly use
 * (a nested relation's `id`, `starts_at` for `appointment_date`, a value
 * inside `details`); ids may be numeric strings; a missing optional field gets
 * a default. The shared zod schema stays the authority on the result, and a
 * record it refuses is reported with the exact path, the value seen and the
 * profile line that would map it.
 */

export interface ReadContext {
  /** The signed-in user, for defaults (their clinic, their own notifications); null while signing in. */
  user: { id: number; clinic_id: number } | null;
  /** `<resource>.<field>` → dotted path, from the API profile. */
  fields: Readonly<Record<string, string>>;
  /** Stands in for a missing `updated_at`: the answer is the server's state as of now. */
  nowIso: () => string;
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

type Kind = 'id' | 'ids' | 'text' | 'time' | 'count' | 'raw';

interface FieldSpec {
  kind: Kind;
  /** Where to look, first match wins (the profile's path goes before these). */
  from: readonly string[];
  /** Used when nothing is found; a function of the record read so far. */
  fallback?: (got: Record<string, unknown>, ctx: ReadContext) => unknown;
}

type Spec = Record<string, FieldSpec>;

const clinicOfUser = (_: Record<string, unknown>, ctx: ReadContext) => ctx.user?.clinic_id;
const now = (_: Record<string, unknown>, ctx: ReadContext) => ctx.nowIso();
const nothing = () => null;

const MESSAGE: Spec = {
  id: { kind: 'id', from: ['id'] },
  conversation_id: { kind: 'id', from: ['conversation_id', 'conversation.id', 'thread_id'] },
  sender_id: { kind: 'id', from: ['sender_id', 'user_id', 'author_id', 'from_id', 'sender.id', 'user.id', 'author.id'] },
  sender_name: { kind: 'text', from: ['sender_name', 'sender.name', 'user.name', 'author.name', 'user_name', 'author_name'], fallback: (got) => `User ${String(got.sender_id)}` },
  body: { kind: 'text', from: ['body', 'message', 'content', 'text'] },
  created_at: { kind: 'time', from: ['created_at', 'sent_at', 'timestamp'] },
};

const SPECS: Record<ProfileResource, Spec> = {
  user: {
    id: { kind: 'id', from: ['id'] },
    name: { kind: 'text', from: ['name', 'full_name', 'display_name'] },
    email: { kind: 'text', from: ['email'] },
    role: { kind: 'text', from: ['role', 'role_name', 'role.name', 'roles.0.name', 'roles.0', 'type'], fallback: () => 'staff' },
    clinic_id: { kind: 'id', from: ['clinic_id', 'clinic.id', 'current_clinic_id', 'current_clinic.id', 'clinics.0.id'] },
    doctor_id: { kind: 'id', from: ['doctor_id', 'doctor.id', 'doctor_profile.id'], fallback: nothing },
    // Where Laravel apps keep the clinic's zone: on its model (a relation), on the user, or the app's own setting.
    time_zone: {
      kind: 'text',
      from: ['clinic.timezone', 'clinic.time_zone', 'current_clinic.timezone', 'current_clinic.time_zone', 'clinics.0.timezone', 'clinic_timezone', 'timezone', 'time_zone', 'tz'],
      fallback: nothing,
    },
  },
  members: {
    id: { kind: 'id', from: ['id', 'user_id', 'user.id'] },
    name: { kind: 'text', from: ['name', 'full_name', 'display_name', 'user.name'] },
    role: { kind: 'text', from: ['role', 'role_name', 'role.name', 'roles.0.name', 'roles.0', 'type'], fallback: () => 'staff' },
    clinic_id: { kind: 'id', from: ['clinic_id', 'clinic.id'], fallback: clinicOfUser },
    doctor_id: { kind: 'id', from: ['doctor_id', 'doctor.id', 'doctor_profile.id'], fallback: nothing },
  },
  notifications: {
    id: { kind: 'id', from: ['id'] },
    user_id: { kind: 'id', from: ['user_id', 'notifiable_id', 'user.id'], fallback: (_, ctx) => ctx.user?.id },
    type: { kind: 'text', from: ['type', 'data.type', 'kind', 'category'], fallback: () => 'general' },
    title: { kind: 'text', from: ['title', 'subject', 'data.title', 'heading'], fallback: () => '' },
    message: { kind: 'text', from: ['message', 'body', 'content', 'text', 'data.message', 'data.body'], fallback: () => '' },
    action_url: { kind: 'text', from: ['action_url', 'url', 'link', 'data.action_url', 'data.url'], fallback: nothing },
    created_at: { kind: 'time', from: ['created_at', 'sent_at', 'timestamp'] },
    read_at: { kind: 'time', from: ['read_at', 'seen_at'], fallback: nothing },
  },
  appointments: {
    id: { kind: 'id', from: ['id'] },
    clinic_id: { kind: 'id', from: ['clinic_id', 'clinic.id', 'details.clinic_id'], fallback: clinicOfUser },
    doctor_id: { kind: 'id', from: ['doctor_id', 'doctor.id', 'details.doctor_id'] },
    doctor_name: { kind: 'text', from: ['doctor_name', 'doctor.name', 'doctor.user.name', 'details.doctor_name'], fallback: () => undefined },
    patient_id: { kind: 'id', from: ['patient_id', 'patient.id', 'details.patient_id'] },
    patient_name: { kind: 'text', from: ['patient_name', 'patient.name', 'patient.full_name', 'details.patient_name'], fallback: (got) => `Patient ${String(got.patient_id)}` },
    status: { kind: 'text', from: ['status', 'state'], fallback: () => 'scheduled' },
    appointment_date: { kind: 'time', from: ['appointment_date', 'starts_at', 'start_at', 'start_time', 'scheduled_at', 'scheduled_for', 'datetime', 'date_time', 'start', 'details.appointment_date'] },
    duration_minutes: {
      kind: 'count',
      from: ['duration_minutes', 'duration', 'details.duration_minutes', 'details.duration', 'length_minutes'],
      fallback: () => DEFAULT_DURATION_MINUTES,
    },
    reason: { kind: 'text', from: ['reason', 'details.reason', 'notes', 'description'], fallback: nothing },
    updated_at: { kind: 'time', from: ['updated_at', 'timestamp', 'created_at'], fallback: now },
  },
  consultations: {
    id: { kind: 'id', from: ['id'] },
    clinic_id: { kind: 'id', from: ['clinic_id', 'clinic.id'], fallback: clinicOfUser },
    doctor_id: { kind: 'id', from: ['doctor_id', 'doctor.id'] },
    patient_id: { kind: 'id', from: ['patient_id', 'patient.id'] },
    patient_name: { kind: 'text', from: ['patient_name', 'patient.name', 'patient.full_name'], fallback: (got) => `Patient ${String(got.patient_id)}` },
    appointment_id: { kind: 'id', from: ['appointment_id', 'appointment.id'], fallback: nothing },
    status: { kind: 'text', from: ['status', 'state'] },
    started_at: { kind: 'time', from: ['started_at', 'start_time', 'starts_at'], fallback: nothing },
    ended_at: { kind: 'time', from: ['ended_at', 'end_time', 'finished_at', 'completed_at'], fallback: nothing },
    updated_at: { kind: 'time', from: ['updated_at', 'timestamp', 'created_at'], fallback: now },
  },
  conversations: {
    id: { kind: 'id', from: ['id'] },
    clinic_id: { kind: 'id', from: ['clinic_id', 'clinic.id'], fallback: clinicOfUser },
    subject: { kind: 'text', from: ['subject', 'title', 'name', 'topic'], fallback: () => '' },
    participant_ids: { kind: 'ids', from: ['participant_ids', 'participants', 'users', 'members', 'participant_user_ids'], fallback: () => [] },
    last_message: { kind: 'raw', from: ['last_message', 'latest_message', 'lastMessage'], fallback: nothing },
    unread_count: { kind: 'count', from: ['unread_count', 'unread', 'unread_messages_count', 'unread_messages'], fallback: () => 0 },
    last_read_message_id: { kind: 'id', from: ['last_read_message_id', 'last_read_id'], fallback: nothing },
    updated_at: { kind: 'time', from: ['updated_at', 'last_message_at', 'created_at'], fallback: now },
  },
  messages: MESSAGE,
};

export const DEFAULT_DURATION_MINUTES = 30;

const KIND_WORDS: Record<Kind, string> = {
  id: 'a positive whole-number id',
  ids: 'a list of ids (or of records with an id)',
  text: 'text',
  time: 'an ISO 8601 date-time such as 2026-11-26T09:00:00Z',
  count: 'a whole number',
  raw: 'a valid value',
};

const SCHEMAS: { [K in ProfileResource]: z.ZodType } = {
  user: User,
  members: ClinicMember,
  notifications: Notification,
  appointments: Appointment,
  consultations: Consultation,
  conversations: Conversation,
  messages: Message,
};

export interface ResourceTypes {
  user: User;
  members: ClinicMember;
  notifications: Notification;
  appointments: Appointment;
  consultations: Consultation;
  conversations: Conversation;
  messages: Message;
}

/** Reads one record of `resource`; `where` prefixes the paths of a problem (e.g. `data.3`). */
export function readRecord<R extends ProfileResource>(resource: R, raw: unknown, ctx: ReadContext, where = ''): ReadResult<ResourceTypes[R]> {
  const at = (p: string) => (where === '' ? p : `${where}.${p}`);
  if (!isRecord(raw)) {
    return { ok: false, problem: { path: where === '' ? '(record)' : where, seen: describe(raw), expected: `a ${resource} record (a JSON object)`, profileLine: null } };
  }
  const spec = SPECS[resource];
  const got: Record<string, unknown> = {};
  const usedPath: Record<string, string> = {};
  const defaulted = new Set<string>();
  for (const [field, f] of Object.entries(spec)) {
    const mapped = ctx.fields[`${resource}.${field}`];
    const sources = mapped === undefined ? f.from : [mapped, ...f.from];
    let found: unknown;
    let foundAt: string | null = null;
    for (const source of sources) {
      const value = coerce(f.kind, lookup(raw, source));
      if (value === undefined) continue;
      if (value === null && found === undefined) {
        found = null; // keep looking for a non-null value elsewhere
        foundAt = source;
        continue;
      }
      if (value !== null) {
        found = value;
        foundAt = source;
        break;
      }
    }
    if ((found === undefined || found === null) && f.fallback) {
      // A fallback of undefined leaves an optional field out, null included (`doctor?->name`).
      found = f.fallback(got, ctx);
      defaulted.add(field);
    }
    if (found !== undefined) got[field] = found;
    usedPath[field] = foundAt ?? mapped ?? f.from[0] ?? field;
  }
  if (resource === 'appointments' && defaulted.has('duration_minutes')) {
    const derived = durationFrom(raw, got.appointment_date);
    if (derived !== null) got.duration_minutes = derived;
  }
  if (resource === 'conversations' && got.last_message !== null && got.last_message !== undefined) {
    // A last message the desk cannot read is left out; the conversation itself is still shown.
    const message = readRecord('messages', got.last_message, ctx);
    got.last_message = message.ok ? message.value : null;
  }
  const parsed = SCHEMAS[resource].safeParse(got);
  if (parsed.success) return { ok: true, value: parsed.data as ResourceTypes[R] };
  const issue = parsed.error.issues[0];
  const field = typeof issue?.path[0] === 'string' ? issue.path[0] : null;
  const sourcePath = field === null ? null : (usedPath[field] ?? field);
  const seenValue = sourcePath === null ? raw : lookup(raw, sourcePath);
  const suggestion = field === null ? null : suggestSource(raw, spec[field]?.kind ?? 'text', new Set(Object.values(usedPath)));
  return {
    ok: false,
    problem: {
      path: at(sourcePath ?? '(record)'),
      seen: seenValue === undefined ? '(missing)' : describe(seenValue),
      expected: field === null ? `a ${resource} record` : `${field}, ${seenValue === undefined ? 'required: ' : ''}${KIND_WORDS[spec[field]?.kind ?? 'raw']}`,
      profileLine: field === null ? null : `"${resource}.${field}": "${suggestion ?? '<path in the record>'}"`,
    },
  };
}

/** A record's value at a dotted path; arrays take numeric segments. PHP's `[]` for an empty object reads as nothing there. */
export function lookup(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return undefined;
      current = current[Number(key)];
    } else if (isRecord(current)) {
      if (!Object.hasOwn(current, key)) return undefined;
      current = current[key];
    } else {
      return undefined;
    }
  }
  return current;
}

function lookupAny(value: unknown, paths: readonly string[]): unknown {
  for (const p of paths) {
    const v = lookup(value, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

const NUMERIC_ID = /^[1-9]\d{0,15}$/;

function toId(value: unknown): unknown {
  if (typeof value === 'string' && NUMERIC_ID.test(value.trim())) return Number(value.trim());
  // A relation nested as an object: `doctor: {id: 3, name: ...}`.
  if (isRecord(value) && 'id' in value) return toId(value.id);
  return value;
}

function coerce(kind: Kind, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (kind) {
    case 'id':
      return toId(value);
    case 'ids':
      // A filtered Laravel collection without values() serialises as {"0": …, "2": …}.
      if (isRecord(value) && !('id' in value)) return Object.values(value).map(toId);
      return Array.isArray(value) ? value.map(toId) : value;
    case 'count':
      if (typeof value === 'string' && /^\d{1,9}$/.test(value.trim())) return Number(value.trim());
      return value;
    case 'time':
      return typeof value === 'string' ? normaliseTime(value) : value;
    case 'text':
      // A role or a type may come as an object (`role: {name: 'doctor'}`); its name is the value.
      if (isRecord(value) && typeof value.name === 'string') return value.name;
      return typeof value === 'number' ? String(value) : value;
    case 'raw':
      return value;
  }
}

/**
 * Laravel before 7 serialised dates as `2026-11-26 09:00:00`; with the app's
 * time zone unknown here that is read as UTC, Laravel's default `APP_TIMEZONE`.
 */
function normaliseTime(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/.exec(value.trim());
  if (!m) return value;
  return `${m[1]}T${m[2]}${m[3] ? '' : ':00'}Z`;
}

function durationFrom(raw: Record<string, unknown>, start: unknown): number | null {
  const end = lookupAny(raw, ['ends_at', 'end_at', 'end_time', 'end']);
  if (typeof end !== 'string' || typeof start !== 'string') return null;
  const minutes = Math.round((Date.parse(normaliseTime(end)) - Date.parse(start)) / 60_000);
  return Number.isFinite(minutes) && minutes > 0 && minutes <= 24 * 60 ? minutes : null;
}

/** A path in the record whose value looks like what the field needs and that no other field took. */
function suggestSource(raw: Record<string, unknown>, kind: Kind, taken: ReadonlySet<string>): string | null {
  const looksRight = (v: unknown): boolean => {
    if (kind === 'time') return typeof v === 'string' && !Number.isNaN(Date.parse(normaliseTime(v))) && /\d{4}-\d{2}-\d{2}/.test(v);
    if (kind === 'id' || kind === 'count') return typeof toId(v) === 'number';
    if (kind === 'ids') return Array.isArray(v);
    return typeof v === 'string';
  };
  for (const [key, value] of Object.entries(raw)) {
    if (!taken.has(key) && looksRight(value)) return key;
    if (isRecord(value)) {
      for (const [inner, v] of Object.entries(value)) {
        const p = `${key}.${inner}`;
        if (!taken.has(p) && looksRight(v)) return p;
      }
    }
  }
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a problem report shows it: short, and never a whole record or free text (patient data). */
export function describe(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return `an object with ${keys.length === 0 ? 'no fields' : keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
  }
  if (typeof value === 'string' && !looksLikeData(value)) return `text of ${value.length} characters`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Shown as it is: what helps an admin map a field (a date-time, a number, an
 * id, a status word) and cannot be a patient's name or a message. Free text is
 * described by its length only: problems go to logs and Diagnostics.
 */
function looksLikeData(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([ T][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(text) || /^-?\d+(\.\d+)?$/.test(text) || /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(text);
}
