import { randomUUID } from 'node:crypto';
import type Pusher from 'pusher-js';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../../shared/json-limits';

/**
 * A screen in front of pusher-js's message handling.
 *
 * pusher-js logs every frame it receives (`logger.debug('Event recd', event)`)
 * and its logger formats the message *before* it looks at `Pusher.log` or
 * `logToConsole`: each received event is `JSON.stringify`d even with logging
 * off, and when that throws (a stack overflow on deep nesting), a recursive
 * fallback (`decycleObject`) overflows again, uncaught, inside the socket's
 * data handler: a peer's whisper of ~4,500 nested arrays (9 KB, under
 * Pusher's 10 KB limit) killed the process. No option turns the formatting
 * off, so the frames are screened before pusher-js sees them: the WebSocket
 * that pusher-js's runtime creates gets an `onmessage` that passes a frame on
 * only when it, and the `data` JSON inside it, nest at most `MAX_JSON_DEPTH`
 * levels and the frame is at most `MAX_FRAME_CHARS` long. Then the logger's
 * stringify is bounded by what it is given.
 *
 * A refused frame is not silently lost: when its channel and event can be
 * read (top-level fields of the parsed frame; from the text around an
 * oversize one), pusher-js gets a small replacement frame on that channel
 * whose `data` is an unforgeable marker with the reason
 * (`refusedFrameReason`), so `validate.ts` refuses it like any bad payload:
 * counted per channel, logged, shown in Diagnostics. A protocol frame
 * (`pusher:`/`pusher_internal:`) or one that names no channel is dropped and
 * counted in `frameGuardStats()` (the diagnostics report shows it).
 *
 * The screen is process-wide (pusher-js's runtime object is a singleton) and
 * installed once; `guardPusher` is called wherever a Pusher client is built.
 *
 * Having parsed a frame, the screen also spares pusher-js parsing it again
 * (issue 14: the frame parse, the `data` parse and the "Event recd"
 * stringify of the whole payload were a sixth of the desk's receive path).
 * For an event on a channel the realtime layer holds (`handOffChannel`),
 * pusher-js gets a small frame with the same event, channel and `user_id`
 * and `data` "0", and the parsed data waits in a slot for the one synchronous
 * dispatch of that frame; the realtime layer's handler takes it back with
 * `handedOff`. Nothing else in the desk's process reads those channels'
 * data through pusher-js (another client subscribed to one of them in the
 * same process would see 0: tests keep such clients to channels no desk
 * holds there).
 */

/**
 * Longest frame passed to pusher-js, in UTF-16 code units. Pusher caps an
 * event at 10 KB and Reverb at a configurable size; this only keeps a broken
 * or hostile server from costing the desk more than a few milliseconds of
 * parsing and pusher-js's own formatting per frame. Above `validate.ts`'s
 * `MAX_DATA_BYTES` (4 MiB of data) plus room for the envelope, so that the
 * refusal of a large payload names its field where it can.
 */
export const MAX_FRAME_CHARS = 4 * 1024 * 1024 + 64 * 1024;

/** How far into an oversize frame (from each end) channel and event are looked for. */
const ATTRIBUTION_WINDOW = 4096;
const NAME_MAX = 200;

/** Per process: a peer cannot know it, so it cannot forge a refusal (or make a payload look like one). */
const REFUSED_MARK = `\u0000clinic-desk:refused-frame:${randomUUID()}:`;

/** The event name of the replacement for a frame that cannot be tied to a channel. */
export const REFUSED_FRAME_EVENT = 'clinic-desk:refused-frame';

export interface FrameGuardStats {
  /** Frames seen by the screen. */
  screened: number;
  /** Frames refused (attributed to a channel or not). */
  refused: number;
  /** Refused frames that named no channel (or a protocol event): dropped, counted only here. */
  dropped: number;
  /** Frames passed whose data went straight to the realtime layer (parsed once, here). */
  handedOff: number;
  /** The reason of the last refusal, without any of the frame's contents. */
  lastReason: string | null;
  lastAt: string | null;
}

const stats: FrameGuardStats = { screened: 0, refused: 0, dropped: 0, handedOff: 0, lastReason: null, lastAt: null };

export function frameGuardStats(): FrameGuardStats {
  return { ...stats };
}

/** The reason a frame was refused, when `data` is the screen's replacement; null for any real payload. */
export function refusedFrameReason(data: unknown): string | null {
  return typeof data === 'string' && data.startsWith(REFUSED_MARK) ? data.slice(REFUSED_MARK.length) : null;
}

