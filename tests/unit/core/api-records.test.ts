import { describe as group, expect, it } from 'vitest';
import type { Appointment, ClinicMember, Consultation, Conversation, Message, Notification, User } from '../../../src/shared/domain';
import { FieldProblem } from '../../../src/shared/features';
import type { ProfileResource } from '../../../src/main/core/api/profile';
import { DEFAULT_DURATION_MINUTES, describe, lookup, readRecord, type ReadContext, type ResourceTypes } from '../../../src/main/core/api/records';

const NOW_ISO = '2026-11-26T10:00:00.000Z';

function ctx(over: Partial<ReadContext> = {}): ReadContext {
  return { user: { id: 7, clinic_id: 3 }, fields: {}, nowIso: () => NOW_ISO, ...over };
}

/** Reads a record that must be readable; fails the test with the problem otherwise. */
function read<R extends ProfileResource>(resource: R, raw: unknown, context: ReadContext = ctx()): ResourceTypes[R] {
  const result = readRecord(resource, raw, context);
  if (!result.ok) throw new Error(`expected ${resource} to be read, got ${JSON.stringify(result.problem)}`);
  return result.value;
}

/** Reads a record that must be refused, and returns its problem. */
function problemOf(resource: ProfileResource, raw: unknown, where = '', context: ReadContext = ctx()): FieldProblem {
  const result = readRecord(resource, raw, context, where);
  if (result.ok) throw new Error(`expected ${resource} to be refused, got ${JSON.stringify(result.value)}`);
  return result.problem;
}

/** Every `id`, `*_id` and each of `*_ids` as a numeric string, nested records too (as some PHP stacks send them). */
function stringIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if ((key === 'id' || key.endsWith('_id')) && typeof v === 'number') return [key, String(v)];
      if (key.endsWith('_ids') && Array.isArray(v)) return [key, (v as unknown[]).map((x) => (typeof x === 'number' ? String(x) : x))];
      return [key, stringIds(v)];
    }),
  );
}

// ------------------------------------------------------------ fixtures ---

const user: User = { id: 7, name: 'Rita Reception', email: 'rita@northside.clinic.test', role: 'reception', clinic_id: 3, doctor_id: null, time_zone: null };
const member: ClinicMember = { id: 31, name: 'Dr Ada Byron', role: 'doctor', clinic_id: 3, doctor_id: 12 };
const notification: Notification = {
  id: 101,
  user_id: 7,
  type: 'appointment',
  title: 'Appointment confirmed',
  message: 'Ada Lovelace at 09:00',
  action_url: '/appointments/1001',
  created_at: '2026-11-26T09:00:00.000000Z',
  read_at: null,
};
const appointment: Appointment = {
  id: 1001,
  clinic_id: 3,
  doctor_id: 12,
  patient_id: 501,
  patient_name: 'Ada Lovelace',
  status: 'confirmed',
  appointment_date: '2026-11-26T09:00:00.000000Z',
  duration_minutes: 20,
  reason: 'Check-up',
  updated_at: '2026-11-26T08:00:00.000100Z',
};
const consultation: Consultation = {
  id: 77,
  clinic_id: 3,
  doctor_id: 12,
  patient_id: 501,
  patient_name: 'Ada Lovelace',
  appointment_id: 1001,
  status: 'active',
  started_at: '2026-11-26T09:02:00.000000Z',
  ended_at: null,
  updated_at: '2026-11-26T09:02:00.000000Z',
};
const message: Message = { id: 41, conversation_id: 5, sender_id: 31, sender_name: 'Dr Ada Byron', body: 'Room 2 is free', created_at: '2026-11-26T09:30:00.000000Z' };
const conversation: Conversation = {
  id: 5,
  clinic_id: 3,
  subject: 'Rota',
  participant_ids: [7, 31],
  last_message: message,
  unread_count: 2,
  last_read_message_id: 40,
  updated_at: '2026-11-26T09:30:00.000000Z',
};

