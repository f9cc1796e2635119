import type { Appointment } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import type { DemoBackend } from './demo-backend';
import type { DemoLogger } from './logger';
import { Rng } from './rng';
import { SimulatedDesk, type DeskEndpoints } from './simulated-desk';

/**
 * A believable clinic day, one happening at a time: appointments confirmed,
 * reminded, checked in (the next patients due), cancelled, and walk-ins where
 * a doctor's waiting room is empty; consultations going pending → active →
 * completed; notifications; messages, typed first by colleagues at their
 * desks; staff coming online and leaving. It acts on the clinic's local day
 * around the clock's "now", so the clinic stays in session at any hour. Every
 * choice comes from a seeded PRNG over the clinic's current state, so the
 * same seed, clock, zone and world give the same day. Everything goes out
 * through the back end's broadcaster (the official SDK and the HTTP trigger
 * API), never straight onto the socket server; while broadcasting is off (the
 * queue worker "stopped") the changes still happen, unannounced.
 */

export interface ScenarioOptions {
  seed: number;
  /** Happenings per minute when running on its own timer. */
  ratePerMinute: number;
  /** Where the simulated colleagues' desks connect; presence happenings are skipped without it. */
  endpoints?: DeskEndpoints;
  /**
   * Users the scenario never plays (no simulated desk, no messages in their
   * name): the accounts a newcomer signs in with, who would otherwise see
   * themselves come online and type.
   */
  keepOffline?: readonly number[];
  /** Colleagues per clinic who come online as soon as the scenario starts (default 2). */
  onlineAtStart?: number;
}

export type HappeningKind =
  | 'appointment.confirmed'
  | 'appointment.reminder'
  | 'appointment.checked_in'
  | 'appointment.walk_in'
  | 'appointment.cancelled'
  | 'consultation.started'
  | 'consultation.completed'
  | 'consultation.cancelled'
  | 'notification'
  | 'message'
  | 'message.read'
  | 'typing'
  | 'staff.online'
  | 'staff.offline';

export interface Happening {
  seq: number;
  kind: HappeningKind;
  /** What happened, for the demo-server log. */
  summary: string;
  /** The row it touched (appointment, consultation, notification, message or user id). */
  ref: number;
  /** Whether the socket server took the broadcast (false while it is down). */
  broadcast: boolean;
}

const WEIGHTS: ReadonlyArray<readonly [HappeningKind, number]> = [
  ['appointment.confirmed', 4],
  ['appointment.reminder', 3],
  ['appointment.checked_in', 3],
  ['appointment.walk_in', 1.5],
  ['appointment.cancelled', 1],
  ['consultation.started', 3],
  ['consultation.completed', 3],
  ['consultation.cancelled', 0.5],
  ['notification', 3],
  ['message', 2],
  ['message.read', 1],
  ['typing', 1],
  ['staff.online', 1.5],
  ['staff.offline', 1],
];

/** The notifications the scenario sends: type, title, message. */
export const NOTES = [
  ['lab_result', 'Lab results ready', 'Blood panel results are ready for review.'],
  ['supplies', 'Supplies delivered', 'The vaccine delivery has arrived at the front desk.'],
  ['schedule', 'Schedule change', 'A colleague swapped the afternoon shift.'],
  ['urgent', 'Urgent call-back', 'A patient asked for an urgent call-back.'],
] as const;

/** What colleagues write in the scenario's conversations. */
export const LINES = ['Running ten minutes late.', 'Room 2 is free.', 'Can someone cover the phone?', 'Patient has arrived.', 'Results uploaded.', 'Thanks!'];

export class Scenario {
  private readonly rng: Rng;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly desks = new Map<number, SimulatedDesk>();
  /** Changes on every `stop()`: a colleague who finishes coming online after it goes offline again. */
  private epoch = 0;
  readonly history: Happening[] = [];

  constructor(
    private readonly backend: DemoBackend,
    private readonly options: ScenarioOptions,
    private readonly logger: DemoLogger,
  ) {
    // Offset from the world's seed so the day does not mirror how the world was built.
    this.rng = new Rng(options.seed * 7919 + 17);
  }

  get isRunning(): boolean {
    return this.timer !== null;
  }

