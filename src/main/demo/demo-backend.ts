import { clockIn } from '../../shared/clinic-time';
import type { Appointment, Consultation, ConsultationStatus, Conversation, Message, Notification, User } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import { toLaravelIso } from '../../shared/time';
import type { LaravelBroadcaster } from './broadcaster';
import type { ChangeOptions, ClinicStore } from './clinic-store';

/** `DemoClinic.openConsultation()`: a doctor sees a patient. */
export interface OpenConsultationInput {
  /** The doctors-table id (not the user id). */
  doctorId: number;
  patientId: number;
  /** `active` (default): the doctor calls the patient in now; `pending`: checked in, waiting to be called. */
  status?: 'pending' | 'active';
  /** The reason of a walk-in's appointment (default "Walk-in"). */
  reason?: string;
}

export interface OpenedConsultation {
  consultation: Consultation;
  /** Its appointment after the change (`in_consultation`, or `checked_in` while pending). */
  appointment: Appointment;
  /** True when no open appointment of theirs was on today's schedule, so a walk-in appointment was created (broadcast with action `created`). */
  walkIn: boolean;
  /** The doctor's "Patient waiting" notification (type `consultation`) of a pending consultation; null for an active one. */
  notification: Notification | null;
  /** Whether every broadcast of the change was taken (false while broadcasting is off or the socket server is down). */
  broadcast: boolean;
}

/** `DemoClinic.startConversation()`: a colleague writes to others in a new conversation. */
export interface StartConversationInput {
  /** The user who writes first (staff). */
  senderId: number;
  /** The others (staff of the sender's clinic); the sender takes part too. */
  participantIds: readonly number[];
  subject: string;
  body: string;
  /** A `message` notification to each other participant (default true). */
  notify?: boolean;
}

export interface StartedConversation {
  /** As the sender sees it (its first message as `last_message`). */
  conversation: Conversation;
  message: Message;
  notifications: Notification[];
  broadcast: boolean;
}

/** Statuses after which an appointment's visit is over (or never happens). */
const CLOSED_APPOINTMENT_STATUSES: ReadonlySet<string> = new Set(['completed', 'cancelled', 'no_show', 'in_consultation']);

/**
 * Who acts, for the record (`by`: the user who changed a status) and for the
 * broadcast (`socketId`: the acting desk's `X-Socket-ID`, left out as
 * `toOthers()` does). Without them: the scenario's colleague, sent to all.
 */
export interface ActingOptions extends ChangeOptions {
  socketId?: string;
}

/** The action an `appointment-updated` for a status change carries: the seed's three, as Laravel apps send them (a no-show is a kind of cancellation). */
export function actionForStatus(status: string): AppointmentAction {
  if (status === 'cancelled' || status === 'no_show') return 'cancelled';
  if (status === 'reminder_sent') return 'reminder';
  return 'confirmed';
}

/**
 * The back end's services: each change is written to the store, then
 * broadcast, as a Laravel controller or job would (`Model::update()` then
 * `broadcast(new ...Broadcast(...))`). The REST API and the scenario engine
 * both go through here, so a desk sees the same events either way.
 *
 * Methods resolve once the broadcast was attempted; `broadcast` in the answer
 * says whether the socket server took it (it is false while it is down).
 */
export class DemoBackend {
  constructor(
    readonly store: ClinicStore,
    private readonly broadcaster: LaravelBroadcaster,
  ) {}

  get broadcasts() {
    return this.broadcaster.stats;
  }

  /** Whether broadcasts go out (false: the queue worker is "stopped"; REST changes go on, nothing reaches the socket). */
  get broadcasting(): boolean {
    return this.broadcaster.broadcasting;
  }

  setBroadcasting(on: boolean): void {
    this.broadcaster.setBroadcasting(on);
  }

  async notify(input: Pick<Notification, 'user_id' | 'type' | 'title' | 'message' | 'action_url'>, socketId?: string) {
    const notification = this.store.createNotification(input);
    const broadcast = await this.broadcaster.notification(notification, socketId);
    return { notification, broadcast };
  }

  async updateAppointment(
    id: number,
    action: AppointmentAction,
    changes: Partial<Pick<Appointment, 'status' | 'appointment_date' | 'reason'>>,
    acting: ActingOptions = {},
  ) {
    const { socketId, ...record } = acting;
    const appointment = this.store.updateAppointment(id, changes, record);
    const patientUserId = this.store.patient(appointment.patient_id)?.user_id ?? null;
    const broadcast = await this.broadcaster.appointment(appointment, action, patientUserId, socketId);
    return { appointment, broadcast };
  }

  async openConsultation(appointment: Appointment, status: 'pending' | 'active' = 'pending', socketId?: string) {
    const consultation = this.store.openConsultation(appointment, status);
    const broadcast = await this.broadcaster.consultation(consultation, socketId);
    return { consultation, broadcast };
  }

