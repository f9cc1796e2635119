/**
 * The demo clinic's staff actions (docs/backend-contract.md, "Staff actions"):
 * check-in, no-show, cancel and undo, call-in, starting and completing a
 * consultation, over real HTTP on 127.0.0.1 with tokens from `POST /api/login`,
 * and their broadcasts through the demo's socket server to real pusher-js
 * clients authorised by `/broadcasting/auth`. Covered: the answers and the
 * payloads, the 409 sentences on the clinic's wall clock in two zones, the
 * 422s and 403s, `Idempotency-Key` (one change, one broadcast, the same
 * answer) and its misuse, `X-Socket-ID`, and how each dialect offers the
 * actions (its methods, its OPTIONS answers, its missing routes).
 */
import { randomUUID } from 'node:crypto';
import type Pusher from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { screenFor } from '../../../src/main/core/session/action-url';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import { channels } from '../../../src/shared/channels';
import type { Appointment } from '../../../src/shared/domain';
import { DemoHarness, FIXED_NOW_MS, account, ajaxAuthorization, nextEvent, request, socketIdOf, subscribe, type ApiResponse } from '../../helpers/demo';
import { collectEvents } from '../../helpers/pusher-clients';

const RECEPTION1 = 'reception1@northside.clinic.test';
const RECEPTION2 = 'reception2@northside.clinic.test';
const ADMIN = 'admin@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
const DOCTOR2 = 'doctor2@northside.clinic.test';
const PATIENT = 'patient@northside.clinic.test';
const RIVERSIDE_RECEPTION = 'reception@riverside.clinic.test';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PRE_VISIT = ['scheduled', 'confirmed', 'reminder_sent'];
const UNAUTHORIZED = { message: 'This action is unauthorized.' };
const KEY_REUSED = { message: 'This Idempotency-Key was already used for another request.' };

type Json = Record<string, unknown>;

const harness = new DemoHarness();
afterEach(() => harness.cleanup());

/** A demo clinic on seed 42; UTC unless the test is about the zone. */
function clinicWith(options: { apiDialect?: ApiDialectName; timeZone?: string; now?: () => number } = {}): Promise<DemoClinic> {
  return harness.clinic({ timeZone: 'UTC', ...options });
}

