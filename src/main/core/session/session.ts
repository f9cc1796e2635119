import { parseChannel, type ChannelRef } from '../../../shared/channels';
import { dayIn, nextDayStart, type ClinicTimeZone } from '../../../shared/clinic-time';
import { Message, type Consultation, type Conversation, type User } from '../../../shared/domain';
import type { Feature, FeatureStatus } from '../../../shared/features';
import { NotificationItem, type Board, type ChannelStatus, type ConnectionInfo, type DeskSnapshot, type Diagnostics, type Transport } from '../../../shared/desk-state';
import type { ActionResult, DeskEvent, SyncReason } from '../../../shared/bridge';
import type { z } from 'zod';
import { ApiError, NetworkError, UnauthorizedError, type ApiClient } from '../api/client';
import type { DeskCache, OutboxEntry } from '../cache/cache';
import { ConnectionTracker, deriveStatus, type ConnectionTimeline } from './connection-status';
import type { Logger } from '../log';
import type { Realtime, RealtimeEvents } from '../realtime/realtime';
import { BoardPart } from '../sync/board';
import { ConsultationsPart } from '../sync/consultations';
import { ConversationsPart, outgoingOf } from '../sync/conversations';
import type { ActionOutcome } from '../sync/catch-up';
import { FeatureTracker, type FeatureOutcome, type RunResult } from '../sync/features';
import { MembersPart } from '../sync/members';
import { NotificationsPart } from '../sync/notifications';
import { DEFAULT_OUTBOX_RETRY, OutboxSender, refusalReason } from '../sync/outbox-sender';
import type { PartContext } from '../sync/part';
import { StaffActionOffers } from '../sync/staff-action-offers';
import { StaffActionsPart } from '../sync/staff-actions';
import type { ActionId, StaffActionRequest, StaffActionResult } from '../../../shared/staff-actions';
import { wantedChannels } from './wanted-channels';
import { resolveActionUrl } from './action-url';

/**
 * Everything the desk knows and does for one signed-in user. The state of each
 * feature lives in its own part (`sync/notifications.ts`, `board.ts`,
 * `consultations.ts`, `conversations.ts`, `members.ts`); the session is the
 * loop around them: the live connection and what the status bar says, the
 * catch-up in which every feature syncs on its own, polling and retries, and
 * the user's actions through the outbox. Created at sign-in, disposed at
 * sign-out; `DeskService` owns the lifecycle.
 *
 * How it heals without a click (measured in bench/README.md, "Heal"):
 * - every request goes through the API client's retry budget (`retry-budget.ts`):
 *   once the server fails, one probe per backoff (1 s doubling to 30 s, jittered),
 *   at most 6 background requests a minute; when the server answers again
 *   (`recovered`), the session syncs, sends the outbox and retries the channels at once;
 * - the outbox is sent by its own lane, one flush at a time, oldest first: a
 *   user's action sends it at once (without waiting for any sync) and, when the
 *   server cannot take it yet, the outbox timer tries again (1 s doubling to
 *   30 s, jittered, never before the budget lets it);
 * - the status leaves Live when the socket is suspect (an unanswered ping) or a
 *   wanted channel is waiting for a retry of its authorization, and the desk
 *   polls at once and then on the polling interval.
 */

export interface SessionDeps {
  user: User;
  /** The clinic's zone: the board's day and its midnight. */
  timeZone: ClinicTimeZone;
  apiUrl: string;
  demo: boolean;
  transport: Transport;
  api: ApiClient;
  cache: DeskCache;
  /** Null for the polling-only transport. */
  realtime: Realtime | null;
  pollingIntervalMs: () => number;
  /** While live, how often the desk compares itself with the server over REST (a missed broadcast, a stopped queue worker). */
  reconcileIntervalMs: () => number;
  /** Notifications older than this leave the cache (patient data stays small). */
  cacheRetentionDays: number;
  allowedLinkHosts: readonly string[];
  now: () => number;
  logger: Logger;
  emit: (event: DeskEvent) => void;
  /** The desk's one connection timeline: this session's changes of status go there. */
  timeline: ConnectionTimeline;
  /** Raw validated events, for `clinic-desk watch`. */
  emitWire?: (event: RealtimeEvents['event']) => void;
  /** The server said the token is no longer valid. */
  onExpired: () => void;
  openExternal: (url: string) => Promise<void>;
  /** Backoff of the outbox timer. Default 1 s doubling to 30 s (±20 %). */
  outboxRetry?: { baseDelayMs: number; maxDelayMs: number };
}

const SNAPSHOT_DELAY_MS = 500;
/** Reconciliations in a row that found changes no broadcast announced before the desk says broadcasts seem stopped. */
const SILENT_STREAK = 2;
/** The longest the desk waits before looking at the clock again for a new day (a laptop asleep over midnight). */
const DAY_CHECK_MAX_MS = 60 * 60_000;