/** `data` of a frame handed off: JSON for 0, so pusher-js's own parse of it is cheap and cannot throw. */
const HANDOFF_DATA = '0';
const HANDOFF_VALUE = 0;
/** Longest string `data` handed off, so that `validate.ts` still measures a large one itself (UTF-8 is at most 3 bytes per unit). */
const HANDOFF_MAX_CHARS = 1024 * 1024;

export interface HandOff {
  /** The frame's `data`, parsed when it was a JSON string. */
  value: unknown;
  /** What pusher-js is given instead: the same frame with `data` "0". */
  replacement: string;
}

export type Screened = { pass: true; handOff: HandOff | null } | { pass: false; reason: string; replacement: string; channel: string | null };

const PASS: Screened = { pass: true, handOff: null };

/** Channels whose events are handed off, with how many holders (two desks may share a process in tests). */
const handOffChannels = new Map<string, number>();

/** The realtime layer takes this channel's event data from the screen (`handedOff`); call the result when it stops. */
export function handOffChannel(channel: string): () => void {
  handOffChannels.set(channel, (handOffChannels.get(channel) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (handOffChannels.get(channel) ?? 1) - 1;
    if (left > 0) handOffChannels.set(channel, left);
    else handOffChannels.delete(channel);
  };
}

/** The data of the frame being dispatched, while it is (null otherwise). */
let handing: { value: unknown } | null = null;

/**
 * The event's real data: inside the dispatch of a handed-off frame, its
 * parsed data (once); otherwise `data` as pusher-js gave it.
 */
export function handedOff(data: unknown): unknown {
  if (handing === null || data !== HANDOFF_VALUE) return data;
  const { value } = handing;
  handing = null;
  return value;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= NAME_MAX;
}

function refusal(reason: string, channel: unknown, event: unknown): Screened {
  const attributable = isName(channel) && isName(event) && !event.startsWith('pusher');
  const data = `${REFUSED_MARK}${reason}`;
  const replacement = attributable ? JSON.stringify({ event, channel, data }) : JSON.stringify({ event: REFUSED_FRAME_EVENT, data });
  return { pass: false, reason, replacement, channel: attributable ? channel : null };
}

/** `"name":"value"` as a top-level-looking field in a window of an oversize frame's text. */
function fieldIn(text: string, name: string): string | undefined {
  const match = new RegExp(`"${name}"\\s*:\\s*"([^"\\\\]{1,${NAME_MAX}})"`).exec(text);
  return match?.[1];
}

/**
 * Decides about one received frame; pure (the socket wrapper counts and hands
 * off). `handOff` says whether a channel's events are handed off. Exported for
 * tests and the fuzz suite.
 */
export function screenFrame(raw: unknown, handOff: (channel: string) => boolean = () => false): Screened {
  if (typeof raw !== 'string') return refusal('binary frame', undefined, undefined);
  if (raw.length > MAX_FRAME_CHARS) {
    const head = raw.slice(0, ATTRIBUTION_WINDOW);
    const tail = raw.slice(-ATTRIBUTION_WINDOW);
    const channel = fieldIn(head, 'channel') ?? fieldIn(tail, 'channel');
    const event = fieldIn(head, 'event') ?? fieldIn(tail, 'event');
    return refusal(`${raw.length}-character frame exceeds ${MAX_FRAME_CHARS}`, channel, event);
  }
  let frame: unknown;
  try {
    // Iterative in V8: safe at any depth. Parsed once more by pusher-js when it passes.
    frame = JSON.parse(raw);
  } catch {
    return refusal('frame is not JSON', undefined, undefined);
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return refusal('frame is not a JSON object', undefined, undefined);
  const { channel, event, data } = frame as { channel?: unknown; event?: unknown; data?: unknown };
  if (typeof event !== 'string') return refusal('frame has no event name', channel, undefined);
  if (!flat(frame) && jsonTextDepth(raw, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH + 1) return refusal(`frame nested deeper than ${MAX_JSON_DEPTH} levels`, channel, event);
  // pusher-js JSON.parses a string `data` too: it must be as shallow.
  if (typeof data === 'string' && jsonTextDepth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return refusal(`data nested deeper than ${MAX_JSON_DEPTH} levels`, channel, event);
  if (event.startsWith('pusher')) {
    const problem = protocolProblem(event, channel, data);
    return problem === null ? PASS : refusal(problem, channel, event);
  }
  if (typeof channel !== 'string' || data === undefined || !handOff(channel)) return PASS;
  let value: unknown = data;
  if (typeof data === 'string') {
    if (data.length > HANDOFF_MAX_CHARS) return PASS;
    try {
      value = JSON.parse(data) as unknown;
    } catch {
      // Not JSON: pusher-js keeps the string too, and validate.ts refuses it.
      return PASS;
    }
  }
  const { user_id: userId } = frame as { user_id?: unknown };
  return { pass: true, handOff: { value, replacement: JSON.stringify({ event, channel, data: HANDOFF_DATA, user_id: userId }) } };
}

const handsOff = (channel: string): boolean => handOffChannels.has(channel);

/** No field holds an object or array (a Laravel broadcast's `data` is a string): one level deep, no scan needed. */
function flat(frame: object): boolean {
  for (const value of Object.values(frame)) if (typeof value === 'object' && value !== null) return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * pusher-js dereferences the data of its own protocol events without a
 * check (`memberData.user_id`, `data.presence.hash`, `event.data.subscription_count`),
 * inside the socket's handler: from a broken or hostile server a `null`
 * there is an uncaught TypeError. Such frames are dropped. So is a
 * `pusher:signin_success` the desk never asked for (pusher-js throws on one).
 */
function protocolProblem(event: string, channel: unknown, raw: unknown): string | null {
  if (event === 'pusher:signin_success') return 'unsolicited pusher:signin_success';
  if (!event.startsWith('pusher_internal:')) return null;
  let data = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw) as unknown;
    } catch {
      return `${event} data is not JSON`;
    }
  }
  if (!isRecord(data)) return `${event} data is not an object`;
  switch (event) {
    case 'pusher_internal:member_added':
    case 'pusher_internal:member_removed': {
      const id = data.user_id;
      // `members[user_id] = user_info` with "__proto__" would replace the roster's prototype.
      if ((typeof id !== 'string' && typeof id !== 'number') || id === '__proto__') return `${event} without a usable user_id`;
      return null;
    }
    case 'pusher_internal:subscription_succeeded': {
      if (typeof channel === 'string' && channel.startsWith('presence-') && !(isRecord(data.presence) && isRecord(data.presence.hash))) {
        return `${event} without a presence roster`;
      }
      return null;
    }
    default:
      return null;
  }
}

type MessageHandler = (event: { data: unknown }) => void;

/** Puts the screen between a pusher-js WebSocket and the handler pusher-js assigns to its `onmessage`. */
function screenSocket<S extends object>(socket: S): S {
  let handler: MessageHandler | null = null;
  const screened: MessageHandler = (message) => {
    const target = handler;
    if (target === null) return;
    stats.screened += 1;
    const verdict = screenFrame(message.data, handsOff);
    if (verdict.pass) {
      if (verdict.handOff === null) return target(message);
      stats.handedOff += 1;
      handing = { value: verdict.handOff.value };
      try {
        return target({ data: verdict.handOff.replacement });
      } finally {
        handing = null;
      }
    }
    stats.refused += 1;
    if (verdict.channel === null) stats.dropped += 1;
    stats.lastReason = verdict.reason;
    stats.lastAt = new Date().toISOString();
    target({ data: verdict.replacement });
  };
  Object.defineProperty(socket, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => (handler === null ? null : screened),
    set: (fn: unknown) => {
      handler = typeof fn === 'function' ? (fn as MessageHandler) : null;
    },
  });
  return socket;
}

const GUARDED = Symbol.for('clinic-desk.pusher-guard');

interface GuardableRuntime {
  createWebSocket?: (url: string) => unknown;
  [GUARDED]?: true;
}

/**
 * Installs the screen on pusher-js's runtime (once per process; idempotent).
 * A Pusher class without the Node runtime's `createWebSocket` (a test double)
 * is left alone.
 */
export function guardPusher(PusherClass: typeof Pusher): void {
  const runtime = (PusherClass as { Runtime?: unknown }).Runtime as GuardableRuntime | undefined;
  if (runtime === undefined || runtime === null || typeof runtime.createWebSocket !== 'function' || runtime[GUARDED] === true) return;
  const original = runtime.createWebSocket;
  runtime.createWebSocket = function createScreenedWebSocket(this: unknown, url: string) {
    const socket = original.call(this, url);
    return typeof socket === 'object' && socket !== null ? screenSocket(socket) : socket;
  };
  runtime[GUARDED] = true;
}