const DEFAULT_SHAPES: { [R in ProfileResource]: ResourceTypes[R] } = {
  user,
  members: member,
  notifications: notification,
  appointments: appointment,
  consultations: consultation,
  conversations: conversation,
  messages: message,
};
const RESOURCES = Object.keys(DEFAULT_SHAPES) as ProfileResource[];

// --------------------------------------------------------------- tests ---

group('readRecord: the default dialect', () => {
  it.each(RESOURCES)('reads a %s record of the default shape unchanged', (resource) => {
    expect(read(resource, structuredClone(DEFAULT_SHAPES[resource]))).toEqual(DEFAULT_SHAPES[resource]);
  });

  it('leaves out fields the desk does not use', () => {
    const value = read('appointments', { ...appointment, room: 'B2', patient: { id: 501, name: 'Ada Lovelace', phone: '+44 20 7946 0000' } });
    expect(value).toEqual(appointment);
    expect(Object.keys(value)).not.toContain('room');
    expect(Object.keys(value)).not.toContain('patient');
  });

  it('keeps optional fields the server sends as null', () => {
    expect(read('consultations', { ...consultation, appointment_id: null, started_at: null, ended_at: null })).toEqual({
      ...consultation,
      appointment_id: null,
      started_at: null,
      ended_at: null,
    });
    expect(read('notifications', { ...notification, action_url: null, read_at: '2026-11-26T09:05:00Z' })).toMatchObject({ action_url: null, read_at: '2026-11-26T09:05:00Z' });
  });
});

group('readRecord: ids as numeric strings', () => {
  it.each(RESOURCES)('reads the ids of a %s record sent as strings as numbers', (resource) => {
    const raw = stringIds(DEFAULT_SHAPES[resource]);
    expect(JSON.stringify(raw)).toContain('"id":"'); // the fixture really sends strings
    expect(read(resource, raw)).toEqual(DEFAULT_SHAPES[resource]);
  });

  it('trims blanks around a numeric id', () => {
    expect(read('members', { ...member, id: ' 31 ', doctor_id: '12 ' })).toMatchObject({ id: 31, doctor_id: 12 });
  });

  it('refuses ids that are not positive integers, naming the field', () => {
    expect(problemOf('appointments', { ...appointment, id: 'abc' }, 'data.0')).toMatchObject({ path: 'data.0.id', seen: '"abc"' });
    expect(problemOf('appointments', { ...appointment, doctor_id: '0' }, 'data.0')).toMatchObject({ path: 'data.0.doctor_id', seen: '"0"' });
    expect(problemOf('appointments', { ...appointment, patient_id: -4 }, 'data.0')).toMatchObject({ path: 'data.0.patient_id', seen: '-4' });
  });
});