  async setConsultationStatus(id: number, status: ConsultationStatus, socketId?: string): Promise<{ consultation: Consultation; broadcast: boolean }> {
    const consultation = this.store.setConsultationStatus(id, status);
    const broadcast = await this.broadcaster.consultation(consultation, socketId);
    return { consultation, broadcast };
  }

  /**
   * A consultation's status, with its appointment following as the clinic's app
   * does: `active` puts the appointment `in_consultation`, `completed` makes it
   * `completed` (each its own `appointment-updated`).
   */
  async moveConsultation(id: number, status: ConsultationStatus, acting: ActingOptions = {}): Promise<{ consultation: Consultation; appointment: Appointment | null; broadcast: boolean }> {
    const { consultation, broadcast } = await this.setConsultationStatus(id, status, acting.socketId);
    const follows = status === 'active' ? 'in_consultation' : status === 'completed' ? 'completed' : null;
    if (consultation.appointment_id === null || follows === null) return { consultation, appointment: consultation.appointment_id === null ? null : this.store.appointment(consultation.appointment_id), broadcast };
    const moved = await this.updateAppointment(consultation.appointment_id, 'confirmed', { status: follows }, acting);
    return { consultation, appointment: moved.appointment, broadcast: broadcast && moved.broadcast };
  }

  // ── staff actions (the desk's buttons; the checks are staff-action-rules.ts's) ──

  /**
   * The doctor is ready for the checked-in patient: a `call-in` notification
   * to every receptionist of the clinic, opening the board at the appointment.
   * The appointment does not change.
   */
  async callIn(appointment: Appointment, doctor: User, socketId?: string): Promise<{ notifications: Notification[]; broadcast: boolean }> {
    const { store } = this;
    const desk = store.world.users.filter((u) => u.clinic_id === appointment.clinic_id && u.role === 'reception').sort((a, b) => a.id - b.id);
    const time = clockIn(appointment.appointment_date, store.timeZone);
    const notifications: Notification[] = [];
    const broadcasts: boolean[] = [];
    for (const receptionist of desk) {
      const sent = await this.notify(
        {
          user_id: receptionist.id,
          type: 'call-in',
          title: `${doctor.name} is ready for ${appointment.patient_name}`,
          message: `Please send ${appointment.patient_name} in to ${doctor.name} (${time} appointment).`,
          action_url: `/appointments/${appointment.id}`,
        },
        socketId,
      );
      notifications.push(sent.notification);
      broadcasts.push(sent.broadcast);
    }
    return { notifications, broadcast: broadcasts.every(Boolean) };
  }

  /**
   * The doctor starts the consultation of a checked-in patient: the one
   * already opened for the appointment (pending, called in next), else a new
   * one, now `active`; the appointment goes `in_consultation`. Broadcasts both.
   */
  async startConsultation(appointment: Appointment, doctor: User, socketId?: string): Promise<{ consultation: Consultation; appointment: Appointment; broadcast: boolean }> {
    const pending = this.store.consultationsWhere((c) => c.appointment_id === appointment.id && c.status === 'pending')[0];
    const acting = { by: doctor.id, socketId };
    if (pending) {
      const moved = await this.moveConsultation(pending.id, 'active', acting);
      return { consultation: moved.consultation, appointment: moved.appointment ?? appointment, broadcast: moved.broadcast };
    }
    const opened = await this.openConsultation(appointment, 'active', socketId);
    const moved = await this.updateAppointment(appointment.id, 'confirmed', { status: 'in_consultation' }, acting);
    return { consultation: opened.consultation, appointment: moved.appointment, broadcast: opened.broadcast && moved.broadcast };
  }

  /** An appointment's new status, broadcast with the action that goes with it (`cancelled`, `reminder`, else `confirmed`) unless one is given. */
  setAppointmentStatus(id: number, status: string, action: AppointmentAction = actionForStatus(status)) {
    return this.updateAppointment(id, action, { status });
  }

