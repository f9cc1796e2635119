/**
 * Staff actions (docs/backend-contract.md, "Staff actions") through whole desk
 * cores (DeskService) signed in to a real demo clinic on 127.0.0.1, with real
 * SQLite cache files and real pusher-js: each action takes the outbox's one
 * path (shown at once, sent behind what waited, queued while the server
 * cannot answer and kept across a restart, sent exactly once), a refusal rolls
 * the card back with the server's sentence, undo withdraws or reverses, the
 * broadcast that follows reaches the other desks, and what a desk offers
 * follows what the server's routes take.
 */
import { describe, expect, it } from 'vitest';
import { DeskEvent } from '../../../src/shared/bridge';
import type { Appointment, User } from '../../../src/shared/domain';
import type { StaffActionRequest } from '../../../src/shared/staff-actions';
import { createHostAdapter } from '../../../src/main/core/desk/host-adapter';
import { memoryTokenStore } from '../../../src/main/core/desk/desk-service';
import { silentLogger } from '../../../src/main/core/log';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import { deskConfig, eventually, signInLive, testRig, type TestDesk, type createDesk } from '../../helpers/desk';

const RECEPTION = 'reception1@northside.clinic.test';
const RECEPTION2 = 'reception2@northside.clinic.test';
const DOCTOR = 'doctor1@northside.clinic.test';
const PRE_VISIT: readonly string[] = ['scheduled', 'confirmed', 'reminder_sent'];
const RECEPTION_ACTIONS = ['check-in', 'no-show', 'cancel'];
const DOCTOR_ACTIONS = ['call-in', 'start-consultation', 'complete-consultation'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const rig = testRig();
const clinic = (apiDialect: ApiDialectName = 'default'): Promise<DemoClinic> => rig.clinic({ apiDialect });
const desk = rig.desk;

async function signedIn(c: DemoClinic, email: string, options: Parameters<typeof createDesk>[1] = {}): Promise<TestDesk> {
  const d = desk(c, options);
  await signInLive(d, c, email);
  return d;
}

async function userOf(d: TestDesk): Promise<User> {
  const session = (await d.desk.getSnapshot()).session;
  if (session.status !== 'signed-in') throw new Error('not signed in');
  return session.user;
}

/** An appointment on the desk's board not seen yet (scheduled, confirmed, reminded), of `doctorId` when given. */
async function preVisit(d: TestDesk, doctorId?: number, skip: readonly number[] = []): Promise<Appointment> {
  const board = (await d.desk.getSnapshot()).board;
  const found = board?.appointments.find((a) => PRE_VISIT.includes(a.status) && (doctorId === undefined || a.doctor_id === doctorId) && !skip.includes(a.id));
  if (!found) throw new Error(`seed 42 gives the board no appointment before its visit${doctorId === undefined ? '' : ` for doctor ${doctorId}`}`);
  return found;
}

/** Reception and the doctor signed in, and one of the doctor's patients checked in by reception and seen so by the doctor's desk. */
async function patientWaiting(): Promise<{ c: DemoClinic; reception: TestDesk; doctor: TestDesk; me: User; target: Appointment }> {
  const c = await clinic();
  const reception = await signedIn(c, RECEPTION);
  const doctor = await signedIn(c, DOCTOR);
  const me = await userOf(doctor);
  const target = await preVisit(reception, me.doctor_id ?? undefined);
  await reception.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status });
  await doctor.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'checked_in');
  return { c, reception, doctor, me, target };
}

async function rowOf(d: TestDesk, id: number): Promise<Appointment | undefined> {
  return (await d.desk.getSnapshot()).board?.appointments.find((a) => a.id === id);
}

type Pending = Extract<DeskEvent, { kind: 'staff-action.pending' }>['action'];
type Settled = Extract<DeskEvent, { kind: 'staff-action.settled' }>['settled'];

function pendingMarks(d: TestDesk, since: number): Pending[] {
  return d.events.slice(since).flatMap((e) => (e.kind === 'staff-action.pending' ? [e.action] : []));
}

function settlements(d: TestDesk, since: number): Settled[] {
  return d.events.slice(since).flatMap((e) => (e.kind === 'staff-action.settled' ? [e.settled] : []));
}

const settledAs = (d: TestDesk, id: string, ms = 10_000) => d.waitFor('staff-action.settled', (e) => e.settled.id === id, ms).then((e) => e.settled);