group('readRecord: relations nested as objects', () => {
  it('reads an appointment with clinic, doctor and patient nested (and details)', () => {
    const raw = {
      id: 1001,
      clinic: { id: 3, name: 'Northside' },
      doctor: { id: 12, name: 'Dr Ada Byron' },
      patient: { id: 501, name: 'Ada Lovelace' },
      status: 'confirmed',
      starts_at: '2026-11-26T09:00:00.000000Z',
      details: { duration_minutes: 20, reason: 'Check-up' },
      updated_at: appointment.updated_at,
    };
    expect(read('appointments', raw)).toEqual({ ...appointment, doctor_name: 'Dr Ada Byron' });
  });

  it('reads the doctor of an appointment from doctor: {id, name} into doctor_id and doctor_name', () => {
    const { doctor_id: _, ...rest } = appointment;
    const value = read('appointments', { ...rest, doctor: { id: '12', name: 'Dr Ada Byron' } });
    expect(value.doctor_id).toBe(12);
    expect(value.doctor_name).toBe('Dr Ada Byron');
  });

  it('reads the patient from patient: {id, name}', () => {
    const { patient_id: _, patient_name: _n, ...rest } = appointment;
    expect(read('appointments', { ...rest, patient: { id: 501, name: 'Grace Hopper' } })).toMatchObject({ patient_id: 501, patient_name: 'Grace Hopper' });
    const { patient_id: _c, patient_name: _cn, ...restC } = consultation;
    expect(read('consultations', { ...restC, patient: { id: '502', full_name: 'Mary Somerville' } })).toMatchObject({ patient_id: 502, patient_name: 'Mary Somerville' });
  });

  it('reads a consultation with clinic, doctor, patient and appointment nested', () => {
    const raw = {
      id: 77,
      clinic: { id: 3 },
      doctor: { id: 12, name: 'Dr Ada Byron' },
      patient: { id: 501, name: 'Ada Lovelace' },
      appointment: { id: 1001 },
      status: 'active',
      started_at: consultation.started_at,
      ended_at: null,
      updated_at: consultation.updated_at,
    };
    expect(read('consultations', raw)).toEqual(consultation);
  });

  it('reads participants given as [{id, name}] or as [ids]', () => {
    const { participant_ids: _, ...rest } = conversation;
    expect(read('conversations', { ...rest, participants: [{ id: 7, name: 'Rita' }, { id: '31', name: 'Ada' }] }).participant_ids).toEqual([7, 31]);
    expect(read('conversations', { ...rest, participants: [7, '31'] }).participant_ids).toEqual([7, 31]);
    expect(read('conversations', { ...rest, users: [{ id: 9 }] }).participant_ids).toEqual([9]);
  });

  it("reads a message's sender from user: {id, name}", () => {
    const raw = { id: 41, conversation_id: 5, user: { id: 31, name: 'Dr Ada Byron' }, body: 'Room 2 is free', created_at: message.created_at };
    expect(read('messages', raw)).toEqual(message);
    expect(read('messages', { id: 41, conversation: { id: 5 }, sender: { id: '31', name: 'Ada' }, body: 'x', created_at: message.created_at })).toMatchObject({
      conversation_id: 5,
      sender_id: 31,
      sender_name: 'Ada',
    });
  });

  it('reads the clinic from clinic: {id} for every resource that has one', () => {
    const other = ctx({ user: { id: 7, clinic_id: 99 } });
    const { clinic_id: _u, ...u } = user;
    expect(read('user', { ...u, clinic: { id: 3, name: 'Northside' } }, other).clinic_id).toBe(3);
    const { clinic_id: _m, ...m } = member;
    expect(read('members', { ...m, clinic: { id: 3 } }, other).clinic_id).toBe(3);
    const { clinic_id: _a, ...a } = appointment;
    expect(read('appointments', { ...a, clinic: { id: '3' } }, other).clinic_id).toBe(3);
    const { clinic_id: _c, ...c } = consultation;
    expect(read('consultations', { ...c, clinic: { id: 3 } }, other).clinic_id).toBe(3);
    const { clinic_id: _v, ...v } = conversation;
    expect(read('conversations', { ...v, clinic: { id: 3 } }, other).clinic_id).toBe(3);
  });

  it("reads a user's doctor and role nested as objects", () => {
    const { doctor_id: _d, role: _r, ...rest } = user;
    expect(read('user', { ...rest, role: { name: 'doctor' }, doctor: { id: 12 } })).toMatchObject({ role: 'doctor', doctor_id: 12 });
    expect(read('user', { ...rest, roles: [{ name: 'admin' }] }).role).toBe('admin');
    expect(read('user', { ...rest, roles: ['reception', 'admin'] }).role).toBe('reception');
    expect(read('members', { id: 31, name: 'Dr Ada Byron', role: 'doctor', clinic: { id: 3 }, doctor: null })).toEqual({ ...member, doctor_id: null });
  });

  it('reads a member nested in user: {id, name}', () => {
    expect(read('members', { user: { id: 31, name: 'Dr Ada Byron' }, role: 'doctor', clinic_id: 3, doctor_id: 12, time_zone: null })).toEqual(member);
  });
});

