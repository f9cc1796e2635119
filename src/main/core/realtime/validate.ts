import { z } from 'zod';
import { parseChannel, type ChannelKind, type ChannelRef } from '../../../shared/channels';
import { Id } from '../../../shared/ids';
import {
  SERVER_EVENTS,
  TypingData,
  resolveServerEvent,
  type AppointmentUpdatePayload,
  type ConsultationStatusPayload,
  type MessagePayload,
  type NotificationPayload,
  type ServerEventKey,
} from '../../../shared/payloads';
import { MAX_JSON_DEPTH, jsonTextDepth, valueShapeProblem } from '../../../shared/json-limits';
import { IsoDateTime } from '../../../shared/time';
import { CalledInWhisper, type CalledIn } from '../../../shared/staff-actions';
import { fastConsultation, fastNotification } from './fast-check';
import { refusedFrameReason } from './pusher-guard';

/**
 * The gate between the socket and the rest of the desk: every server event
 * and every typing whisper is checked here against the shared schemas, and
 * against the channel it arrived on, before anything else sees it. A payload
 * that fails gets a short reason in words for the diagnostics screen.
 */

export type MessageSentPayload = Extract<MessagePayload, { type: 'sent' }>;
export type MessageReadPayload = Extract<MessagePayload, { type: 'read' }>;
export type TypingPayload = Extract<MessagePayload, { type: 'typing' }>;
export type TypingData = z.infer<typeof TypingData>;

/** The parsed payload each server event carries. */
export interface ServerEventPayloads {
  notification: NotificationPayload;
  consultation: ConsultationStatusPayload;
  appointment: AppointmentUpdatePayload;
  messageSent: MessageSentPayload;
  messageRead: MessageReadPayload;
}

export type ValidatedEvent = { [K in ServerEventKey]: { key: K; payload: ServerEventPayloads[K] } }[ServerEventKey];

export type Validated = ({ ok: true } & ValidatedEvent) | { ok: false; reason: string };

export type ValidatedCalledIn = { ok: true; call: CalledIn } | { ok: false; reason: string };

export type ValidatedTyping =
  | { ok: true; conversationId: number; data: TypingData; timestamp: string | null }
  | { ok: false; reason: string };

/**
 * Above this a string `data` is not even parsed. Pusher caps events at 10 KB
 * and Reverb at a configurable size, so anything near this is an attack or a
 * bug; the cap only keeps a broken server from costing the desk memory.
 */
export const MAX_DATA_BYTES = 4 * 1024 * 1024;

/** Which server events belong on which channel kind. */
export const EVENTS_ON: Record<ChannelKind, readonly ServerEventKey[]> = {
  notifications: ['notification'],
  appointments: ['appointment'],
  'doctor-appointments': ['appointment'],
  consultation: ['consultation'],
  conversation: ['messageSent', 'messageRead'],
  'presence-clinic': [],
};

const TypingEnvelope = z.object({
  conversation_id: Id,
  type: z.literal('typing'),
  data: TypingData,
  timestamp: IsoDateTime,
});

// ------------------------------------------------------------- reasons ---

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function describePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'payload' : out;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

type Issue = z.core.$ZodIssue;

/** From a failed union, the branch the input most plausibly meant: one whose shape matched at the top. */
function bestUnionBranch(branches: Issue[][]): Issue[] | undefined {
  const shaped = branches.filter((issues) => !issues.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  const pool = shaped.length > 0 ? shaped : branches;
  return [...pool].sort((a, b) => a.length - b.length)[0];
}

function describeIssue(issue: Issue, prefix: ReadonlyArray<PropertyKey> = []): string {
  const path = [...prefix, ...issue.path];
  const where = describePath(path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && path.length > 0) return `missing field ${where}`;
      return `${where}: expected ${issue.expected}, got ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map(String).join('|')}`;
    case 'too_big':
      if (issue.origin === 'string' && typeof issue.input === 'string') {
        return `${Buffer.byteLength(issue.input, 'utf8')}-byte string in ${where} exceeds ${String(issue.maximum)}`;
      }
      return `${where}: more than ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_small':
      if (issue.origin === 'string') return `${where}: empty or too short`;
      return `${where}: less than ${String(issue.minimum)}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return `${where}: expected an ISO 8601 date-time`;
      // A pattern's own message says what it wants better than "regex".
      return issue.format === 'regex' ? `${where}: ${issue.message}` : `${where}: expected ${issue.format}`;
    case 'invalid_union': {
      if (issue.errors.length === 0) {
        const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]).map(String).join('|') : null;
        return options === null ? `${where}: no matching variant` : `${where}: expected one of ${options}`;
      }
      const branch = bestUnionBranch(issue.errors);
      const first = branch?.[0];
      return first === undefined ? `${where}: no matching variant` : describeIssue(first, path);
    }
    default:
      return `${where}: ${issue.message}`;
  }
}

