import { dayIn } from '../clinic-time';
import type { Board } from '../desk-state';
import type { Appointment } from '../domain';
import type { AppointmentUpdatePayload } from '../payloads';
import { compareIso } from '../time';
import { mergeAppointment, newer, supersedes } from './newest-wins';

/**
 * The board of one clinic day, as a pure reducer: a board and an event in, the
 * next board and what the event did out. The core's board part
 * (`src/main/core/sync/board.ts`) applies the server's events and reads with
 * it; the window's board store (`src/renderer/src/stores/board.ts`) places the
 * rows the core decided with the same functions, so both agree on which day a
 * row is on, which copy is newer and where a row goes.
 *
 * States are never changed in place: every function returns a new state (or
 * the same one when nothing changed).
 */

/** Rows remembered as moved off the day (see `BoardState.departed`), at most this many (the oldest go first). */
export const DEPARTED_LIMIT = 500;

export interface BoardState {
  readonly board: Board | null;
  /**
   * Rows a live change moved off the day shown, by id: that change's
   * `updated_at`. A read (or a late event) older than the move does not bring
   * them back. Forgotten with the day.
   */
  readonly departed: ReadonlyMap<number, string>;
}

export const EMPTY_BOARD_STATE: BoardState = { board: null, departed: new Map() };

/** A state holding `board`, with nothing remembered as departed. */
export function boardState(board: Board | null): BoardState {
  return { board, departed: new Map() };
}

/** The clinic day an appointment is on, in the clinic's zone. */
export function boardDayOf(appointment: { appointment_date: string }, zone: string): string {
  return dayIn(appointment.appointment_date, zone);
}

/** Time order on the board: by the appointment's time, then by id. */
export function byTime(a: Appointment, b: Appointment): number {
  return Date.parse(a.appointment_date) - Date.parse(b.appointment_date) || a.id - b.id;
}

/**
 * What one change did to the board: `placed` on it (added, or its row
 * replaced), `moved-off` (held, and now on another day), `stale` (not newer
 * than the copy held, or than the move that took it off the day), or
 * `elsewhere` (another day's appointment the board never held).
 */
export type BoardEffect = 'placed' | 'moved-off' | 'stale' | 'elsewhere';

/**
 * An appointment as the desk now knows it: it replaces its row by id, placed
 * in time order (a row whose time did not change keeps its place, so a busy
 * day is not sorted again for a status), or leaves a day it is no longer on.
 */
export function placeAppointment(state: BoardState, appointment: Appointment, zone: string): { state: BoardState; effect: BoardEffect } {
  const board = state.board;
  if (!board) return { state, effect: 'elsewhere' };
  const onBoard = boardDayOf(appointment, zone) === board.date;
  const index = board.appointments.findIndex((a) => a.id === appointment.id);
  const current = index >= 0 ? board.appointments[index] : undefined;
  if (current && !supersedes(appointment, current)) return { state, effect: 'stale' };
  const gone = state.departed.get(appointment.id);
  if (!current && gone !== undefined && compareIso(appointment.updated_at, gone) <= 0) return { state, effect: 'stale' };
  if (!onBoard && !current) return { state, effect: 'elsewhere' };
  if (!onBoard) {
    const appointments = board.appointments.filter((a) => a.id !== appointment.id);
    return { state: { board: { ...board, appointments }, departed: remember(state.departed, appointment.id, appointment.updated_at) }, effect: 'moved-off' };
  }
  let appointments: Appointment[];
  if (current && Date.parse(current.appointment_date) === Date.parse(appointment.appointment_date)) {
    appointments = board.appointments.slice();
    appointments[index] = appointment;
  } else {
    appointments = board.appointments.filter((a) => a.id !== appointment.id);
    appointments.splice(sortedIndex(appointments, appointment), 0, appointment);
  }
  return { state: { board: { ...board, appointments }, departed: forget(state.departed, appointment.id) }, effect: 'placed' };
}