  /**
   * A doctor sees a patient: on their open appointment of today (the one
   * nearest now), else on a walk-in appointment created now. REST state first,
   * then the broadcasts Laravel would send: `appointment-updated` (`created`)
   * for a walk-in, `consultation-status-changed`, `appointment-updated` for the
   * appointment going `in_consultation` (or `checked_in`), and for a pending
   * consultation the doctor's "Patient waiting" notification.
   */
  async openConsultationFor(input: OpenConsultationInput): Promise<OpenedConsultation> {
    const { store } = this;
    const doctor = store.doctor(input.doctorId);
    const patient = store.patient(input.patientId);
    if (!doctor) throw new RangeError(`no doctor ${input.doctorId}`);
    if (!patient) throw new RangeError(`no patient ${input.patientId}`);
    const status = input.status ?? 'active';
    const now = store.clock();
    const today = store.today();
    const hasOpenConsultation = (appointmentId: number) =>
      store.consultationsWhere((c) => c.appointment_id === appointmentId && (c.status === 'pending' || c.status === 'active')).length > 0;
    const found = store
      .appointmentsOn(doctor.clinic_id, today, (a) => a.doctor_id === doctor.id && a.patient_id === patient.id && !CLOSED_APPOINTMENT_STATUSES.has(a.status) && !hasOpenConsultation(a.id))
      .sort((a, b) => Math.abs(Date.parse(a.appointment_date) - now) - Math.abs(Date.parse(b.appointment_date) - now) || a.id - b.id)[0];
    const broadcasts: boolean[] = [];
    let appointment: Appointment;
    if (found) {
      appointment = found;
    } else {
      const walkIn = await this.walkIn(doctor.id, patient.id, input.reason);
      appointment = walkIn.appointment;
      broadcasts.push(walkIn.broadcast);
    }
    const opened = await this.openConsultation(appointment, status);
    broadcasts.push(opened.broadcast);
    const next = status === 'active' ? 'in_consultation' : 'checked_in';
    if (appointment.status !== next) {
      const moved = await this.updateAppointment(appointment.id, 'confirmed', { status: next });
      appointment = moved.appointment;
      broadcasts.push(moved.broadcast);
    }
    let notification: Notification | null = null;
    if (status === 'pending') {
      const sent = await this.notify({
        user_id: doctor.user_id,
        type: 'consultation',
        title: 'Patient waiting',
        message: `${patient.name} is checked in and waiting.`,
        action_url: `/consultations/${opened.consultation.id}`,
      });
      notification = sent.notification;
      broadcasts.push(sent.broadcast);
    }
    return { consultation: opened.consultation, appointment, walkIn: !found, notification, broadcast: broadcasts.every(Boolean) };
  }

  /**
   * A patient walks in: an appointment now (to the minute), already checked in,
   * broadcast as `appointment-updated` with the action `created`.
   */
  async walkIn(doctorId: number, patientId: number, reason = 'Walk-in'): Promise<{ appointment: Appointment; broadcast: boolean }> {
    const now = this.store.clock();
    const appointment = this.store.createAppointment({
      doctor_id: doctorId,
      patient_id: patientId,
      status: 'checked_in',
      appointment_date: toLaravelIso(now - (now % 60_000)),
      duration_minutes: 15,
      reason,
    });
    const broadcast = await this.broadcaster.appointment(appointment, 'created', this.store.patient(patientId)?.user_id ?? null);
    return { appointment, broadcast };
  }

  /**
   * A new conversation with its first message: the conversation and message
   * rows, `message-sent` on the new conversation's channel, and a `message`
   * notification to each other participant.
   */
  async startConversation(input: StartConversationInput): Promise<StartedConversation> {
    const { store } = this;
    const sender = store.userById(input.senderId);
    if (!sender || sender.role === 'patient') throw new RangeError(`user ${input.senderId} is not staff`);
    const row = store.createConversation({ clinic_id: sender.clinic_id, subject: input.subject, participant_ids: [sender.id, ...input.participantIds] });
    const posted = await this.postMessage(row.id, sender, input.body);
    const broadcasts = [posted.broadcast];
    const notifications: Notification[] = [];
    if (input.notify ?? true) {
      for (const userId of row.participant_ids.filter((id) => id !== sender.id)) {
        const sent = await this.notify({
          user_id: userId,
          type: 'message',
          title: `New message from ${sender.name}`,
          message: `${input.subject}: ${input.body}`.slice(0, 200),
          action_url: `/conversations/${row.id}`,
        });
        notifications.push(sent.notification);
        broadcasts.push(sent.broadcast);
      }
    }
    const conversation = store.conversationFor(row.id, sender.id);
    if (!conversation) throw new Error(`conversation ${row.id} vanished`);
    return { conversation, message: posted.message, notifications, broadcast: broadcasts.every(Boolean) };
  }

  /** `broadcast(new MessageBroadcast(...))->toOthers()`: the sender's socket is excluded. */
  async postMessage(conversationId: number, sender: User, body: string, clientId?: string, senderSocketId?: string) {
    const { message, created } = this.store.addMessage(conversationId, sender, body, clientId);
    const broadcast = created ? await this.broadcaster.messageSent(message, senderSocketId) : false;
    return { message, created, broadcast };
  }

  async markConversationRead(conversationId: number, reader: User) {
    const read = this.store.markConversationRead(conversationId, reader.id);
    if (!read) return { read: null, broadcast: false };
    const data = { user_id: reader.id, ...read };
    const broadcast = await this.broadcaster.messageRead(conversationId, data);
    return { read: data, broadcast };
  }

  /** Deliberately bad input under a real event name, for the desk's validation. */
  rawBroadcast(event: string, channelNames: string[], data: string) {
    return this.broadcaster.raw(event, channelNames, data);
  }

  eventName(...args: Parameters<LaravelBroadcaster['eventName']>) {
    return this.broadcaster.eventName(...args);
  }
}

