import type { Appointment, Consultation, ConsultationStatus, Notification, User } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import type { LaravelBroadcaster } from './broadcaster';
import type { ClinicStore } from './clinic-store';

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

  async notify(input: Pick<Notification, 'user_id' | 'type' | 'title' | 'message' | 'action_url'>) {
    const notification = this.store.createNotification(input);
    const broadcast = await this.broadcaster.notification(notification);
    return { notification, broadcast };
  }

  async updateAppointment(
    id: number,
    action: AppointmentAction,
    changes: Partial<Pick<Appointment, 'status' | 'appointment_date' | 'reason'>>,
  ) {
    const appointment = this.store.updateAppointment(id, changes);
    const patientUserId = this.store.patient(appointment.patient_id)?.user_id ?? null;
    const broadcast = await this.broadcaster.appointment(appointment, action, patientUserId);
    return { appointment, broadcast };
  }

  async openConsultation(appointment: Appointment) {
    const consultation = this.store.openConsultation(appointment);
    const broadcast = await this.broadcaster.consultation(consultation);
    return { consultation, broadcast };
  }

  async setConsultationStatus(id: number, status: ConsultationStatus): Promise<{ consultation: Consultation; broadcast: boolean }> {
    const consultation = this.store.setConsultationStatus(id, status);
    const broadcast = await this.broadcaster.consultation(consultation);
    return { consultation, broadcast };
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

