/**
 * Channel names of the clinic back end. Echo adds the `private-`/`presence-`
 * prefix itself (`Echo.private('notifications.5')`), the Pusher protocol and
 * `/broadcasting/auth` see the full name; both forms are built here so that
 * no other module spells a channel name by hand.
 */

export type ChannelKind =
  | 'notifications'
  | 'appointments'
  | 'doctor-appointments'
  | 'consultation'
  | 'conversation'
  | 'presence-clinic';

export interface ChannelRef {
  kind: ChannelKind;
  /** The id in the name: user, doctor, consultation, conversation or clinic id. */
  id: number;
  /** What Echo takes: `notifications.5`. */
  echoName: string;
  /** What the wire and the auth endpoint see: `private-notifications.5`. */
  fullName: string;
  visibility: 'private' | 'presence';
}

function ref(kind: ChannelKind, id: number, echoName: string, visibility: 'private' | 'presence'): ChannelRef {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`channel id must be a positive integer, got ${id}`);
  return { kind, id, echoName, fullName: `${visibility}-${echoName}`, visibility };
}

export const channels = {
  notifications: (userId: number) => ref('notifications', userId, `notifications.${userId}`, 'private'),
  appointments: (userId: number) => ref('appointments', userId, `appointments.${userId}`, 'private'),
  doctorAppointments: (doctorId: number) =>
    ref('doctor-appointments', doctorId, `appointments.doctor.${doctorId}`, 'private'),
  consultation: (consultationId: number) =>
    ref('consultation', consultationId, `consultations.${consultationId}`, 'private'),
  conversation: (conversationId: number) =>
    ref('conversation', conversationId, `conversation.${conversationId}`, 'private'),
  presenceClinic: (clinicId: number) => ref('presence-clinic', clinicId, `clinic.${clinicId}`, 'presence'),
} as const;

const PATTERNS: ReadonlyArray<[RegExp, (id: number) => ChannelRef]> = [
  [/^private-notifications\.([1-9]\d*)$/, channels.notifications],
  [/^private-appointments\.doctor\.([1-9]\d*)$/, channels.doctorAppointments],
  [/^private-appointments\.([1-9]\d*)$/, channels.appointments],
  [/^private-consultations\.([1-9]\d*)$/, channels.consultation],
  [/^private-conversation\.([1-9]\d*)$/, channels.conversation],
  [/^presence-clinic\.([1-9]\d*)$/, channels.presenceClinic],
];

/** Parses a full channel name (`private-appointments.doctor.3`); null when it is not one of ours. */
export function parseChannel(fullName: string): ChannelRef | null {
  for (const [pattern, make] of PATTERNS) {
    const match = pattern.exec(fullName);
    const digits = match?.[1];
    if (digits !== undefined && digits.length <= 15) return make(Number(digits));
  }
  return null;
}