/** Requests the clinic served for a path and method. */
const served = (c: DemoClinic, method: string, path: string) => c.api.requestLog.filter((r) => r.method === method && r.path === path);

/** Every event the desk emitted would cross the bridge (the host adapter checks each against the contract). */
function allCrossTheBridge(d: TestDesk): void {
  const refused = d.events.filter((e) => !DeskEvent.safeParse(e).success).map((e) => e.kind);
  expect(refused).toEqual([]);
}

/** The bridge as a window calls it: the envelope, with the error's kind and message. */
function bridge(d: TestDesk) {
  const adapter = createHostAdapter(d.desk, silentLogger);
  return {
    act: (request: StaffActionRequest) => adapter.call('staffAction', request),
    undo: (id: string) => adapter.call('undoStaffAction', { id }),
  };
}

describe('an action reaches the other desks', () => {
  it('reception checks a patient in: shown at once, done, and the doctor’s desk has it within a second', async () => {
    const c = await clinic();
    const reception = await signedIn(c, RECEPTION);
    const doctor = await signedIn(c, DOCTOR);
    const me = await userOf(doctor);
    const target = await preVisit(reception, me.doctor_id ?? undefined);
    expect((await reception.desk.getSnapshot()).staffActions).toEqual(RECEPTION_ACTIONS);
    expect((await doctor.desk.getSnapshot()).staffActions).toEqual(DOCTOR_ACTIONS);

    const since = reception.mark();
    const seen = doctor.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'checked_in', 1_000, doctor.mark());
    const started = performance.now();
    const result = await reception.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status });
    await seen;
    const elapsed = performance.now() - started;

    expect(result).toEqual({ id: expect.stringMatching(UUID) as string, status: 'done' });
    expect(elapsed).toBeLessThan(1_000);
    // The mark went up at once, before the answer, with the status before for an undo.
    expect(pendingMarks(reception, since)).toEqual([
      expect.objectContaining({ id: result.id, kind: 'check-in', appointmentId: target.id, status: 'checked_in', previousStatus: target.status, state: 'sending', undoes: null }),
    ]);
    expect(pendingMarks(reception, since)[0]?.undoUntil).not.toBeNull();
    expect(settlements(reception, since)).toEqual([{ id: result.id, kind: 'check-in', appointmentId: target.id, outcome: 'done', message: null }]);
    // This desk's own broadcast does not come back to it: the server's answer put the card right.
    expect((await rowOf(reception, target.id))?.status).toBe('checked_in');
    expect((await reception.desk.getSnapshot()).pendingActions).toEqual([]);
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect(c.api.idempotencyUses(result.id).requests).toBe(1);
    allCrossTheBridge(reception);
    allCrossTheBridge(doctor);
  });
});

