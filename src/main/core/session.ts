import type { ChannelRef } from '../../shared/channels';
import type { Consultation, Conversation, Message, User } from '../../shared/domain';
import type { Feature, FeatureStatus } from '../../shared/features';
import { NotificationItem, type Board, type ChannelStatus, type ConnectionInfo, type DeskSnapshot, type Transport } from '../../shared/desk-state';
import type { ActionResult, DeskEvent, SyncReason } from '../../shared/bridge';
import type { z } from 'zod';
import { ApiError, NetworkError, UnauthorizedError, type ApiClient } from './api-client';
import type { DeskCache } from './cache';
import { ConnectionTracker, deriveStatus } from './connection-info';
import type { Logger } from './log';
import type { Realtime, RealtimeEvents } from './realtime';
import { BoardPart } from './sync/board';
import { ConsultationsPart } from './sync/consultations';
import { ConversationsPart } from './sync/conversations';
import { FeatureTracker, type FeatureOutcome, type RunResult } from './sync/features';
import { MembersPart } from './sync/members';
import { NotificationsPart } from './sync/notifications';
import { DEFAULT_OUTBOX_RETRY, OutboxSender } from './sync/outbox-sender';
import type { PartContext } from './sync/part';
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
  apiUrl: string;
  demo: boolean;
  transport: Transport;
  api: ApiClient;
  cache: DeskCache;
  /** Null for the polling-only transport. */
  realtime: Realtime | null;
  pollingIntervalMs: () => number;
  /** Notifications older than this leave the cache (patient data stays small). */
  cacheRetentionDays: number;
  allowedLinkHosts: readonly string[];
  now: () => number;
  logger: Logger;
  emit: (event: DeskEvent) => void;
  /** Raw validated events, for `clinic-desk watch`. */
  emitWire?: (event: RealtimeEvents['event']) => void;
  /** The server said the token is no longer valid. */
  onExpired: () => void;
  openExternal: (url: string) => Promise<void>;
  /** Backoff of the outbox timer. Default 1 s doubling to 30 s (±20 %). */
  outboxRetry?: { baseDelayMs: number; maxDelayMs: number };
}

const SNAPSHOT_DELAY_MS = 500;