/** At most two issues, in words: "missing field title; id: expected number, got string (+1 more)". */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues;
  const shown = issues.slice(0, 2).map((issue) => describeIssue(issue));
  const more = issues.length > 2 ? ` (+${issues.length - 2} more)` : '';
  return clip(shown.join('; ') + more, 500);
}

// ------------------------------------------------------------- decoding ---

/**
 * pusher-js hands over `data` already parsed when it was JSON, and as the raw
 * string when it was not; a string here is therefore either non-JSON or
 * JSON encoded twice. Both are tried once more, and non-JSON is refused.
 * Before any schema sees the value, its shape is bounded (depth, number of
 * values: cheap, iterative checks, so nothing recursive meets a depth bomb),
 * and a frame the socket screen refused is refused with its reason.
 */
function decodeData(data: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  const refused = refusedFrameReason(data);
  if (refused !== null) return { ok: false, reason: refused };
  let value = data;
  if (typeof data === 'string') {
    const bytes = data.length > MAX_DATA_BYTES / 4 ? Buffer.byteLength(data, 'utf8') : data.length;
    if (bytes > MAX_DATA_BYTES) return { ok: false, reason: `${bytes}-byte data exceeds ${MAX_DATA_BYTES}` };
    if (jsonTextDepth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, reason: `data nested deeper than ${MAX_JSON_DEPTH} levels` };
    try {
      value = JSON.parse(data) as unknown;
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
  }
  const shape = valueShapeProblem(value);
  if (shape !== null) return { ok: false, reason: `data ${shape}` };
  return { ok: true, value };
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown): { ok: true; data: z.output<T> } | { ok: false; reason: string } {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? { ok: true, data: result.data } : { ok: false, reason: describeIssues(result.error) };
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason: clip(reason, 1000) });

// ------------------------------------------------------------ validators ---

/**
 * Checks one server event: its name (either naming style), that it belongs on
 * the channel it arrived on, its payload against the shared schema, and that
 * the payload is about the channel's subject (a notification for another user
 * on my channel, or a consultation update on another consultation's channel,
 * is refused). `App\Events\MessageBroadcast` carries sent and read alike; the
 * payload's `type` picks the key.
 */
/** Channel names as parsed: the same few names come with every event. Bounded, in case a server invents names. */
const parsedChannels = new Map<string, ChannelRef | null>();
const PARSED_CHANNELS_MAX = 512;

function channelRef(channel: string): ChannelRef | null {
  let ref = parsedChannels.get(channel);
  if (ref === undefined) {
    ref = parseChannel(channel);
    if (parsedChannels.size >= PARSED_CHANNELS_MAX) parsedChannels.clear();
    parsedChannels.set(channel, ref);
  }
  return ref;
}