group('readRecord: other field names', () => {
  it('reads starts_at as appointment_date and duration as duration_minutes', () => {
    const { appointment_date: _d, duration_minutes: _m, ...rest } = appointment;
    expect(read('appointments', { ...rest, starts_at: '2026-11-26T11:15:00Z', duration: 45 })).toMatchObject({ appointment_date: '2026-11-26T11:15:00Z', duration_minutes: 45 });
    expect(read('appointments', { ...rest, starts_at: '2026-11-26T11:15:00Z', duration: '15' }).duration_minutes).toBe(15);
  });

  it('reads details.duration_minutes and details.reason', () => {
    const { duration_minutes: _m, reason: _r, ...rest } = appointment;
    expect(read('appointments', { ...rest, details: { duration_minutes: 50, reason: 'Follow-up' } })).toMatchObject({ duration_minutes: 50, reason: 'Follow-up' });
  });

  it('reads body and url of a notification as message and action_url', () => {
    const { message: _m, action_url: _u, ...rest } = notification;
    expect(read('notifications', { ...rest, body: 'Ada Lovelace at 09:00', url: '/appointments/1001' })).toEqual(notification);
  });

  it('reads a conversation with title, latest_message and unread_messages_count', () => {
    const raw = {
      id: 5,
      clinic_id: 3,
      title: 'Rota',
      participant_ids: [7, 31],
      latest_message: { id: 41, conversation_id: 5, user_id: 31, user: { id: 31, name: 'Dr Ada Byron' }, body: 'Room 2 is free', created_at: message.created_at },
      unread_messages_count: '2',
      last_read_message_id: 40,
      updated_at: conversation.updated_at,
    };
    expect(read('conversations', raw)).toEqual(conversation);
  });

  it('leaves out a last message it cannot read, keeping the conversation', () => {
    const value = read('conversations', { ...conversation, last_message: { id: 41, body: '' } });
    expect(value.last_message).toBeNull();
    expect(value.subject).toBe('Rota');
  });

  it('takes a later name when the first is null', () => {
    const { doctor_id: _d, ...rest } = appointment;
    expect(read('appointments', { ...rest, doctor_id: null, doctor: { id: 12 } }).doctor_id).toBe(12);
  });
});

group('readRecord: ends_at and Laravel <7 dates', () => {
  const { duration_minutes: _, appointment_date: _d, ...noTimes } = appointment;

  it('derives the duration from ends_at', () => {
    expect(read('appointments', { ...noTimes, starts_at: '2026-11-26T09:00:00Z', ends_at: '2026-11-26T09:45:00Z' }).duration_minutes).toBe(45);
    expect(read('appointments', { ...noTimes, appointment_date: '2026-11-26T09:00:00.000000Z', end_time: '2026-11-26T10:30:00.000000Z' }).duration_minutes).toBe(90);
  });

  it('prefers a given duration over ends_at', () => {
    expect(read('appointments', { ...noTimes, starts_at: '2026-11-26T09:00:00Z', ends_at: '2026-11-26T09:45:00Z', duration: 20 }).duration_minutes).toBe(20);
  });

  it('falls back to the default duration when ends_at is not after the start, or too far', () => {
    expect(read('appointments', { ...noTimes, starts_at: '2026-11-26T09:00:00Z', ends_at: '2026-11-26T08:00:00Z' }).duration_minutes).toBe(DEFAULT_DURATION_MINUTES);
    expect(read('appointments', { ...noTimes, starts_at: '2026-11-26T09:00:00Z', ends_at: '2026-11-28T09:00:00Z' }).duration_minutes).toBe(DEFAULT_DURATION_MINUTES);
    expect(read('appointments', { ...noTimes, starts_at: '2026-11-26T09:00:00Z', ends_at: 'later' }).duration_minutes).toBe(DEFAULT_DURATION_MINUTES);
  });

  it('reads 2026-11-26 09:00:00 as UTC ISO 8601', () => {
    const value = read('appointments', { ...noTimes, appointment_date: '2026-11-26 09:00:00', duration_minutes: 20, updated_at: '2026-11-26 08:00:00' });
    expect(value.appointment_date).toBe('2026-11-26T09:00:00Z');
    expect(value.updated_at).toBe('2026-11-26T08:00:00Z');
    expect(read('notifications', { ...notification, created_at: '2026-11-26 09:00' }).created_at).toBe('2026-11-26T09:00:00Z');
    expect(read('messages', { ...message, created_at: '2026-11-26 09:30:00.123456' }).created_at).toBe('2026-11-26T09:30:00.123456Z');
    expect(read('consultations', { ...consultation, started_at: '2026-11-26 09:02:00', ended_at: '2026-11-26 09:40:00' })).toMatchObject({
      started_at: '2026-11-26T09:02:00Z',
      ended_at: '2026-11-26T09:40:00Z',
    });
  });

  it('derives the duration from Laravel <7 start and end', () => {
    const value = read('appointments', { ...noTimes, starts_at: '2026-11-26 09:00:00', ends_at: '2026-11-26 09:20:00' });
    expect(value.appointment_date).toBe('2026-11-26T09:00:00Z');
    expect(value.duration_minutes).toBe(20);
  });

  it('reads a time without a zone as UTC', () => {
    expect(read('appointments', { ...appointment, appointment_date: '2026-11-26T09:00:00' }).appointment_date).toBe('2026-11-26T09:00:00Z');
  });

  it('keeps an offset as the server wrote it', () => {
    expect(read('appointments', { ...appointment, appointment_date: '2026-11-26T10:00:00+01:00' }).appointment_date).toBe('2026-11-26T10:00:00+01:00');
  });
});