/** The list each feature reads, as the API profile names it. */
const FEATURE_PATHS = { notifications: 'notifications', board: 'appointments', consultations: 'consultations', conversations: 'conversations', members: 'members' } as const;
const FEATURES_IN_ORDER = Object.keys(FEATURE_PATHS) as Feature[];

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
  /** The outbox flush in flight, and the one queued behind it (which reads the outbox when it starts). */
  private readonly outbox: OutboxSender;
  /** Fires when the retry budget lets the next background request through, to see whether the server is back. */
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(deps: SessionDeps) {
    this.d = deps;
    this.user = deps.user;
    this.tracker = new ConnectionTracker(deps.transport, () => this.iso());
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
    };
    this.notifications = new NotificationsPart(ctx, { cache: deps.cache, logger: deps.logger, retentionDays: deps.cacheRetentionDays, now: deps.now });
    this.outbox = new OutboxSender({
      api: deps.api,
      cache: deps.cache,
      logger: deps.logger,
      retry: deps.outboxRetry ?? DEFAULT_OUTBOX_RETRY,
      onDone: (entry) => this.onOutboxDone(entry.action),
      onExpired: () => deps.onExpired(),
      ended: () => this.disposed,
    });
    this.members = new MembersPart(ctx);
    this.board = new BoardPart(ctx, this.today(), () => this.members.list());
    this.consultations = new ConsultationsPart(ctx);
    this.conversations = new ConversationsPart(ctx);
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
      );
      rt.setChannels(this.channels());
      rt.connect();
    }
    this.updateConnection({});
    void this.sync('sign-in');
  }

  /** Stops everything; `wipe` deletes the cache file (sign-out). */
  dispose(wipe: boolean): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.unsubscribers.splice(0)) off();
    this.d.realtime?.disconnect();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.refreshSoon) clearTimeout(this.refreshSoon);
    if (this.featureRetry) clearTimeout(this.featureRetry);
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

  get timeline() {
    return this.tracker.timeline;
  }

  channelStatuses(): ChannelStatus[] {
    return this.d.realtime?.channelStatuses() ?? [];
  }

  rejections() {
    return this.d.realtime?.rejections.list() ?? [];
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
    const run = (feature: Feature, sync: () => Promise<FeatureOutcome | void>): Promise<RunResult> =>
      this.disposed || !this.features.due(feature, force) ? Promise.resolve('ok') : this.features.run(feature, sync);
    try {
      const results = await Promise.all([
        run('notifications', async () => {
          const caught = await this.notifications.sync();
          inserted = caught.inserted.length;
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
    const status = deriveStatus({
      transport: this.d.transport,
      socket,
      restOk: this.restOk,
      everLive: this.everLive,
      caughtUp: !this.catchingUp(),
      socketSuspect,
      channelTrouble: trouble !== null,
    });
    if (status === 'live') this.everLive = true;
    const nextRetryAt = status === 'polling' || status === 'offline' ? new Date(this.d.now() + this.d.pollingIntervalMs()).toISOString() : null;
    // The socket's own words (why it is not connected, or that it is being checked), or which channels wait and why.
    let detail = rt ? rt.status.detail : (patch.detail ?? this.tracker.current.detail);
    if (trouble !== null && !socketSuspect && !this.catchingUp()) {
      const n = trouble.channels.length;
      detail = `${n} channel${n === 1 ? '' : 's'} not authorized yet (${trouble.error ?? 'waiting for the auth endpoint'}); polling meanwhile`.slice(0, 500);
    }
    const wasLive = this.tracker.current.status === 'live';
    if (this.tracker.update({ ...patch, detail, status, nextRetryAt })) {
      this.emit({ kind: 'connection', connection: this.tracker.current });
    }
    this.updatePolling();
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

  /** Refreshes soon, once, however many events asked for it (an unknown consultation, a bare message). */
  private scheduleRefresh(): void {
    if (this.refreshSoon || this.disposed) return;
    this.refreshSoon = setTimeout(() => {
      this.refreshSoon = null;
      void this.sync('refresh');
    }, 250);
    this.refreshSoon.unref();
  }

  // ── live events ─────────────────────────────────────────────────────────

  private onServerEvent(e: RealtimeEvents['event']): void {
    this.d.emitWire?.(e);
    this.tracker.update({ lastEventAt: e.receivedAt });
    switch (e.key) {
      case 'notification':
        this.notifications.onLive(e.payload);
        return;
      case 'appointment':
        if (this.board.onUpdate(e.payload) === 'incomplete' && this.offered('board')) this.scheduleRefresh();
        return;
      case 'consultation': {
        const { result, closed } = this.consultations.onUpdate(e.payload, !this.offered('consultations'));
        if (result === 'incomplete') this.scheduleRefresh();
        if (closed) this.d.realtime?.setChannels(this.channels());
        return;
      }
      case 'messageSent':
      case 'messageRead':
        if (this.conversations.onEvent(e.payload) === 'refresh' && this.offered('conversations')) this.scheduleRefresh();
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

  async sendMessage(input: { conversationId: number; body: string; clientId: string }): Promise<{ status: 'done' | 'queued'; message: Message | null }> {
    try {
      const socketId = this.d.realtime?.status.socketId ?? undefined;
      const message = await this.d.api.userView().sendMessage(input.conversationId, input.body, input.clientId, socketId);
      this.emit({ kind: 'message.created', message, pending: false });
      this.conversations.sent(message);
      return { status: 'done', message };
    } catch (error) {
      if (!(error instanceof NetworkError) && !(error instanceof ApiError && error.status >= 500)) throw error;
      this.d.cache.enqueue({ kind: 'send-message', conversationId: input.conversationId, body: input.body, clientId: input.clientId });
      this.outbox.retryLater();
      return { status: 'queued', message: null };
    }
  }

  async markConversationRead(conversationId: number): Promise<ActionResult> {
    try {
      const conversation = await this.d.api.userView().markConversationRead(conversationId);
      if (conversation) this.conversations.put(conversation);
      return { status: 'done' };
    } catch (error) {
      if (error instanceof NetworkError) return { status: 'queued' };
      throw error;
    }
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

  private onOutboxDone(action: { kind: string; notificationId?: number }): void {
    if (action.notificationId !== undefined) this.emitNotification(action.notificationId);
    if (action.kind === 'send-message') this.scheduleRefresh();
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

  private today(): string {
    return new Date(this.d.now()).toISOString().slice(0, 10);
  }

  private iso(): string {
    return new Date(this.d.now()).toISOString();
  }
}
