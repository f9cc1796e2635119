import { isDeepStrictEqual } from 'node:util';
import type { Appointment, ClinicMember } from '../../../shared/domain';
import { Board } from '../../../shared/desk-state';
import type { AppointmentUpdatePayload } from '../../../shared/payloads';
import { APPOINTMENT_FIELDS } from '../../../shared/reducers/newest-wins';
import { applyAppointmentUpdate, applyBoardRead, boardState, EMPTY_BOARD_STATE, placeAppointment, type BoardState } from '../../../shared/reducers/board';
import { UnauthorizedError } from '../api/client';
import type { FeatureOutcome } from './features';
import type { PartContext } from './part';

/**
 * The appointment board of one day: read from the server when it offers the
 * list, kept up to date by `appointment-updated`, and built from those events
 * alone when it does not. Its columns are the clinic's doctors: from the
 * members list, else from the day's appointments. What a read or an event does
 * to the rows is the shared board reducer's (`src/shared/reducers/board.ts`),
 * which the window's board store uses too.
 */
export class BoardPart {
  private state: BoardState = EMPTY_BOARD_STATE;
  private day: string;
  /** Reads of a day on their way, and the appointments live updates changed meanwhile (by a running count, to tell which read they followed). */
  private readsOut = 0;
  private liveCount = 0;
  private readonly liveDuringRead = new Map<number, number>();
  /** Doctors whose channel the server refuses this desk, and how often their column is refreshed instead (s). */
  private refused = new Map<number, number>();
  /** The day's board was read (and announced) once: a read that changes nothing is not announced again. */
  private listed = false;

  constructor(
    private readonly ctx: PartContext,
    today: string,
    /** The clinic's members, as the members part holds them. */
    private readonly members: () => readonly ClinicMember[],
  ) {
    this.day = today;
  }

  get date(): string {
    return this.day;
  }

  current(): Board | null {
    return this.state.board;
  }

  /** The cached board of the day, shown (as stale) until the server confirms it. */
  restore(): void {
    const cached = this.ctx.loadSnapshot(snapshotKey(this.day), Board);
    if (cached) this.state = boardState({ ...cached, stale: true });
  }

  /**
   * Reads the day from the server. A live update that raced the answer is
   * newer than its row and stays, and so does an appointment one brought that
   * the answer predates; a row one moved to another day does not come back.
   */
  async sync(stale: boolean, date = this.day, announce: 'always' | 'when-changed' = 'when-changed'): Promise<FeatureOutcome & { board: Board }> {
    const from = this.liveCount;
    this.readsOut++;
    const listing = await this.ctx.api.appointments(date).finally(() => this.readsOut--);
    const read: Board = { date, doctors: [], appointments: listing.items, syncedAt: this.ctx.isoNow(), stale };
    const merged = applyBoardRead(this.state, read, (id) => (this.liveDuringRead.get(id) ?? 0) > from);
    if (this.readsOut === 0) this.liveDuringRead.clear();
    const appointments = merged.state.board?.appointments ?? [];
    const board: Board = { ...read, doctors: this.doctors(appointments), appointments };
    // Columns without a live channel are expected to change only here.
    const missed = merged.newer.filter((row) => !this.refused.has(row.doctor_id)).length;
    if (date === this.day && announce === 'when-changed' && this.listed && sameBoard(this.state.board, board)) {
      // A reconciliation answered 304 (or with the same rows): the window and the snapshot have it. Only
      // the time of the read moves on, for the next time the board is shown (a stale one says since when).
      this.state = { board, departed: merged.state.departed };
      return { ...listing, board, unannounced: missed };
    }
    if (date === this.day) {
      this.listed = true;
      this.replace(board, merged.state.departed);
    }
    this.ctx.saveSnapshot(snapshotKey(date), board, Board);
    return { ...listing, board, unannounced: missed };
  }

  /**
   * Switches to another day. When the server cannot answer, the cached copy of
   * that day (stale), or an empty one (stale unless the server has no list to
   * ask: then live updates are all there is). A 401 is rethrown.
   */
  async load(date: string, stale: boolean, offered: boolean): Promise<Board> {
    this.day = date;
    try {
      return (await this.sync(stale, date, 'always')).board;
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      const cached = this.ctx.loadSnapshot(snapshotKey(date), Board);
      const board: Board = cached ? { ...cached, stale: true } : { ...this.empty(date), stale: offered };
      this.replace(board);
      return board;
    }
  }

  /** A board exists even before (or without) the server's list: live updates fill it. */
  ensure(): void {
    if (!this.state.board) this.replace(this.empty(this.day));
  }

  markStale(): void {
    const board = this.state.board;
    if (board && !board.stale) this.replace({ ...board, stale: true }, this.state.departed);
  }

  /** Applies a live update; `incomplete` means the desk should ask the server for the rest. */
  onUpdate(update: AppointmentUpdatePayload): 'applied' | 'ignored' | 'incomplete' {
    if (!this.state.board) this.state = boardState(this.empty(this.day));
    const applied = applyAppointmentUpdate(this.state, update, { zone: this.ctx.zone, clinicId: this.ctx.user.clinic_id });
    if (applied.result !== 'applied') return applied.result;
    return this.keep(applied.state, applied.appointment, update.action, applied.changed);
  }