group('readRecord: defaults', () => {
  it("takes the clinic from the signed-in user's", () => {
    const { clinic_id: _a, ...a } = appointment;
    expect(read('appointments', a, ctx({ user: { id: 7, clinic_id: 42 } })).clinic_id).toBe(42);
    const { clinic_id: _m, ...m } = member;
    expect(read('members', m, ctx({ user: { id: 7, clinic_id: 42 } })).clinic_id).toBe(42);
    const { clinic_id: _c, ...c } = consultation;
    expect(read('consultations', c, ctx({ user: { id: 7, clinic_id: 42 } })).clinic_id).toBe(42);
    const { clinic_id: _v, ...v } = conversation;
    expect(read('conversations', v, ctx({ user: { id: 7, clinic_id: 42 } })).clinic_id).toBe(42);
  });

  it('cannot default the clinic while nobody is signed in', () => {
    const { clinic_id: _a, ...a } = appointment;
    expect(problemOf('appointments', a, 'data.0', ctx({ user: null }))).toMatchObject({ path: 'data.0.clinic_id', seen: '(missing)' });
  });

  it('takes updated_at as now when the record has no time of change', () => {
    const { updated_at: _a, ...a } = appointment;
    expect(read('appointments', a).updated_at).toBe(NOW_ISO);
    const { updated_at: _c, ...c } = consultation;
    expect(read('consultations', c).updated_at).toBe(NOW_ISO);
    const { updated_at: _v, ...v } = conversation;
    expect(read('conversations', v).updated_at).toBe(NOW_ISO);
  });

  it('takes created_at as updated_at before now', () => {
    const { updated_at: _a, ...a } = appointment;
    expect(read('appointments', { ...a, created_at: '2026-11-20T08:00:00Z' }).updated_at).toBe('2026-11-20T08:00:00Z');
  });

  it('defaults the duration to 30 minutes and the status to scheduled', () => {
    const { duration_minutes: _d, status: _s, ...a } = appointment;
    expect(DEFAULT_DURATION_MINUTES).toBe(30);
    expect(read('appointments', a)).toMatchObject({ duration_minutes: 30, status: 'scheduled' });
  });

  it('reads PHP\'s [] for empty details as no details', () => {
    const { duration_minutes: _d, reason: _r, ...a } = appointment;
    expect(read('appointments', { ...a, details: [] })).toMatchObject({ duration_minutes: 30, reason: null });
  });

  it('names a patient without a name by their id', () => {
    const { patient_name: _p, ...a } = appointment;
    expect(read('appointments', a).patient_name).toBe('Patient 501');
    expect(read('appointments', { ...a, patient_name: null }).patient_name).toBe('Patient 501');
    const { patient_name: _c, ...c } = consultation;
    expect(read('consultations', c).patient_name).toBe('Patient 501');
  });

  it('gives a user or member without a role the role staff', () => {
    const { role: _u, ...u } = user;
    expect(read('user', u).role).toBe('staff');
    const { role: _m, ...m } = member;
    expect(read('members', m).role).toBe('staff');
  });

  it('fills in what a notification may leave out', () => {
    expect(read('notifications', { id: 101, created_at: '2026-11-26T09:00:00Z' })).toEqual({
      id: 101,
      user_id: 7,
      type: 'general',
      title: '',
      message: '',
      action_url: null,
      created_at: '2026-11-26T09:00:00Z',
      read_at: null,
    });
  });

  it('fills in what a conversation may leave out', () => {
    expect(read('conversations', { id: 5 })).toEqual({
      id: 5,
      clinic_id: 3,
      subject: '',
      participant_ids: [],
      last_message: null,
      unread_count: 0,
      last_read_message_id: null,
      updated_at: NOW_ISO,
    });
  });

  it('names a sender without a name by their id', () => {
    expect(read('messages', { id: 41, conversation_id: 5, sender_id: 31, body: 'hi', created_at: message.created_at }).sender_name).toBe('User 31');
  });

  it('reads no doctor_name when the server has none for the doctor', () => {
    // `'doctor_name' => $this->doctor?->name` is null for a doctor without a name; the board still shows the appointment.
    expect(readRecord('appointments', { ...appointment, doctor_name: null }, ctx(), 'data.0')).toEqual({ ok: true, value: appointment });
    const { doctor_id: _d, ...rest } = appointment;
    expect(readRecord('appointments', { ...rest, doctor: { id: 12, name: null } }, ctx(), 'data.0')).toEqual({ ok: true, value: appointment });
  });
});