interface Desk {
  clinic: DemoClinic;
  token: string;
  id: number;
  name: string;
  send(method: string, path: string, options?: { json?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
}

/** Signs in through `POST /api/login`, as a desk does (any dialect: the token is all it keeps). */
async function signIn(clinic: DemoClinic, email: string): Promise<Desk> {
  const res = await request(clinic.info.apiUrl, 'POST', '/api/login', { json: { email, password: 'password' } });
  expect(res.status, res.text).toBe(200);
  const token = (res.body as { token: string }).token;
  const me = account(clinic, email);
  return { clinic, token, id: me.id, name: me.name, send: (method, path, options = {}) => request(clinic.info.apiUrl, method, path, { token, ...options }) };
}

const data = (res: ApiResponse) => (res.body as Json).data as Json;
const keySet = (value: unknown) => Object.keys(value as Json).sort();

/** Today's appointments of a doctor in one of the statuses, by time. */
function todays(clinic: DemoClinic, doctorEmail: string, statuses: readonly string[]): Appointment[] {
  const doctorId = account(clinic, doctorEmail).doctorId;
  return clinic.store.appointmentsOn(1, clinic.today(), (a) => a.doctor_id === doctorId && statuses.includes(a.status));
}

function one(clinic: DemoClinic, doctorEmail: string, statuses: readonly string[], index = 0): Appointment {
  const found = todays(clinic, doctorEmail, statuses)[index];
  if (!found) throw new Error(`the demo day has no appointment #${index} of ${doctorEmail} in ${statuses.join('/')}`);
  return found;
}

function doctorChannel(clinic: DemoClinic, doctorEmail: string): string {
  return channels.doctorAppointments(account(clinic, doctorEmail).doctorId ?? 0).fullName;
}

/** A pusher-js client of the desk's user, subscribed through the demo's `/broadcasting/auth`. */
async function listen(desk: Desk, ...channelNames: string[]): Promise<Pusher> {
  const client = await harness.pusherJs(desk.clinic, ajaxAuthorization(desk.clinic, desk.token));
  for (const name of channelNames) expect((await subscribe(client, name)).ok, name).toBe(true);
  return client;
}

/**
 * Resolves once a marker sent after everything before it has reached the
 * client on that channel: the server delivers a socket's events in order, so
 * whatever the actions broadcast has arrived by then, or never will.
 */
async function drained(clinic: DemoClinic, client: Pusher, channelName: string): Promise<void> {
  const marker = nextEvent(client, channelName, 'test-marker');
  await clinic.backend.rawBroadcast('test-marker', [channelName], '{}');
  await marker;
}

/** The `appointment-updated` payload of a record in the contract's shape. */
function appointmentPayload(a: Appointment, action: string): Json {
  return {
    id: a.id,
    action,
    status: a.status,
    appointment_date: a.appointment_date,
    details: { clinic_id: a.clinic_id, doctor_id: a.doctor_id, patient_id: a.patient_id, patient_name: a.patient_name, duration_minutes: a.duration_minutes, reason: a.reason },
    timestamp: a.updated_at,
  };
}

/** HH:MM on a zone's 24-hour wall clock, by Intl (not the demo's own formatter). */
function wallClock(iso: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

const statusPath = (id: number) => `/api/appointments/${id}`;
const checkIn = (a: Appointment) => ({ json: { status: 'checked_in', expected_status: a.status } });

// ---------------------------------------------------------------- status ---

describe('PATCH /api/appointments/{id}: check-in, no-show, cancel, undo', () => {
  it('checks a patient in: {data} with the status and a newer updated_at, one appointment-updated (confirmed, checked_in) on the doctor\'s channel, and the board shows it', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const doctor = await signIn(clinic, DOCTOR1);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const channel = doctorChannel(clinic, DOCTOR1);
    const client = await listen(doctor, channel);
    const updated = nextEvent(client, channel, 'appointment-updated');

    const res = await reception.send('PATCH', statusPath(target.id), checkIn(target));
    expect(res.status, res.text).toBe(200);
    const record = data(res);
    expect(record).toEqual({ ...target, status: 'checked_in', updated_at: expect.any(String) });
    // Carbon's fixed-width ISO strings order as the instants do.
    expect(record.updated_at as string > target.updated_at).toBe(true);
    const stored = clinic.store.appointment(target.id)!;
    expect(await updated).toEqual(appointmentPayload(stored, 'confirmed'));
    expect(stored.updated_at).toBe(record.updated_at);

    const board = await reception.send('GET', `/api/appointments?date=${clinic.today()}`);
    expect((board.body as { data: Json[] }).data.find((a) => a.id === target.id)).toEqual(record);
    expect(clinic.store.statusChange(target.id)).toMatchObject({ status: 'checked_in', from: target.status, byUserId: reception.id, at: record.updated_at });
  });

  it('marks a no-show and cancels with a reason: both broadcast as action "cancelled"; the reason is kept with the change', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const client = await listen(reception, doctorChannel(clinic, DOCTOR1));
    const [absent, cancelled] = [one(clinic, DOCTOR1, PRE_VISIT, 0), one(clinic, DOCTOR1, PRE_VISIT, 1)];

    const noShowEvent = nextEvent(client, doctorChannel(clinic, DOCTOR1), 'appointment-updated');
    const noShow = await reception.send('PATCH', statusPath(absent.id), { json: { status: 'no_show', expected_status: absent.status } });
    expect(noShow.status, noShow.text).toBe(200);
    expect(data(noShow).status).toBe('no_show');
    expect(await noShowEvent).toEqual(appointmentPayload(clinic.store.appointment(absent.id)!, 'cancelled'));

    const cancelEvent = nextEvent(client, doctorChannel(clinic, DOCTOR1), 'appointment-updated');
    const cancel = await reception.send('PATCH', statusPath(cancelled.id), { json: { status: 'cancelled', reason: '  Patient called: flu  ', expected_status: cancelled.status } });
    expect(cancel.status, cancel.text).toBe(200);
    // The visit's reason stays; the cancellation's is the change's.
    expect(data(cancel)).toMatchObject({ status: 'cancelled', reason: cancelled.reason });
    expect(await cancelEvent).toEqual(appointmentPayload(clinic.store.appointment(cancelled.id)!, 'cancelled'));
    expect(clinic.store.statusChange(cancelled.id)).toMatchObject({ status: 'cancelled', byUserId: reception.id, reason: 'Patient called: flu' });
  });

  it('undoes a check-in back to the status before (broadcast "confirmed", whatever it was), and a second undo is a 409 naming who undid it', async () => {
    const clinic = await clinicWith();
    const first = await signIn(clinic, RECEPTION1);
    const second = await signIn(clinic, RECEPTION2);
    // A reminder_sent appointment shows the undo is not a reminder.
    const target = one(clinic, DOCTOR1, ['reminder_sent']);
    const client = await listen(first, doctorChannel(clinic, DOCTOR1));
    expect((await first.send('PATCH', statusPath(target.id), checkIn(target))).status).toBe(200);

    const undoEvent = nextEvent(client, doctorChannel(clinic, DOCTOR1), 'appointment-updated');
    const undo = await first.send('PATCH', statusPath(target.id), { json: { status: 'reminder_sent', expected_status: 'checked_in' } });
    expect(undo.status, undo.text).toBe(200);
    expect(data(undo).status).toBe('reminder_sent');
    expect(await undoEvent).toMatchObject({ id: target.id, action: 'confirmed', status: 'reminder_sent' });

    const late = await second.send('PATCH', statusPath(target.id), { json: { status: 'reminder_sent', expected_status: 'checked_in' } });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ message: `Already set back to reminder sent by ${first.name} at ${wallClock(data(undo).updated_at as string, 'UTC')}.` });
  });

