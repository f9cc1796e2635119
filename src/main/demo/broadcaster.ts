import Pusher from 'pusher';
import { channels } from '../../shared/channels';
import type { Appointment, Consultation, Message, Notification } from '../../shared/domain';
import {
  SERVER_EVENTS,
  type AppointmentAction,
  type AppointmentUpdatePayload,
  type ConsultationStatusPayload,
  type MessagePayload,
  type NotificationPayload,
  type ServerEventKey,
} from '../../shared/payloads';
import type { DemoLogger } from './logger';
import { phpJsonEncode } from './php-json';

/**
 * The back end's broadcast events (`NotificationBroadcast`, ...), sent the way
 * Laravel's pusher driver sends them: through the official Pusher server SDK
 * and the HTTP trigger API, never by poking the socket server directly.
 *
 * Broadcasting is queued in a real deployment, so a socket server that is down
 * makes the broadcast fail and be logged while the REST action still succeeds;
 * the desk must then catch up over REST. The demo behaves the same way.
 */

/** `broadcast-as`: events with `broadcastAs()`; `class-name`: Laravel's default `App\Events\...` names. */
export type EventNaming = 'broadcast-as' | 'class-name';

export interface BroadcasterOptions {
  appId: string;
  key: string;
  secret: string;
  host: string;
  port: number;
  naming: EventNaming;
  logger: DemoLogger;
}

/** The Pusher HTTP API takes at most 100 channels per event; Laravel chunks the same way. */
const MAX_CHANNELS_PER_TRIGGER = 100;

export class LaravelBroadcaster {
  private readonly pusher: Pusher;
  private failures = 0;
  private sent = 0;
  private suppressed = 0;
  private enabled = true;

  constructor(private readonly options: BroadcasterOptions) {
    this.pusher = new Pusher({
      appId: options.appId,
      key: options.key,
      secret: options.secret,
      host: options.host,
      port: String(options.port),
      useTLS: false,
      timeout: 5000,
    });
  }

  /** `sent`: taken by the socket server; `failures`: it refused or was down; `suppressed`: not sent while broadcasting is off. */
  get stats() {
    return { sent: this.sent, failures: this.failures, suppressed: this.suppressed };
  }

  /** Whether events go out at all: off is a stopped queue worker (the REST side changes, nothing reaches the socket server). */
  get broadcasting(): boolean {
    return this.enabled;
  }

  setBroadcasting(on: boolean): void {
    if (on !== this.enabled) this.options.logger.info(on ? 'broadcasting resumed (queue worker started)' : 'broadcasting stopped (queue worker stopped)');
    this.enabled = on;
  }

  /** `exceptSocketId`: `toOthers()`, the acting desk's socket (its `X-Socket-ID`) is left out. */
  notification(n: Notification, exceptSocketId?: string): Promise<boolean> {
    const payload: NotificationPayload = {
      id: n.id,
      user_id: n.user_id,
      type: n.type,
      title: n.title,
      message: n.message,
      action_url: n.action_url,
      created_at: n.created_at,
    };
    return this.send('notification', [channels.notifications(n.user_id).fullName], payload, exceptSocketId);
  }

  /** To the doctor's channel, and to the patient's own channel when they have an account. */
  appointment(a: Appointment, action: AppointmentAction, patientUserId: number | null, exceptSocketId?: string): Promise<boolean> {
    const payload: AppointmentUpdatePayload = {
      id: a.id,
      action,
      status: a.status,
      appointment_date: a.appointment_date,
      details: {
        clinic_id: a.clinic_id,
        doctor_id: a.doctor_id,
        patient_id: a.patient_id,
        patient_name: a.patient_name,
        duration_minutes: a.duration_minutes,
        reason: a.reason,
      },
      timestamp: a.updated_at,
    };
    const targets = [channels.doctorAppointments(a.doctor_id).fullName];
    if (patientUserId !== null) targets.push(channels.appointments(patientUserId).fullName);
    return this.send('appointment', targets, payload, exceptSocketId);
  }

  consultation(c: Consultation, exceptSocketId?: string): Promise<boolean> {
    const payload: ConsultationStatusPayload = {
      id: c.id,
      status: c.status,
      doctor_id: c.doctor_id,
      patient_id: c.patient_id,
      started_at: c.started_at,
      ended_at: c.ended_at,
      timestamp: c.updated_at,
    };
    return this.send('consultation', [channels.consultation(c.id).fullName], payload, exceptSocketId);
  }

  messageSent(message: Message, exceptSocketId?: string): Promise<boolean> {
    const payload: MessagePayload = {
      conversation_id: message.conversation_id,
      type: 'sent',
      data: { message },
      timestamp: message.created_at,
    };
    return this.send('messageSent', [channels.conversation(message.conversation_id).fullName], payload, exceptSocketId);
  }

  messageRead(conversationId: number, read: { user_id: number; last_read_message_id: number; read_at: string }): Promise<boolean> {
    const payload: MessagePayload = { conversation_id: conversationId, type: 'read', data: read, timestamp: read.read_at };
    return this.send('messageRead', [channels.conversation(conversationId).fullName], payload);
  }

  /** Sends any payload under a seed event's name: the scenario uses it to emit deliberately bad input. */
  async raw(event: string, channelNames: string[], data: string): Promise<boolean> {
    return this.trigger(event, channelNames, data);
  }

  eventName(key: ServerEventKey): string {
    const def = SERVER_EVENTS[key];
    return this.options.naming === 'broadcast-as' ? def.broadcastAs : def.className;
  }

  private send(key: ServerEventKey, channelNames: string[], payload: unknown, exceptSocketId?: string): Promise<boolean> {
    return this.trigger(this.eventName(key), channelNames, phpJsonEncode(payload), exceptSocketId);
  }

  private async trigger(event: string, channelNames: string[], data: string, exceptSocketId?: string): Promise<boolean> {
    if (!this.enabled) {
      // Queued and never processed: the job stays in the queue; nothing reaches the socket server.
      this.suppressed++;
      return false;
    }
    try {
      for (let i = 0; i < channelNames.length; i += MAX_CHANNELS_PER_TRIGGER) {
        const chunk = channelNames.slice(i, i + MAX_CHANNELS_PER_TRIGGER);
        const params = exceptSocketId === undefined ? undefined : { socket_id: exceptSocketId };
        await this.pusher.trigger(chunk, event, data, params);
      }
      this.sent++;
      return true;
    } catch (error) {
      this.failures++;
      this.options.logger.warn('broadcast failed', { event, channels: channelNames, error: describeError(error) });
      return false;
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as Error & { status?: unknown }).status;
    return typeof status === 'number' ? `${status} ${error.message}` : error.message;
  }
  return String(error);
}