describe('through the outbox', () => {
  it('while the API is down: pending and queued at once, kept across a restart, sent exactly once when the server is back', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const first = await signedIn(c, RECEPTION, { tokens });
    const target = await preVisit(first);
    const path = `/api/appointments/${target.id}`;

    c.api.injectFault({ path: /^\/api\//, status: 503, times: 1_000_000 });
    const since = first.mark();
    const acting = first.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status });
    // Shown at once, before any answer.
    expect(pendingMarks(first, since)).toEqual([expect.objectContaining({ kind: 'check-in', appointmentId: target.id, status: 'checked_in', state: 'sending' })]);
    const result = await acting;
    expect(result).toEqual({ id: expect.stringMatching(UUID) as string, status: 'queued' });
    expect(pendingMarks(first, since).map((p) => [p.id, p.state])).toEqual([
      [result.id, 'sending'],
      [result.id, 'queued'],
    ]);
    expect((await first.desk.getSnapshot()).pendingActions).toEqual([expect.objectContaining({ id: result.id, state: 'queued', status: 'checked_in', previousStatus: target.status })]);
    expect((await first.desk.getDiagnostics()).cache.outbox).toBe(1);
    // The card itself still shows the server's status: the action is only a mark on it.
    expect((await rowOf(first, target.id))?.status).toBe(target.status);
    await first.desk.close();

    // A restart: the action is in the SQLite file. The server answers again, but not yet for this appointment.
    c.api.clearFaults();
    c.api.injectFault({ path: new RegExp(`^${path}$`), status: 503, times: 1_000_000 });
    const second = desk(c, { tokens, cacheDir: first.cacheDir });
    expect(await second.desk.resume()).toBe(true);
    expect((await second.desk.getSnapshot()).pendingActions).toEqual([expect.objectContaining({ id: result.id, kind: 'check-in', state: 'queued', status: 'checked_in' })]);
    expect(c.store.appointment(target.id)?.status).toBe(target.status);

    // Back: the outbox sends it by itself, once.
    c.api.clearFaults();
    expect(await settledAs(second, result.id, 20_000)).toEqual({ id: result.id, kind: 'check-in', appointmentId: target.id, outcome: 'done', message: null });
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect(c.api.idempotencyUses(result.id).requests).toBe(1);
    expect(served(c, 'PATCH', path).filter((r) => r.status === 200)).toHaveLength(1);
    await eventually(async () => expect((await rowOf(second, target.id))?.status).toBe('checked_in'));
    expect((await second.desk.getSnapshot()).pendingActions).toEqual([]);
    expect((await second.desk.getDiagnostics()).cache.outbox).toBe(0);
  });

  it('a colleague acted first: refused with the server’s sentence (kind conflict), the card back to what the server holds', async () => {
    const c = await clinic();
    const mine = await signedIn(c, RECEPTION);
    const theirs = await signedIn(c, RECEPTION2);
    const target = await preVisit(mine);

    expect((await theirs.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status })).status).toBe('done');
    const since = mine.mark();
    // The window still showed the card as it was (a stale card): the server says no.
    const answer = await bridge(mine).act({ kind: 'no-show', appointmentId: target.id, expectedStatus: target.status });
    if (answer.ok) throw new Error('the stale no-show was taken');
    expect(answer.error.kind).toBe('conflict');
    expect(answer.error.message).toMatch(/\S/);
    expect(answer.error.message.length).toBeLessThanOrEqual(200);
    expect(answer.error.message).not.toMatch(/answered 409|PATCH/);
    const settled = settlements(mine, since);
    expect(settled).toEqual([expect.objectContaining({ kind: 'no-show', appointmentId: target.id, outcome: 'refused', message: answer.error.message })]);
    expect((await mine.desk.getSnapshot()).pendingActions).toEqual([]);
    await eventually(async () => expect((await rowOf(mine, target.id))?.status).toBe('checked_in'));
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect((await mine.desk.getDiagnostics()).cache.outbox).toBe(0);
  });

  it('a broadcast that crosses a queued action is not lost; the action is then refused and the card shows the server’s', async () => {
    const c = await clinic();
    const d = await signedIn(c, RECEPTION);
    const target = await preVisit(d);
    const path = `/api/appointments/${target.id}`;

    c.api.injectFault({ path: new RegExp(`^${path}$`), status: 503, times: 1_000_000 });
    const queued = await d.desk.staffAction({ kind: 'no-show', appointmentId: target.id, expectedStatus: target.status });
    expect(queued.status).toBe('queued');
    // Meanwhile the patient is checked in elsewhere: the broadcast reaches this desk and the card takes it.
    const since = d.mark();
    await c.backend.setAppointmentStatus(target.id, 'checked_in');
    await d.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'checked_in', 5_000, since);
    expect((await rowOf(d, target.id))?.status).toBe('checked_in');
    expect((await d.desk.getSnapshot()).pendingActions).toEqual([expect.objectContaining({ id: queued.id, status: 'no_show', previousStatus: target.status })]);

    c.api.clearFaults();
    const settled = await settledAs(d, queued.id, 20_000);
    expect(settled).toMatchObject({ kind: 'no-show', outcome: 'refused' });
    expect(settled.message).toMatch(/\S/);
    expect((await rowOf(d, target.id))?.status).toBe('checked_in');
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect((await d.desk.getSnapshot()).pendingActions).toEqual([]);
  });
});