export type UpdateResult =
  | { result: 'applied'; state: BoardState; appointment: Appointment; changed: string[]; effect: 'placed' | 'moved-off' }
  /** `incomplete`: a new appointment without its doctor or patient; the list has the rest. */
  | { result: 'ignored' | 'incomplete'; state: BoardState };

/**
 * An `appointment-updated` payload, newest wins (`mergeAppointment`): applied
 * to the row held, or building a new one when the payload carries enough.
 * `clinicId`: the desk's own clinic, for a payload that does not name one.
 */
export function applyAppointmentUpdate(state: BoardState, update: AppointmentUpdatePayload, context: { zone: string; clinicId: number }): UpdateResult {
  const board = state.board;
  if (!board) return { result: 'ignored', state };
  const current = board.appointments.find((a) => a.id === update.id) ?? null;
  if (!current && boardDayOf(update, context.zone) !== board.date) return { result: 'ignored', state }; // another day's appointment
  const gone = state.departed.get(update.id);
  if (!current && gone !== undefined && compareIso(update.timestamp, gone) <= 0) return { result: 'ignored', state }; // older than its move off the day
  const merged = mergeAppointment(current, update, { clinic_id: context.clinicId });
  if (!merged.applied) return { result: merged.reason === 'incomplete' ? 'incomplete' : 'ignored', state };
  const placed = placeAppointment(state, merged.value, context.zone);
  if (placed.effect !== 'placed' && placed.effect !== 'moved-off') return { result: 'ignored', state };
  return { result: 'applied', state: placed.state, appointment: merged.value, changed: merged.changed, effect: placed.effect };
}

/**
 * A read of a day (the server's list, or a whole board from the core) against
 * what is held. For the day held: each row newest wins against its copy; a
 * row a newer live change moved to another day stays off; a row the read does
 * not have stays when `keepAbsent` says a live change brought it while the read
 * was on its way. Another day (or no board yet) starts afresh from the read.
 * `newer`: the read's rows that are newer than the copies held (changes no
 * live event brought), for reconciliation.
 */
export function applyBoardRead(state: BoardState, read: Board, keepAbsent: (id: number) => boolean = () => false): { state: BoardState; newer: Appointment[] } {
  const held = state.board;
  if (!held || held.date !== read.date) return { state: boardState({ ...read, appointments: [...read.appointments].sort(byTime) }), newer: [] };
  const byId = new Map(held.appointments.map((a) => [a.id, a]));
  const rows: Appointment[] = [];
  const fresher: Appointment[] = [];
  for (const row of read.appointments) {
    const gone = state.departed.get(row.id);
    if (gone !== undefined && compareIso(row.updated_at, gone) < 0) continue;
    const mine = byId.get(row.id);
    if (mine && supersedes(row, mine)) fresher.push(row);
    rows.push(mine ? newer(row, mine) : row);
  }
  const inRead = new Set(read.appointments.map((a) => a.id));
  for (const a of held.appointments) if (!inRead.has(a.id) && keepAbsent(a.id)) rows.push(a);
  return { state: { board: { ...read, appointments: rows.sort(byTime) }, departed: state.departed }, newer: fresher };
}

/** Where `row` goes in a list in time order: after every row that sorts before it. */
function sortedIndex(list: readonly Appointment[], row: Appointment): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const other = list[mid];
    if (other && byTime(other, row) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function remember(map: ReadonlyMap<number, string>, id: number, stamp: string): ReadonlyMap<number, string> {
  const next = new Map(map);
  next.delete(id);
  if (next.size >= DEPARTED_LIMIT) {
    const oldest = next.keys().next();
    if (!oldest.done) next.delete(oldest.value);
  }
  next.set(id, stamp);
  return next;
}

function forget(map: ReadonlyMap<number, string>, id: number): ReadonlyMap<number, string> {
  if (!map.has(id)) return map;
  const next = new Map(map);
  next.delete(id);
  return next;
}
