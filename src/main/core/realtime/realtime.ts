import type { Channel as PusherChannel, PresenceChannel } from 'pusher-js';
import { channels as channelNames, parseChannel, type ChannelRef } from '../../../shared/channels';
import { SERVER_EVENTS, TYPING_CLIENT_EVENT, TypingData, type ServerEventKey } from '../../../shared/payloads';
import type { ChannelStatus } from '../../../shared/desk-state';
import { CALLED_IN_CLIENT_EVENT, CalledInWhisper, type CalledIn } from '../../../shared/staff-actions';
import { errorMessage, isClearRefusal, type Authorize } from './channel-auth';
import { RealtimeStateTracker, backoffDelay, type RealtimeStatus } from './connection-state';
import { deskEchoFactory, describeTransport, openDeskEcho, subscribeDeskChannel, type EchoFactory, type EchoInstance, type RealtimeTransport } from './echo-instance';
import { silentLogger, type Logger } from '../log';
import { PresenceRoster, parseMember, parseMemberId, type OnlinePresenceMember } from './presence';
import { RejectionLog } from './rejection-log';
import { handOffChannel, handedOff } from './pusher-guard';
import { EVENTS_ON, validateCalledIn, validateServerEvent, validateTyping, type TypingData as TypingDataT, type ValidatedEvent } from './validate';

export type { RealtimeState, RealtimeStatus } from './connection-state';
export type { OnlinePresenceMember } from './presence';
export type { EchoFactory, RealtimeTransport } from './echo-instance';
export type { Authorize, ChannelAuthorization } from './channel-auth';

/**
 * The desk's live connection: laravel-echo over pusher-js, supervised.
 *
 * Echo builds the pusher-js client and the `private-`/`presence-` channels the
 * Laravel way; everything that arrives is taken from the pusher-js channel
 * with `bind_global` and routed through `validateServerEvent`, not through
 * Echo's `.listen()`: one path serves both event-name styles
 * (`general-notification` and `App\Events\NotificationBroadcast`), unknown
 * events on our channels are seen (and counted) instead of silently ignored,
 * and the wire name is kept for the logs.
 *
 * What pusher-js does not do, this class does:
 * - after the socket server goes away, pusher-js 8.6 retries on its own but
 *   its strategy then waits 15 s, 30 s, 60 s between attempts, and in the
 *   `failed` state (no transport left) or after a refusal (close code
 *   4000–4099, 4300+: `disconnected`) it never tries again. Whenever it is
 *   not connected, a backoff timer runs here; if pusher-js has not
 *   reconnected when it fires, the instance is thrown away and a fresh one
 *   built (and its channels resubscribed);
 * - after sleep or a network change a dead socket can look connected for
 *   minutes (pusher-js notices after activity timeout + pong timeout: 150 s
 *   against Pusher's defaults): a watchdog pings when the socket has been
 *   quiet for half of `watchdog.silenceMs` (default 20 s), reports the socket
 *   `suspect` when the ping is not answered within 3 s (the desk then stops
 *   saying Live and polls), and rebuilds when nothing at all arrived for
 *   `silenceMs`;
 * - channel authorization calls `options.authorize` for every subscription,
 *   so a new token is used on the next one (and `reconnectNow` rebuilds);
 *   each instance gets its own `auth.headers` object, since Echo 2.5 would
 *   otherwise write a `bearerToken` into a default object shared by every
 *   Echo in the process;
 * - a subscription error stays with its channel (`failed`, with the auth
 *   endpoint's 401/403), the rest keep working; a failure that is not a clear
 *   401/403 (no answer, a 5xx, an HTML page, a redirect, cut-short JSON) is
 *   retried: one timer for all such channels, with backoff and jitter, one
 *   channel first as the probe and the rest as soon as it is subscribed (so an
 *   outage of the auth endpoint costs one request per round, not one per
 *   channel); `channelTrouble()` names them meanwhile;
 * - presence members are keyed by numeric user id (see `presence.ts`).
 *
 * One event broadcast to several channels (an appointment goes to the
 * doctor's and the patient's channel) is emitted once per channel, with the
 * channel it came on; the sync layer de-duplicates by id and timestamp.
 * Pusher delivers nothing sent before a channel's subscription succeeded:
 * after a `channel` event with state `subscribed` for a newly wanted channel
 * (and on every `connected`), the sync layer catches up over REST.
 */

export interface RealtimeOptions {
  transport: RealtimeTransport;
  /**
   * Authorizes one channel for one socket (the API client's `authorizeChannel`).
   * Called for every subscription; an HTTP failure rejects with an error that
   * carries `.status` (401, 403, ...).
   */
  authorize: Authorize;
  /**
   * Builds each connection (`echo-instance.ts`). Default `deskEchoFactory()`:
   * laravel-echo over pusher-js. The desk hands the same one to its checks
   * (`doctor`), so they go the way its connection goes.
   */
  echo?: EchoFactory;
  /**
   * Wall clock for timestamps, latency and the watchdog. Default `Date.now`.
   * The watchdog compares its readings, so a frozen test clock disables it.
   */
  now?: () => number;
  logger?: Logger;
  /**
   * Nothing at all received for this long while connected means a dead
   * socket. Default 20 s (or less when the activity timeout negotiated with
   * the server plus pusher-js's pong timeout is shorter). A ping goes out
   * after half of it without traffic, so a quiet but healthy socket always
   * has some; 3 s (at most a quarter of it) without an answer to that ping
   * makes the socket `suspect`. Silence is measured on the wall clock (`now`,
   * so a resume from sleep is seen at once) and on a monotonic one (so a
   * frozen test clock does not disable it), whichever says longer.
   */
  watchdog?: { silenceMs: number };
  /** Our backoff while pusher-js is not connected, and between channel retry rounds. Default 1500 ms doubling to 15 s. */
  reconnect?: { baseDelayMs: number; maxDelayMs: number };
  /** Where refused payloads are recorded: the desk's one log (see `rejection-log.ts`). Default: a log of this instance's own. */
  rejections?: RejectionLog;
}