describe('undo', () => {
  it('before it was sent (it waited behind another action): withdrawn, nothing reaches the server', async () => {
    const c = await clinic();
    const d = await signedIn(c, RECEPTION);
    const target = await preVisit(d);
    const unread = (await d.desk.listNotifications({ limit: 50, unreadOnly: true })).items[0];
    if (!unread) throw new Error('seed 42 gives reception no unread notification');

    // An earlier action the server cannot take yet holds the outbox: the check-in waits behind it, never tried.
    c.api.injectFault({ path: new RegExp(`^/api/notifications/${unread.id}/read$`), status: 503, times: 1_000_000 });
    expect((await d.desk.markNotificationRead({ id: unread.id })).status).toBe('queued');
    const checkIn = await d.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status });
    expect(checkIn.status).toBe('queued');

    const since = d.mark();
    expect(await d.desk.undoStaffAction({ id: checkIn.id })).toEqual({ id: checkIn.id, status: 'done' });
    expect(settlements(d, since)).toEqual([{ id: checkIn.id, kind: 'check-in', appointmentId: target.id, outcome: 'undone', message: null }]);
    expect((await d.desk.getSnapshot()).pendingActions).toEqual([]);
    // Undone once is enough.
    const again = await bridge(d).undo(checkIn.id);
    expect(again.ok).toBe(false);
    allCrossTheBridge(d);

    c.api.clearFaults();
    await eventually(async () => expect((await d.desk.getDiagnostics()).cache.outbox).toBe(0), 20_000);
    expect(served(c, 'PATCH', `/api/appointments/${target.id}`)).toEqual([]);
    expect(c.api.idempotencyUses(checkIn.id).requests).toBe(0);
    expect(c.store.appointment(target.id)?.status).toBe(target.status);
  });

  it('after it was sent: an undo of its own goes back to the status before, and every desk sees it', async () => {
    const c = await clinic();
    const reception = await signedIn(c, RECEPTION);
    const doctor = await signedIn(c, DOCTOR);
    const me = await userOf(doctor);
    const target = await preVisit(reception, me.doctor_id ?? undefined);

    const cancel = await reception.desk.staffAction({ kind: 'cancel', appointmentId: target.id, expectedStatus: target.status, reason: 'Rang to cancel' });
    expect(cancel.status).toBe('done');
    await doctor.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'cancelled');
    const since = reception.mark();
    const back = doctor.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === target.status, 5_000, doctor.mark());
    const undo = await reception.desk.undoStaffAction({ id: cancel.id });
    expect(undo).toEqual({ id: expect.stringMatching(UUID) as string, status: 'done' });
    expect(undo.id).not.toBe(cancel.id);
    await back;

    expect(pendingMarks(reception, since)).toEqual([expect.objectContaining({ id: undo.id, kind: 'undo', undoes: cancel.id, status: target.status, previousStatus: 'cancelled', undoUntil: null })]);
    expect(settlements(reception, since)).toEqual([
      { id: undo.id, kind: 'undo', appointmentId: target.id, outcome: 'done', message: null },
      { id: cancel.id, kind: 'cancel', appointmentId: target.id, outcome: 'undone', message: null },
    ]);
    expect(c.store.appointment(target.id)?.status).toBe(target.status);
    expect((await rowOf(reception, target.id))?.status).toBe(target.status);
    expect([c.api.idempotencyUses(cancel.id).requests, c.api.idempotencyUses(undo.id).requests]).toEqual([1, 1]);
    // Undone: nothing more to undo.
    expect((await bridge(reception).undo(cancel.id)).ok).toBe(false);
  });
});