  it('undoes a no-show and a cancellation made after a check-in, back to checked_in', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const waiting = one(clinic, DOCTOR2, PRE_VISIT);
    expect((await reception.send('PATCH', statusPath(waiting.id), checkIn(waiting))).status).toBe(200);
    for (const change of [{ status: 'no_show' }, { status: 'cancelled', reason: 'Left before the visit' }]) {
      const done = await reception.send('PATCH', statusPath(waiting.id), { json: { ...change, expected_status: 'checked_in' } });
      expect(done.status, done.text).toBe(200);
      const undo = await reception.send('PATCH', statusPath(waiting.id), { json: { status: 'checked_in', expected_status: change.status } });
      expect(undo.status, undo.text).toBe(200);
      expect(data(undo).status).toBe('checked_in');
    }
  });

  it('lets the clinic\'s admin act, and a doctor on their own appointments', async () => {
    const clinic = await clinicWith();
    const admin = await signIn(clinic, ADMIN);
    const doctor = await signIn(clinic, DOCTOR1);
    const [a, b] = [one(clinic, DOCTOR2, PRE_VISIT), one(clinic, DOCTOR1, PRE_VISIT)];
    expect((await admin.send('PATCH', statusPath(a.id), checkIn(a))).status).toBe(200);
    expect((await doctor.send('PATCH', statusPath(b.id), checkIn(b))).status).toBe(200);
    expect(clinic.store.statusChange(a.id)?.byUserId).toBe(admin.id);
    expect(clinic.store.statusChange(b.id)?.byUserId).toBe(doctor.id);
  });

  it.each([
    ['a doctor, on a colleague\'s appointment', DOCTOR2],
    ['a patient', PATIENT],
    ['another clinic\'s receptionist', RIVERSIDE_RECEPTION],
  ])('refuses %s with 403 {message} and changes nothing', async (_who, email) => {
    const clinic = await clinicWith();
    const other = await signIn(clinic, email);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const res = await other.send('PATCH', statusPath(target.id), checkIn(target));
    expect(res.status).toBe(403);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect(clinic.store.appointment(target.id)).toEqual(target);
  });

  it.each<[string, Json, Record<string, string[]>]>([
    ['no status', {}, { status: ['The status field is required.'] }],
    ['a status no desk sets', { status: 'completed' }, { status: ['The selected status is invalid.'] }],
    ['a status that is not text', { status: 42 }, { status: ['The status field must be a string.'] }],
    ['a cancellation without a reason', { status: 'cancelled' }, { reason: ['The reason field is required when status is cancelled.'] }],
    ['a cancellation with a blank reason', { status: 'cancelled', reason: '   ' }, { reason: ['The reason field is required when status is cancelled.'] }],
    ['a reason too long', { status: 'cancelled', reason: 'x'.repeat(501) }, { reason: ['The reason field must not be greater than 500 characters.'] }],
    ['two faults at once', { status: 'banana', reason: 7 }, { status: ['The selected status is invalid.'], reason: ['The reason field must be a string.'] }],
  ])('answers 422 {message, errors} for %s', async (_case, body, errors) => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const res = await reception.send('PATCH', statusPath(target.id), { json: body });
    expect(res.status).toBe(422);
    const messages = Object.values(errors).flat();
    const message = messages.length > 1 ? `${messages[0]} (and ${messages.length - 1} more error)` : messages[0];
    expect(res.body).toEqual({ message, errors });
    expect(clinic.store.appointment(target.id)).toEqual(target);
  });

  it('answers 422 for a change the rules do not allow: a check-in after the visit, a no-show during it, a pre-visit status that undoes nothing', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const done = one(clinic, DOCTOR1, ['completed']);
    const seen = one(clinic, DOCTOR1, ['in_consultation']);
    const booked = one(clinic, DOCTOR1, ['confirmed', 'reminder_sent']);
    const cases: Array<[Appointment, Json]> = [
      [done, { status: 'checked_in', expected_status: 'completed' }],
      [seen, { status: 'no_show', expected_status: 'in_consultation' }],
      [booked, { status: 'scheduled', expected_status: booked.status }],
    ];
    for (const [a, body] of cases) {
      const res = await reception.send('PATCH', statusPath(a.id), { json: body });
      const message = `The status field cannot change from ${a.status} to ${String(body.status)}.`;
      expect(res.status, res.text).toBe(422);
      expect(res.body).toEqual({ message, errors: { status: [message] } });
    }
  });

  it('answers Laravel\'s 404 for an appointment that does not exist', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const res = await reception.send('PATCH', statusPath(999_999), { json: { status: 'checked_in' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'No query results for model [App\\Models\\Appointment] 999999' });
  });
});

// ------------------------------------------------------------ 409s, zones ---

describe('409: one sentence naming who made the current status, on the clinic\'s wall clock', () => {
  // The demo's clock two minutes after the fixed 10:00 UTC: 02:02 in Los Angeles (PST), 15:47 in Kathmandu (+05:45).
  it.each([
    ['America/Los_Angeles', '02:02'],
    ['Asia/Kathmandu', '15:47'],
  ])('%s: a check-in made at %s', async (timeZone, time) => {
    const clinic = await clinicWith({ timeZone, now: () => FIXED_NOW_MS + 2 * MINUTE });
    const first = await signIn(clinic, RECEPTION1);
    const second = await signIn(clinic, RECEPTION2);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    expect((await first.send('PATCH', statusPath(target.id), checkIn(target))).status).toBe(200);

    // The same check-in from a second desk, from a stale card, with or without the card's status.
    const already = { message: `Already checked in by ${first.name} at ${time}.` };
    for (const json of [{ status: 'checked_in', expected_status: target.status }, { status: 'checked_in' }, { status: 'cancelled', reason: 'Ill', expected_status: target.status }]) {
      const res = await second.send('PATCH', statusPath(target.id), { json });
      expect(res.status, JSON.stringify(json)).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual(already);
    }

    expect((await second.send('PATCH', statusPath(target.id), { json: { status: 'no_show', expected_status: 'checked_in' } })).status).toBe(200);
    const noShow = await first.send('PATCH', statusPath(target.id), { json: { status: 'no_show', expected_status: 'checked_in' } });
    expect(noShow.body).toEqual({ message: `Already marked no-show by ${second.name} at ${time}.` });

    const other = one(clinic, DOCTOR1, PRE_VISIT);
    expect((await first.send('PATCH', statusPath(other.id), { json: { status: 'cancelled', reason: 'Moved away', expected_status: other.status } })).status).toBe(200);
    const cancelled = await second.send('PATCH', statusPath(other.id), checkIn(other));
    expect(cancelled.body).toEqual({ message: `Already cancelled by ${first.name} at ${time}.` });
  });

  it.each(['America/Los_Angeles', 'Asia/Kathmandu'])('%s: the generated day\'s statuses name the doctor for a consultation, the front desk otherwise', async (timeZone) => {
    const clinic = await clinicWith({ timeZone });
    const reception = await signIn(clinic, RECEPTION1);
    const doctor = account(clinic, DOCTOR1);
    // The colleague the scenario plays (the clinic's last receptionist), not the one signed in.
    const frontDesk = account(clinic, RECEPTION2);
    const seen = one(clinic, DOCTOR1, ['in_consultation']);
    const inConsultation = await reception.send('PATCH', statusPath(seen.id), { json: { status: 'no_show', expected_status: 'checked_in' } });
    expect(inConsultation.status).toBe(409);
    expect(inConsultation.body).toEqual({ message: `Already in consultation with ${doctor.name} since ${wallClock(seen.updated_at, timeZone)}.` });
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const checkedIn = await reception.send('PATCH', statusPath(waiting.id), { json: { status: 'checked_in', expected_status: 'confirmed' } });
    expect(checkedIn.body).toEqual({ message: `Already checked in by ${frontDesk.name} at ${wallClock(waiting.updated_at, timeZone)}.` });
    const finished = one(clinic, DOCTOR1, ['completed']);
    const completed = await reception.send('PATCH', statusPath(finished.id), { json: { status: 'cancelled', reason: 'x', expected_status: 'confirmed' } });
    expect(completed.body).toEqual({ message: `Already completed by ${doctor.name} at ${wallClock(finished.updated_at, timeZone)}.` });
  });
});