export interface RealtimePresenceHere {
  channel: string;
  kind: 'here';
  members: OnlinePresenceMember[];
}
export interface RealtimePresenceChange {
  channel: string;
  kind: 'joined' | 'left';
  member: OnlinePresenceMember;
}

/**
 * One validated server event. `receivedMs` is the one clock reading taken for
 * it; `receivedAt` (ISO) and `latencyMs` (against the payload's own stamp)
 * are worked out from it when read, so an event nobody asks about costs
 * neither a date string nor a date parse.
 */
export type RealtimeServerEvent = { readonly channel: string; readonly wireEvent: string; readonly receivedMs: number; readonly receivedAt: string; readonly latencyMs: number | null } & ValidatedEvent;

class ReceivedEvent {
  constructor(
    readonly channel: string,
    readonly wireEvent: string,
    readonly key: ServerEventKey,
    readonly payload: ValidatedEvent['payload'],
    readonly receivedMs: number,
  ) {}

  get receivedAt(): string {
    return new Date(this.receivedMs).toISOString();
  }

  get latencyMs(): number | null {
    return latencyOf(stampOf(this as unknown as ValidatedEvent), this.receivedMs);
  }
}

/** The sender's time of a validated event. */
function stampOf(event: ValidatedEvent): string {
  return event.key === 'notification' ? event.payload.created_at : event.payload.timestamp;
}

function latencyOf(stamp: string, receivedMs: number): number | null {
  const sentAt = Date.parse(stamp);
  return Number.isNaN(sentAt) ? null : receivedMs - sentAt;
}

/** Does nothing: bound to each event name a channel expects, so pusher-js finds a callback (see `subscribeIn`). */
const noop = (): void => undefined;

/** The wire names (both styles) of the events each channel kind carries, and the whispers: typing on conversations, call-ins on the clinic's presence channel. */
function expectedEventNames(ref: ChannelRef): string[] {
  const names = new Set<string>();
  for (const key of EVENTS_ON[ref.kind]) {
    names.add(SERVER_EVENTS[key].broadcastAs);
    names.add(SERVER_EVENTS[key].className);
  }
  if (ref.kind === 'conversation') names.add(TYPING_CLIENT_EVENT);
  if (ref.kind === 'presence-clinic') names.add(CALLED_IN_CLIENT_EVENT);
  return [...names];
}

export interface RealtimeEvents {
  state: RealtimeStatus;
  channel: ChannelStatus;
  /** Only validated payloads; once per channel the event arrived on. */
  event: RealtimeServerEvent;
  /** One refused payload, as recorded in the rejection log: `count` is its group's there. */
  rejected: { channel: string; event: string; reason: string; at: string; count: number };
  presence: RealtimePresenceHere | RealtimePresenceChange;
  typing: { conversationId: number; data: TypingDataT; at: string };
  /** A colleague's desk called a patient in (its whisper on the clinic's presence channel). */
  calledIn: CalledIn;
  /** Every (re)connect; the sync layer catches up over REST on it. */
  connected: { socketId: string; reconnect: boolean };
}

const DEFAULT_RECONNECT = { baseDelayMs: 1_500, maxDelayMs: 15_000 };
const MIN_SILENCE_MS = 100;
/**
 * A dead socket is found 20 s after its last frame (the watchdog wakes at
 * its deadlines, not on a fixed tick): a ping after 10 s of quiet, 10 s for
 * anything to come back. A pong takes well under a second on a working link,
 * so 10 s is a wide margin; a quiet desk sends one 30-byte ping every 10 s
 * (pings are protocol frames, not billed messages).
 */
const DEFAULT_SILENCE_MS = 20_000;
/**
 * The watchdog sleeps until its next deadline, but at most this long: after a
 * sleep of the computer, timers resume where they stopped while the wall clock
 * has jumped, and only a check that compares the clocks sees it.
 */
const WALL_CLOCK_CHECK_MS = 1_000;
/** An unanswered ping makes the socket suspect after this long (a quarter of the silence at most). */
const SUSPECT_AFTER_PING_MS = 3_000;
/** Recently unsubscribed channels kept for the diagnostics screen. */
const RECENT_UNSUBSCRIBED = 20;
/** The same typing state is whispered at most this often per conversation (Pusher allows 10 client events/s). */
const TYPING_REPEAT_MS = 1_000;

interface Generation {
  readonly id: number;
  readonly instance: EchoInstance;
  /** Auth endpoint failures, by channel, until pusher-js reports the subscription error. */
  readonly authFailures: Map<string, AuthFailure>;
  /** Removes our listeners from the instance's connection. */
  readonly unbind: () => void;
}