describe('the doctor’s actions', () => {
  it('call-in: reception is notified by the server and hears the doctor’s desk whisper', async () => {
    const { c, reception, doctor, me, target } = await patientWaiting();

    const since = reception.mark();
    const notified = reception.waitFor('notification.upserted', (e) => e.isNew && e.notification.type === 'call-in', 5_000, since);
    const whispered = reception.waitFor('called-in', (e) => e.call.appointmentId === target.id, 5_000, since);
    const result = await doctor.desk.staffAction({ kind: 'call-in', appointmentId: target.id });
    expect(result.status).toBe('done');
    expect((await notified).notification.message).toContain(target.patient_name);
    expect((await whispered).call).toMatchObject({ appointmentId: target.id, patientName: target.patient_name, doctorId: me.doctor_id, doctorName: me.name });
    // The status stays: a call-in is not a change of the card.
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect(settlements(doctor, 0).find((s) => s.id === result.id)).toMatchObject({ kind: 'call-in', outcome: 'done' });
    allCrossTheBridge(reception);
    allCrossTheBridge(doctor);
  });

  it('start and complete a consultation: it joins the list and is followed live, and the other desks follow', async () => {
    const { c, reception, doctor, target } = await patientWaiting();

    const started = await doctor.desk.staffAction({ kind: 'start-consultation', appointmentId: target.id });
    expect(started.status).toBe('done');
    const opened = (await doctor.waitFor('consultation.updated', (e) => e.consultation.appointment_id === target.id)).consultation;
    expect(opened.status).toBe('active');
    expect((await doctor.desk.getSnapshot()).consultations.map((x) => x.id)).toContain(opened.id);
    await eventually(async () => expect((await doctor.desk.getSnapshot()).channels.find((ch) => ch.name === `private-consultations.${opened.id}`)?.state).toBe('subscribed'));
    await eventually(async () => expect((await rowOf(doctor, target.id))?.status).toBe('in_consultation'));
    // Reception's desk did not follow this consultation yet: the appointment's broadcast has it read the list.
    await eventually(async () => expect((await reception.desk.getSnapshot()).consultations.find((x) => x.id === opened.id)?.status).toBe('active'));
    await eventually(async () => expect((await rowOf(reception, target.id))?.status).toBe('in_consultation'));

    const completed = await doctor.desk.staffAction({ kind: 'complete-consultation', consultationId: opened.id });
    expect(completed.status).toBe('done');
    await eventually(async () => expect((await doctor.desk.getSnapshot()).consultations.find((x) => x.id === opened.id)?.status).toBe('completed'));
    await eventually(async () => expect((await reception.desk.getSnapshot()).consultations.find((x) => x.id === opened.id)?.status).toBe('completed'));
    await eventually(async () => expect((await rowOf(reception, target.id))?.status).toBe('completed'));
    await eventually(async () => expect((await rowOf(doctor, target.id))?.status).toBe('completed'));
    expect(c.store.appointment(target.id)?.status).toBe('completed');
    expect([c.api.idempotencyUses(started.id).requests, c.api.idempotencyUses(completed.id).requests]).toEqual([1, 1]);
  });
});

