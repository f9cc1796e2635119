/**
 * BoardPart on its own: the day's appointments read from a demo clinic over
 * real HTTP, live `appointment-updated` payloads applied newest-wins, the
 * doctors' columns, switching days, and staleness.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../../../src/main/core/api/client';
import { BoardPart } from '../../../../src/main/core/sync/board';
import type { Appointment, ClinicMember } from '../../../../src/shared/domain';
import { Board } from '../../../../src/shared/desk-state';
import type { AppointmentUpdatePayload } from '../../../../src/shared/payloads';
import { TODAY, TOMORROW, YESTERDAY } from '../../../helpers/demo';
import { DOCTOR_LIAM, NOW_ISO, RECEPTION, closeAll, closedPortApi, first, justBefore, recordedContext, requestsTo, signedIn, takeProblems } from './context';

const RECEPTION_EMAIL = 'reception1@northside.clinic.test';
const NORTHSIDE = 1;

/** Northside's doctors as its members list names them, by name. */
const NORTHSIDE_DOCTORS = [
  { doctorId: 31, name: 'Dr. Grace Petrov', refreshSeconds: null },
  { doctorId: 32, name: 'Dr. Liam Garcia', refreshSeconds: null },
  { doctorId: 33, name: 'Dr. Sami Haddad', refreshSeconds: null },
];

afterEach(async () => {
  // Every event would cross the bridge and every snapshot passed its own schema.
  const problems = takeProblems();
  await closeAll();
  expect(problems).toEqual([]);
});

/** The payload Laravel broadcasts for an appointment, with whatever a test changes. */
function payload(a: Appointment, timestamp: string, changes: Partial<Omit<AppointmentUpdatePayload, 'details'>> & { details?: AppointmentUpdatePayload['details'] } = {}): AppointmentUpdatePayload {
  return {
    id: a.id,
    action: 'confirmed',
    status: a.status,
    appointment_date: a.appointment_date,
    details: { clinic_id: a.clinic_id, doctor_id: a.doctor_id, patient_id: a.patient_id, patient_name: a.patient_name, duration_minutes: a.duration_minutes, reason: a.reason },
    timestamp,
    ...changes,
  };
}

function held(part: BoardPart, id: number): Appointment {
  const found = part.current()?.appointments.find((a) => a.id === id);
  if (!found) throw new Error(`appointment ${id} is not on the board`);
  return found;
}

/** A board of today, synced from the demo (default dialect) as reception, with Northside's members. */
async function syncedBoard() {
  const { clinic, api, user, advance } = await signedIn(RECEPTION_EMAIL);
  const r = recordedContext(user, api);
  const members = clinic.store.members(NORTHSIDE);
  const part = new BoardPart(r.ctx, TODAY, () => members);
  await part.sync(false);
  r.clear();
  return { clinic, api, user, r, part, members, advance };
}