group('readRecord: values the desk does not know are kept', () => {
  it('keeps the role nurse', () => {
    expect(read('members', { ...member, role: 'nurse', doctor_id: null }).role).toBe('nurse');
    expect(read('user', { ...user, role: 'nurse' }).role).toBe('nurse');
  });

  it('keeps the consultation status on_hold', () => {
    expect(read('consultations', { ...consultation, status: 'on_hold' }).status).toBe('on_hold');
  });

  it('keeps an appointment status it does not know', () => {
    expect(read('appointments', { ...appointment, status: 'rescheduled' }).status).toBe('rescheduled');
  });

  it('keeps a notification type it does not know', () => {
    expect(read('notifications', { ...notification, type: 'lab_result' }).type).toBe('lab_result');
  });
});

group('readRecord: the API profile', () => {
  it('reads a field from the mapped path before the usual names', () => {
    const fields = { 'appointments.appointment_date': 'slot.begins' };
    const raw = { ...appointment, slot: { begins: '2026-11-26T14:00:00Z' } };
    expect(read('appointments', raw, ctx({ fields })).appointment_date).toBe('2026-11-26T14:00:00Z');
    // Without the mapping the usual name is read.
    expect(read('appointments', raw).appointment_date).toBe(appointment.appointment_date);
  });

  it('maps a field the usual names do not cover', () => {
    const { doctor_id: _d, ...rest } = appointment;
    const raw = { ...rest, physician: { code: '12' } };
    expect(readRecord('appointments', raw, ctx()).ok).toBe(false);
    expect(read('appointments', raw, ctx({ fields: { 'appointments.doctor_id': 'physician.code' } })).doctor_id).toBe(12);
  });

  it('falls back to the usual names when the mapped path is absent', () => {
    expect(read('appointments', appointment, ctx({ fields: { 'appointments.appointment_date': 'slot.begins' } })).appointment_date).toBe(appointment.appointment_date);
  });

  it('applies a mapping only to its own resource', () => {
    const fields = { 'consultations.status': 'state_code' };
    expect(read('consultations', { ...consultation, state_code: 'on_hold' }, ctx({ fields })).status).toBe('on_hold');
    expect(read('appointments', { ...appointment, state_code: 'on_hold' }, ctx({ fields })).status).toBe('confirmed');
  });
});