/** An event-implied refresh waits this long (the events of one change come together), plus up to the jitter. */
const REFRESH_DELAY_MS = 250;
const REFRESH_JITTER_MS = 250;

/** The list each feature reads, as the API profile names it. */
const FEATURE_PATHS = { notifications: 'notifications', board: 'appointments', consultations: 'consultations', conversations: 'conversations', members: 'members' } as const;
const FEATURES_IN_ORDER = Object.keys(FEATURE_PATHS) as Feature[];

/**
 * Appointment statuses after which a consultation is opened (or soon will be),
 * or closed: another desk started or completed it, on a channel this desk
 * may not follow yet.
 */
const CONSULTATION_CHANGES: ReadonlySet<string> = new Set(['checked_in', 'in_consultation', 'completed']);

/** The lists a notification of this type suggests have changed (Laravel names types after their class: `ConsultationStarted`, `new_message`). */
function impliedByNotification(type: string): Feature[] {
  const implied: Feature[] = [];
  if (/consult/i.test(type)) implied.push('consultations');
  if (/message|chat|conversation/i.test(type)) implied.push('conversations');
  return implied;
}

export class DeskSession {
  readonly user: User;
  private readonly d: SessionDeps;
  private readonly tracker: ConnectionTracker;
  private readonly features: FeatureTracker;
  private readonly notifications: NotificationsPart;
  private readonly members: MembersPart;
  private readonly board: BoardPart;
  private readonly consultations: ConsultationsPart;
  private readonly conversations: ConversationsPart;
  private readonly offers: StaffActionOffers;
  private readonly staffActions: StaffActionsPart;
  private readonly unsubscribers: Array<() => void> = [];
  private restOk: boolean | null = null;
  /** The desk has been live in this session (a lost connection then reads "reconnecting"). */
  private everLive = false;
  /**
   * Catch-ups the desk needs, and those finished: a (re)connect needs one, and
   * so does the end of the channel subscriptions that follow it (events sent
   * before a channel was in place are read over REST). Until the last one
   * needed has finished the desk is not up to date, so it does not say Live.
   */
  private catchUpsNeeded = 0;
  private catchUpsDone = 0;
  /** After a (re)connect, until no wanted channel is still waiting for its subscription. */
  private subscribing = false;
  private featureRetry: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain: SyncReason | null = null;
  private readonly snapshotTimers = new Map<string, NodeJS.Timeout>();
  private refreshSoon: NodeJS.Timeout | null = null;
  private disposed = false;
  /** The connect and first catch-up of `start`, on the turn after it. */
  private goLive: NodeJS.Immediate | null = null;
  /** The outbox flush in flight, and the one queued behind it (which reads the outbox when it starts). */
  private readonly outbox: OutboxSender;
  /** Fires when the retry budget lets the next background request through, to see whether the server is back. */
  private probeTimer: NodeJS.Timeout | null = null;
  /** While live: the next reconciliation. */
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** The clinic's next midnight (or an earlier look at the clock). */
  private dayTimer: NodeJS.Timeout | null = null;
  /** The clinic's day as of the last look: the board follows it when it shows today. */
  private currentDay: string;
  /** Features the next `refresh` reads (an event implied that their lists changed). */
  private readonly refreshWanted = new Set<Feature>();
  private readonly reconciliation = { lastAt: null as string | null, requests: 0, notModified: 0, unannounced: 0, streak: 0, eventsSince: 0 };

