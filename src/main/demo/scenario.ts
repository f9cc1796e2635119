import type { Appointment } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import type { DemoBackend } from './demo-backend';
import type { DemoLogger } from './logger';
import { Rng } from './rng';
import { SimulatedDesk, type DeskEndpoints } from './simulated-desk';

/**
 * A believable clinic day, one happening at a time: appointments confirmed,
 * reminded, checked in, cancelled; consultations going pending → active →
 * completed; notifications; messages and typing; staff coming online and
 * leaving. Every choice comes from a seeded PRNG over the clinic's current
 * state, so the same seed, clock and world give the same day. Everything goes
 * out through the back end's broadcaster (the official SDK and the HTTP
 * trigger API), never straight onto the socket server.
 */

export interface ScenarioOptions {
  seed: number;
  /** Happenings per minute when running on its own timer. */
  ratePerMinute: number;
  /** Where the simulated colleagues' desks connect; presence happenings are skipped without it. */
  endpoints?: DeskEndpoints;
}

export type HappeningKind =
  | 'appointment.confirmed'
  | 'appointment.reminder'
  | 'appointment.checked_in'
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

const NOTES = [
  ['lab_result', 'Lab results ready', 'Blood panel results are ready for review.'],
  ['supplies', 'Supplies delivered', 'The vaccine delivery has arrived at the front desk.'],
  ['schedule', 'Schedule change', 'A colleague swapped the afternoon shift.'],
  ['urgent', 'Urgent call-back', 'A patient asked for an urgent call-back.'],
] as const;

const LINES = ['Running ten minutes late.', 'Room 2 is free.', 'Can someone cover the phone?', 'Patient has arrived.', 'Results uploaded.', 'Thanks!'];

export class Scenario {
  private readonly rng: Rng;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly desks = new Map<number, SimulatedDesk>();
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

  /** Runs on its own timer at `ratePerMinute` until `stop()`. */
  start(ratePerMinute = this.options.ratePerMinute): void {
    this.stop();
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
    for (const desk of this.desks.values()) desk.goOffline();
    this.desks.clear();
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

  private todays(filter: (a: Appointment) => boolean): Appointment[] {
    const store = this.backend.store;
    const day = store.today();
    return store
      .allAppointments()
      .filter((a) => a.appointment_date.startsWith(day) && filter(a))
      .sort((a, b) => a.id - b.id);
  }

  private async appointment(kind: HappeningKind, from: readonly string[], action: AppointmentAction, status: string) {
    const candidates = this.todays((a) => from.includes(a.status));
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
        return this.appointment(kind, ['confirmed', 'reminder_sent'], 'confirmed', 'checked_in');
      case 'appointment.cancelled':
        return this.appointment(kind, ['scheduled', 'confirmed', 'reminder_sent'], 'cancelled', 'cancelled');
      case 'consultation.started': {
        const pending = store.consultationsWhere((c) => c.status === 'pending');
        if (pending.length > 0) {
          const target = this.rng.pick(pending);
          const { consultation, broadcast } = await this.backend.setConsultationStatus(target.id, 'active');
          if (consultation.appointment_id !== null) await this.backend.updateAppointment(consultation.appointment_id, 'confirmed', { status: 'in_consultation' });
          return this.next(kind, `consultation ${consultation.id} with ${consultation.patient_name} started`, consultation.id, broadcast);
        }
        const checkedIn = this.todays((a) => a.status === 'checked_in' && store.consultationsWhere((c) => c.appointment_id === a.id).length === 0);
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
        const sender = store.userById(this.rng.pick(conversation.participant_ids));
        if (!sender) return null;
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
        desk.typing(conversation.id, user.name, true, store.stamp());
        return this.next(kind, `${user.name} is typing in "${conversation.subject}"`, userId, true);
      }
      case 'staff.online': {
        const endpoints = this.options.endpoints;
        if (!endpoints) return null;
        const offline = store.world.users.filter((u) => u.role !== 'patient' && !this.desks.has(u.id)).sort((a, b) => a.id - b.id);
        if (offline.length === 0) return null;
        const user = this.rng.pick(offline);
        const desk = new SimulatedDesk(user.id, user.clinic_id, store.issueToken(user.id), endpoints, this.logger);
        this.desks.set(user.id, desk);
        let joined = true;
        try {
          await desk.goOnline();
        } catch {
          joined = false; // socket server down: the colleague "is online" once it is back
        }
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

  private pickConversation() {
    const rows = this.backend.store.conversationsWhere(() => true);
    return rows.length === 0 ? null : this.rng.pick(rows);
  }
}