describe('BoardPart: restore and sync', () => {
  it('restore shows the cached board of its day, as stale, without asking the server', async () => {
    const { r: first, part: synced } = await syncedBoard();
    const before = synced.current();
    expect(before?.stale).toBe(false);

    // The next start: same cache, no server.
    const offline = await closedPortApi();
    const next = recordedContext(RECEPTION, offline, { snapshots: first.snapshots });
    const part = new BoardPart(next.ctx, TODAY, () => []);
    expect(part.current()).toBeNull();
    part.restore();
    expect(part.current()).toEqual({ ...before, stale: true });
    expect(part.current()?.appointments).toHaveLength(32);

    // Another day has no cached board.
    const other = new BoardPart(recordedContext(RECEPTION, offline, { snapshots: first.snapshots }).ctx, TOMORROW, () => []);
    other.restore();
    expect(other.current()).toBeNull();
  });

  it('sync reads every page of the day (paginate dialect) and makes it the board of the day', async () => {
    const { clinic, api, user, sent } = await signedIn(RECEPTION_EMAIL, 'paginate');
    const r = recordedContext(user, api);
    const members = clinic.store.members(NORTHSIDE);
    const part = new BoardPart(r.ctx, TODAY, () => members);
    const asked = () => sent.filter((u) => u.pathname === '/api/appointments').map((u) => ({ date: u.searchParams.get('date'), per_page: u.searchParams.get('per_page'), page: u.searchParams.get('page') }));

    const result = await part.sync(false);
    const expected = clinic.store.appointmentsOn(NORTHSIDE, TODAY);
    // More of the day than the server's largest page (25): more than one page to read.
    expect(expected.length).toBeGreaterThan(25);
    const pages = Math.ceil(expected.length / 25);
    const at25 = Array.from({ length: pages }, (_, i) => ({ date: TODAY, per_page: '25', page: i === 0 ? null : String(i + 1) }));
    // The desk asks for its own page size (500); the server refuses it (422: at most 25); the desk asks again with 25 and reads every page.
    expect(asked()).toEqual([{ date: TODAY, per_page: '500', page: null }, ...at25]);
    expect(requestsTo(clinic, '/api/appointments')).toEqual([422, ...at25.map(() => 200)]);
    expect(result.board).toEqual({ date: TODAY, doctors: NORTHSIDE_DOCTORS, appointments: expected, syncedAt: NOW_ISO, stale: false });
    expect(result.dropped).toBe(0);
    expect(result.problem).toBeNull();
    expect(part.current()).toEqual(result.board);
    expect(r.events).toEqual([{ kind: 'board.replaced', board: result.board }]);
    expect(r.snapshot(`board:${TODAY}`, Board)).toEqual(result.board);

    // Read while not live: the same rows, flagged stale.
    const again = await part.sync(true);
    expect(again.board).toEqual({ ...result.board, stale: true });
    // The server's limit is remembered: no second 422.
    expect(asked().slice(1 + pages)).toEqual(at25);
    expect(requestsTo(clinic, '/api/appointments').slice(1 + pages)).toEqual(at25.map(() => 200));
  });

  it('sync of another day returns it and caches it, but leaves the board of the day alone', async () => {
    const { clinic, r, part } = await syncedBoard();
    const today = part.current();
    const result = await part.sync(false, TOMORROW);
    expect(result.board.date).toBe(TOMORROW);
    expect(result.board.appointments).toEqual(clinic.store.appointmentsOn(NORTHSIDE, TOMORROW));
    expect(part.current()).toBe(today);
    expect(part.date).toBe(TODAY);
    expect(r.events).toEqual([]);
    expect(r.snapshot(`board:${TOMORROW}`, Board)).toEqual(result.board);
  });

  it('keeps a live update that raced the listing and is newer than its row; a newer row wins over an older update', async () => {
    const { clinic, r, part } = await syncedBoard();
    // Two scheduled appointments whose rows last changed before 09:59 (booked earlier).
    const scheduled = clinic.store.appointmentsOn(NORTHSIDE, TODAY, (a) => a.status === 'scheduled' && Date.parse(a.updated_at) < Date.parse('2026-11-26T09:59:00Z'));
    const raced = held(part, first(scheduled, 'scheduled appointment today').id);
    const overtaken = held(part, first(scheduled.slice(1), 'second scheduled appointment today').id);

    // An update the desk holds for `overtaken`, newer than its row but older than what the server will have.
    expect(part.onUpdate(payload(overtaken, '2026-11-26T09:59:00.000000Z', { status: 'confirmed' }))).toBe('applied');
    // The server then checks it in, stamped at the fixed clock's 10:00 (a microsecond or two on, after the
    // generated day's own rows of that millisecond): newer than the desk's 09:59 update, older than 10:00:00.000500.
    const serverRow = clinic.store.updateAppointment(overtaken.id, { status: 'checked_in' });
    expect(serverRow.updated_at).toMatch(/^2026-11-26T10:00:00\.0000\d\dZ$/);

    // `raced` is confirmed live while the listing is on its way; the server's row is older.
    const syncing = part.sync(false);
    const live = payload(raced, '2026-11-26T10:00:00.000500Z', { status: 'confirmed' });
    expect(part.onUpdate(live)).toBe('applied');
    const { board } = await syncing;

    expect(held(part, raced.id)).toEqual({ ...raced, status: 'confirmed', updated_at: '2026-11-26T10:00:00.000500Z' });
    expect(clinic.store.appointment(raced.id)?.status).toBe('scheduled');
    expect(held(part, overtaken.id)).toEqual(serverRow);
    expect(board.appointments).toHaveLength(clinic.store.appointmentsOn(NORTHSIDE, TODAY).length);
    expect(r.snapshot(`board:${TODAY}`, Board)?.appointments.find((a) => a.id === raced.id)?.status).toBe('confirmed');
  });
});