  /** Runs on its own timer at `ratePerMinute` until `stop()`, after bringing a few colleagues online. */
  start(ratePerMinute = this.options.ratePerMinute): void {
    this.stop();
    const gathering = this.options.onlineAtStart ?? 2;
    if (gathering > 0) {
      this.running = this.running.then(() => this.gatherColleagues(gathering)).catch((error: unknown) => this.logger.warn('colleagues did not come online', { error: String(error) }));
    }
    const interval = Math.max(10, Math.round(60_000 / Math.max(0.01, ratePerMinute)));
    this.timer = setInterval(() => {
      // One happening at a time: a slow broadcast delays the next instead of overlapping it.
      this.running = this.running.then(() => this.step()).catch((error: unknown) => this.logger.warn('scenario step failed', { error: String(error) }));
    }, interval);
    this.timer.unref();
  }

  /** Stops the timer and takes every simulated colleague offline. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.epoch++;
    for (const desk of this.desks.values()) desk.goOffline();
    this.desks.clear();
  }

  /** Who is online as a simulated colleague (user ids, ascending). */
  get colleaguesOnline(): number[] {
    return [...this.desks.keys()].sort((a, b) => a - b);
  }

  /**
   * Brings `perClinic` colleagues of each clinic online at once (a clinic in
   * session has people at their desks), chosen from the seed; resolves once
   * each has joined presence (or could not: the socket server is down).
   */
  async gatherColleagues(perClinic: number): Promise<number[]> {
    const endpoints = this.options.endpoints;
    if (!endpoints || perClinic <= 0) return [];
    const { store } = this.backend;
    const rng = new Rng(this.options.seed * 7919 + 29);
    const epoch = this.epoch;
    const chosen: number[] = [];
    for (const clinic of store.world.clinics) {
      const staff = this.playable().filter((u) => u.clinic_id === clinic.id && !this.desks.has(u.id));
      for (let i = 0; i < perClinic && staff.length > 0; i++) chosen.push(...staff.splice(Math.floor(rng.next() * staff.length), 1).map((u) => u.id));
    }
    await Promise.all(chosen.map((id) => this.bringOnline(id, epoch)));
    return chosen.filter((id) => this.desks.has(id));
  }

  /** Staff the scenario may play, by id. */
  private playable() {
    const reserved = new Set(this.options.keepOffline ?? []);
    return this.backend.store.world.users.filter((u) => u.role !== 'patient' && !reserved.has(u.id)).sort((a, b) => a.id - b.id);
  }

  /** A colleague's desk joins presence; false when the socket server is down (they "are online" once it is back). */
  private async bringOnline(userId: number, epoch: number): Promise<boolean> {
    const endpoints = this.options.endpoints;
    const user = this.backend.store.accountById(userId);
    if (!endpoints || !user) return false;
    const desk = new SimulatedDesk(user.id, user.clinic_id, this.backend.store.issueToken(user.id), endpoints, this.logger);
    this.desks.set(user.id, desk);
    let joined = true;
    try {
      await desk.goOnline();
    } catch {
      joined = false;
    }
    if (epoch !== this.epoch) {
      // Stopped meanwhile: nobody stays online after `stop()`.
      desk.goOffline();
      if (this.desks.get(user.id) === desk) this.desks.delete(user.id);
    }
    return joined;
  }

  /** Runs `count` happenings now, one after another. */
  async run(count: number): Promise<Happening[]> {
    const out: Happening[] = [];
    for (let i = 0; i < count; i++) out.push(await this.step());
    return out;
  }

  /** The next happening. Falls back to a notification when the chosen kind has nothing to act on. */
  async step(): Promise<Happening> {
    const kind = this.rng.weighted(WEIGHTS);
    const happening = (await this.perform(kind)) ?? (await this.perform('notification'));
    if (!happening) throw new Error('scenario found nothing to do');
    this.history.push(happening);
    this.logger.info('scenario', { ...happening });
    return happening;
  }

  private next(kind: HappeningKind, summary: string, ref: number, broadcast: boolean): Happening {
    return { seq: ++this.seq, kind, summary, ref, broadcast };
  }

