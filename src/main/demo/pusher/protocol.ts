/**
 * Wire vocabulary of Pusher Channels protocol 7 as the demo server speaks it:
 * close/error codes, the shapes of inbound frames (validated with zod, since
 * every frame comes from the network) and the frames the server sends.
 */
import { z } from 'zod';
import { valueShapeProblem } from '../../../shared/json-limits';

/**
 * Codes from the protocol's documented ranges. pusher-js reacts to a *close*
 * code by range: 4000-4099 refuse (no reconnect), 4100-4199 back off,
 * 4200-4299 reconnect at once, 4300+ refuse. The same numbers sent inside a
 * `pusher:error` frame after the handshake are only reported, not acted on.
 */
export const ErrorCode = {
  /** Application does not exist (unknown key in `/app/{key}`). */
  AppDoesNotExist: 4001,
  /** The WebSocket path is not `/app/{key}`. */
  PathNotFound: 4005,
  /** `protocol` query parameter is not an integer. */
  InvalidVersionFormat: 4006,
  /** `protocol` is an integer this server does not speak. */
  UnsupportedProtocolVersion: 4007,
  /** No `protocol` query parameter at all. */
  NoProtocolVersion: 4008,
  /** Connection (or, in our `rejected` event, a subscription) is unauthorized. */
  Unauthorized: 4009,
  /** Generic "reconnect immediately": sent when the server shuts down or restarts. */
  ReconnectImmediately: 4200,
  /** The server pinged after a silence and no frame came back in time. */
  PongNotReceived: 4201,
  /** Closed after inactivity (defined by the protocol; this server pings first and uses 4201). */
  ClosedAfterInactivity: 4202,
  /** Client event rejected by the per-connection rate limit. */
  ClientEventRateLimit: 4301,
  /**
   * Malformed frame (not JSON, no `event`, binary, bad `data`). Laravel Reverb,
   * the server a Laravel back end most likely runs, answers exactly this:
   * `pusher:error` {code: 4200, message: "Invalid message format"} and keeps the
   * connection. pusher-js only logs a post-handshake `pusher:error`, so the
   * 4200 does not make it reconnect; Soketi silently drops such frames, which
   * would leave a client nothing to act on.
   */
  InvalidMessage: 4200,
  /**
   * Frame larger than `maxMessageBytes`. Soketi answers every "limit reached"
   * case (client event payload or name too long, presence member too large)
   * with 4301; we do the same and drop the frame, keeping the connection.
   */
  MessageTooLarge: 4301,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Protocol versions accepted in the `protocol` query parameter (pusher-js 8 sends 7). */
export const SUPPORTED_PROTOCOLS: readonly number[] = [5, 6, 7];

/** Soketi's wording, so logs from the demo read like the real thing. */
export const SERVER_CLOSING_REASON = 'Server closed. Please reconnect shortly.';

/**
 * Same rule as the official server SDK (`pusher` 5.x validateChannel), so
 * every name the SDK lets through is accepted here and nothing else.
 */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9_\-=@,.;]+$/;
export const MAX_CHANNEL_NAME_LENGTH = 200;
export const MAX_EVENT_NAME_LENGTH = 200;

export const ChannelName = z
  .string()
  .min(1)
  .max(MAX_CHANNEL_NAME_LENGTH, `channel name longer than ${MAX_CHANNEL_NAME_LENGTH} characters`)
  .regex(CHANNEL_NAME_PATTERN, 'channel name may only contain A-Z a-z 0-9 _ - = @ , . ;');

export const SocketId = z.string().regex(/^\d+\.\d+$/, 'socket_id must look like "123.456"');

export const EventName = z.string().min(1).max(MAX_EVENT_NAME_LENGTH);

export type ChannelKind = 'public' | 'private' | 'private-encrypted' | 'presence';

export function channelKind(channel: string): ChannelKind {
  if (channel.startsWith('presence-')) return 'presence';
  if (channel.startsWith('private-encrypted-')) return 'private-encrypted';
  if (channel.startsWith('private-')) return 'private';
  return 'public';
}

// ---------------------------------------------------------------- inbound ---

/** Every client frame: only `event` is mandatory, the rest depends on it. */
export const InboundFrame = z.object({
  event: z.string().min(1, 'event must be a non-empty string'),
  channel: z.string().optional(),
  data: z.unknown().optional(),
});
export type InboundFrame = z.infer<typeof InboundFrame>;

