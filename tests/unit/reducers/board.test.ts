/**
 * The board reducer (src/shared/reducers/board.ts) on its own: pure functions
 * of a board and an event, as the core's board part and the window's board
 * store both use them. Times are Laravel's, to the microsecond.
 */
import { describe, expect, it } from 'vitest';
import type { Board } from '../../../src/shared/desk-state';
import type { Appointment } from '../../../src/shared/domain';
import type { AppointmentUpdatePayload } from '../../../src/shared/payloads';
import { DEPARTED_LIMIT, applyAppointmentUpdate, applyBoardRead, boardDayOf, boardState, placeAppointment, type BoardState } from '../../../src/shared/reducers/board';

const DAY = '2026-11-26';
const NEXT = '2026-11-27';
const UTC = 'UTC';
const CLINIC = { zone: UTC, clinicId: 1 };

const stamp = (time: string, micros = '000000') => `${DAY}T${time}.${micros}Z`;

function row(id: number, time: string, updatedAt: string, extra: Partial<Appointment> = {}): Appointment {
  return {
    id,
    clinic_id: 1,
    doctor_id: 31,
    patient_id: 500 + id,
    patient_name: `Patient ${id}`,
    status: 'scheduled',
    appointment_date: `${DAY}T${time}:00.000000Z`,
    duration_minutes: 15,
    reason: null,
    updated_at: updatedAt,
    ...extra,
  };
}

function board(appointments: Appointment[], date = DAY): Board {
  return { date, doctors: [], appointments, syncedAt: null, stale: false };
}

const ids = (s: BoardState) => s.board?.appointments.map((a) => a.id) ?? [];
const get = (s: BoardState, id: number) => s.board?.appointments.find((a) => a.id === id);

/** Rows 1 (09:00), 2 (09:30), 3 (10:00), each last changed at 08:00:00.000100. */
const HELD = stamp('08:00:00', '000100');
const start = () => boardState(board([row(1, '09:00', HELD), row(2, '09:30', HELD), row(3, '10:00', HELD)]));

function payload(id: number, time: string, timestamp: string, extra: Partial<AppointmentUpdatePayload> = {}): AppointmentUpdatePayload {
  return {
    id,
    action: 'confirmed',
    status: 'confirmed',
    appointment_date: time.includes('T') ? time : `${DAY}T${time}:00.000000Z`,
    details: { clinic_id: 1, doctor_id: 31, patient_id: 500 + id, patient_name: `Patient ${id}` },
    timestamp,
    ...extra,
  };
}