interface AuthFailure {
  status: number | null;
  message: string;
  retryAfterMs: number | null;
}

interface ChannelRecord {
  readonly ref: ChannelRef;
  /**
   * Counters are updated in place; `lastEventAt` and `lastLatencyMs` here are
   * as of the last call of `snapshot`: the live values are the fields below,
   * turned into them only when someone reads the channel's status.
   */
  status: ChannelStatus;
  /** The clock reading of the last event, or null when none since this record was made. */
  lastEventMs: number | null;
  /** The sender's stamp of the last event that carried one, and when that event arrived. */
  latencyStamp: string | null;
  latencyAtMs: number;
  readonly roster: PresenceRoster | null;
  /** The channel in the current connection, and the release of its hand-off from the frame screen. */
  bound: { gen: Generation; sub: PusherChannel; release: () => void } | null;
}

/** Wanted channels not subscribed because of a failure that may pass, for the status bar. */
export interface ChannelTrouble {
  channels: string[];
  /** The first one's error. */
  error: string | null;
}

type Listener<T> = (event: T) => void;

/** A pusher-js connection error in words: "Server closed. Please reconnect shortly. (4200)". */
function describePusherError(error: unknown): string {
  let value: unknown = error;
  for (let depth = 0; depth < 3 && typeof value === 'object' && value !== null; depth++) {
    const record = value as { data?: unknown; error?: unknown; message?: unknown; code?: unknown };
    if (typeof record.message === 'string') {
      return typeof record.code === 'number' ? `${record.message} (${record.code})` : record.message;
    }
    value = record.data ?? record.error;
  }
  return typeof value === 'string' ? value : 'connection error';
}

export class Realtime {
  readonly rejections: RejectionLog;

  private readonly echo: EchoFactory;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly backoff: { baseDelayMs: number; maxDelayMs: number };
  private readonly tracker: RealtimeStateTracker;
  private readonly listeners = new Map<keyof RealtimeEvents, Set<Listener<never>>>();
  private readonly wanted = new Map<string, ChannelRecord>();
  private recent: ChannelRecord[] = [];
  private readonly lastWhisper = new Map<number, { typing: boolean; at: number }>();

  private started = false;
  private gen: Generation | null = null;
  private generations = 0;
  private everConnected = false;
  private attempt = 0;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private silenceMs = DEFAULT_SILENCE_MS;
  private lastActivityAt = 0;
  private lastActivityMono = 0;
  private pingSentAt: number | null = null;
  private suspected = false;
  private lastError: string | null = null;
  /**
   * Channels whose authorization failed for a reason that may pass: waiting
   * for the next round, or sent again in one and not subscribed yet (they
   * count as trouble until they are).
   */
  private readonly retrying = new Map<ChannelRecord, 'waiting' | 'sent'>();
  /** The one channel of a round sent ahead of the others. */
  private probeChannel: ChannelRecord | null = null;
  private channelRetryTimer: NodeJS.Timeout | null = null;
  private channelRetryAttempt = 0;
  /** The longest wait the failures of this round asked for (`Retry-After`, the retry budget). */
  private channelRetryHint = 0;

  constructor(private readonly options: RealtimeOptions) {
    this.echo = options.echo ?? deskEchoFactory();
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.reconnect ?? DEFAULT_RECONNECT;
    this.tracker = new RealtimeStateTracker(this.now);
    this.rejections = options.rejections ?? new RejectionLog();
  }

  // ------------------------------------------------------------ public ---

  get status(): RealtimeStatus {
    return this.tracker.status;
  }

  channelStatuses(): ChannelStatus[] {
    return [...this.wanted.values(), ...this.recent].map((rec) => this.snapshot(rec));
  }

  /**
   * Connected, but a ping has gone unanswered for a few seconds: the socket
   * may be dead without having closed. Nothing that arrives on it can be
   * trusted to be complete until it answers (or is rebuilt).
   */
  get suspect(): boolean {
    return this.suspected && this.tracker.status.state === 'connected';
  }

  /** Wanted channels failed for a reason that may pass (being retried), or null when there are none. */
  channelTrouble(): ChannelTrouble | null {
    const records = [...this.retrying.keys()].filter((rec) => this.wanted.get(rec.ref.fullName) === rec);
    if (records.length === 0) return null;
    const failed = records.find((rec) => rec.status.error !== null);
    return { channels: records.map((rec) => rec.ref.fullName), error: failed?.status.error ?? null };
  }

  private waitingChannels(): ChannelRecord[] {
    return [...this.retrying].filter(([, state]) => state === 'waiting').map(([rec]) => rec);
  }

  /**
   * Tries the channels waiting for a retry now (one first, the rest once it
   * is subscribed): the desk calls it when the API answers again after an outage.
   */
  retryFailedChannels(): void {
    if (!this.started || this.waitingChannels().length === 0 || this.probeChannel !== null) return;
    this.clearChannelRetry();
    this.retryChannels('probe');
  }