describe('BoardPart: a read and live updates that crossed (the shared board reducer)', () => {
  it('keeps an appointment a live update brought while the read was on its way, until a later read', async () => {
    const { part } = await syncedBoard();
    const syncing = part.sync(false);
    const walkIn: AppointmentUpdatePayload = {
      id: 1510,
      action: 'created',
      status: 'checked_in',
      appointment_date: `${TODAY}T10:30:00.000000Z`,
      details: { clinic_id: 1, doctor_id: 31, patient_id: 531, patient_name: 'Walk In' },
      timestamp: '2026-11-26T10:00:04.000000Z',
    };
    expect(part.onUpdate(walkIn)).toBe('applied');
    const { board } = await syncing;
    // The read left before the walk-in was booked: it stays.
    expect(board.appointments.map((a) => a.id)).toContain(1510);
    // A read sent after it that does not list it settles it.
    await part.sync(false);
    expect(part.current()?.appointments.map((a) => a.id)).not.toContain(1510);
  });

  it('does not bring back an appointment a newer live update moved to another day; a newer read does', async () => {
    const { clinic, part } = await syncedBoard();
    const booked = clinic.store.appointmentsOn(NORTHSIDE, TODAY, (a) => a.status === 'scheduled' && Date.parse(a.updated_at) < Date.parse('2026-11-26T09:59:00Z'));
    const a = held(part, first(booked, 'scheduled appointment today').id);
    const moved = { ...a, appointment_date: `${TOMORROW}T09:30:00.000000Z` };
    expect(part.onUpdate(payload(moved, '2026-11-26T09:59:00.000000Z', { action: 'rescheduled' }))).toBe('applied');
    // The server's list (older than the move) still has it today.
    await part.sync(false);
    expect(part.current()?.appointments.map((x) => x.id)).not.toContain(a.id);
    // A late event from before the move does not bring it back either.
    expect(part.onUpdate(payload(a, '2026-11-26T09:58:00.000000Z', { status: 'confirmed' }))).toBe('ignored');
    // Changed on the server after the move (stamped 10:00:00 by the fixed clock): the read wins.
    clinic.store.updateAppointment(a.id, { status: 'confirmed' });
    await part.sync(false);
    expect(held(part, a.id).status).toBe('confirmed');
  });
});

