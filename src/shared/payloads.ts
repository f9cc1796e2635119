import { z } from 'zod';
import { Id, LooseId } from './ids';
import { ConsultationStatus, Message, Role } from './domain';
import { Text } from './text';
import { IsoDateTime } from './time';

/**
 * The five payloads the back end broadcasts (seed: "Broadcast Channels
 * Reference"). Each is what arrives in the Pusher frame's `data` once parsed.
 */

export const NotificationPayload = z.object({
  id: LooseId,
  user_id: LooseId,
  type: z.string().min(1).max(64),
  title: Text().max(500),
  message: Text().max(5000),
  // The seed always sends it; Laravel sends null when a notification has no link.
  action_url: z.string().max(2048).nullish().transform((v) => v ?? null),
  created_at: IsoDateTime,
});
export type NotificationPayload = z.infer<typeof NotificationPayload>;

export const ConsultationStatusPayload = z.object({
  id: LooseId,
  status: ConsultationStatus,
  doctor_id: LooseId,
  patient_id: LooseId,
  started_at: IsoDateTime.nullable(),
  ended_at: IsoDateTime.nullable(),
  timestamp: IsoDateTime,
});
export type ConsultationStatusPayload = z.infer<typeof ConsultationStatusPayload>;

/** The seed's actions; others (`created`, `rescheduled`) are kept and shown as they are. */
export const APPOINTMENT_ACTIONS = ['confirmed', 'cancelled', 'reminder'] as const;
export type KnownAppointmentAction = (typeof APPOINTMENT_ACTIONS)[number];
export const AppointmentAction = z.string().trim().min(1).max(40);
export type AppointmentAction = KnownAppointmentAction | (string & {});

/**
 * `details` is a free object in the seed; these are the fields the board uses
 * when present (our back end sends them all). Others are kept.
 */
const LooseDetails = z.looseObject({
  clinic_id: LooseId.optional(),
  doctor_id: LooseId.optional(),
  patient_id: LooseId.optional(),
  patient_name: Text().max(200).optional(),
  doctor_name: Text().max(200).optional(),
  duration_minutes: z.number().int().positive().max(24 * 60).optional(),
  reason: Text().max(1000).nullable().optional(),
});
/** PHP's `json_encode` writes an empty array for an empty `details`; absent or null reads as none. */
export const AppointmentDetails = z.preprocess((v) => (v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? {} : v), LooseDetails);

export const AppointmentUpdatePayload = z.object({
  id: LooseId,
  action: AppointmentAction,
  status: z.string().min(1).max(40),
  appointment_date: IsoDateTime,
  details: AppointmentDetails,
  timestamp: IsoDateTime,
});
export type AppointmentUpdatePayload = z.infer<typeof AppointmentUpdatePayload>;

export const MESSAGE_EVENT_TYPES = ['sent', 'read', 'typing'] as const;

/** `type: 'sent'`: the new message; a back end following the seed's example may send only text. */
export const MessageSentData = z.looseObject({ message: z.union([Message, Text().max(5000)]) });
/** `type: 'read'`: a participant has read up to a message. */
export const MessageReadData = z.object({
  user_id: Id,
  last_read_message_id: Id,
  read_at: IsoDateTime,
});
export type MessageReadData = z.infer<typeof MessageReadData>;
/** `type: 'typing'`: carried by the `client-typing` whisper, never by the server. */
export const TypingData = z.object({
  user_id: Id,
  name: Text().max(200),
  typing: z.boolean(),
});

export const MessagePayload = z.discriminatedUnion('type', [
  z.object({ conversation_id: Id, type: z.literal('sent'), data: MessageSentData, timestamp: IsoDateTime }),
  z.object({ conversation_id: Id, type: z.literal('read'), data: MessageReadData, timestamp: IsoDateTime }),
  z.object({ conversation_id: Id, type: z.literal('typing'), data: TypingData, timestamp: IsoDateTime }),
]);
export type MessagePayload = z.infer<typeof MessagePayload>;

/**
 * A presence member as the Pusher protocol hands it over: the id from
 * `channel_data.user_id` (a string from Laravel) and `user_info`.
 */
/**
 * `user_info` as servers really send it: `{name, role}`, `{id, name}`, `{name}`;
 * the role then comes from the members list, else "staff".
 */
export const LoosePresenceMemberInfo = z.looseObject({ name: Text().trim().min(1).max(200), role: Role.optional() });
export const PresenceMember = z.object({ id: LooseId, info: LoosePresenceMemberInfo });
export type PresenceMember = z.output<typeof PresenceMember>;

/**
 * `channel_data` of `/broadcasting/auth` for `presence-clinic.{id}`: the demo sends `{name, role}`;
 * a clinic's app may send less (`{id, name}`, `{name}`), which the desk completes from the members list.
 */
export const PresenceChannelData = z.object({ user_id: z.union([z.string(), z.number()]), user_info: LoosePresenceMemberInfo });

/**
 * Every server event the desk listens to. `broadcastAs` is the name a back end
 * with `broadcastAs()` sends (Echo listens with a leading dot); `className` is
 * what Laravel sends without it. Both are accepted.
 */
export const SERVER_EVENTS = {
  notification: {
    broadcastAs: 'general-notification',
    className: 'App\\Events\\NotificationBroadcast',
    schema: NotificationPayload,
  },
  consultation: {
    broadcastAs: 'consultation-status-changed',
    className: 'App\\Events\\ConsultationStatusBroadcast',
    schema: ConsultationStatusPayload,
  },
  appointment: {
    broadcastAs: 'appointment-updated',
    className: 'App\\Events\\AppointmentUpdateBroadcast',
    schema: AppointmentUpdatePayload,
  },
  messageSent: {
    broadcastAs: 'message-sent',
    className: 'App\\Events\\MessageBroadcast',
    schema: MessagePayload,
  },
  messageRead: {
    broadcastAs: 'message-read',
    className: 'App\\Events\\MessageBroadcast',
    schema: MessagePayload,
  },
} as const;
export type ServerEventKey = keyof typeof SERVER_EVENTS;

/** Client event (Echo `whisper('typing')` sends `client-typing`). */
export const TYPING_CLIENT_EVENT = 'client-typing';
export const TYPING_WHISPER = 'typing';

/**
 * Maps a wire event name to the seed event it carries, accepting both naming
 * styles. `App\Events\MessageBroadcast` covers sent and read alike: the
 * payload's `type` tells them apart.
 */
export function resolveServerEvent(wireName: string): ServerEventKey | null {
  return SERVER_EVENT_BY_WIRE_NAME.get(wireName) ?? null;
}

/** Both names of each event; the first key wins for the shared class name (messageSent: the payload's type decides). */
const SERVER_EVENT_BY_WIRE_NAME: ReadonlyMap<string, ServerEventKey> = (() => {
  const map = new Map<string, ServerEventKey>();
  for (const [key, def] of Object.entries(SERVER_EVENTS) as [ServerEventKey, (typeof SERVER_EVENTS)[ServerEventKey]][]) {
    if (!map.has(def.broadcastAs)) map.set(def.broadcastAs, key);
    if (!map.has(def.className)) map.set(def.className, key);
  }
  return map;
})();