// --------------------------------------------------------------- call-in ---

describe('POST /api/appointments/{id}/call-in', () => {
  it('notifies every receptionist of the clinic (type call-in, opening the board at the appointment) and leaves the appointment as it was', async () => {
    const clinic = await clinicWith();
    const doctor = await signIn(clinic, DOCTOR1);
    const desks = [await signIn(clinic, RECEPTION1), await signIn(clinic, RECEPTION2)];
    const admin = await signIn(clinic, ADMIN);
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    // Wrapped, so that awaiting the subscriptions does not await the events too.
    const heard = await Promise.all(
      desks.map(async (desk) => {
        const channel = channels.notifications(desk.id).fullName;
        const client = await listen(desk, channel);
        return { event: nextEvent(client, channel, 'general-notification') };
      }),
    );

    const res = await doctor.send('POST', `/api/appointments/${waiting.id}/call-in`);
    expect(res.status, res.text).toBe(200);
    expect(data(res)).toEqual(waiting);
    expect(clinic.store.appointment(waiting.id)).toEqual(waiting);

    const title = `${doctor.name} is ready for ${waiting.patient_name}`;
    for (const [i, event] of (await Promise.all(heard.map((h) => h.event))).entries()) {
      expect(event).toEqual({
        id: expect.any(Number),
        user_id: desks[i]?.id,
        type: 'call-in',
        title,
        message: `Please send ${waiting.patient_name} in to ${doctor.name} (${wallClock(waiting.appointment_date, 'UTC')} appointment).`,
        action_url: `/appointments/${waiting.id}`,
        created_at: expect.any(String),
      });
      // The desk opens its board at the appointment from that link.
      expect(screenFor((event as Json).action_url as string)).toEqual({ screen: 'board', appointmentId: waiting.id });
    }
    const listed = (await desks[0]!.send('GET', '/api/notifications?per_page=500')).body as { data: Json[] };
    expect(listed.data.filter((n) => n.type === 'call-in').map((n) => n.title)).toEqual([title]);
    const adminList = (await admin.send('GET', '/api/notifications?per_page=500')).body as { data: Json[] };
    expect(adminList.data.some((n) => n.type === 'call-in')).toBe(false);
  });

  it('is the appointment\'s own doctor\'s: 403 for reception and for a colleague; 422 when the patient is not checked in', async () => {
    const clinic = await clinicWith();
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    for (const email of [RECEPTION1, ADMIN, DOCTOR2]) {
      const res = await (await signIn(clinic, email)).send('POST', `/api/appointments/${waiting.id}/call-in`);
      expect(res.status, email).toBe(403);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
    const booked = one(clinic, DOCTOR1, PRE_VISIT);
    const early = await (await signIn(clinic, DOCTOR1)).send('POST', `/api/appointments/${booked.id}/call-in`);
    const message = `Only a checked-in patient can be called in; the appointment is ${booked.status}.`;
    expect(early.status).toBe(422);
    expect(early.body).toEqual({ message, errors: { status: [message] } });
    expect(clinic.store.listNotifications(account(clinic, RECEPTION1).id, 0, 500).data.some((n) => n.type === 'call-in')).toBe(false);
  });
});

// ---------------------------------------------------------- consultations ---

describe('POST /api/consultations and PATCH /api/consultations/{id}', () => {
  it('starts the consultation opened for a waiting patient: 201 {data} active with started_at, the appointment in_consultation, both broadcast', async () => {
    const clinic = await clinicWith();
    const doctor = await signIn(clinic, DOCTOR1);
    const reception = await signIn(clinic, RECEPTION1);
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const pending = clinic.store.consultationsWhere((c) => c.appointment_id === waiting.id && c.status === 'pending')[0]!;
    const consultationChannel = channels.consultation(pending.id).fullName;
    const client = await listen(reception, consultationChannel, doctorChannel(clinic, DOCTOR1));
    const statusEvent = nextEvent(client, consultationChannel, 'consultation-status-changed');
    const appointmentEvent = nextEvent(client, doctorChannel(clinic, DOCTOR1), 'appointment-updated');

    const res = await doctor.send('POST', '/api/consultations', { json: { appointment_id: waiting.id } });
    expect(res.status, res.text).toBe(201);
    const consultation = data(res);
    expect(consultation).toEqual({ ...pending, status: 'active', started_at: expect.any(String), updated_at: consultation.started_at });
    expect(await statusEvent).toEqual({ id: pending.id, status: 'active', doctor_id: pending.doctor_id, patient_id: pending.patient_id, started_at: consultation.started_at, ended_at: null, timestamp: consultation.updated_at });
    const moved = clinic.store.appointment(waiting.id)!;
    expect(moved.status).toBe('in_consultation');
    expect(await appointmentEvent).toEqual(appointmentPayload(moved, 'confirmed'));
    expect(clinic.store.statusChange(waiting.id)?.byUserId).toBe(doctor.id);
  });

  it('opens a new one where none was, completes it (ended_at, the appointment completed, both broadcast) and says 409 to a second start or completion', async () => {
    const clinic = await clinicWith({ now: () => FIXED_NOW_MS + 7 * MINUTE });
    const doctor = await signIn(clinic, DOCTOR2);
    const reception = await signIn(clinic, RECEPTION1);
    const target = one(clinic, DOCTOR2, PRE_VISIT);
    expect((await reception.send('PATCH', statusPath(target.id), checkIn(target))).status).toBe(200);
    expect(clinic.store.consultationsWhere((c) => c.appointment_id === target.id)).toEqual([]);

    const started = await doctor.send('POST', '/api/consultations', { json: { appointment_id: String(target.id) } });
    expect(started.status, started.text).toBe(201);
    const opened = data(started);
    expect(opened).toMatchObject({ appointment_id: target.id, doctor_id: target.doctor_id, patient_id: target.patient_id, patient_name: target.patient_name, status: 'active', ended_at: null });
    const id = opened.id as number;
    const again = await doctor.send('POST', '/api/consultations', { json: { appointment_id: target.id } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: `Already in consultation with ${doctor.name} since 10:07.` });

    const client = await listen(reception, channels.consultation(id).fullName, doctorChannel(clinic, DOCTOR2));
    const statusEvent = nextEvent(client, channels.consultation(id).fullName, 'consultation-status-changed');
    const appointmentEvent = nextEvent(client, doctorChannel(clinic, DOCTOR2), 'appointment-updated');
    const completed = await doctor.send('PATCH', `/api/consultations/${id}`, { json: { status: 'completed' } });
    expect(completed.status, completed.text).toBe(200);
    const record = data(completed);
    expect(record).toEqual({ ...opened, status: 'completed', ended_at: expect.any(String), updated_at: record.ended_at });
    expect(await statusEvent).toMatchObject({ id, status: 'completed', started_at: opened.started_at, ended_at: record.ended_at, timestamp: record.updated_at });
    expect(await appointmentEvent).toEqual(appointmentPayload(clinic.store.appointment(target.id)!, 'confirmed'));
    expect(clinic.store.appointment(target.id)?.status).toBe('completed');

    const twice = await doctor.send('PATCH', `/api/consultations/${id}`, { json: { status: 'completed' } });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ message: `Already completed by ${doctor.name} at 10:07.` });
  });

  it('is the doctor\'s: 403 for reception, for a colleague and for the admin', async () => {
    const clinic = await clinicWith();
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const running = clinic.store.consultationsWhere((c) => c.doctor_id === account(clinic, DOCTOR1).doctorId && c.status === 'active')[0]!;
    for (const email of [RECEPTION1, ADMIN, DOCTOR2]) {
      const desk = await signIn(clinic, email);
      const start = await desk.send('POST', '/api/consultations', { json: { appointment_id: waiting.id } });
      const complete = await desk.send('PATCH', `/api/consultations/${running.id}`, { json: { status: 'completed' } });
      expect([start.status, complete.status], email).toEqual([403, 403]);
      expect([start.body, complete.body]).toEqual([UNAUTHORIZED, UNAUTHORIZED]);
    }
    expect(clinic.store.consultation(running.id)?.status).toBe('active');
    expect(clinic.store.appointment(waiting.id)).toEqual(waiting);
  });

  it('answers 422 for what it cannot do: no or an unknown appointment, a patient not checked in, a status other than completed, a consultation not active', async () => {
    const clinic = await clinicWith();
    const doctor = await signIn(clinic, DOCTOR1);
    const booked = one(clinic, DOCTOR1, PRE_VISIT);
    const pending = clinic.store.consultationsWhere((c) => c.doctor_id === account(clinic, DOCTOR1).doctorId && c.status === 'pending')[0]!;
    const active = clinic.store.consultationsWhere((c) => c.doctor_id === account(clinic, DOCTOR1).doctorId && c.status === 'active')[0]!;
    const cases: Array<[string, string, Json, Record<string, string[]>]> = [
      ['POST', '/api/consultations', {}, { appointment_id: ['The appointment id field is required.'] }],
      ['POST', '/api/consultations', { appointment_id: 'soon' }, { appointment_id: ['The appointment id field must be an integer.'] }],
      ['POST', '/api/consultations', { appointment_id: 999_999 }, { appointment_id: ['The selected appointment id is invalid.'] }],
      ['POST', '/api/consultations', { appointment_id: booked.id }, { status: [`A consultation can only start for a checked-in patient; the appointment is ${booked.status}.`] }],
      ['PATCH', `/api/consultations/${active.id}`, { status: 'active' }, { status: ['The selected status is invalid.'] }],
      ['PATCH', `/api/consultations/${active.id}`, {}, { status: ['The status field is required.'] }],
      ['PATCH', `/api/consultations/${pending.id}`, { status: 'completed' }, { status: ['The status field cannot change from pending to completed.'] }],
    ];
    for (const [method, path, body, errors] of cases) {
      const res = await doctor.send(method, path, { json: body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`).toBe(422);
      expect(res.body).toEqual({ message: Object.values(errors).flat()[0], errors });
    }
    expect(clinic.store.consultation(active.id)?.status).toBe('active');
    expect(clinic.store.consultation(pending.id)?.status).toBe('pending');
    const missing = await doctor.send('PATCH', '/api/consultations/999999', { json: { status: 'completed' } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'No query results for model [App\\Models\\Consultation] 999999' });
  });
});

// ------------------------------------------------------- Idempotency-Key ---

describe('Idempotency-Key', () => {
  it('a repeat with the same key gets the first answer again, and nothing changes or is broadcast twice', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const channel = doctorChannel(clinic, DOCTOR1);
    const client = await listen(await signIn(clinic, DOCTOR1), channel);
    const seen = collectEvents(client.channel(channel), 'appointment-updated');
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const key = randomUUID();
    const send = () => reception.send('PATCH', statusPath(target.id), { ...checkIn(target), headers: { 'Idempotency-Key': key } });

    const first = await send();
    expect(first.status, first.text).toBe(200);
    const change = clinic.store.statusChange(target.id);
    const repeats = [await send(), await send()];
    for (const repeat of repeats) expect([repeat.status, repeat.text]).toEqual([first.status, first.text]);
    await drained(clinic, client, channel);
    expect(seen).toHaveLength(1);
    expect(clinic.store.statusChange(target.id)).toEqual(change);
    expect(clinic.store.appointment(target.id)?.updated_at).toBe(data(first).updated_at);
    expect(clinic.api.idempotencyUses(key)).toEqual({ requests: 3, replayed: 2, refused: 0 });
    // The same request without the key is a new one: the check-in is already made.
    expect((await reception.send('PATCH', statusPath(target.id), checkIn(target))).status).toBe(409);
  });

  it('holds a repeat that arrives while the first is running, and answers both alike', async () => {
    const clinic = await clinicWith();
    const doctor = await signIn(clinic, DOCTOR1);
    const channel = doctorChannel(clinic, DOCTOR1);
    const client = await listen(await signIn(clinic, RECEPTION1), channel);
    const seen = collectEvents(client.channel(channel), 'appointment-updated');
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => doctor.send('POST', '/api/consultations', { json: { appointment_id: waiting.id }, headers: { 'Idempotency-Key': key } })),
    );
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0]?.status).toBe(201);
    await drained(clinic, client, channel);
    expect(seen).toHaveLength(1);
    expect(clinic.store.consultationsWhere((c) => c.appointment_id === waiting.id && c.status === 'active')).toHaveLength(1);
    expect(clinic.api.idempotencyUses(key)).toEqual({ requests: 4, replayed: 3, refused: 0 });
  });

  it('keeps a refusal as the answer: the key replays its 422 even when the repeat would pass', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const headers = { 'Idempotency-Key': randomUUID() };
    const refused = await reception.send('PATCH', statusPath(target.id), { json: { status: 'cancelled' }, headers });
    expect(refused.status).toBe(422);
    const repeat = await reception.send('PATCH', statusPath(target.id), { json: { status: 'cancelled', reason: 'Ill' }, headers });
    expect([repeat.status, repeat.text]).toEqual([422, refused.text]);
    expect(clinic.store.appointment(target.id)).toEqual(target);
  });

  it('refuses the key on another request (422) and changes nothing; another user\'s same key is theirs', async () => {
    const clinic = await clinicWith();
    const first = await signIn(clinic, RECEPTION1);
    const second = await signIn(clinic, RECEPTION2);
    const [a, b] = [one(clinic, DOCTOR1, PRE_VISIT, 0), one(clinic, DOCTOR1, PRE_VISIT, 1)];
    const key = randomUUID();
    const headers = { 'Idempotency-Key': key };
    expect((await first.send('PATCH', statusPath(a.id), { ...checkIn(a), headers })).status).toBe(200);

    const misused = await first.send('PATCH', statusPath(b.id), { ...checkIn(b), headers });
    expect(misused.status).toBe(422);
    expect(misused.body).toEqual(KEY_REUSED);
    expect(clinic.store.appointment(b.id)).toEqual(b);
    const otherMethod = await first.send('POST', '/api/consultations', { json: { appointment_id: a.id }, headers });
    expect([otherMethod.status, otherMethod.body]).toEqual([422, KEY_REUSED]);

    const theirs = await second.send('PATCH', statusPath(b.id), { ...checkIn(b), headers });
    expect(theirs.status, theirs.text).toBe(200);
    expect(clinic.api.idempotencyUses(key)).toEqual({ requests: 4, replayed: 0, refused: 2 });
  });

  it('keeps an answer for 24 hours of the clinic\'s clock; after that the key is new again', async () => {
    let now = FIXED_NOW_MS;
    const clinic = await clinicWith({ now: () => now });
    const reception = await signIn(clinic, RECEPTION1);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const send = () => reception.send('PATCH', statusPath(target.id), { ...checkIn(target), headers: { 'Idempotency-Key': 'one-key-per-action' } });
    const first = await send();
    expect(first.status).toBe(200);
    now += 24 * HOUR - 1;
    expect((await send()).text).toBe(first.text);
    now += 1;
    const later = await send();
    expect(later.status).toBe(409);
    expect(later.body).toEqual({ message: `Already checked in by ${reception.name} at 10:00.` });
  });
});

// ------------------------------------------------------------ X-Socket-ID ---

describe('X-Socket-ID (toOthers)', () => {
  it('leaves the acting desk\'s socket out of every broadcast of the action, and reaches the others', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const doctor = await signIn(clinic, DOCTOR1);
    const schedule = doctorChannel(clinic, DOCTOR1);
    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const pending = clinic.store.consultationsWhere((c) => c.appointment_id === waiting.id && c.status === 'pending')[0]!;
    const consultationChannel = channels.consultation(pending.id).fullName;
    const desk = await listen(reception, schedule, consultationChannel);
    const doctorsDesk = await listen(doctor, schedule, consultationChannel);
    const deskSaw = collectEvents(desk.channel(schedule), 'appointment-updated');
    const doctorSaw = [collectEvents(doctorsDesk.channel(schedule), 'appointment-updated'), collectEvents(doctorsDesk.channel(consultationChannel), 'consultation-status-changed')];

    // Reception's check-in: the doctor hears it, reception's own socket does not.
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const heard = nextEvent(doctorsDesk, schedule, 'appointment-updated');
    expect((await reception.send('PATCH', statusPath(target.id), { ...checkIn(target), headers: { 'X-Socket-ID': socketIdOf(desk) } })).status).toBe(200);
    expect(await heard).toMatchObject({ id: target.id, status: 'checked_in' });
    await drained(clinic, desk, schedule);
    expect(deskSaw).toEqual([]);

    // The doctor's start: both of its broadcasts reach reception, none the doctor's own socket.
    const deskHeard = [nextEvent(desk, consultationChannel, 'consultation-status-changed'), nextEvent(desk, schedule, 'appointment-updated')];
    const started = await doctor.send('POST', '/api/consultations', { json: { appointment_id: waiting.id }, headers: { 'X-Socket-ID': socketIdOf(doctorsDesk) } });
    expect(started.status).toBe(201);
    expect(await Promise.all(deskHeard)).toMatchObject([{ id: pending.id, status: 'active' }, { id: waiting.id, status: 'in_consultation' }]);
    await drained(clinic, doctorsDesk, schedule);
    await drained(clinic, doctorsDesk, consultationChannel);
    expect(doctorSaw.map((events) => events.length)).toEqual([1, 0]);
    expect(doctorSaw[0]).toMatchObject([{ id: target.id, status: 'checked_in' }]);
  });
});

// --------------------------------------------------------------- dialects ---

const FULL_DIALECTS = ['default', 'resource', 'paginate', 'cursor', 'nested'] as const satisfies readonly ApiDialectName[];

const CONTRACT_APPOINTMENT = ['id', 'clinic_id', 'doctor_id', 'patient_id', 'patient_name', 'status', 'appointment_date', 'duration_minutes', 'reason', 'updated_at'].sort();
const CONTRACT_CONSULTATION = ['id', 'clinic_id', 'doctor_id', 'patient_id', 'patient_name', 'appointment_id', 'status', 'started_at', 'ended_at', 'updated_at'].sort();
const NESTED_APPOINTMENT = ['id', 'clinic', 'doctor', 'patient', 'status', 'starts_at', 'details', 'updated_at'].sort();
const NESTED_CONSULTATION = ['id', 'clinic', 'doctor', 'patient', 'appointment', 'status', 'started_at', 'ended_at', 'updated_at'].sort();

/** Every `id` and `*_id` in a record (nested ones too). */
function idValues(record: unknown, out: unknown[] = []): unknown[] {
  if (typeof record !== 'object' || record === null) return out;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'id' || key.endsWith('_id')) out.push(value);
    else if (typeof value === 'object' && value !== null) idValues(value, out);
  }
  return out;
}

describe('the actions in each dialect', () => {
  it.each(FULL_DIALECTS)('%s: each action answers {data} in the dialect\'s record shape, and broadcasts the contract\'s payload', async (dialect) => {
    const clinic = await clinicWith({ apiDialect: dialect });
    const reception = await signIn(clinic, RECEPTION1);
    const doctor = await signIn(clinic, DOCTOR1);
    const nested = dialect === 'nested';
    const ids = dialect === 'cursor' ? (id: number) => String(id) : (id: number) => id;
    const shapes = nested ? [NESTED_APPOINTMENT, NESTED_CONSULTATION] : [CONTRACT_APPOINTMENT, CONTRACT_CONSULTATION];
    const expectShape = (record: Json, keys: string[]) => {
      expect(keySet(record)).toEqual(keys);
      const values = idValues(record).filter((v) => v !== null);
      for (const value of values) expect(typeof value, JSON.stringify(record)).toBe(dialect === 'cursor' ? 'string' : 'number');
    };
    const schedule = doctorChannel(clinic, DOCTOR1);
    const client = await listen(reception, schedule);

    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const updated = nextEvent(client, schedule, 'appointment-updated');
    const checkedIn = await reception.send(nested ? 'PUT' : 'PATCH', statusPath(target.id), checkIn(target));
    expect(checkedIn.status, checkedIn.text).toBe(200);
    expectShape(data(checkedIn), shapes[0]!);
    expect(data(checkedIn)).toMatchObject({ id: ids(target.id), status: 'checked_in' });
    expect(await updated).toEqual(appointmentPayload(clinic.store.appointment(target.id)!, 'confirmed'));

    const started = await doctor.send('POST', '/api/consultations', { json: { appointment_id: ids(target.id) } });
    expect(started.status, started.text).toBe(201);
    expectShape(data(started), shapes[1]!);
    const consultationId = Number(data(started).id);
    const completed = await doctor.send('PATCH', `/api/consultations/${consultationId}`, { json: { status: 'completed' } });
    expect(completed.status, completed.text).toBe(200);
    expectShape(data(completed), shapes[1]!);
    expect(data(completed)).toMatchObject({ id: ids(consultationId), status: 'completed', ended_at: expect.any(String) });

    const waiting = one(clinic, DOCTOR1, ['checked_in']);
    const calledIn = await doctor.send('POST', `/api/appointments/${waiting.id}/call-in`);
    if (nested) {
      expect(calledIn.status).toBe(404);
      expect(calledIn.body).toEqual({ message: `The route api/appointments/${waiting.id}/call-in could not be found.` });
    } else {
      expect(calledIn.status, calledIn.text).toBe(200);
      expectShape(data(calledIn), shapes[0]!);
    }

    // A refusal reads the same in every dialect.
    const again = await reception.send(nested ? 'PUT' : 'PATCH', statusPath(target.id), checkIn(target));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: `Already completed by ${doctor.name} at 10:00.` });
  });

  it('nested: the status change is PUT only; a PATCH is Laravel\'s 405 naming GET, HEAD, PUT, with Allow', async () => {
    const clinic = await clinicWith({ apiDialect: 'nested' });
    const reception = await signIn(clinic, RECEPTION1);
    const res = await reception.send('PATCH', '/api/appointments/12', { json: { status: 'checked_in' } });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ message: 'The PATCH method is not supported for route api/appointments/12. Supported methods: GET, HEAD, PUT.' });
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT');
  });

  it.each([
    ['PATCH', '/api/appointments/1057'],
    ['PUT', '/api/appointments/1057'],
    ['POST', '/api/appointments/1057/call-in'],
    ['POST', '/api/consultations'],
    ['PATCH', '/api/consultations/3004'],
  ])('minimal: %s %s is Laravel\'s route 404', async (method, path) => {
    const clinic = await clinicWith({ apiDialect: 'minimal' });
    const doctor = await signIn(clinic, DOCTOR1);
    const res = await doctor.send(method, path, { json: { status: 'completed', appointment_id: 1057 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: `The route ${path.slice(1)} could not be found.` });
  });
});

// ---------------------------------------------------------------- OPTIONS ---

const PROBES = ['/api/appointments/0', '/api/appointments/0/call-in', '/api/consultations', '/api/consultations/0'] as const;
const ROUTER_ALLOW = ['GET,HEAD,PATCH', 'POST', 'GET,HEAD,POST', 'GET,HEAD,PATCH'];
/** What OPTIONS of each probe answers: an `Allow` (200), a route 404, or the CORS middleware's 204. */
const OFFERED: Record<ApiDialectName, ReadonlyArray<string | 404 | 204>> = {
  default: ROUTER_ALLOW,
  paginate: ROUTER_ALLOW,
  cursor: ROUTER_ALLOW,
  nested: ['GET,HEAD,PUT', 404, 'GET,HEAD,POST', 'GET,HEAD,PATCH'],
  resource: [204, 204, 204, 204],
  minimal: [404, 404, 404, 404],
};

describe('OPTIONS: how the desk finds what a server offers', () => {
  it.each(Object.keys(OFFERED) as ApiDialectName[])('%s', async (dialect) => {
    const clinic = await clinicWith({ apiDialect: dialect });
    const options = (path: string) => request(clinic.info.apiUrl, 'OPTIONS', path);
    for (const [i, path] of PROBES.entries()) {
      const expected = OFFERED[dialect][i];
      const res = await options(path);
      if (expected === 404) {
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.body).toEqual({ message: `The route ${path.slice(1)} could not be found.` });
      } else if (expected === 204) {
        expect([path, res.status, res.headers.get('allow'), res.text]).toEqual([path, 204, null, '']);
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      } else {
        // Laravel's router: 200, an empty body, the route's methods; no token needed.
        expect([path, res.status, res.headers.get('allow'), res.text]).toEqual([path, 200, expected, '']);
      }
    }
    const unknown = await options('/api/nope');
    expect(unknown.status).toBe(dialect === 'resource' ? 204 : 404);
    if (dialect !== 'resource') expect((await options('/api/user')).headers.get('allow')).toBe('GET,HEAD');
  });

  it('the methods Allow names are there: GET shows the record, as the 405 and OPTIONS say', async () => {
    const clinic = await clinicWith();
    const reception = await signIn(clinic, RECEPTION1);
    const target = one(clinic, DOCTOR1, PRE_VISIT);
    const shown = await reception.send('GET', statusPath(target.id));
    expect(shown.status).toBe(200);
    expect(data(shown)).toEqual(target);
    const running = clinic.store.consultationsWhere((c) => c.status === 'active' && c.clinic_id === 1)[0]!;
    expect(data(await reception.send('GET', `/api/consultations/${running.id}`))).toEqual(running);
    // A patient sees only their own.
    const patient = await signIn(clinic, PATIENT);
    const theirs = clinic.store.world.patients.find((p) => p.user_id === patient.id)!;
    const someoneElses = clinic.store.appointmentsOn(1, clinic.today(), (a) => a.patient_id !== theirs.id)[0]!;
    const refused = await patient.send('GET', statusPath(someoneElses.id));
    expect([refused.status, refused.body]).toEqual([403, UNAUTHORIZED]);
  });
});