describe('BoardPart: live updates', () => {
  it('applies a newer update to a known appointment and says what changed', async () => {
    const { r, part } = await syncedBoard();
    const before = held(part, 1076);
    const result = part.onUpdate(payload(before, '2026-11-26T10:00:01.000000Z', { status: 'confirmed', details: { reason: 'Follow-up' } }));
    expect(result).toBe('applied');
    const after = { ...before, status: 'confirmed', reason: 'Follow-up', updated_at: '2026-11-26T10:00:01.000000Z' };
    expect(held(part, 1076)).toEqual(after);
    expect(r.events).toEqual([{ kind: 'appointment.updated', appointment: after, action: 'confirmed', changed: ['status', 'reason'] }]);
    expect(part.current()?.appointments.map((a) => a.id)).toHaveLength(32);
    expect(r.snapshot(`board:${TODAY}`, Board)?.appointments.find((a) => a.id === 1076)).toEqual(after);
  });

  it('ignores an appointment of another day that it does not hold', async () => {
    const { r, part } = await syncedBoard();
    const board = part.current();
    const tomorrow: Appointment = { ...held(part, 1076), id: 1999, appointment_date: `${TOMORROW}T09:30:00.000000Z` };
    expect(part.onUpdate(payload(tomorrow, '2026-11-26T10:00:01.000000Z'))).toBe('ignored');
    expect(part.current()).toBe(board);
    expect(r.events).toEqual([]);
  });

  it('takes a held appointment moved to another day off the board', async () => {
    const { r, part } = await syncedBoard();
    const moved = { ...held(part, 1076), appointment_date: `${TOMORROW}T09:30:00.000000Z` };
    expect(part.onUpdate(payload(moved, '2026-11-26T10:00:01.000000Z', { action: 'rescheduled' }))).toBe('applied');
    expect(part.current()?.appointments.map((a) => a.id)).not.toContain(1076);
    expect(part.current()?.appointments).toHaveLength(31);
    expect(r.of('appointment.updated')).toEqual([
      { kind: 'appointment.updated', appointment: { ...moved, updated_at: '2026-11-26T10:00:01.000000Z' }, action: 'rescheduled', changed: ['appointment_date'] },
    ]);
  });

  it('ignores an update older than (or as old as) the appointment it holds', async () => {
    const { clinic, r, part } = await syncedBoard();
    const board = part.current();
    const a = held(part, first(clinic.store.appointmentsOn(NORTHSIDE, TODAY, (x) => x.status === 'scheduled'), 'scheduled appointment today').id);
    expect(part.onUpdate(payload(a, justBefore(a.updated_at), { status: 'cancelled' }))).toBe('ignored');
    expect(part.onUpdate(payload(a, a.updated_at, { status: 'cancelled' }))).toBe('ignored');
    expect(part.current()).toBe(board);
    expect(held(part, a.id).status).toBe('scheduled');
    expect(r.events).toEqual([]);
  });

  it('adds an appointment it has not seen when the update carries its doctor and patient, in time order', async () => {
    const { clinic, r, part } = await syncedBoard();
    const day = clinic.store.appointmentsOn(NORTHSIDE, TODAY);
    expect(clinic.store.appointment(1500)).toBeNull();
    // 09:10 falls between the day's appointments, on no one's slot.
    const at = Date.parse(`${TODAY}T09:10:00Z`);
    const earlier = day.filter((a) => Date.parse(a.appointment_date) < at).map((a) => a.id);
    const later = day.filter((a) => Date.parse(a.appointment_date) > at).map((a) => a.id);
    expect(earlier).not.toEqual([]);
    expect(later).not.toEqual([]);
    expect(earlier.length + later.length).toBe(day.length);
    const update: AppointmentUpdatePayload = {
      id: 1500,
      action: 'created',
      status: 'scheduled',
      appointment_date: `${TODAY}T09:10:00.000000Z`,
      details: { clinic_id: 1, doctor_id: 32, patient_id: 530, patient_name: 'Ada Lovelace', duration_minutes: 20, reason: 'Check-up' },
      timestamp: '2026-11-26T10:00:02.000000Z',
    };
    expect(part.onUpdate(update)).toBe('applied');
    const added: Appointment = {
      id: 1500,
      clinic_id: 1,
      doctor_id: 32,
      patient_id: 530,
      patient_name: 'Ada Lovelace',
      status: 'scheduled',
      appointment_date: `${TODAY}T09:10:00.000000Z`,
      duration_minutes: 20,
      reason: 'Check-up',
      updated_at: '2026-11-26T10:00:02.000000Z',
    };
    // After the day's earlier appointments and before its later ones, which keep their order.
    expect(part.current()?.appointments.map((a) => a.id)).toEqual([...earlier, 1500, ...later]);
    expect(held(part, 1500)).toEqual(added);
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
    expect(r.events).toEqual([
      { kind: 'appointment.updated', appointment: added, action: 'created', changed: ['status', 'appointment_date', 'doctor_id', 'patient_id', 'patient_name', 'duration_minutes', 'reason'] },
    ]);
  });

  it('asks for the list when an unknown appointment comes without its doctor or patient', async () => {
    const { r, part } = await syncedBoard();
    const board = part.current();
    const bare: AppointmentUpdatePayload = { id: 1501, action: 'confirmed', status: 'confirmed', appointment_date: `${TODAY}T11:00:00.000000Z`, details: {}, timestamp: '2026-11-26T10:00:02.000000Z' };
    expect(part.onUpdate(bare)).toBe('incomplete');
    expect(part.onUpdate({ ...bare, details: { doctor_id: 31 } })).toBe('incomplete');
    expect(part.onUpdate({ ...bare, details: { patient_id: 530 } })).toBe('incomplete');
    expect(part.current()).toBe(board);
    expect(r.events).toEqual([]);
  });

  it('builds a board from live updates alone when it never had a list', async () => {
    const r = recordedContext(RECEPTION, await closedPortApi());
    const part = new BoardPart(r.ctx, TODAY, () => []);
    expect(part.current()).toBeNull();
    const late: AppointmentUpdatePayload = {
      id: 1600,
      action: 'confirmed',
      status: 'confirmed',
      appointment_date: `${TODAY}T14:00:00.000000Z`,
      details: { doctor_id: 33, patient_id: 540, patient_name: 'Ben Okafor' },
      timestamp: '2026-11-26T10:00:03.000000Z',
    };
    expect(part.onUpdate(late)).toBe('applied');
    const built: Appointment = {
      id: 1600,
      clinic_id: 1, // the desk's own clinic: the payload did not say
      doctor_id: 33,
      patient_id: 540,
      patient_name: 'Ben Okafor',
      status: 'confirmed',
      appointment_date: `${TODAY}T14:00:00.000000Z`,
      duration_minutes: 15,
      reason: null,
      updated_at: '2026-11-26T10:00:03.000000Z',
    };
    expect(part.current()).toEqual({ date: TODAY, doctors: [{ doctorId: 33, name: 'Doctor 33', refreshSeconds: null }], appointments: [built], syncedAt: null, stale: false });

    const early = { ...late, id: 1601, appointment_date: `${TODAY}T08:00:00.000000Z`, details: { doctor_id: 31, patient_id: 541, patient_name: 'Cleo Marsh' } };
    expect(part.onUpdate(early)).toBe('applied');
    expect(part.current()?.appointments.map((a) => a.id)).toEqual([1601, 1600]);
    expect(part.current()?.doctors).toEqual([
      { doctorId: 31, name: 'Doctor 31', refreshSeconds: null },
      { doctorId: 33, name: 'Doctor 33', refreshSeconds: null },
    ]);
    expect(part.onUpdate({ ...late, id: 1602, appointment_date: `${YESTERDAY}T14:00:00.000000Z` })).toBe('ignored');
    expect(r.of('appointment.updated').map((e) => e.appointment.id)).toEqual([1600, 1601]);
    expect(r.snapshot(`board:${TODAY}`, Board)).toEqual(part.current());

    // ensure() leaves a board that exists alone.
    r.clear();
    part.ensure();
    expect(r.events).toEqual([]);
  });

  it('ensure() makes an empty board of the day when there is none yet', async () => {
    const r = recordedContext(RECEPTION, await closedPortApi());
    const part = new BoardPart(r.ctx, TODAY, () => []);
    part.ensure();
    const empty = { date: TODAY, doctors: [], appointments: [], syncedAt: null, stale: false };
    expect(part.current()).toEqual(empty);
    expect(r.events).toEqual([{ kind: 'board.replaced', board: empty }]);
  });

  it('does not keep the former doctor\'s name on an appointment moved to another doctor', async () => {
    // Without a members list the columns take their names from the rows' doctor_name (nested dialect).
    const { api, user } = await signedIn(RECEPTION_EMAIL, 'nested');
    const r = recordedContext(user, api);
    const part = new BoardPart(r.ctx, TODAY, () => []);
    await part.sync(false);
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
    const a = held(part, 1055); // Dr. Grace Petrov's, 08:30
    expect(a.doctor_name).toBe('Dr. Grace Petrov');

    // Moved to Dr. Sami Haddad (33), last of the day.
    const moved = payload(a, '2026-11-26T10:00:04.000000Z', { action: 'rescheduled', appointment_date: `${TODAY}T17:00:00.000000Z`, details: { doctor_id: 33 } });
    expect(part.onUpdate(moved)).toBe('applied');
    expect(held(part, 1055).doctor_id).toBe(33);
    // The columns, worked out from the rows again (as after new members), still name 33 Dr. Sami Haddad.
    part.membersChanged();
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
    expect(held(part, 1055).doctor_name).not.toBe('Dr. Grace Petrov');
  });
});