describe('what a desk offers', () => {
  const options = (c: DemoClinic) => c.api.requestLog.filter((r) => r.method === 'OPTIONS');

  it('default: every action of the role, after one OPTIONS per action path', async () => {
    const c = await clinic('default');
    const reception = await signedIn(c, RECEPTION);
    await eventually(() => expect(options(c)).toHaveLength(1));
    expect((await reception.desk.getSnapshot()).staffActions).toEqual(RECEPTION_ACTIONS);
    const doctor = await signedIn(c, DOCTOR);
    await eventually(() => expect(options(c)).toHaveLength(4));
    expect(new Set(options(c).map((r) => r.path)).size).toBe(4);
    expect((await doctor.desk.getSnapshot()).staffActions).toEqual(DOCTOR_ACTIONS);
  });

  it('nested: no call-in, and PATCH refused, until the profile says PUT', async () => {
    const c = await clinic('nested');
    const reception = await signedIn(c, RECEPTION);
    await reception.waitFor('staff-actions.offered', (e) => e.actions.length === 0);
    expect((await reception.desk.getSnapshot()).staffActions).toEqual([]);
    const refused = await bridge(reception).act({ kind: 'check-in', appointmentId: 1, expectedStatus: 'scheduled' });
    expect(refused).toEqual({ ok: false, error: { kind: 'unavailable', message: 'This clinic server does not offer checking patients in.' } });
    const doctor = await signedIn(c, DOCTOR);
    await doctor.waitFor('staff-actions.offered', (e) => !e.actions.includes('call-in'));
    expect((await doctor.desk.getSnapshot()).staffActions).not.toContain('call-in');

    const put = await signedIn(c, RECEPTION2, { config: deskConfig(c, { api: { methods: { appointmentUpdate: 'PUT' } } }) });
    await eventually(async () => expect((await put.desk.getSnapshot()).staffActions).toEqual(RECEPTION_ACTIONS));
    const target = await preVisit(put);
    expect((await put.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status })).status).toBe('done');
    expect(served(c, 'PUT', `/api/appointments/${target.id}`).map((r) => r.status)).toEqual([200]);
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
  });

  it('minimal: nothing, and an action is refused without a request', async () => {
    const c = await clinic('minimal');
    const reception = await signedIn(c, RECEPTION);
    await reception.waitFor('staff-actions.offered', (e) => e.actions.length === 0);
    const doctor = await signedIn(c, DOCTOR);
    await doctor.waitFor('staff-actions.offered', (e) => e.actions.length === 0);
    const before = c.api.requestLog.length;
    const refused = await bridge(doctor).act({ kind: 'call-in', appointmentId: 1 });
    expect(refused).toEqual({ ok: false, error: { kind: 'unavailable', message: 'This clinic server does not offer calling patients in.' } });
    expect(c.api.requestLog.length).toBe(before);
  });

  it('resource: its OPTIONS answers name no methods, so every action is offered until a request says otherwise', async () => {
    const c = await clinic('resource');
    const reception = await signedIn(c, RECEPTION);
    await eventually(() => expect(options(c)).toHaveLength(1));
    expect((await reception.desk.getSnapshot()).staffActions).toEqual(RECEPTION_ACTIONS);
    expect(reception.events.some((e) => e.kind === 'staff-actions.offered')).toBe(false);
    const target = await preVisit(reception);
    expect((await reception.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status })).status).toBe('done');
  });

  it('a request that meets a missing route hides the action for the session', async () => {
    const c = await clinic();
    const doctor = await signedIn(c, DOCTOR);
    const callIn = /^\/api\/appointments\/\d+\/call-in$/;
    const notAllowed = JSON.stringify({ message: 'The POST method is not supported for route api/appointments/1/call-in. Supported methods: GET, HEAD.' });
    c.api.injectFault({ path: callIn, status: 405, times: 1, raw: { body: notAllowed, contentType: 'application/json', headers: { Allow: 'GET, HEAD' } } });

    const since = doctor.mark();
    const first = await bridge(doctor).act({ kind: 'call-in', appointmentId: 1 });
    expect(first).toEqual({ ok: false, error: { kind: 'unavailable', message: 'This clinic server does not offer that action (it answered 405).' } });
    expect(doctor.events.slice(since).find((e) => e.kind === 'staff-actions.offered')).toEqual({ kind: 'staff-actions.offered', actions: ['start-consultation', 'complete-consultation'] });
    const tried = c.api.requestLog.filter((r) => callIn.test(r.path)).length;
    const second = await bridge(doctor).act({ kind: 'call-in', appointmentId: 1 });
    expect(second).toEqual({ ok: false, error: { kind: 'unavailable', message: 'This clinic server does not offer calling patients in.' } });
    expect(c.api.requestLog.filter((r) => callIn.test(r.path))).toHaveLength(tried);
  });
});

describe('a socket server restart mid-way', () => {
  it('neither loses nor repeats an action: sent once over REST, and the other desk catches up when the socket is back', async () => {
    const c = await clinic();
    const reception = await signedIn(c, RECEPTION);
    const doctor = await signedIn(c, DOCTOR);
    const me = await userOf(doctor);
    const target = await preVisit(reception, me.doctor_id ?? undefined);
    const second = await preVisit(reception, undefined, [target.id]);

    const down = doctor.mark();
    await c.stopRealtime();
    await doctor.waitFor('connection', (e) => e.connection.status !== 'live', 5_000, down);
    const during = await reception.desk.staffAction({ kind: 'check-in', appointmentId: target.id, expectedStatus: target.status });
    expect(during.status).toBe('done');
    expect((await rowOf(reception, target.id))?.status).toBe('checked_in');

    const up = doctor.mark();
    await c.startRealtime();
    await doctor.waitFor('connection', (e) => e.connection.status === 'live', 10_000, up);
    await eventually(async () => expect((await rowOf(doctor, target.id))?.status).toBe('checked_in'));
    // Once reconnected, actions and their broadcasts flow as before.
    const after = await reception.desk.staffAction({ kind: 'no-show', appointmentId: second.id, expectedStatus: second.status });
    expect(after.status).toBe('done');

    expect([c.api.idempotencyUses(during.id).requests, c.api.idempotencyUses(after.id).requests]).toEqual([1, 1]);
    expect(served(c, 'PATCH', `/api/appointments/${target.id}`)).toHaveLength(1);
    expect(c.store.appointment(target.id)?.status).toBe('checked_in');
    expect(c.store.appointment(second.id)?.status).toBe('no_show');
    expect((await reception.desk.getSnapshot()).pendingActions).toEqual([]);
    expect((await reception.desk.getDiagnostics()).cache.outbox).toBe(0);
  });
});
