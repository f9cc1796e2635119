import type { Appointment, ClinicMember } from '../../../shared/domain';
import { Board } from '../../../shared/desk-state';
import type { AppointmentUpdatePayload } from '../../../shared/payloads';
import { UnauthorizedError } from '../api/client';
import { mergeAppointment, newer } from './newest-wins';
import type { FeatureOutcome } from './features';
import { unannounced, type PartContext } from './part';
import { dayIn } from '../../../shared/clinic-time';

/**
 * The appointment board of one day: read from the server when it offers the
 * list, kept up to date by `appointment-updated`, and built from those events
 * alone when it does not. Its columns are the clinic's doctors: from the
 * members list, else from the day's appointments.
 */
export class BoardPart {
  private board: Board | null = null;
  private day: string;
  /** Doctors whose channel the server refuses this desk, and how often their column is refreshed instead (s). */
  private refused = new Map<number, number>();

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
    return this.board;
  }

  /** The cached board of the day, shown (as stale) until the server confirms it. */
  restore(): void {
    const cached = this.ctx.loadSnapshot(snapshotKey(this.day), Board);
    if (cached) this.board = { ...cached, stale: true };
  }

  /** Reads the day from the server; a live update that raced the answer is newer than its row and stays. */
  async sync(stale: boolean, date = this.day): Promise<FeatureOutcome & { board: Board }> {
    const listing = await this.ctx.api.appointments(date);
    const held = this.board?.date === date ? new Map(this.board.appointments.map((a) => [a.id, a])) : new Map<number, Appointment>();
    let missed = 0;
    const appointments = listing.items.map((row) => {
      const mine = held.get(row.id);
      // Columns without a live channel are expected to change only here.
      if (mine && !this.refused.has(row.doctor_id) && unannounced(row, mine)) missed++;
      return mine ? newer(row, mine) : row;
    });
    const board: Board = { date, doctors: this.doctors(appointments), appointments: sortByTime(appointments), syncedAt: this.ctx.isoNow(), stale };
    if (date === this.day) this.replace(board);
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
      return (await this.sync(stale, date)).board;
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
    if (!this.board) this.replace(this.empty(this.day));
  }

  markStale(): void {
    if (this.board && !this.board.stale) this.replace({ ...this.board, stale: true });
  }

  /** Applies a live update; `incomplete` means the desk should ask the server for the rest. */
  onUpdate(update: AppointmentUpdatePayload): 'applied' | 'ignored' | 'incomplete' {
    this.board ??= this.empty(this.day);
    const onBoard = dayIn(update.appointment_date, this.ctx.zone) === this.board.date;
    const index = this.board.appointments.findIndex((a) => a.id === update.id);
    const current = index >= 0 ? (this.board.appointments[index] ?? null) : null;
    if (!onBoard && !current) return 'ignored'; // another day's appointment
    const merged = mergeAppointment(current, update, { clinic_id: this.ctx.user.clinic_id });
    if (!merged.applied) return merged.reason === 'incomplete' ? 'incomplete' : 'ignored';
    const rest = this.board.appointments.filter((a) => a.id !== update.id);
    const appointments = onBoard ? sortByTime([...rest, merged.value]) : rest;
    const doctors = this.board.doctors.some((d) => d.doctorId === merged.value.doctor_id) ? this.board.doctors : this.doctors(appointments);
    this.board = { ...this.board, appointments, doctors };
    this.ctx.emit({ kind: 'appointment.updated', appointment: merged.value, action: update.action, changed: merged.changed });
    this.ctx.saveSnapshot(snapshotKey(this.board.date), this.board, Board);
    return 'applied';
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
    if (this.board) this.replace({ ...this.board, doctors: this.doctors(this.board.appointments) });
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

  private replace(board: Board): void {
    this.board = board;
    this.ctx.emit({ kind: 'board.replaced', board });
  }
}

const snapshotKey = (date: string) => `board:${date}`;


function sortByTime(list: Appointment[]): Appointment[] {
  return [...list].sort((a, b) => Date.parse(a.appointment_date) - Date.parse(b.appointment_date) || a.id - b.id);
}