group('readRecord: a record the desk cannot read', () => {
  it('reports the exact path, what was there, what was expected and a profile line with a plausible source', () => {
    const { appointment_date: _, ...rest } = appointment;
    const problem = problemOf('appointments', { ...rest, slot: { begins: '2026-11-26T09:00:00Z', room: 'B2' } }, 'data.3');
    expect(problem.path).toBe('data.3.appointment_date');
    expect(problem.seen).toBe('(missing)');
    expect(problem.expected).toBe('appointment_date, required: an ISO 8601 date-time such as 2026-11-26T09:00:00Z');
    expect(problem.profileLine).toBe('"appointments.appointment_date": "slot.begins"');
    expect(FieldProblem.safeParse(problem).success).toBe(true);
  });

  it('the suggested profile line makes the record readable', () => {
    const { appointment_date: _, ...rest } = appointment;
    const raw = { ...rest, slot: { begins: '2026-11-26T09:00:00Z' } };
    const line = problemOf('appointments', raw, 'data.3').profileLine;
    const fields = JSON.parse(`{${line}}`) as Record<string, string>;
    expect(read('appointments', raw, ctx({ fields })).appointment_date).toBe('2026-11-26T09:00:00Z');
  });

  it('reports a value that is there but unusable, at the name it was found under', () => {
    expect(problemOf('appointments', { ...appointment, appointment_date: 'tomorrow at 9' }, 'data.0')).toMatchObject({
      path: 'data.0.appointment_date',
      // Free text is described, not quoted (it could be a patient's name).
      seen: 'text of 13 characters',
      expected: 'appointment_date, an ISO 8601 date-time such as 2026-11-26T09:00:00Z',
    });
    const { appointment_date: _, ...rest } = appointment;
    const problem = problemOf('appointments', { ...rest, starts_at: 'soon', begins_on: '2026-11-26T09:00:00Z' }, 'data.3');
    expect(problem.path).toBe('data.3.starts_at');
    expect(problem.seen).toBe('"soon"');
    expect(problem.profileLine).toBe('"appointments.appointment_date": "begins_on"');
  });

  it('suggests the date inside a serialised Carbon object', () => {
    const carbon = { date: '2026-11-26 09:00:00.000000', timezone_type: 3, timezone: 'UTC' };
    const problem = problemOf('appointments', { ...appointment, appointment_date: carbon }, 'data.1');
    expect(problem).toEqual({
      path: 'data.1.appointment_date',
      seen: 'an object with date, timezone_type, timezone',
      expected: 'appointment_date, an ISO 8601 date-time such as 2026-11-26T09:00:00Z',
      profileLine: '"appointments.appointment_date": "appointment_date.date"',
    });
    const fields = { 'appointments.appointment_date': 'appointment_date.date' };
    expect(read('appointments', { ...appointment, appointment_date: carbon }, ctx({ fields })).appointment_date).toBe('2026-11-26T09:00:00.000000Z');
  });

  it('suggests an id-like field for a missing id', () => {
    const { doctor_id: _, ...rest } = appointment;
    const problem = problemOf('appointments', { physician_id: '12', ...rest }, 'data.3');
    expect(problem.path).toBe('data.3.doctor_id');
    expect(problem.seen).toBe('(missing)');
    expect(problem.expected).toBe('doctor_id, required: a positive whole-number id');
    expect(problem.profileLine).toBe('"appointments.doctor_id": "physician_id"');
  });

  it('leaves a placeholder in the profile line when nothing in the record fits', () => {
    const { appointment_date: _, ...rest } = appointment;
    expect(problemOf('appointments', rest, 'data.0').profileLine).toBe('"appointments.appointment_date": "<path in the record>"');
  });

  it('names the resource in the path of a single record, and a bare field without where', () => {
    const { email: _, ...rest } = user;
    expect(problemOf('user', rest, 'user')).toMatchObject({ path: 'user.email', seen: '(missing)', expected: 'email, required: text', profileLine: expect.stringMatching(/^"user\.email": /) });
    expect(problemOf('consultations', { ...consultation, status: '' })).toMatchObject({ path: 'status', seen: 'text of 0 characters', expected: 'status, text' });
    const { name: _n, ...nameless } = member;
    expect(problemOf('members', nameless, 'data.0')).toMatchObject({ path: 'data.0.name', seen: '(missing)' });
  });

  it('reports a record that is not an object at the record itself', () => {
    expect(problemOf('appointments', [1, 2], 'data.3')).toEqual({ path: 'data.3', seen: 'a list of 2', expected: expect.stringContaining('JSON object'), profileLine: null });
    expect(problemOf('notifications', 'hello', 'data.0')).toMatchObject({ path: 'data.0', seen: '"hello"', profileLine: null });
    expect(problemOf('messages', null)).toMatchObject({ path: '(record)', seen: 'null', profileLine: null });
  });

  it('never quotes patient data of a nested value in the problem', () => {
    const problem = problemOf('appointments', { ...appointment, patient_id: { name: 'Ada Lovelace', born: '1815-12-10' } }, 'data.2');
    expect(problem.path).toBe('data.2.patient_id');
    expect(problem.seen).toBe('an object with name, born');
    expect(problem.expected).toBe('patient_id, a positive whole-number id');
    expect(JSON.stringify(problem)).not.toContain('Ada Lovelace');
    expect(JSON.stringify(problem)).not.toContain('1815');
  });
});