  on<K extends keyof RealtimeEvents>(event: K, listener: (e: RealtimeEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as Listener<never>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  connect(): void {
    if (this.started) return;
    this.started = true;
    this.everConnected = false;
    this.attempt = 0;
    this.lastError = null;
    this.build(`connecting to ${describeTransport(this.options.transport)}`);
  }

  /** Final: closes the socket, stops every timer; nothing reconnects until `connect()` again. */
  disconnect(): void {
    if (!this.started) return;
    this.started = false;
    this.clearRecovery();
    this.stopWatchdog();
    this.teardown();
    this.resetChannelRetry();
    for (const rec of this.wanted.values()) {
      this.setChannel(rec, { state: 'unsubscribed', error: null, errorStatus: null, subscribedAt: null });
    }
    this.transition('disconnected', 'disconnected by the desk');
  }

  /**
   * Throws the pusher-js instance away and builds a fresh one, resubscribing
   * every wanted channel: for resume from sleep, a network change, a new
   * token, or the user's "Reconnect now".
   */
  reconnectNow(reason: string): void {
    if (!this.started) {
      this.logger.info('realtime: reconnect ignored, not connected', { reason });
      return;
    }
    this.attempt = 0;
    this.rebuild(`reconnect: ${reason}`);
  }

  /** Declarative: subscribes the channels not yet wanted, unsubscribes those no longer in the list. */
  setChannels(wanted: readonly ChannelRef[]): void {
    const next = new Map<string, ChannelRef>();
    for (const given of wanted) {
      const ref = parseChannel(given.fullName);
      if (ref === null) throw new RangeError(`not a clinic channel: ${given.fullName}`);
      next.set(ref.fullName, ref);
    }
    for (const [name, rec] of [...this.wanted]) {
      if (!next.has(name)) this.drop(rec);
    }
    for (const [name, ref] of next) {
      if (this.wanted.has(name)) continue;
      const rec = this.revive(ref);
      this.wanted.set(name, rec);
      this.emit('channel', this.snapshot(rec));
      if (this.gen !== null) this.subscribeIn(this.gen, rec);
    }
  }

  /**
   * Whispers `client-typing` on a subscribed conversation channel. Returns
   * whether it went out: false when the channel is not subscribed, the data
   * is invalid, or the same typing state was sent less than a second ago.
   */
  whisperTyping(conversationId: number, data: { user_id: number; name: string; typing: boolean }): boolean {
    let ref: ChannelRef;
    try {
      ref = channelNames.conversation(conversationId);
    } catch {
      return false;
    }
    const rec = this.wanted.get(ref.fullName);
    if (rec?.bound == null || rec.status.state !== 'subscribed') return false;
    const parsed = TypingData.safeParse(data);
    if (!parsed.success) {
      this.logger.warn('realtime: typing whisper not sent, invalid data', { conversationId });
      return false;
    }
    const now = this.now();
    const last = this.lastWhisper.get(conversationId);
    if (last !== undefined && last.typing === parsed.data.typing && now - last.at < TYPING_REPEAT_MS) return false;
    const payload = { conversation_id: conversationId, type: 'typing' as const, data: parsed.data, timestamp: new Date(now).toISOString() };
    const sent = rec.bound.sub.trigger(TYPING_CLIENT_EVENT, payload);
    if (sent) this.lastWhisper.set(conversationId, { typing: parsed.data.typing, at: now });
    return sent;
  }

  /**
   * Whispers `client-called-in` on the clinic's presence channel (Echo
   * `whisper('called-in')`): a courtesy to the other desks, which the
   * server's notification to reception does not depend on. Returns whether
   * it went out: false when the channel is not subscribed or the data is invalid.
   */
  whisperCalledIn(clinicId: number, call: CalledInWhisper): boolean {
    let ref: ChannelRef;
    try {
      ref = channelNames.presenceClinic(clinicId);
    } catch {
      return false;
    }
    const rec = this.wanted.get(ref.fullName);
    if (rec?.bound == null || rec.status.state !== 'subscribed') return false;
    const parsed = CalledInWhisper.safeParse(call);
    if (!parsed.success) {
      this.logger.warn('realtime: call-in whisper not sent, invalid data', { clinicId });
      return false;
    }
    return rec.bound.sub.trigger(CALLED_IN_CLIENT_EVENT, parsed.data);
  }

  // ------------------------------------------------------- generations ---

  private build(detail: string): void {
    const id = ++this.generations;
    const authFailures = new Map<string, AuthFailure>();
    let instance: EchoInstance;
    try {
      instance = openDeskEcho({
        echo: this.echo,
        transport: this.options.transport,
        authorize: this.options.authorize,
        onRefused: (channel, status, message, retryAfterMs) => authFailures.set(channel, { status, message, retryAfterMs }),
        onCallbackError: (channel, message) => this.logger.error('realtime: pusher-js auth callback threw', { channel, error: message }),
      });
    } catch (error) {
      // A bad key or option: nothing to supervise, but no crash from a timer either.
      this.gen = null;
      this.transition('failed', `cannot create the connection: ${errorMessage(error)}`, { force: true });
      this.logger.error('realtime: cannot create the connection', { error: errorMessage(error) });
      this.ensureRecovery();
      return;
    }
    const connection = instance.pusher.connection;
    const onState = (change: { current: string }) => this.onPusherState(gen, change.current);
    const onError = (error: unknown) => this.onPusherError(gen, error);
    const onMessage = () => this.onActivity(gen);
    connection.bind('state_change', onState);
    connection.bind('error', onError);
    connection.bind('message', onMessage);
    const unbind = () => {
      connection.unbind('state_change', onState);
      connection.unbind('error', onError);
      connection.unbind('message', onMessage);
    };
    const gen: Generation = { id, instance, authFailures, unbind };
    this.gen = gen;
    this.transition('connecting', detail, { force: true });
    for (const rec of this.wanted.values()) this.subscribeIn(gen, rec);
    this.ensureRecovery();
    this.logger.info('realtime: new connection', { generation: id, detail });
  }

  private teardown(): void {
    const gen = this.gen;
    if (gen === null) return;
    this.gen = null;
    for (const rec of this.wanted.values()) this.unbindChannel(rec);
    gen.unbind();
    gen.instance.dispose();
  }

  private rebuild(detail: string): void {
    this.clearRecovery();
    this.stopWatchdog();
    this.teardown();
    this.markChannelsPending();
    this.build(detail);
  }

  // -------------------------------------------------- connection state ---

  private transition(state: RealtimeStatus['state'], detail: string | null, options: { socketId?: string | null; force?: boolean } = {}): void {
    const before = this.tracker.status;
    const recorded = this.tracker.set(state, detail, options);
    const after = this.tracker.status;
    if (recorded !== null) this.logger.info('realtime: state', { from: recorded.from, to: recorded.to, detail });
    if (recorded !== null || before.detail !== after.detail || before.socketId !== after.socketId) this.emit('state', after);
  }

  private onPusherState(gen: Generation, current: string): void {
    if (gen !== this.gen) return;
    switch (current) {
      case 'connected': {
        const socketId = gen.instance.pusher.connection.socket_id;
        this.clearRecovery();
        this.attempt = 0;
        this.lastError = null;
        const reconnect = this.everConnected;
        this.everConnected = true;
        this.startWatchdog(gen);
        this.transition('connected', null, { socketId });
        this.emit('connected', { socketId, reconnect });
        return;
      }
      case 'connecting':
        this.stopWatchdog();
        this.markChannelsPending();
        this.transition('connecting', this.lastError === null ? 'reconnecting' : `reconnecting after: ${this.lastError}`);
        this.ensureRecovery();
        return;
      case 'unavailable':
        this.transition('unavailable', this.lastError ?? 'the socket server does not answer');
        this.ensureRecovery();
        return;
      case 'failed':
        this.stopWatchdog();
        this.transition('failed', 'pusher-js has no transport left and stopped trying');
        this.ensureRecovery();
        return;
      case 'disconnected':
        // Not asked for (ours is torn down first): the server refused the connection.
        this.stopWatchdog();
        this.markChannelsPending();
        this.transition('failed', `pusher-js stopped: ${this.lastError ?? 'connection refused'}`);
        this.ensureRecovery();
        return;
      default:
        return;
    }
  }

  private onPusherError(gen: Generation, error: unknown): void {
    if (gen !== this.gen) return;
    this.lastError = describePusherError(error);
    this.logger.info('realtime: connection error', { error: this.lastError });
  }

  /** While pusher-js is not connected, our timer runs; if it has not reconnected by then, a fresh instance is built. */
  private ensureRecovery(): void {
    if (!this.started || this.recoveryTimer !== null) return;
    const delay = backoffDelay(this.attempt, this.backoff.baseDelayMs, this.backoff.maxDelayMs);
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = null;
      if (!this.started || this.tracker.status.state === 'connected') return;
      this.attempt += 1;
      this.rebuild(`still not connected after ${delay} ms: new connection (attempt ${this.attempt})`);
    }, delay);
  }