/** Some clients send `data` as a JSON string rather than an object: accept both. */
function jsonStringOrValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export const SubscribeData = z.preprocess(
  jsonStringOrValue,
  z.object({
    channel: ChannelName,
    auth: z.string().optional(),
    channel_data: z.string().optional(),
  }),
);
export type SubscribeData = z.infer<typeof SubscribeData>;

export const UnsubscribeData = z.preprocess(jsonStringOrValue, z.object({ channel: ChannelName }));

/** Presence `channel_data`, signed by the back end; Laravel sends numeric ids. */
export const PresenceChannelData = z.object({
  user_id: z.union([z.string().min(1), z.number().finite()]),
  user_info: z.unknown().optional(),
});
export type PresenceChannelData = z.infer<typeof PresenceChannelData>;

// --------------------------------------------------------------- outbound ---

export interface OutboundFrame {
  event: string;
  channel?: string;
  data?: unknown;
  /** Added to client events relayed on presence channels. */
  user_id?: string;
}

export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

export const frames = {
  connectionEstablished(socketId: string, activityTimeoutSec: number): OutboundFrame {
    // The protocol double-encodes this payload; pusher-js JSON.parses it back.
    // Clients expect whole seconds (and pusher-js refuses 0): sub-second test timeouts round up.
    const activityTimeout = Math.max(1, Math.ceil(activityTimeoutSec));
    return {
      event: 'pusher:connection_established',
      data: JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeout }),
    };
  },
  error(code: number | null, message: string, channel?: string): OutboundFrame {
    return channel === undefined
      ? { event: 'pusher:error', data: { code, message } }
      : { event: 'pusher:error', channel, data: { code, message } };
  },
  /**
   * A refused subscription. Pusher itself answers a bad signature with a bare
   * `pusher:error`, which pusher-js cannot tie to a channel: the subscription
   * then stays pending forever and Echo's `.error()` never fires. Soketi sends
   * this channel-tagged event instead; pusher-js routes it to the channel,
   * which re-emits it, so `channel.bind('pusher:subscription_error')` and
   * Echo's `.error(cb)` both see `{type, error, status}`, the same shape
   * pusher-js itself emits when the auth endpoint fails.
   */
  subscriptionError(channel: string, type: string, error: string, status: number): OutboundFrame {
    return { event: 'pusher:subscription_error', channel, data: { type, error, status } };
  },
  subscriptionSucceeded(channel: string, members?: readonly PresenceMember[]): OutboundFrame {
    if (members === undefined) return { event: 'pusher_internal:subscription_succeeded', channel, data: '{}' };
    const hash: Record<string, unknown> = {};
    for (const member of members) hash[member.userId] = member.userInfo;
    return {
      event: 'pusher_internal:subscription_succeeded',
      channel,
      data: JSON.stringify({ presence: { ids: members.map((m) => m.userId), hash, count: members.length } }),
    };
  },
  memberAdded(channel: string, member: PresenceMember): OutboundFrame {
    return {
      event: 'pusher_internal:member_added',
      channel,
      data: JSON.stringify({ user_id: member.userId, user_info: member.userInfo }),
    };
  },
  memberRemoved(channel: string, userId: string): OutboundFrame {
    return { event: 'pusher_internal:member_removed', channel, data: JSON.stringify({ user_id: userId }) };
  },
  ping(): OutboundFrame {
    return { event: 'pusher:ping', data: {} };
  },
  pong(): OutboundFrame {
    return { event: 'pusher:pong', data: {} };
  },
  event(channel: string, event: string, data: unknown, userId?: string): OutboundFrame {
    return userId === undefined ? { event, channel, data } : { event, channel, data, user_id: userId };
  },
} as const;

/**
 * The frame's text, or null when it nests too deeply (or holds too many
 * values) to be encoded safely: `JSON.stringify` recurses, and a depth bomb
 * would overflow the stack of the whole server.
 */
export function encodeFrame(frame: OutboundFrame): string | null {
  return valueShapeProblem(frame) === null ? JSON.stringify(frame) : null;
}

/** zod issues as one line, for error frames and HTTP 400 bodies. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