  constructor(deps: SessionDeps) {
    this.d = deps;
    this.user = deps.user;
    this.tracker = new ConnectionTracker(deps.transport, () => this.iso(), deps.timeline);
    this.features = new FeatureTracker({
      now: deps.now,
      endpoint: (feature) => `GET ${deps.api.endpoint(FEATURE_PATHS[feature])}`,
      onChange: (features) => {
        this.emit({ kind: 'features', features });
        this.updateConnection({ limitedFeatures: this.features.limited() });
      },
    });
    const ctx: PartContext = {
      user: deps.user,
      api: deps.api,
      emit: (event) => this.emit(event),
      saveSnapshot: (key, value, schema) => this.saveSnapshotSoon(key, value, schema),
      loadSnapshot: (key, schema) => deps.cache.loadSnapshot(key, schema)?.value ?? null,
      isoNow: () => this.iso(),
      zone: deps.timeZone.zone,
    };
    this.notifications = new NotificationsPart(ctx, { cache: deps.cache, logger: deps.logger, retentionDays: deps.cacheRetentionDays, now: deps.now });
    this.outbox = new OutboxSender({
      api: deps.api,
      cache: deps.cache,
      logger: deps.logger,
      retry: deps.outboxRetry ?? DEFAULT_OUTBOX_RETRY,
      onDone: (entry, outcome) => this.onOutboxDone(entry, outcome),
      onSend: (entry) => this.staffActions.onSend(entry),
      onExpired: () => deps.onExpired(),
      socketId: () => deps.realtime?.status.socketId ?? null,
      ended: () => this.disposed,
    });
    this.members = new MembersPart(ctx);
    this.currentDay = this.today();
    this.board = new BoardPart(ctx, this.currentDay, () => this.members.list());
    this.consultations = new ConsultationsPart(ctx);
    this.conversations = new ConversationsPart(ctx, () => new Set(deps.cache.pendingActions().flatMap((e) => (e.action.kind === 'conversation-read' ? [e.action.conversationId] : []))));
    this.offers = new StaffActionOffers({ ctx, now: deps.now, logger: deps.logger });
    this.staffActions = new StaffActionsPart({
      ctx,
      cache: deps.cache,
      deliver: (outboxId) => this.outbox.deliver(outboxId),
      offers: this.offers,
      board: this.board,
      consultations: this.consultations,
      now: deps.now,
      logger: deps.logger,
      consultationsChanged: () => deps.realtime?.setChannels(this.channels()),
      refresh: (features) => {
        const wanted = features.filter((f) => this.offered(f));
        if (wanted.length > 0) this.scheduleRefresh(wanted);
      },
      whisper: (call) => deps.realtime?.whisperCalledIn(deps.user.clinic_id, call) ?? false,
    });
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  /** Shows the cached state at once, then goes live and catches up. */
  start(): void {
    this.notifications.start();
    this.members.restore();
    this.consultations.restore();
    this.conversations.restore();
    this.board.restore();
    const budget = this.d.api.budget;
    this.unsubscribers.push(
      budget.on('recovered', () => this.onServerBack()),
      budget.on('closed', () => this.scheduleProbe()),
    );
    const rt = this.d.realtime;
    if (rt) {
      this.unsubscribers.push(
        rt.on('state', (s) => {
          if (s.state === 'connected' && this.tracker.current.socketId !== s.socketId) {
            this.catchUpsNeeded++;
            this.subscribing = true;
          }
          this.updateConnection({ socketId: s.socketId });
        }),
        rt.on('connected', (e) => void this.sync(e.reconnect ? 'reconnect' : 'connect')),
        rt.on('channel', (channel) => {
          this.emit({ kind: 'channel', channel });
          if (channel.name.startsWith('private-appointments.doctor.')) this.updateRefusedColumns();
          // Events sent before a channel's subscription succeeded never reach us:
          // read the state over REST once it is in place.
          if (channel.state === 'subscribed') this.scheduleRefresh();
          // The last of the channels a (re)connect subscribes: one more catch-up, then the desk is up to date.
          if (this.subscribing && !this.channelStatuses().some((c) => c.state === 'pending')) {
            this.subscribing = false;
            this.catchUpsNeeded++;
            this.scheduleRefresh();
          }
          // A channel waiting for a retry of its authorization keeps the desk from saying Live.
          this.updateConnection({});
        }),
        rt.on('event', (e) => this.onServerEvent(e)),
        rt.on('rejected', (e) => this.emit({ kind: 'rejected', ...e })),
        rt.on('presence', (e) => this.members.onPresence(e)),
        rt.on('typing', (e) => {
          if (e.data.user_id !== this.user.id) this.emit({ kind: 'typing', conversationId: e.conversationId, typing: e.data });
        }),
        rt.on('calledIn', (call) => this.emit({ kind: 'called-in', call })),
      );
      rt.setChannels(this.channels());
    }
    this.updateConnection({});
    this.scheduleDayCheck();
    // The cached state is handed out first: connecting and the first catch-up (which load the socket
    // client and Node's fetch, ~35 ms at start) begin on the next turn.
    this.goLive = setImmediate(() => {
      this.goLive = null;
      rt?.connect();
      void this.sync('sign-in');
    });
  }

  get timeZone(): ClinicTimeZone {
    return this.d.timeZone;
  }

  /** Stops everything; `wipe` deletes the cache file (sign-out). `why` ends the session's part of the timeline. */
  dispose(wipe: boolean, why: string): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tracker.update({ status: 'idle', detail: why });
    for (const off of this.unsubscribers.splice(0)) off();
    if (this.goLive) clearImmediate(this.goLive);
    this.d.realtime?.disconnect();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.refreshSoon) clearTimeout(this.refreshSoon);
    if (this.featureRetry) clearTimeout(this.featureRetry);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    if (this.dayTimer) clearTimeout(this.dayTimer);
    this.outbox.stop();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const timer of this.snapshotTimers.values()) clearTimeout(timer);
    this.notifications.stop(!wipe);
    const closeCache = () => (wipe ? this.d.cache.wipe() : this.d.cache.close());
    // A sync or an outbox flush in flight (often the one whose 401 ended the
    // session) still writes its outbox bookkeeping: close the file once they have finished.
    const inFlight = [this.syncing, ...this.outbox.inFlight()].filter((p): p is Promise<unknown> => p != null);
    if (inFlight.length > 0) void Promise.allSettled(inFlight).then(closeCache);
    else closeCache();
  }

  /** Nothing reaches the window from a session that has ended. */
  private emit(event: DeskEvent): void {
    if (!this.disposed) this.d.emit(event);
  }

  // ── what the window shows ───────────────────────────────────────────────

  snapshot(): Omit<DeskSnapshot, 'session'> {
    return {
      connection: this.tracker.current,
      board: this.board.current(),
      consultations: this.consultations.list(),
      presence: this.members.presence(),
      conversations: this.conversations.list(),
      outgoing: this.d.cache.pendingActions().flatMap((e) => outgoingOf(e, 'queued', null) ?? []),
      pendingActions: this.staffActions.pending(),
      staffActions: this.offers.list(),
      unreadNotifications: this.d.cache.unreadCount(),
      channels: this.channelStatuses(),
      features: this.features.list(),
    };
  }

  featureStatuses(): FeatureStatus[] {
    return this.features.list();
  }

  get connection(): ConnectionInfo {
    return this.tracker.current;
  }

  channelStatuses(): ChannelStatus[] {
    return this.d.realtime?.channelStatuses() ?? [];
  }

  get cache(): DeskCache {
    return this.d.cache;
  }

  // ── the sync loop ───────────────────────────────────────────────────────

  /** One catch-up at a time; a request during one runs once more after it. */
  sync(reason: SyncReason): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.syncing) {
      this.syncAgain = reason;
      return this.syncing;
    }
    this.syncing = this.runSync(reason).finally(() => {
      this.syncing = null;
      const again = this.syncAgain;
      this.syncAgain = null;
      if (again && !this.disposed) void this.sync(again);
    });
    return this.syncing;
  }

  /**
   * One catch-up: every feature syncs on its own (a failing or missing one
   * never stops the others, nor the channels they need), then the channels
   * follow what is known, then the outbox is sent.
   */
  private async runSync(reason: SyncReason): Promise<void> {
    let inserted = 0;
    let flushed = 0;
    let error: string | null = null;
    // A catch-up brings the desk up to date as of when it started.
    const covers = this.catchUpsNeeded;
    const force = reason === 'sign-in' || reason === 'manual' || reason === 'connect';
    // What the server offers of the staff actions: asked alongside, never waited for (the connect
    // right after signing in does not ask again: its routes do not change with the socket).
    if (this.offers.due(reason === 'sign-in' || reason === 'manual')) void this.offers.detect();
    // A refresh reads what the events that asked for it named; every other catch-up reads everything.
    const only = reason === 'refresh' ? new Set(this.refreshWanted) : null;
    this.refreshWanted.clear();
    const reconciling = reason === 'reconcile';
    const before = this.d.api.transfer;
    let missed = 0;
    const run = (feature: Feature, sync: () => Promise<FeatureOutcome | void>): Promise<RunResult> =>
      this.disposed || (only !== null && !only.has(feature)) || !this.features.due(feature, force)
        ? Promise.resolve('ok')
        : this.features.run(feature, async () => {
            const outcome = await sync();
            missed += outcome?.unannounced ?? 0;
            return outcome;
          });
    try {
      const results = await Promise.all([
        run('notifications', async () => {
          const caught = await this.notifications.sync();
          inserted = caught.inserted.length;
          // Every notification is broadcast: one the list brings first was missed.
          if (reconciling) missed += caught.inserted.length;
          // A long absence is caught up in several rounds, one after the other.
          if (caught.incomplete) this.scheduleRefresh();
          return caught;
        }),
        // Members first: the board's columns and the doctors' channels come from them.
        run('members', async () => {
          const outcome = await this.members.sync();
          this.board.membersChanged();
          return outcome;
        }).then(async (members) => [
          members,
          ...(await Promise.all([run('board', () => this.board.sync(this.boardStale())), run('consultations', () => this.consultations.sync()), run('conversations', () => this.conversations.sync())])),
        ]),
      ]);
      // A session that ended meanwhile (sign-out, expiry, quit) stops here.
      if (this.disposed) return;
      if (reconciling) this.reconciled(missed, before);
      this.d.realtime?.setChannels(this.channels());
      // Channels this catch-up found (the doctors', the open consultations') are part of getting up to date.
      if (this.catchingUp() && this.channelStatuses().some((c) => c.state === 'pending')) this.subscribing = true;
      this.board.ensure();
      const outbox = await this.outbox.send('background');
      if (this.disposed || outbox === null) return;
      flushed = outbox.flushed;
      // The REST API answers when any feature got an answer (a 404 is an answer too).
      this.restOk = results.flat().some((o) => o !== 'unreachable') && !(outbox.stoppedBy instanceof NetworkError);
      const failing = this.features.list().filter((f) => f.state === 'failing');
      if (outbox.stoppedBy) error = outbox.stoppedBy.message;
      else if (failing.length > 0) error = failing.map((f) => `${f.feature}: ${f.error ?? 'failed'}`).join('; ');
      if (outbox.stoppedBy instanceof UnauthorizedError) throw outbox.stoppedBy;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      if (e instanceof UnauthorizedError) {
        this.d.onExpired();
        return;
      }
      this.restOk = e instanceof ApiError && !(e instanceof NetworkError);
      this.d.logger.warn('sync failed', { reason, error });
    } finally {
      if (!this.disposed) {
        this.catchUpsDone = Math.max(this.catchUpsDone, covers);
        this.updateConnection({ lastSyncAt: this.restOk ? this.iso() : this.tracker.current.lastSyncAt });
        this.scheduleFeatureRetry();
        if (!this.d.api.budget.healthy) this.scheduleProbe();
        this.emit({
          kind: 'sync',
          at: this.iso(),
          reason,
          ok: error === null,
          notificationsInserted: inserted,
          outboxFlushed: flushed,
          outboxPending: this.d.cache.pendingActions().length,
          error,
        });
      }
    }
  }

  /**
   * While live nothing else syncs, so a feature that failed gets its own
   * retry, with backoff (the desks of a clinic in an outage do not hammer it).
   */
  private scheduleFeatureRetry(): void {
    if (this.featureRetry) clearTimeout(this.featureRetry);
    this.featureRetry = null;
    if (this.tracker.current.status !== 'live') return; // polling covers it
    const delays = FEATURES_IN_ORDER.map((f) => this.features.retryDelay(f)).filter((d): d is number => d !== null);
    if (delays.length === 0) return;
    this.featureRetry = setTimeout(() => {
      this.featureRetry = null;
      void this.sync('retry');
    }, Math.min(...delays));
    this.featureRetry.unref();
  }

  /**
   * Counts what one reconciliation cost and found. Changes no broadcast had
   * announced, in reconciliation after reconciliation with no broadcast at
   * all in between, mean the server's broadcasts are not going out; the desk
   * says so (and polls). A change read just before its broadcast arrives is
   * a race, not a pattern: the broadcast itself ends the streak.
   */
  private reconciled(missed: number, before: { requests: number; notModified: number }): void {
    const r = this.reconciliation;
    const after = this.d.api.transfer;
    r.lastAt = this.iso();
    r.requests += after.requests - before.requests;
    r.notModified += after.notModified - before.notModified;
    r.unannounced += missed;
    r.streak = missed > 0 && r.eventsSince === 0 ? r.streak + 1 : 0;
    r.eventsSince = 0;
    if (missed > 0) this.d.logger.warn('reconciliation found changes no broadcast announced', { changes: missed, streak: r.streak });
    const warning =
      r.streak >= SILENT_STREAK
        ? "The server's broadcasts seem to have stopped: the desk keeps finding changes on the server that no live update announced. Is the clinic server's queue worker running (php artisan queue:work), and is BROADCAST_CONNECTION set to pusher or reverb? Meanwhile the desk asks the server every " +
          `${Math.round(this.d.pollingIntervalMs() / 1000)} s.`
        : null;
    if (warning !== this.tracker.current.broadcastWarning) this.updateConnection({ broadcastWarning: warning });
  }

  reconciliationStats(): Diagnostics['reconciliation'] {
    const { lastAt, requests, notModified, unannounced } = this.reconciliation;
    return { intervalSec: Math.round(this.d.reconcileIntervalMs() / 1000), lastAt, requests, notModified, unannounced };
  }

  /** While live, a light look at the server now and then: a broadcast that was missed, or never sent. */
  private updateReconcile(): void {
    const live = this.tracker.current.status === 'live';
    if (!live || this.disposed) {
      if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
      this.reconcileTimer = null;
      return;
    }
    if (this.reconcileTimer) return;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = null;
      if (this.disposed) return;
      void this.sync('reconcile').finally(() => this.updateReconcile());
    }, this.d.reconcileIntervalMs());
    this.reconcileTimer.unref();
  }

  /**
   * A doctor's column whose channel the server refuses this desk (a doctor
   * looking at a colleague's schedule, where the clinic's channel rules say
   * no) is kept by reconciliation instead, and says so.
   */
  private updateRefusedColumns(): void {
    const refused = new Set<number>();
    for (const c of this.channelStatuses()) {
      const ref = parseChannel(c.name);
      if (ref?.kind === 'doctor-appointments' && c.state === 'failed' && c.errorStatus === 403) refused.add(ref.id);
    }
    this.board.setRefused(refused, Math.round(this.d.reconcileIntervalMs() / 1000));
  }

  /** Restarts the reconciliation timer after its interval setting changed. */
  reconcileIntervalChanged(): void {
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = null;
    this.updateReconcile();
    this.updateRefusedColumns();
  }

  /**
   * The clinic's day changes at its local midnight: the board moves on by
   * itself when it showed today. The timer is re-armed at least hourly, so a
   * computer that slept through midnight catches up when it wakes.
   */
  private scheduleDayCheck(): void {
    if (this.disposed) return;
    if (this.dayTimer) clearTimeout(this.dayTimer);
    const now = this.d.now();
    const wait = Math.min(nextDayStart(now, this.d.timeZone.zone) - now, DAY_CHECK_MAX_MS);
    this.dayTimer = setTimeout(() => {
      this.dayTimer = null;
      this.checkDay();
      this.scheduleDayCheck();
    }, Math.max(0, wait) + 25);
    this.dayTimer.unref();
  }

  private checkDay(): void {
    const today = this.today();
    if (this.disposed || today === this.currentDay) return;
    const yesterday = this.currentDay;
    this.currentDay = today;
    this.d.logger.info('a new day at the clinic', { day: today, zone: this.d.timeZone.zone });
    if (this.board.date !== yesterday) return; // the user is looking at another day: it stays
    void this.loadBoard(today).catch((error: unknown) => this.d.logger.warn('moving the board to the new day failed', { error: String(error) }));
  }

  /** Polls while the socket is not live (or always, for the polling transport). */
  private updatePolling(): void {
    const live = this.tracker.current.status === 'live';
    if (live && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    } else if (!live && !this.pollTimer && !this.disposed) {
      this.pollTimer = setInterval(() => void this.sync('poll'), this.d.pollingIntervalMs());
      this.pollTimer.unref();
    }
  }

  /** Restarts the poll timer after the interval setting changed. */
  pollingIntervalChanged(): void {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
    this.updatePolling();
  }

  private updateConnection(patch: Partial<ConnectionInfo>): void {
    const rt = this.d.realtime;
    const socket = rt?.status.state ?? null;
    const socketSuspect = rt?.suspect ?? false;
    const trouble = socket === 'connected' ? (rt?.channelTrouble() ?? null) : null;
    const silent = patch.broadcastWarning === undefined ? this.tracker.current.broadcastWarning : patch.broadcastWarning;
    const status = deriveStatus({
      transport: this.d.transport,
      socket,
      restOk: this.restOk,
      everLive: this.everLive,
      caughtUp: !this.catchingUp(),
      socketSuspect,
      channelTrouble: trouble !== null,
      broadcastsSilent: silent !== null,
    });
    if (status === 'live') this.everLive = true;
    const nextRetryAt = status === 'polling' || status === 'offline' ? new Date(this.d.now() + this.d.pollingIntervalMs()).toISOString() : null;
    // The socket's own words (why it is not connected, or that it is being checked), or which channels wait and why.
    let detail = rt ? rt.status.detail : (patch.detail ?? this.tracker.current.detail);
    if (silent !== null && trouble === null && !socketSuspect && !this.catchingUp()) detail = 'the server sends no broadcasts (see Diagnostics); polling meanwhile';
    if (trouble !== null && !socketSuspect && !this.catchingUp()) {
      const n = trouble.channels.length;
      detail = `${n} channel${n === 1 ? '' : 's'} not authorized yet (${trouble.error ?? 'waiting for the auth endpoint'}); polling meanwhile`.slice(0, 500);
    }
    const wasLive = this.tracker.current.status === 'live';
    if (this.tracker.update({ ...patch, detail, status, nextRetryAt })) {
      this.emit({ kind: 'connection', connection: this.tracker.current });
    }
    this.updatePolling();
    this.updateReconcile();
    if (wasLive && status !== 'live') {
      this.board.markStale();
      // Not live any more (a socket gone quiet, a channel refused, the socket closed): read over REST now, not at the next poll.
      if (!this.disposed) void this.sync('poll');
    }
  }

  /** The retry budget's gate has reopened: one sync shows whether the server is back (its first request is the probe). */
  private scheduleProbe(): void {
    if (this.disposed || this.probeTimer) return;
    const wait = this.d.api.budget.waitMs('background');
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (!this.disposed && !this.d.api.budget.healthy) void this.sync('retry');
    }, Math.max(20, wait + 5));
    this.probeTimer.unref();
  }

  /** The server answers again after an outage: everything that waited goes now. */
  private onServerBack(): void {
    if (this.disposed) return;
    this.d.logger.info('the clinic server answers again');
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    void this.sync('retry');
    if (this.d.cache.pendingActions().length > 0) void this.outbox.send('background');
    this.d.realtime?.retryFailedChannels();
  }

  /**
   * Refreshes soon, once, however many events asked for it (an unknown
   * consultation, a bare message): the lists they name, or all of them.
   */
  private scheduleRefresh(features: readonly Feature[] = FEATURES_IN_ORDER): void {
    for (const f of features) this.refreshWanted.add(f);
    if (this.refreshSoon || this.disposed) return;
    // Jittered: every desk that heard the same broadcast (a clinic's for an appointment's status, a user's
    // on each of their machines) would otherwise ask the server in the same millisecond.
    this.refreshSoon = setTimeout(
      () => {
        this.refreshSoon = null;
        void this.sync('refresh');
      },
      REFRESH_DELAY_MS + Math.random() * REFRESH_JITTER_MS,
    );
    this.refreshSoon.unref();
  }

  // ── live events ─────────────────────────────────────────────────────────

  private onServerEvent(e: RealtimeEvents['event']): void {
    this.d.emitWire?.(e);
    this.tracker.noteEvent(e.receivedMs);
    this.reconciliation.eventsSince++;
    // A broadcast arrived: the server's queue is running (again).
    if (this.tracker.broadcastWarning !== null) {
      this.reconciliation.streak = 0;
      this.d.logger.info('broadcasts arrive again');
      this.updateConnection({ broadcastWarning: null });
    }
    switch (e.key) {
      case 'notification': {
        this.notifications.onLive(e.payload);
        // A notification often announces what has no channel of its own yet: a new consultation, a new conversation.
        const implied = impliedByNotification(e.payload.type).filter((f) => this.offered(f));
        if (implied.length > 0) this.scheduleRefresh(implied);
        return;
      }
      case 'appointment':
        if (this.board.onUpdate(e.payload) === 'incomplete' && this.offered('board')) this.scheduleRefresh(['board']);
        // A patient checked in, in consultation or done: a consultation opened (or closed) on a channel this desk may not follow yet.
        if (CONSULTATION_CHANGES.has(e.payload.status) && this.offered('consultations')) this.scheduleRefresh(['consultations']);
        return;
      case 'consultation': {
        const { result, closed } = this.consultations.onUpdate(e.payload, !this.offered('consultations'));
        if (result === 'incomplete') this.scheduleRefresh(['consultations']);
        if (closed) this.d.realtime?.setChannels(this.channels());
        return;
      }
      case 'messageSent':
      case 'messageRead':
        if (this.conversations.onEvent(e.payload) === 'refresh' && this.offered('conversations')) this.scheduleRefresh(['conversations']);
        return;
    }
  }

  /** The server lists this feature (or has not said it does not): asking it again can fill a gap. */
  private offered(feature: Feature): boolean {
    return this.features.get(feature).state !== 'not-offered';
  }

  // ── actions ─────────────────────────────────────────────────────────────

  loadBoard(date: string): Promise<Board> {
    return this.d.api.asUser(() => this.board.load(date, this.boardStale(), this.offered('board'))).catch((error: unknown) => {
      if (error instanceof UnauthorizedError) this.d.onExpired();
      throw error;
    });
  }

  listConsultations(): Consultation[] {
    return this.consultations.list();
  }

  listNotifications(q: { beforeId?: number; limit: number; type?: string; unreadOnly: boolean }) {
    this.notifications.flush();
    const page = this.d.cache.listNotifications(q);
    return { items: page.items, hasMore: page.hasMore, unread: this.d.cache.unreadCount() };
  }

  async markNotificationRead(id: number): Promise<ActionResult> {
    if (!this.d.cache.markReadLocal(id, this.iso())) return { status: 'done' };
    const outboxId = this.d.cache.enqueue({ kind: 'read', notificationId: id });
    this.emitNotification(id);
    this.notifications.recount();
    return this.outbox.sendNow(outboxId);
  }

  async markAllNotificationsRead(): Promise<ActionResult> {
    this.d.cache.markAllReadLocal(this.iso());
    const outboxId = this.d.cache.enqueue({ kind: 'read-all', at: this.iso() });
    this.emit({ kind: 'notifications.synced', inserted: 0, newest: [] });
    this.notifications.recount();
    return this.outbox.sendNow(outboxId);
  }

  async deleteNotification(id: number): Promise<ActionResult> {
    if (!this.d.cache.deleteLocal(id)) return { status: 'done' };
    const outboxId = this.d.cache.enqueue({ kind: 'delete', notificationId: id });
    this.emit({ kind: 'notification.removed', id });
    this.notifications.recount();
    return this.outbox.sendNow(outboxId);
  }

  async openNotification(id: number): Promise<ActionResult> {
    const item = this.d.cache.getNotification(id);
    const result = await this.markNotificationRead(id);
    if (item?.action_url) await this.open(item.action_url);
    return result;
  }

  /** Opens a link: our own screens inside the app, the clinic's site in the browser, nothing else. */
  async open(url: string): Promise<{ opened: boolean; reason: string | null }> {
    const resolved = resolveActionUrl(url, this.d.apiUrl, this.d.allowedLinkHosts);
    if (resolved.kind === 'screen') {
      this.emit({ kind: 'open', target: resolved.target });
      return { opened: true, reason: null };
    }
    if (resolved.kind === 'external') {
      await this.d.openExternal(resolved.url);
      return { opened: true, reason: null };
    }
    this.d.logger.warn('refused to open a link', { url, reason: resolved.reason });
    return { opened: false, reason: resolved.reason };
  }

  listConversations(): Conversation[] {
    return this.conversations.list();
  }

  loadMessages(conversationId: number, beforeId?: number): Promise<Message[]> {
    return this.d.api.userView().messages(conversationId, beforeId);
  }

  /**
   * Like every action: queued in the durable outbox first (a repeated clientId
   * is the same entry, and one message on the server), shown at once as
   * pending, then sent. `queued` only while it really waits (it goes out by
   * itself, once); a refusal (422, 403) turns the pending message `failed`
   * with the reason and fails the call.
   */
  async sendMessage(input: { conversationId: number; body: string; clientId: string }): Promise<{ status: 'done' | 'queued'; message: Message | null }> {
    const outboxId = this.d.cache.enqueue({ kind: 'send-message', ...input });
    const pending = { clientId: input.clientId, conversationId: input.conversationId, body: input.body.trim(), createdAt: this.iso() };
    this.emit({ kind: 'message.pending', outgoing: { ...pending, state: 'sending', error: null } });
    const delivery = await this.outbox.deliver(outboxId);
    if (delivery.status === 'refused') throw delivery.error;
    if (delivery.status === 'queued') {
      this.emit({ kind: 'message.pending', outgoing: { ...pending, state: 'queued', error: null } });
      return { status: 'queued', message: null };
    }
    const message = Message.safeParse(delivery.answer);
    return { status: 'done', message: message.success ? message.data : null };
  }

  /**
   * Read at once on this desk (and after a restart: the outbox keeps it),
   * sent when the server answers, like every other action; "queued" only
   * when it really waits in the outbox.
   */
  async markConversationRead(conversationId: number): Promise<ActionResult> {
    const outboxId = this.d.cache.enqueue({ kind: 'conversation-read', conversationId });
    this.conversations.readLocally(conversationId);
    return this.outbox.sendNow(outboxId);
  }

  /** A staff action, through the outbox (`sync/staff-actions.ts`); a refusal fails the call with the server's sentence. */
  staffAction(request: StaffActionRequest): Promise<StaffActionResult> {
    return this.staffActions.act(request);
  }

  undoStaffAction(id: ActionId): Promise<StaffActionResult> {
    return this.staffActions.undo(id);
  }

  setTyping(conversationId: number, typing: boolean): void {
    this.d.realtime?.whisperTyping(conversationId, { user_id: this.user.id, name: this.user.name, typing });
  }

  reconnect(): void {
    // The user asked: the budget's backoff is skipped (one probe first), a Retry-After still holds.
    this.d.api.budget.probeNow();
    this.d.realtime?.reconnectNow('reconnect requested');
    void this.sync('manual');
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private onOutboxDone(entry: OutboxEntry, outcome: ActionOutcome): void {
    const action = entry.action;
    if (action.kind === 'staff-action') {
      this.staffActions.onDone(entry, outcome);
      return;
    }
    if (action.kind === 'read' || action.kind === 'delete') this.emitNotification(action.notificationId);
    if (action.kind !== 'send-message') return;
    if (outcome.kind === 'refused') {
      const failed = outgoingOf(entry, 'failed', refusalReason(outcome.error));
      if (failed) this.emit({ kind: 'message.pending', outgoing: failed });
      return;
    }
    // The server stored it: the pending copy (by clientId) is replaced by the message, the conversation moves on.
    const stored = Message.safeParse(outcome.answer);
    if (stored.success) this.conversations.stored(stored.data, action.clientId);
    else this.scheduleRefresh(['conversations']);
  }

  private emitNotification(id: number): void {
    const item = this.d.cache.getNotification(id);
    if (item) this.emit({ kind: 'notification.upserted', notification: NotificationItem.parse(item), isNew: false });
  }

  /**
   * A board read while the socket is down may already be behind (the polling
   * transport has no socket to wait for); one read by the catch-up after
   * connecting is as fresh as the desk gets.
   */
  private boardStale(): boolean {
    return this.tracker.current.status !== 'live' && !this.catchingUp() && this.d.transport !== 'polling';
  }

  /** Connected, but not up to date yet: subscribing, or a catch-up it needs has not finished. */
  private catchingUp(): boolean {
    return this.subscribing || this.catchUpsDone < this.catchUpsNeeded;
  }

  private channels(): ChannelRef[] {
    return wantedChannels({ user: this.user, members: this.members.list(), consultations: this.consultations.open(), conversations: this.conversations.list(), doctorIds: this.board.current()?.doctors.map((d) => d.doctorId) ?? [] });
  }

  private saveSnapshotSoon<T>(key: string, value: T, schema: z.ZodType<T>): void {
    const existing = this.snapshotTimers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.snapshotTimers.delete(key);
      if (!this.disposed) this.d.cache.saveSnapshot(key, value, schema);
    }, SNAPSHOT_DELAY_MS);
    timer.unref();
    this.snapshotTimers.set(key, timer);
  }

  /** The clinic's day now, in its own zone. */
  private today(): string {
    return dayIn(this.d.now(), this.d.timeZone.zone);
  }

  private iso(): string {
    return new Date(this.d.now()).toISOString();
  }
}