describe('board reducer: placing an appointment the desk decided', () => {
  it.each([
    { case: 'strictly newer, by one microsecond', updatedAt: stamp('08:00:00', '000101'), effect: 'placed', status: 'confirmed' },
    { case: 'equal stamp: the same state seen twice', updatedAt: HELD, effect: 'stale', status: 'scheduled' },
    { case: 'older by one microsecond', updatedAt: stamp('08:00:00', '000099'), effect: 'stale', status: 'scheduled' },
    { case: 'newer, written with an offset', updatedAt: '2026-11-26T09:00:00.000200+01:00', effect: 'placed', status: 'confirmed' },
  ])('$case → $effect', ({ updatedAt, effect, status }) => {
    const before = start();
    const placed = placeAppointment(before, row(2, '09:30', updatedAt, { status: 'confirmed' }), UTC);
    expect(placed.effect).toBe(effect);
    expect(get(placed.state, 2)?.status).toBe(status);
    if (effect === 'stale') expect(placed.state).toBe(before);
  });

  it('keeps a row in its place when its time did not change, and moves it in time order when it did', () => {
    const s = start();
    const status = placeAppointment(s, row(2, '09:30', stamp('09:00:00'), { status: 'checked_in' }), UTC).state;
    expect(ids(status)).toEqual([1, 2, 3]);
    const later = placeAppointment(status, row(1, '11:00', stamp('09:01:00')), UTC).state;
    expect(ids(later)).toEqual([2, 3, 1]);
    const added = placeAppointment(later, row(9, '09:30', stamp('09:02:00')), UTC).state;
    // Same time as row 2: after it, by id.
    expect(ids(added)).toEqual([2, 9, 3, 1]);
    // Never changed in place.
    expect(ids(s)).toEqual([1, 2, 3]);
  });

  it('takes a row moved to another day off the board, and remembers when', () => {
    const moved = placeAppointment(start(), row(2, '09:30', stamp('09:00:00'), { appointment_date: `${NEXT}T09:30:00.000000Z` }), UTC);
    expect(moved.effect).toBe('moved-off');
    expect(ids(moved.state)).toEqual([1, 3]);
    expect(moved.state.departed.get(2)).toBe(stamp('09:00:00'));
  });

  it('ignores another day’s appointment it does not hold, and anything without a board', () => {
    const s = start();
    expect(placeAppointment(s, row(9, '09:00', stamp('09:00:00'), { appointment_date: `${NEXT}T09:00:00.000000Z` }), UTC)).toEqual({ state: s, effect: 'elsewhere' });
    const none = boardState(null);
    expect(placeAppointment(none, row(1, '09:00', stamp('09:00:00')), UTC)).toEqual({ state: none, effect: 'elsewhere' });
  });

  it('a row moved off comes back only with a change newer than the move, whatever order they arrive in', () => {
    const off = placeAppointment(start(), row(2, '09:30', stamp('09:00:00', '000500'), { appointment_date: `${NEXT}T09:30:00.000000Z` }), UTC).state;
    // A late event from before the move (or as old as it) does not undo it.
    for (const late of [stamp('09:00:00', '000499'), stamp('09:00:00', '000500')]) {
      expect(placeAppointment(off, row(2, '09:30', late), UTC).effect).toBe('stale');
    }
    const back = placeAppointment(off, row(2, '09:45', stamp('09:00:00', '000501')), UTC);
    expect(back.effect).toBe('placed');
    expect(ids(back.state)).toEqual([1, 2, 3]);
    expect(back.state.departed.has(2)).toBe(false);
  });

  it('places by the clinic’s day, not UTC’s', () => {
    const la = boardState(board([], DAY));
    // 19:30 on the 26th in Los Angeles is the 27th in UTC.
    const evening = row(5, '00:00', stamp('09:00:00'), { appointment_date: '2026-11-27T03:30:00.000000Z' });
    expect(boardDayOf(evening, 'America/Los_Angeles')).toBe(DAY);
    expect(placeAppointment(la, evening, 'America/Los_Angeles').effect).toBe('placed');
    expect(placeAppointment(la, evening, UTC).effect).toBe('elsewhere');
  });

  it('remembers at most DEPARTED_LIMIT rows moved off, the oldest going first', () => {
    let s = boardState(board(Array.from({ length: DEPARTED_LIMIT + 1 }, (_, i) => row(i + 1, '09:00', HELD))));
    for (let id = 1; id <= DEPARTED_LIMIT + 1; id++) s = placeAppointment(s, row(id, '09:00', stamp('09:00:00'), { appointment_date: `${NEXT}T09:00:00.000000Z` }), UTC).state;
    expect(s.departed.size).toBe(DEPARTED_LIMIT);
    expect(s.departed.has(1)).toBe(false);
    expect(s.departed.has(DEPARTED_LIMIT + 1)).toBe(true);
  });
});