describe('BoardPart: doctors', () => {
  it('takes the columns from the members list, by name', async () => {
    const { part } = await syncedBoard();
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
  });

  it("puts the signed-in doctor's own column first", async () => {
    const { clinic, api, user } = await signedIn('doctor2@northside.clinic.test');
    expect(user.doctor_id).toBe(32);
    const members = clinic.store.members(NORTHSIDE);
    const part = new BoardPart(recordedContext(user, api).ctx, TODAY, () => members);
    await part.sync(false);
    expect(part.current()?.doctors).toEqual([
      { doctorId: 32, name: 'Dr. Liam Garcia', refreshSeconds: null },
      { doctorId: 31, name: 'Dr. Grace Petrov', refreshSeconds: null },
      { doctorId: 33, name: 'Dr. Sami Haddad', refreshSeconds: null },
    ]);
  });

  it("without members, names the columns from the rows' doctor_name (nested dialect)", async () => {
    const { api, user } = await signedIn(RECEPTION_EMAIL, 'nested');
    const part = new BoardPart(recordedContext(user, api).ctx, TODAY, () => []);
    await part.sync(false);
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
  });

  it('without members or names, calls them "Doctor N"; a signed-in doctor keeps their own column, first, under their name', async () => {
    const { api, user } = await signedIn(RECEPTION_EMAIL);
    const part = new BoardPart(recordedContext(user, api).ctx, TODAY, () => []);
    await part.sync(false);
    expect(part.current()?.doctors).toEqual([
      { doctorId: 31, name: 'Doctor 31', refreshSeconds: null },
      { doctorId: 32, name: 'Doctor 32', refreshSeconds: null },
      { doctorId: 33, name: 'Doctor 33', refreshSeconds: null },
    ]);
    const rows = part.current()?.appointments ?? [];

    const asDoctor = new BoardPart(recordedContext(DOCTOR_LIAM, await closedPortApi()).ctx, TODAY, () => []);
    expect(asDoctor.doctors(rows)).toEqual([
      { doctorId: 32, name: 'Dr. Liam Garcia', refreshSeconds: null },
      { doctorId: 31, name: 'Doctor 31', refreshSeconds: null },
      { doctorId: 33, name: 'Doctor 33', refreshSeconds: null },
    ]);
    // A doctor has a column even on a day without appointments.
    expect(asDoctor.doctors([])).toEqual([{ doctorId: 32, name: 'Dr. Liam Garcia', refreshSeconds: null }]);
  });

  it('falls back to the rows when no member has a doctor id, and follows the members list when it changes', async () => {
    const { clinic, api, user } = await signedIn(RECEPTION_EMAIL);
    const r = recordedContext(user, api);
    let members: ClinicMember[] = clinic.store.members(NORTHSIDE).filter((m) => m.doctor_id === null);
    const part = new BoardPart(r.ctx, TODAY, () => members);
    await part.sync(false);
    expect(part.current()?.doctors.map((d) => d.name)).toEqual(['Doctor 31', 'Doctor 32', 'Doctor 33']);

    members = clinic.store.members(NORTHSIDE);
    r.clear();
    part.membersChanged();
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
    expect(r.events).toEqual([{ kind: 'board.replaced', board: part.current() }]);
  });
});