  /**
   * An appointment as the server answered an action of this desk (whose own
   * broadcast does not come back to it): placed newest wins, like a live
   * update, so a broadcast that crossed it is not undone by it.
   */
  place(appointment: Appointment): 'applied' | 'ignored' {
    if (!this.state.board) this.state = boardState(this.empty(this.day));
    const held = this.state.board?.appointments.find((a) => a.id === appointment.id);
    const placed = placeAppointment(this.state, appointment, this.ctx.zone);
    if (placed.effect !== 'placed' && placed.effect !== 'moved-off') return 'ignored';
    const changed = held ? APPOINTMENT_FIELDS.filter((f) => held[f] !== appointment[f]) : [...APPOINTMENT_FIELDS];
    return this.keep(placed.state, appointment, null, changed);
  }

  /** Holds a board one appointment changed, tells the window and saves it. */
  private keep(next: BoardState, appointment: Appointment, action: string | null, changed: string[]): 'applied' | 'ignored' {
    const board = next.board;
    if (!board) return 'ignored';
    const doctors = board.doctors.some((d) => d.doctorId === appointment.doctor_id) ? board.doctors : this.doctors(board.appointments);
    this.state = { board: { ...board, doctors }, departed: next.departed };
    if (this.readsOut > 0) this.liveDuringRead.set(appointment.id, ++this.liveCount);
    this.ctx.emit({ kind: 'appointment.updated', appointment, action, changed });
    this.ctx.saveSnapshot(snapshotKey(board.date), this.state.board ?? board, Board);
    return 'applied';
  }

  /** The appointment as this desk holds it, when it is on the board. */
  appointment(id: number): Appointment | null {
    return this.state.board?.appointments.find((a) => a.id === id) ?? null;
  }

  /**
   * The doctors whose schedule channel the server refused this desk: their
   * columns say they refresh every `seconds` instead of updating live.
   */
  setRefused(doctorIds: ReadonlySet<number>, seconds: number): void {
    const next = new Map([...doctorIds].map((id) => [id, seconds]));
    if (next.size === this.refused.size && [...next].every(([id, s]) => this.refused.get(id) === s)) return;
    this.refused = next;
    this.membersChanged();
  }

  /** New members may name the doctors differently: the columns follow. */
  membersChanged(): void {
    const board = this.state.board;
    if (!board) return;
    const doctors = this.doctors(board.appointments);
    // The same columns (every reconciliation reads the members again): nothing to redraw.
    if (isDeepStrictEqual(doctors, board.doctors)) return;
    this.replace({ ...board, doctors }, this.state.departed);
  }

  /**
   * The doctors of the board, the signed-in doctor's own column first: from the
   * members list, else (a server without one, or members without doctor ids)
   * from the day's appointments.
   */
  doctors(appointments: readonly Appointment[]): Board['doctors'] {
    const { user } = this.ctx;
    const byId = new Map<number, string>();
    for (const m of this.members()) if (m.doctor_id !== null) byId.set(m.doctor_id, m.name);
    const fromMembers = byId.size > 0;
    if (!fromMembers) for (const a of appointments) if (!byId.has(a.doctor_id) || a.doctor_name) byId.set(a.doctor_id, a.doctor_name ?? `Doctor ${a.doctor_id}`);
    // A doctor always has their own column, under their own name unless the members list says otherwise.
    if (user.doctor_id !== null && !(fromMembers && byId.has(user.doctor_id))) byId.set(user.doctor_id, user.name);
    // A doctor whom the server shows nothing of a colleague's (no rows, channel refused) gets no empty column for them.
    const shown = new Set(appointments.map((a) => a.doctor_id));
    const seen = ([doctorId]: [number, string]) => user.role !== 'doctor' || doctorId === user.doctor_id || shown.has(doctorId) || !this.refused.has(doctorId);
    const doctors = [...byId].filter(seen).map(([doctorId, name]) => ({ doctorId, name, refreshSeconds: this.refused.get(doctorId) ?? null })).sort((a, b) => a.name.localeCompare(b.name));
    const own = doctors.findIndex((d) => d.doctorId === user.doctor_id);
    if (own > 0) doctors.unshift(...doctors.splice(own, 1));
    return doctors;
  }

  private empty(date: string): Board {
    return { date, doctors: this.doctors([]), appointments: [], syncedAt: null, stale: false };
  }

  /** `departed`: what the board of the same day remembers as moved off it (another day starts with nothing). */
  private replace(board: Board, departed: BoardState['departed'] = new Map()): void {
    this.state = { board, departed: this.state.board?.date === board.date ? departed : new Map() };
    this.ctx.emit({ kind: 'board.replaced', board });
  }
}

const snapshotKey = (date: string) => `board:${date}`;

/** The same day, rows, columns and staleness; when it was read does not count. */
function sameBoard(held: Board | null, read: Board): boolean {
  return held !== null && held.date === read.date && held.stale === read.stale && isDeepStrictEqual(held.doctors, read.doctors) && isDeepStrictEqual(held.appointments, read.appointments);
}