describe('board reducer: a live update (payload)', () => {
  it.each([
    { case: 'newer by a microsecond', timestamp: stamp('08:00:00', '000101'), result: 'applied' },
    { case: 'as old as the row (a duplicate)', timestamp: HELD, result: 'ignored' },
    { case: 'older (arrived late)', timestamp: stamp('07:59:59', '999999'), result: 'ignored' },
  ])('$case → $result', ({ timestamp, result }) => {
    expect(applyAppointmentUpdate(start(), payload(1, '09:00', timestamp), CLINIC).result).toBe(result);
  });

  it('orders out-of-order deliveries by their stamps: the newest stands', () => {
    const updates = [
      payload(1, '09:00', stamp('09:00:00', '000003'), { status: 'in_consultation' }),
      payload(1, '09:00', stamp('09:00:00', '000001'), { status: 'checked_in' }),
      payload(1, '09:00', stamp('09:00:00', '000002'), { status: 'confirmed' }),
    ];
    const results: string[] = [];
    let s = start();
    for (const u of updates) {
      const applied = applyAppointmentUpdate(s, u, CLINIC);
      results.push(applied.result);
      s = applied.state;
    }
    expect(results).toEqual(['applied', 'ignored', 'ignored']);
    expect(get(s, 1)?.status).toBe('in_consultation');
  });

  it('says what changed, builds a new appointment from full details, and asks for the list when they are not', () => {
    const changed = applyAppointmentUpdate(start(), payload(1, '09:00', stamp('09:00:00'), { status: 'checked_in' }), CLINIC);
    expect(changed).toMatchObject({ result: 'applied', effect: 'placed', changed: ['status'] });
    const built = applyAppointmentUpdate(start(), payload(9, '08:30', stamp('09:00:00')), CLINIC);
    expect(built.result === 'applied' && ids(built.state)).toEqual([9, 1, 2, 3]);
    expect(applyAppointmentUpdate(start(), payload(9, '08:30', stamp('09:00:00'), { details: {} }), CLINIC).result).toBe('incomplete');
  });

  it('ignores another day’s unknown appointment without asking for the list, and takes a held one moved there off', () => {
    expect(applyAppointmentUpdate(start(), payload(9, `${NEXT}T09:00:00.000000Z`, stamp('09:00:00'), { details: {} }), CLINIC).result).toBe('ignored');
    const moved = applyAppointmentUpdate(start(), payload(3, `${NEXT}T10:00:00.000000Z`, stamp('09:00:00')), CLINIC);
    expect(moved).toMatchObject({ result: 'applied', effect: 'moved-off' });
    expect(ids(moved.state)).toEqual([1, 2]);
    // A late update from before the move, even a complete one, does not bring it back (nor asks the list for it).
    expect(applyAppointmentUpdate(moved.state, payload(3, '10:00', stamp('08:30:00'), { details: {} }), CLINIC).result).toBe('ignored');
  });
});

describe('board reducer: a read of the day', () => {
  it('newest wins per row against the copy held; on a tie the read’s copy; `newer` lists what no event brought', () => {
    const held = placeAppointment(start(), row(1, '09:00', stamp('09:00:00', '000002'), { status: 'checked_in' }), UTC).state;
    const read = board([
      row(1, '09:00', stamp('09:00:00', '000001'), { status: 'confirmed' }), // older than the live change held
      row(2, '09:30', HELD, { status: 'confirmed', reason: 'read' }), // as old as the copy held
      row(3, '10:00', stamp('09:00:00'), { status: 'cancelled' }), // newer: no event brought it
    ]);
    const merged = applyBoardRead(held, read);
    expect(merged.state.board?.appointments.map((a) => [a.id, a.status])).toEqual([
      [1, 'checked_in'],
      [2, 'confirmed'],
      [3, 'cancelled'],
    ]);
    expect(merged.newer.map((a) => a.id)).toEqual([3]);
  });

  it('a row the read lacks goes, unless a live change brought it while the read was out', () => {
    const withNew = placeAppointment(start(), row(8, '12:00', stamp('09:41:00')), UTC).state;
    const read = board([row(1, '09:00', HELD), row(2, '09:30', HELD)]);
    expect(ids(applyBoardRead(withNew, read).state)).toEqual([1, 2]);
    expect(ids(applyBoardRead(withNew, read, (id) => id === 8).state)).toEqual([1, 2, 8]);
  });

  it('an older read does not bring back a row moved to another day; a newer one does', () => {
    const off = placeAppointment(start(), row(3, '10:00', stamp('09:10:00'), { appointment_date: `${NEXT}T10:00:00.000000Z` }), UTC).state;
    expect(ids(applyBoardRead(off, board([row(1, '09:00', HELD), row(3, '10:00', HELD)])).state)).toEqual([1]);
    expect(ids(applyBoardRead(off, board([row(1, '09:00', HELD), row(3, '10:00', stamp('09:20:00'))])).state)).toEqual([1, 3]);
  });

  it('another day starts afresh from the read, in time order, forgetting what moved off', () => {
    const off = placeAppointment(start(), row(3, '10:00', stamp('09:10:00'), { appointment_date: `${NEXT}T10:00:00.000000Z` }), UTC).state;
    const next = board([row(7, '11:00', HELD, { appointment_date: `${NEXT}T11:00:00.000000Z` }), row(3, '10:00', HELD, { appointment_date: `${NEXT}T10:00:00.000000Z` })], NEXT);
    const merged = applyBoardRead(off, next);
    expect(ids(merged.state)).toEqual([3, 7]);
    expect(merged.state.departed.size).toBe(0);
    expect(merged.newer).toEqual([]);
    expect(ids(applyBoardRead(boardState(null), next).state)).toEqual([3, 7]);
  });
});