describe('BoardPart: load another day', () => {
  it('switches to the day the server lists', async () => {
    const { clinic, r, part } = await syncedBoard();
    const board = await part.load(TOMORROW, false, true);
    expect(part.date).toBe(TOMORROW);
    expect(board).toEqual({ date: TOMORROW, doctors: NORTHSIDE_DOCTORS, appointments: clinic.store.appointmentsOn(NORTHSIDE, TOMORROW), syncedAt: NOW_ISO, stale: false });
    expect(part.current()).toEqual(board);
    expect(r.events).toEqual([{ kind: 'board.replaced', board }]);
    expect(r.snapshot(`board:${TOMORROW}`, Board)).toEqual(board);
  });

  it('shows the cached copy of the day, stale, when the server fails', async () => {
    const { clinic, r, part } = await syncedBoard();
    const tomorrow = await part.load(TOMORROW, false, true);
    await part.load(TODAY, false, true);
    r.clear();

    clinic.api.injectFault({ path: /^\/api\/appointments$/, status: 500, times: 1 });
    const board = await part.load(TOMORROW, false, true);
    expect(requestsTo(clinic, '/api/appointments').at(-1)).toBe(500);
    expect(board).toEqual({ ...tomorrow, stale: true });
    expect(part.current()).toEqual(board);
    expect(part.date).toBe(TOMORROW);
    expect(r.events).toEqual([{ kind: 'board.replaced', board }]);
  });

  it('shows an empty day, stale, when the server fails and nothing is cached', async () => {
    const { clinic, r, part } = await syncedBoard();
    clinic.api.injectFault({ path: /^\/api\/appointments$/, status: 500, times: 1 });
    const board = await part.load(YESTERDAY, false, true);
    const empty = { date: YESTERDAY, doctors: NORTHSIDE_DOCTORS, appointments: [], syncedAt: null, stale: true };
    expect(board).toEqual(empty);
    expect(part.current()).toEqual(empty);
    expect(r.events).toEqual([{ kind: 'board.replaced', board: empty }]);

    // Unreachable is the same.
    const offline = new BoardPart(recordedContext(RECEPTION, await closedPortApi()).ctx, TODAY, () => []);
    expect(await offline.load(TOMORROW, false, true)).toEqual({ date: TOMORROW, doctors: [], appointments: [], syncedAt: null, stale: true });
  });

  it('shows an empty day that is not stale when the server has no list to ask (minimal dialect)', async () => {
    const { clinic, api, user } = await signedIn(RECEPTION_EMAIL, 'minimal');
    const r = recordedContext(user, api);
    const part = new BoardPart(r.ctx, TODAY, () => []);
    const board = await part.load(TOMORROW, false, false);
    expect(requestsTo(clinic, '/api/appointments')).toEqual([404]);
    expect(board).toEqual({ date: TOMORROW, doctors: [], appointments: [], syncedAt: null, stale: false });
    expect(part.current()).toEqual(board);
  });

  it('rethrows a 401 and keeps the board it had', async () => {
    const { clinic, user, r, part } = await syncedBoard();
    const board = part.current();
    clinic.store.revokeUserTokens(user.id);
    await expect(part.load(TOMORROW, false, true)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(requestsTo(clinic, '/api/appointments').at(-1)).toBe(401);
    expect(part.current()).toBe(board);
    expect(r.events).toEqual([]);
  });
});

describe('BoardPart: markStale', () => {
  it('flags the board stale once, and does nothing without a board', async () => {
    const { r, part } = await syncedBoard();
    const board = part.current();
    part.markStale();
    expect(part.current()).toEqual({ ...board, stale: true });
    expect(r.events).toEqual([{ kind: 'board.replaced', board: { ...board, stale: true } }]);
    part.markStale();
    expect(r.events).toHaveLength(1);

    const none = recordedContext(RECEPTION, await closedPortApi());
    const empty = new BoardPart(none.ctx, TODAY, () => []);
    empty.markStale();
    expect(empty.current()).toBeNull();
    expect(none.events).toEqual([]);
  });
});

describe('BoardPart: the clinic’s day, in its own zone', () => {
  const update = (id: number, appointment_date: string): AppointmentUpdatePayload => ({
    id,
    action: 'confirmed',
    status: 'confirmed',
    appointment_date,
    details: { doctor_id: 33, patient_id: 540, patient_name: 'Ben Okafor' },
    timestamp: '2026-12-05T03:40:00.000000Z',
  });

  it.each([
    // Friday evening in Los Angeles is Saturday in UTC: the update belongs on Friday's board.
    ['America/Los_Angeles', '2026-12-04', '2026-12-05T03:30:00Z', '2026-12-05T09:00:00Z'],
    // Saturday morning in Sydney is Friday in UTC: on Saturday's board.
    ['Australia/Sydney', '2026-12-05', '2026-12-04T21:30:00Z', '2026-12-05T14:00:00Z'],
    // 00:10 in Kathmandu is 18:25 UTC the day before.
    ['Asia/Kathmandu', '2026-12-05', '2026-12-04T18:25:00Z', '2026-12-04T18:14:00Z'],
  ])('%s: an update is placed on the local day %s, not the UTC one', async (zone, day, onDay, otherDay) => {
    const r = recordedContext(RECEPTION, await closedPortApi(), { zone });
    const part = new BoardPart(r.ctx, day, () => []);
    expect(part.onUpdate(update(1700, onDay))).toBe('applied');
    expect(part.onUpdate(update(1701, otherDay))).toBe('ignored');
    expect(part.current()?.appointments.map((a) => a.id)).toEqual([1700]);
  });

  it('a refused doctor channel marks that column "refreshes every N s", and live again clears it', async () => {
    const { r, part } = await syncedBoard();
    part.setRefused(new Set([32]), 60);
    const marked = r.of('board.replaced').at(-1)?.board.doctors;
    expect(marked).toEqual([
      { doctorId: 31, name: 'Dr. Grace Petrov', refreshSeconds: null },
      { doctorId: 32, name: 'Dr. Liam Garcia', refreshSeconds: 60 },
      { doctorId: 33, name: 'Dr. Sami Haddad', refreshSeconds: null },
    ]);
    r.clear();
    part.setRefused(new Set([32]), 60);
    expect(r.events).toEqual([]); // nothing changed, nothing sent
    part.setRefused(new Set(), 60);
    expect(part.current()?.doctors).toEqual(NORTHSIDE_DOCTORS);
  });

  it("a doctor gets no empty column for a colleague whose schedule the server shows nothing of", async () => {
    const r = recordedContext(DOCTOR_LIAM, await closedPortApi());
    const members: ClinicMember[] = [31, 32, 33].map((doctor_id) => ({ id: doctor_id - 26, name: `Dr ${doctor_id}`, role: 'doctor', clinic_id: NORTHSIDE, doctor_id }));
    const part = new BoardPart(r.ctx, TODAY, () => members);
    part.ensure();
    // Before the channels answer, every column is there.
    expect(part.current()?.doctors.map((d) => d.doctorId)).toEqual([32, 31, 33]);
    part.setRefused(new Set([31, 33]), 60);
    expect(part.current()?.doctors).toEqual([{ doctorId: 32, name: 'Dr 32', refreshSeconds: null }]);
    // A colleague's row the server does show brings their column back, marked as refreshed.
    part.onUpdate({ id: 1800, action: 'confirmed', status: 'confirmed', appointment_date: `${TODAY}T11:00:00.000000Z`, details: { doctor_id: 33, patient_id: 540, patient_name: 'Ben Okafor' }, timestamp: '2026-11-26T10:00:03.000000Z' });
    part.membersChanged();
    expect(part.current()?.doctors).toEqual([
      { doctorId: 32, name: 'Dr 32', refreshSeconds: null },
      { doctorId: 33, name: 'Dr 33', refreshSeconds: 60 },
    ]);
  });

  it('reports as unannounced changes to rows it held on live columns, to the microsecond; not new rows', async () => {
    const { clinic, part } = await syncedBoard();
    // A patient due later today, held on the board, in a column whose channel is live (reception refuses none).
    const a = held(part, first(clinic.store.appointmentsOn(NORTHSIDE, TODAY, (x) => x.status === 'confirmed' && Date.parse(x.appointment_date) > clinic.store.clock()), 'confirmed appointment later today').id);
    expect(part.current()?.doctors.find((d) => d.doctorId === a.doctor_id)?.refreshSeconds).toBeNull();
    // The server changed it within the same millisecond (the demo's clock stands still) and no broadcast came.
    clinic.store.updateAppointment(a.id, { status: 'checked_in' });
    expect((await part.sync(false)).unannounced).toBe(1);
    // The same change read again is held now: nothing new.
    expect((await part.sync(false)).unannounced).toBe(0);
    // A new appointment may have no event at all: not counted.
    clinic.store.createAppointment({ doctor_id: a.doctor_id, patient_id: a.patient_id, status: 'scheduled', appointment_date: a.appointment_date, duration_minutes: 15, reason: null });
    expect((await part.sync(false)).unannounced).toBe(0);
    // On a column whose channel is refused, a change is expected to arrive this way.
    part.setRefused(new Set([a.doctor_id]), 60);
    clinic.store.updateAppointment(a.id, { status: 'completed' });
    expect((await part.sync(false)).unannounced).toBe(0);
    expect(held(part, a.id).status).toBe('completed');
  });
});