group('describe', () => {
  it('names the keys of an object, never its values', () => {
    const text = describe({ id: 1001, patient_name: 'Ada Lovelace', reason: 'Chest pain' });
    expect(text).toBe('an object with id, patient_name, reason');
    expect(text).not.toContain('Ada');
  });

  it('lists at most 8 keys', () => {
    const record = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, `secret${i}`]));
    expect(describe(record)).toBe('an object with k0, k1, k2, k3, k4, k5, k6, k7, …');
    expect(describe({})).toBe('an object with no fields');
  });

  it('counts a list instead of showing it', () => {
    expect(describe([{ patient_name: 'Ada Lovelace' }, {}, {}])).toBe('a list of 3');
    expect(describe([])).toBe('a list of 0');
  });

  it('shortens long text to 58 characters', () => {
    const text = describe('x'.repeat(200));
    expect(text).toHaveLength(58);
    expect(text).toBe(`"${'x'.repeat(56)}…`);
    expect(describe('short')).toBe('"short"');
  });

  it('shows scalars, null and absence', () => {
    expect(describe(42)).toBe('42');
    expect(describe(true)).toBe('true');
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('(missing)');
  });
});

group('lookup', () => {
  it('follows dotted paths through objects and numeric segments through lists', () => {
    const value = { roles: [{ name: 'admin' }], doctor: { user: { name: 'Ada' } } };
    expect(lookup(value, 'roles.0.name')).toBe('admin');
    expect(lookup(value, 'doctor.user.name')).toBe('Ada');
    expect(lookup(value, 'roles.name')).toBeUndefined();
    expect(lookup(value, 'doctor.missing.name')).toBeUndefined();
    expect(lookup({ details: [] }, 'details.duration')).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(lookup({}, 'constructor')).toBeUndefined();
    expect(lookup({ a: {} }, 'a.toString')).toBeUndefined();
  });
});