  private clearRecovery(): void {
    if (this.recoveryTimer !== null) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = null;
  }

  // ----------------------------------------------------------- watchdog ---

  private startWatchdog(gen: Generation): void {
    this.stopWatchdog();
    const configured = this.options.watchdog?.silenceMs;
    if (configured !== undefined) {
      // A zero or negative silence would rebuild on every tick.
      this.silenceMs = Math.max(MIN_SILENCE_MS, configured);
    } else {
      // Negotiated by pusher-js: min(its option, the server's activity_timeout).
      const activity = gen.instance.pusher.connection.activityTimeout;
      const pong = gen.instance.pusher.config.pongTimeout;
      const negotiated = Number.isFinite(activity) && Number.isFinite(pong) ? activity + pong : DEFAULT_SILENCE_MS;
      this.silenceMs = Math.max(MIN_SILENCE_MS, Math.min(DEFAULT_SILENCE_MS, negotiated));
    }
    this.markActive();
    this.armWatchdog(gen, this.nextCheckIn());
  }

  private armWatchdog(gen: Generation, delayMs: number): void {
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      this.watchdogTick(gen);
    }, delayMs);
    this.watchdogTimer.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
    this.suspected = false;
  }

  private markActive(): void {
    this.lastActivityAt = this.now();
    this.lastActivityMono = performance.now();
    this.pingSentAt = null;
  }

  private onActivity(gen: Generation): void {
    if (gen !== this.gen) return;
    this.markActive();
    if (this.suspected) {
      this.suspected = false;
      if (this.tracker.status.state === 'connected') this.transition('connected', null);
    }
  }

  /** Since the last frame: the wall clock sees a sleep, the monotonic one keeps counting when a test freezes the wall clock. */
  private silence(): number {
    return Math.max(this.now() - this.lastActivityAt, Math.round(performance.now() - this.lastActivityMono));
  }

  private pingAfter(): number {
    return this.silenceMs / 2;
  }

  private suspectAfter(): number {
    return this.pingAfter() + Math.min(SUSPECT_AFTER_PING_MS, this.silenceMs / 4);
  }

  /**
   * How long the watchdog may sleep: until the next of its deadlines (the
   * ping, suspect, the rebuild) as counted from the last frame, and never
   * longer than `WALL_CLOCK_CHECK_MS`, the wall clock's check for a resume
   * from sleep. Frames that arrive meanwhile only move the last activity
   * time; the check that wakes then sees it and sleeps again from there.
   */
  private nextCheckIn(): number {
    const silence = this.silence();
    const deadlines = [this.silenceMs];
    if (this.pingSentAt === null) deadlines.push(this.pingAfter());
    else if (!this.suspected) deadlines.push(this.suspectAfter());
    const due = Math.min(...deadlines.map((d) => d - silence).filter((left) => left > 0));
    // +1: a timer may fire a fraction of a millisecond before the clocks read the deadline.
    return Math.max(1, Math.min(WALL_CLOCK_CHECK_MS, Number.isFinite(due) ? Math.ceil(due) + 1 : 1));
  }

  /**
   * Compares clock readings rather than trusting one long timer: after a
   * sleep, timers resume where they were while `now()` has jumped, so the
   * first check after resume (at most `WALL_CLOCK_CHECK_MS` later) already
   * sees the silence. Then sleeps until the next deadline.
   */
  private watchdogTick(gen: Generation): void {
    if (gen !== this.gen || this.tracker.status.state !== 'connected') return;
    const silence = this.silence();
    if (silence >= this.silenceMs) {
      this.logger.warn('realtime: watchdog, socket silent', { silenceMs: silence });
      this.attempt = 0;
      this.rebuild(`watchdog: nothing received for ${silence} ms`);
      return;
    }
    if (silence >= this.pingAfter() && this.pingSentAt === null) {
      this.pingSentAt = silence;
      gen.instance.pusher.send_event('pusher:ping', {});
    } else if (this.pingSentAt !== null && silence >= this.suspectAfter() && !this.suspected) {
      this.suspected = true;
      this.logger.warn('realtime: watchdog, ping not answered', { silenceMs: silence });
      this.transition('connected', `no answer from the socket server for ${Math.round(silence / 1000)} s; checking the connection`);
    }
    // The transition above may have ended this generation's watch (a listener reconnecting).
    if (gen === this.gen && this.watchdogTimer === null && this.tracker.status.state === 'connected') this.armWatchdog(gen, this.nextCheckIn());
  }

  // ---------------------------------------------------------- channels ---

  private revive(ref: ChannelRef): ChannelRecord {
    const index = this.recent.findIndex((r) => r.ref.fullName === ref.fullName);
    const old = index === -1 ? undefined : this.recent.splice(index, 1)[0];
    const base: ChannelStatus = (old && this.snapshot(old)) ?? {
      name: ref.fullName,
      state: 'pending',
      errorStatus: null,
      error: null,
      subscribedAt: null,
      lastEventAt: null,
      eventCount: 0,
      rejectedCount: 0,
      lastLatencyMs: null,
    };
    return {
      ref,
      status: { ...base, state: 'pending', errorStatus: null, error: null, subscribedAt: null },
      lastEventMs: null,
      latencyStamp: null,
      latencyAtMs: 0,
      roster: ref.visibility === 'presence' ? new PresenceRoster() : null,
      bound: null,
    };
  }

  private drop(rec: ChannelRecord): void {
    this.wanted.delete(rec.ref.fullName);
    this.retrying.delete(rec);
    if (this.probeChannel === rec) this.probeChannel = null;
    if (this.retrying.size === 0) this.clearChannelRetry();
    const bound = rec.bound;
    this.unbindChannel(rec);
    if (bound !== null && bound.gen === this.gen) bound.gen.instance.echo.leaveChannel(rec.ref.fullName);
    if (rec.ref.kind === 'conversation') this.lastWhisper.delete(rec.ref.id);
    this.setChannel(rec, { state: 'unsubscribed', error: null, errorStatus: null, subscribedAt: null });
    this.recent.unshift(rec);
    this.recent = this.recent.slice(0, RECENT_UNSUBSCRIBED);
  }

  private subscribeIn(gen: Generation, rec: ChannelRecord): void {
    const sub = subscribeDeskChannel(gen.instance, rec.ref);
    const live = () => this.gen === gen && rec.bound?.sub === sub && this.wanted.get(rec.ref.fullName) === rec;
    rec.bound = { gen, sub, release: handOffChannel(rec.ref.fullName) };
    sub.bind('pusher:subscription_succeeded', () => {
      if (live()) this.onSubscribed(rec, sub);
    });
    sub.bind('pusher:subscription_error', (data: unknown) => {
      if (live()) this.onSubscriptionError(gen, rec, data);
    });
    sub.bind_global((event: string, data: unknown) => {
      // Always taken, so that a frame handed off to a channel no longer live leaves nothing behind.
      const value = handedOff(data);
      if (live()) this.onChannelEvent(rec, event, value);
    });
    // pusher-js calls its fail-through for an event with no callback of its own, which formats a
    // "No callbacks on <channel> for <event>" debug line for every such event, printed or not.
    // Everything is handled above; these only spare that work.
    for (const name of expectedEventNames(rec.ref)) sub.bind(name, noop);
    if (rec.roster !== null) {
      sub.bind('pusher:member_added', (member: unknown) => {
        if (live()) this.onMemberAdded(rec, member);
      });
      sub.bind('pusher:member_removed', (member: unknown) => {
        if (live()) this.onMemberRemoved(rec, member);
      });
    }
  }

  private unbindChannel(rec: ChannelRecord): void {
    if (rec.bound === null) return;
    rec.bound.sub.unbind();
    rec.bound.sub.unbind_global();
    rec.bound.release();
    rec.bound = null;
    rec.roster?.clear();
  }

  private setChannel(rec: ChannelRecord, change: Partial<ChannelStatus>): void {
    const before = rec.status;
    rec.status = { ...before, ...change };
    if (before.state !== rec.status.state || before.error !== rec.status.error || before.errorStatus !== rec.status.errorStatus) {
      this.emit('channel', this.snapshot(rec));
    }
  }

  /** A copy of the channel's status, its last event's time and latency worked out now. */
  private snapshot(rec: ChannelRecord): ChannelStatus {
    if (rec.lastEventMs !== null) rec.status.lastEventAt = new Date(rec.lastEventMs).toISOString();
    if (rec.latencyStamp !== null) rec.status.lastLatencyMs = latencyOf(rec.latencyStamp, rec.latencyAtMs) ?? rec.status.lastLatencyMs;
    return { ...rec.status };
  }

  private markChannelsPending(): void {
    // A new connection subscribes every wanted channel: the retry round starts over (its backoff does not).
    this.clearChannelRetry();
    this.retrying.clear();
    this.probeChannel = null;
    for (const rec of this.wanted.values()) {
      if (rec.status.state !== 'pending') this.setChannel(rec, { state: 'pending', error: null, errorStatus: null, subscribedAt: null });
    }
  }

  private clearChannelRetry(): void {
    if (this.channelRetryTimer !== null) clearTimeout(this.channelRetryTimer);
    this.channelRetryTimer = null;
  }

  private resetChannelRetry(): void {
    this.clearChannelRetry();
    this.retrying.clear();
    this.probeChannel = null;
    this.channelRetryAttempt = 0;
    this.channelRetryHint = 0;
  }

  /** One timer for every channel waiting: its backoff grows with each failed round, and honours what the failures asked for. */
  private scheduleChannelRetry(): void {
    if (!this.started || this.channelRetryTimer !== null || this.probeChannel !== null || this.waitingChannels().length === 0) return;
    const delay = Math.max(backoffDelay(this.channelRetryAttempt, this.backoff.baseDelayMs, this.backoff.maxDelayMs), this.channelRetryHint);
    this.channelRetryHint = 0;
    this.channelRetryTimer = setTimeout(() => {
      this.channelRetryTimer = null;
      this.channelRetryAttempt += 1;
      this.retryChannels('probe');
    }, delay);
    this.channelRetryTimer.unref();
    this.logger.info('realtime: channels will be authorized again', { channels: this.waitingChannels().length, delayMs: delay });
  }

  /** Subscribes the waiting channels again: one ahead of the others (`probe`), or all. */
  private retryChannels(mode: 'probe' | 'all'): void {
    const gen = this.gen;
    // Not connected: the next connection subscribes every wanted channel anyway.
    if (gen === null || this.tracker.status.state !== 'connected') return;
    for (const rec of [...this.retrying.keys()]) {
      if (this.wanted.get(rec.ref.fullName) !== rec || rec.bound?.gen !== gen) this.retrying.delete(rec);
    }
    const waiting = this.waitingChannels();
    const chosen = mode === 'probe' ? waiting.slice(0, 1) : waiting;
    if (mode === 'probe') this.probeChannel = chosen[0] ?? null;
    for (const rec of chosen) {
      this.retrying.set(rec, 'sent');
      this.setChannel(rec, { state: 'pending', error: null, errorStatus: null });
      gen.instance.pusher.subscribe(rec.ref.fullName);
    }
  }

  private onSubscribed(rec: ChannelRecord, sub: PusherChannel): void {
    const wasProbe = this.probeChannel === rec;
    if (wasProbe) this.probeChannel = null;
    this.retrying.delete(rec);
    // The auth endpoint answers again: the channels still waiting go now, not at the next round.
    if (wasProbe || this.waitingChannels().length > 0) {
      this.channelRetryAttempt = 0;
      this.clearChannelRetry();
      if (this.waitingChannels().length > 0) this.retryChannels('all');
    }
    this.setChannel(rec, { state: 'subscribed', error: null, errorStatus: null, subscribedAt: this.iso() });
    if (rec.roster === null) return;
    const members: OnlinePresenceMember[] = [];
    (sub as PresenceChannel).members.each((raw: unknown) => {
      const parsed = parseMember(raw);
      if (parsed.ok) members.push(parsed.member);
      else this.reject(rec, 'pusher:subscription_succeeded', `member ${parsed.reason}`);
    });
    this.emit('presence', { channel: rec.ref.fullName, kind: 'here', members: rec.roster.reset(members) });
  }

  private onSubscriptionError(gen: Generation, rec: ChannelRecord, data: unknown): void {
    const name = rec.ref.fullName;
    const fromAuth = gen.authFailures.get(name);
    gen.authFailures.delete(name);
    let status: number | null = null;
    let error: string;
    if (fromAuth !== undefined) {
      status = fromAuth.status;
      error = fromAuth.message;
    } else {
      // Refused by the socket server itself (bad signature, unsupported channel):
      // not the auth endpoint's verdict, so no errorStatus.
      const d = (typeof data === 'object' && data !== null ? data : {}) as { error?: unknown; type?: unknown; status?: unknown };
      const what = typeof d.error === 'string' ? d.error : typeof d.type === 'string' ? d.type : 'subscription refused';
      error = `socket server refused: ${what}${typeof d.status === 'number' ? ` (${d.status})` : ''}`;
    }
    const retried = fromAuth !== undefined && !isClearRefusal(status);
    if (this.probeChannel === rec) this.probeChannel = null;
    // Recorded before the channel event goes out: its listeners (the status bar) see it waiting.
    if (retried) this.retrying.set(rec, 'waiting');
    else this.retrying.delete(rec);
    this.setChannel(rec, { state: 'failed', error: (retried ? `${error}; retrying` : error).slice(0, 500), errorStatus: status, subscribedAt: null });
    this.logger.warn('realtime: subscription failed', { channel: name, status, error, retried });
    if (retried) {
      this.channelRetryHint = Math.max(this.channelRetryHint, fromAuth.retryAfterMs ?? 0);
      this.scheduleChannelRetry();
    }
  }

  private onChannelEvent(rec: ChannelRecord, event: string, data: unknown): void {
    if (event.startsWith('pusher:') || event.startsWith('pusher_internal:')) return;
    const channel = rec.ref.fullName;
    if (event === TYPING_CLIENT_EVENT) {
      const typing = validateTyping(channel, data);
      if (!typing.ok) return this.reject(rec, event, typing.reason);
      const receivedMs = this.now();
      this.countEvent(rec, receivedMs, null);
      this.emit('typing', { conversationId: typing.conversationId, data: typing.data, at: new Date(receivedMs).toISOString() });
      return;
    }
    if (event === CALLED_IN_CLIENT_EVENT) {
      const called = validateCalledIn(channel, data);
      if (!called.ok) return this.reject(rec, event, called.reason);
      this.countEvent(rec, this.now(), null);
      this.emit('calledIn', called.call);
      return;
    }
    const result = validateServerEvent(channel, event, data);
    if (!result.ok) return this.reject(rec, event, result.reason);
    // The one clock reading for this event: its time, its latency and the channel's counters come from it.
    const receivedMs = this.now();
    this.countEvent(rec, receivedMs, stampOf(result));
    this.logger.debug('realtime: event', { channel, event, key: result.key });
    this.emit('event', new ReceivedEvent(channel, event, result.key, result.payload, receivedMs) as unknown as RealtimeServerEvent);
  }

  /** In place: an event costs no new status object. */
  private countEvent(rec: ChannelRecord, receivedMs: number, stamp: string | null): void {
    rec.status.eventCount += 1;
    rec.lastEventMs = receivedMs;
    if (stamp !== null) {
      rec.latencyStamp = stamp;
      rec.latencyAtMs = receivedMs;
    }
  }

  private reject(rec: ChannelRecord, event: string, reason: string): void {
    const channel = rec.ref.fullName;
    const at = this.iso();
    const group = this.rejections.record(channel, event, reason, at);
    rec.status.rejectedCount += 1;
    // First of a kind, then every power of ten: a flood stays visible without drowning the log.
    if (Number.isInteger(Math.log10(group.count))) {
      this.logger.warn('realtime: payload rejected', { channel, event: group.event, reason: group.reason, count: group.count });
    }
    this.emit('rejected', { channel, event: group.event, reason: group.reason, at, count: group.count });
  }

  private onMemberAdded(rec: ChannelRecord, raw: unknown): void {
    const parsed = parseMember(raw);
    if (!parsed.ok) return this.reject(rec, 'pusher:member_added', `member ${parsed.reason}`);
    if (rec.roster?.add(parsed.member) === true) {
      this.emit('presence', { channel: rec.ref.fullName, kind: 'joined', member: parsed.member });
    }
  }

  private onMemberRemoved(rec: ChannelRecord, raw: unknown): void {
    const id = parseMemberId(raw);
    if (id === null) return this.reject(rec, 'pusher:member_removed', 'member without a valid id');
    const member = rec.roster?.remove(id) ?? null;
    if (member !== null) this.emit('presence', { channel: rec.ref.fullName, kind: 'left', member });
  }

  // ------------------------------------------------------------ events ---

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private emit<K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set] as Array<Listener<RealtimeEvents[K]>>) {
      // A throwing listener must not break pusher-js's dispatch or the other listeners.
      try {
        listener(payload);
      } catch (error) {
        this.logger.error('realtime: listener threw', { event, error: errorMessage(error) });
      }
    }
  }
}