  /** Today's appointments (the clinic's local day) that pass `filter`, by id. */
  private todays(filter: (a: Appointment) => boolean): Appointment[] {
    const store = this.backend.store;
    const day = store.today();
    return store
      .allAppointments()
      .filter((a) => store.isOnDay(a, day) && filter(a))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * `nearNow`: only the few due soonest (from half an hour ago on), as patients
   * arrive for the next appointments, not for the evening's.
   */
  private async appointment(kind: HappeningKind, from: readonly string[], action: AppointmentAction, status: string, nearNow = false) {
    let candidates = this.todays((a) => from.includes(a.status));
    if (nearNow) {
      const now = this.backend.store.clock();
      const due = candidates
        .filter((a) => Date.parse(a.appointment_date) >= now - 30 * 60_000)
        .sort((a, b) => a.appointment_date.localeCompare(b.appointment_date) || a.id - b.id)
        .slice(0, 3);
      if (due.length > 0) candidates = due;
    }
    if (candidates.length === 0) return null;
    const target = this.rng.pick(candidates);
    const { appointment, broadcast } = await this.backend.updateAppointment(target.id, action, { status });
    return this.next(kind, `${appointment.patient_name}: ${target.status} → ${status}`, appointment.id, broadcast);
  }

  private async perform(kind: HappeningKind): Promise<Happening | null> {
    const { store } = this.backend;
    switch (kind) {
      case 'appointment.confirmed':
        return this.appointment(kind, ['scheduled'], 'confirmed', 'confirmed');
      case 'appointment.reminder':
        return this.appointment(kind, ['scheduled', 'confirmed'], 'reminder', 'reminder_sent');
      case 'appointment.checked_in':
        // The seed's actions have no check-in; Laravel apps send it as a confirmation with the new status.
        return this.appointment(kind, ['confirmed', 'reminder_sent'], 'confirmed', 'checked_in', true);
      case 'appointment.walk_in': {
        // Only where a doctor's waiting room is empty (nobody checked in, nobody due within the hour):
        // the clinic stays in session as the hours pass, even after the day's bookings run out.
        const now = store.clock();
        const due = (a: Appointment) => {
          const start = Date.parse(a.appointment_date);
          return a.status === 'checked_in' || (['scheduled', 'confirmed', 'reminder_sent'].includes(a.status) && start >= now - 30 * 60_000 && start <= now + 60 * 60_000);
        };
        const busy = new Set(this.todays(due).map((a) => a.doctor_id));
        const idle = store.world.doctors.filter((d) => !busy.has(d.id)).sort((a, b) => a.id - b.id);
        if (idle.length === 0) return null;
        const doctor = this.rng.pick(idle);
        const patient = this.rng.pick(store.world.patients.filter((p) => p.clinic_id === doctor.clinic_id));
        const { appointment, broadcast } = await this.backend.walkIn(doctor.id, patient.id);
        return this.next(kind, `${appointment.patient_name} walked in for ${doctor.name}`, appointment.id, broadcast);
      }
      case 'appointment.cancelled':
        return this.appointment(kind, ['scheduled', 'confirmed', 'reminder_sent'], 'cancelled', 'cancelled');
      case 'consultation.started': {
        // Doctors call in the patients who arrived for the last couple of hours' appointments, earliest first.
        const startOf = (appointmentId: number | null, fallback: string) => Date.parse((appointmentId === null ? null : store.appointment(appointmentId))?.appointment_date ?? fallback);
        const pending = this.queue(store.consultationsWhere((c) => c.status === 'pending'), (c) => startOf(c.appointment_id, c.updated_at));
        const checkedIn = this.queue(
          this.todays((a) => a.status === 'checked_in' && store.consultationsWhere((c) => c.appointment_id === a.id).length === 0),
          (a) => Date.parse(a.appointment_date),
        );
        if (pending.length > 0 && (checkedIn.length === 0 || this.rng.chance(0.6))) {
          const target = this.rng.pick(pending);
          const { consultation, broadcast } = await this.backend.setConsultationStatus(target.id, 'active');
          if (consultation.appointment_id !== null) await this.backend.updateAppointment(consultation.appointment_id, 'confirmed', { status: 'in_consultation' });
          return this.next(kind, `consultation ${consultation.id} with ${consultation.patient_name} started`, consultation.id, broadcast);
        }
        if (checkedIn.length === 0) return null;
        const { consultation, broadcast } = await this.backend.openConsultation(this.rng.pick(checkedIn));
        const doctor = store.doctor(consultation.doctor_id);
        if (doctor) {
          await this.backend.notify({
            user_id: doctor.user_id,
            type: 'consultation',
            title: 'Patient waiting',
            message: `${consultation.patient_name} is checked in and waiting.`,
            action_url: `/consultations/${consultation.id}`,
          });
        }
        return this.next(kind, `consultation ${consultation.id} with ${consultation.patient_name} pending`, consultation.id, broadcast);
      }
      case 'consultation.completed':
      case 'consultation.cancelled': {
        const from = kind === 'consultation.completed' ? 'active' : 'pending';
        const candidates = store.consultationsWhere((c) => c.status === from);
        if (candidates.length === 0) return null;
        const target = this.rng.pick(candidates);
        const status = kind === 'consultation.completed' ? 'completed' : 'cancelled';
        const { consultation, broadcast } = await this.backend.setConsultationStatus(target.id, status);
        if (consultation.appointment_id !== null && status === 'completed') {
          await this.backend.updateAppointment(consultation.appointment_id, 'confirmed', { status: 'completed' });
        }
        return this.next(kind, `consultation ${consultation.id} ${status}`, consultation.id, broadcast);
      }
      case 'notification': {
        const staff = store.world.users.filter((u) => u.role !== 'patient').sort((a, b) => a.id - b.id);
        const user = this.rng.pick(staff);
        const [type, title, message] = this.rng.pick(NOTES);
        const { notification, broadcast } = await this.backend.notify({ user_id: user.id, type, title, message, action_url: null });
        return this.next(kind, `${title} → ${user.name}`, notification.id, broadcast);
      }
      case 'message': {
        const conversation = this.pickConversation();
        if (!conversation) return null;
        const sender = store.userById(this.pickSender(conversation.participant_ids));
        if (!sender) return null;
        // A colleague at their desk types first: the others see "is typing…", then the message.
        await this.desks.get(sender.id)?.typing(conversation.id, sender.name, true, store.stamp()).catch(() => false);
        const { message, broadcast } = await this.backend.postMessage(conversation.id, sender, this.rng.pick(LINES));
        return this.next(kind, `${sender.name} in "${conversation.subject}"`, message.id, broadcast);
      }
      case 'message.read': {
        const conversation = this.pickConversation();
        if (!conversation) return null;
        const reader = store.userById(this.rng.pick(conversation.participant_ids));
        if (!reader) return null;
        const { read, broadcast } = await this.backend.markConversationRead(conversation.id, reader);
        if (!read) return null;
        return this.next(kind, `${reader.name} read "${conversation.subject}"`, read.last_read_message_id, broadcast);
      }
      case 'typing': {
        const conversation = this.pickConversation();
        if (!conversation) return null;
        const online = conversation.participant_ids.filter((id) => this.desks.has(id));
        if (online.length === 0) return null;
        const userId = this.rng.pick(online);
        const user = store.userById(userId);
        const desk = this.desks.get(userId);
        if (!user || !desk) return null;
        await desk.typing(conversation.id, user.name, true, store.stamp()).catch(() => false);
        return this.next(kind, `${user.name} is typing in "${conversation.subject}"`, userId, true);
      }
      case 'staff.online': {
        if (!this.options.endpoints) return null;
        const offline = this.playable().filter((u) => !this.desks.has(u.id));
        if (offline.length === 0) return null;
        const user = this.rng.pick(offline);
        // Socket server down: the colleague "is online" once it is back.
        const joined = await this.bringOnline(user.id, this.epoch);
        return this.next(kind, `${user.name} came online`, user.id, joined);
      }
      case 'staff.offline': {
        const online = [...this.desks.keys()].sort((a, b) => a - b);
        if (online.length === 0) return null;
        const userId = this.rng.pick(online);
        this.desks.get(userId)?.goOffline();
        this.desks.delete(userId);
        return this.next(kind, `${store.userById(userId)?.name ?? userId} left`, userId, true);
      }
    }
  }

  /** The first few of a waiting room, earliest first: those due within the last two hours (or later), else everyone waiting. */
  private queue<T extends { id: number }>(rows: readonly T[], dueAt: (row: T) => number): T[] {
    const now = this.backend.store.clock();
    const recent = rows.filter((row) => dueAt(row) >= now - 2 * 60 * 60_000);
    return (recent.length > 0 ? recent : [...rows]).sort((a, b) => dueAt(a) - dueAt(b) || a.id - b.id).slice(0, 3);
  }

  /** A participant to write: one at their desk when there is one (70%), else anyone but the reserved accounts. */
  private pickSender(participantIds: readonly number[]): number {
    const reserved = new Set(this.options.keepOffline ?? []);
    const playable = participantIds.filter((id) => !reserved.has(id));
    const pool = playable.length > 0 ? playable : participantIds;
    const online = pool.filter((id) => this.desks.has(id));
    return online.length > 0 && this.rng.chance(0.7) ? this.rng.pick(online) : this.rng.pick(pool);
  }

  private pickConversation() {
    const rows = this.backend.store.conversationsWhere(() => true);
    return rows.length === 0 ? null : this.rng.pick(rows);
  }
}