export function validateServerEvent(channel: string, wireEvent: string, data: unknown): Validated {
  const ref = channelRef(channel);
  if (ref === null) return fail(`unknown channel ${clip(channel, 80)}`);
  const resolved = resolveServerEvent(wireEvent);
  if (resolved === null) return fail(`unknown event ${clip(wireEvent, 80)}`);
  if (!EVENTS_ON[ref.kind].includes(resolved)) return fail(`${clip(wireEvent, 80)} does not belong on a ${ref.kind} channel`);
  const decoded = decodeData(data);
  if (!decoded.ok) return fail(decoded.reason);

  switch (resolved) {
    // The well-formed case through the hand-written check (fast-check.ts), anything else through zod.
    case 'notification': {
      let payload = fastNotification(decoded.value);
      if (payload === null) {
        const parsed = parseWith(SERVER_EVENTS.notification.schema, decoded.value);
        if (!parsed.ok) return fail(parsed.reason);
        payload = parsed.data;
      }
      if (payload.user_id !== ref.id) return fail(`notification for user ${payload.user_id} on the channel of user ${ref.id}`);
      return { ok: true, key: 'notification', payload };
    }
    case 'consultation': {
      let payload = fastConsultation(decoded.value);
      if (payload === null) {
        const parsed = parseWith(SERVER_EVENTS.consultation.schema, decoded.value);
        if (!parsed.ok) return fail(parsed.reason);
        payload = parsed.data;
      }
      if (payload.id !== ref.id) return fail(`consultation ${payload.id} on the channel of consultation ${ref.id}`);
      return { ok: true, key: 'consultation', payload };
    }
    case 'appointment': {
      // Not matched against the channel's doctor or user: a reassigned appointment may
      // legitimately reach the previous doctor's channel, and a patient channel's id
      // is a user id while the payload carries patient ids.
      const parsed = parseWith(SERVER_EVENTS.appointment.schema, decoded.value);
      if (!parsed.ok) return fail(parsed.reason);
      return { ok: true, key: 'appointment', payload: parsed.data };
    }
    case 'messageSent':
    case 'messageRead': {
      const parsed = parseWith(SERVER_EVENTS[resolved].schema, decoded.value);
      if (!parsed.ok) return fail(parsed.reason);
      const payload = parsed.data;
      if (payload.conversation_id !== ref.id) {
        return fail(`message for conversation ${payload.conversation_id} on the channel of conversation ${ref.id}`);
      }
      const byName = wireEvent === SERVER_EVENTS.messageRead.broadcastAs ? 'read' : wireEvent === SERVER_EVENTS.messageSent.broadcastAs ? 'sent' : null;
      if (byName !== null && payload.type !== byName) return fail(`${wireEvent} carries type ${payload.type}`);
      if (payload.type === 'sent') return { ok: true, key: 'messageSent', payload };
      if (payload.type === 'read') return { ok: true, key: 'messageRead', payload };
      return fail('type typing is a client event, not a server event');
    }
  }
}

/**
 * Checks a `client-typing` whisper. The contract's envelope
 * (`{conversation_id, type: "typing", data, timestamp}`) is expected; a bare
 * `{user_id, name, typing}`, as a front end following the seed literally
 * whispers it, is accepted too, with no timestamp.
 */
export function validateTyping(channel: string, data: unknown): ValidatedTyping {
  const ref = parseChannel(channel);
  if (ref === null) return fail(`unknown channel ${clip(channel, 80)}`);
  if (ref.kind !== 'conversation') return fail(`typing does not belong on a ${ref.kind} channel`);
  const decoded = decodeData(data);
  if (!decoded.ok) return fail(decoded.reason);
  const value = decoded.value;
  const isBare = typeof value === 'object' && value !== null && !('type' in value) && !('data' in value) && 'typing' in value;
  if (isBare) {
    const bare = parseWith(TypingData, value);
    return bare.ok ? { ok: true, conversationId: ref.id, data: bare.data, timestamp: null } : fail(bare.reason);
  }
  const parsed = parseWith(TypingEnvelope, value);
  if (!parsed.ok) return fail(parsed.reason);
  if (parsed.data.conversation_id !== ref.id) {
    return fail(`typing for conversation ${parsed.data.conversation_id} on the channel of conversation ${ref.id}`);
  }
  return { ok: true, conversationId: ref.id, data: parsed.data.data, timestamp: parsed.data.timestamp };
}

/**
 * Checks a `client-called-in` whisper (a colleague's desk called a patient
 * in): only on the clinic's presence channel, and only the contract's
 * `{appointment_id, patient_name, doctor_id, doctor_name, at}`.
 */
export function validateCalledIn(channel: string, data: unknown): ValidatedCalledIn {
  const ref = parseChannel(channel);
  if (ref === null) return fail(`unknown channel ${clip(channel, 80)}`);
  if (ref.kind !== 'presence-clinic') return fail(`a call-in does not belong on a ${ref.kind} channel`);
  const decoded = decodeData(data);
  if (!decoded.ok) return fail(decoded.reason);
  const parsed = parseWith(CalledInWhisper, decoded.value);
  if (!parsed.ok) return fail(parsed.reason);
  const w = parsed.data;
  return { ok: true, call: { appointmentId: w.appointment_id, patientName: w.patient_name, doctorId: w.doctor_id, doctorName: w.doctor_name, at: w.at } };
}
