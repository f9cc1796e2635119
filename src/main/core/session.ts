import type { ChannelRef } from '../../shared/channels';
import { ClinicMember, Consultation, Conversation, OPEN_CONSULTATION_STATUSES, type Appointment, type Message, type Notification, type User } from '../../shared/domain';
import type { Feature, FeatureStatus } from '../../shared/features';
import { Board, NotificationItem, type ChannelStatus, type ConnectionInfo, type DeskSnapshot, type OnlineMember, type Presence } from '../../shared/desk-state';
import type { ActionResult, DeskEvent } from '../../shared/bridge';
import type { Transport } from '../../shared/desk-state';
import { z } from 'zod';
import { ApiError, NetworkError, UnauthorizedError, type ApiClient } from './api-client';
import type { DeskCache } from './cache';
import { ConnectionTracker, deriveStatus } from './connection-info';
import type { Logger } from './log';
import { mergeAppointment, mergeConsultation, newer, newerConversation } from './newest-wins';
import type { Realtime, RealtimeEvents } from './realtime';
import { catchUpNotifications, flushOutbox } from './sync';
import { FeatureTracker, type FeatureOutcome, type RunResult } from './sync/features';
import { wantedChannels } from './wanted-channels';
import { resolveActionUrl } from './action-url';

/**
 * Everything the desk knows and does for one signed-in user: the cache, the
 * live connection, the catch-up and polling loop, and the in-memory board,
 * consultations, presence and conversations the window shows. Created at
 * sign-in, disposed at sign-out; `DeskService` owns the lifecycle.
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
}

const MAX_SINGLE_ALERTS = 20;
const PRUNE_INTERVAL_MS = 3_600_000;
const SNAPSHOT_DELAY_MS = 500;

// Snapshots are read back through the same schemas as the server's answers.
const ConsultationList = z.array(Consultation);
const ConversationList = z.array(Conversation);
const MemberList = z.array(ClinicMember);

type SyncReason = 'connect' | 'reconnect' | 'poll' | 'manual' | 'sign-in';

export class DeskSession {
  readonly user: User;
  private readonly d: SessionDeps;
  private readonly tracker: ConnectionTracker;
  private board: Board | null = null;
  private boardDate: string;
  private members: ClinicMember[] = [];
  private readonly online = new Map<number, OnlineMember>();
  private readonly consultations = new Map<number, Consultation>();
  private readonly conversations = new Map<number, Conversation>();
  private readonly unsubscribers: Array<() => void> = [];
  private restOk: boolean | null = null;
  /** The desk has been live in this session (a lost connection then reads "reconnecting"). */
  private everLive = false;
  /**
   * The socket is connected but the catch-up it started has not finished: the
   * desk is not up to date yet, so it does not say Live.
   */
  private catchingUp = false;
  private readonly features: FeatureTracker;
  private featureRetry: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain: SyncReason | null = null;
  private readonly pendingNotifications: Notification[] = [];
  private notificationFlush: NodeJS.Immediate | null = null;
  private readonly snapshotTimers = new Map<string, NodeJS.Timeout>();
  private refreshSoon: NodeJS.Timeout | null = null;
  private disposed = false;
  /**
   * Unread count, kept up to date by arithmetic for live arrivals: counting
   * rows in SQLite after every burst costs more than the rest of the pipeline
   * together once the cache holds tens of thousands. Recounted after syncs
   * and user actions.
   */
  private unread = 0;
  /** When the last prune after a catch-up ran; null until the session's first catch-up. */
  private lastPruneAt: number | null = null;

  constructor(deps: SessionDeps) {
    this.d = deps;
    this.user = deps.user;
    this.boardDate = this.today();
    this.tracker = new ConnectionTracker(deps.transport, () => this.iso());
    this.features = new FeatureTracker({
      now: deps.now,
      endpoint: (feature) => `GET ${deps.api.endpoint(FEATURE_PATHS[feature])}`,
      onChange: (features) => {
        this.emit({ kind: 'features', features });
        this.updateConnection({ limitedFeatures: this.features.limited() });
      },
    });
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  /** Shows the cached state at once, then goes live and catches up. */
  start(): void {
    this.prune();
    this.unread = this.d.cache.unreadCount();
    this.restoreSnapshots();
    const rt = this.d.realtime;
    if (rt) {
      this.unsubscribers.push(
        rt.on('state', (s) => {
          if (s.state === 'connected' && this.tracker.current.socketId !== s.socketId) this.catchingUp = true;
          this.updateConnection({ socketId: s.socketId, detail: s.detail });
        }),
        rt.on('connected', (e) => void this.sync(e.reconnect ? 'reconnect' : 'connect')),
        rt.on('channel', (channel) => {
          this.emit({ kind: 'channel', channel });
          // Events sent before a channel's subscription succeeded never reach us:
          // read the state over REST once it is in place.
          if (channel.state === 'subscribed') this.scheduleRefresh();
        }),
        rt.on('event', (e) => this.onServerEvent(e)),
        rt.on('rejected', (e) => this.emit({ kind: 'rejected', ...e })),
        rt.on('presence', (e) => this.onPresence(e)),
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
    if (this.notificationFlush) clearImmediate(this.notificationFlush);
    for (const timer of this.snapshotTimers.values()) clearTimeout(timer);
    if (!wipe) this.flushPendingNotifications();
    const closeCache = () => (wipe ? this.d.cache.wipe() : this.d.cache.close());
    // A sync in flight (often the one whose 401 ended the session) still
    // writes its outbox bookkeeping: close the file once it has finished.
    if (this.syncing) void this.syncing.finally(closeCache);
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
      board: this.board,
      consultations: this.consultationList(),
      presence: this.presence(),
      conversations: [...this.conversations.values()].sort((a, b) => b.updated_at.localeCompare(a.updated_at)),
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

  private prune(): void {
    const pruned = this.d.cache.prune(this.d.cacheRetentionDays);
    if (pruned.notifications > 0 || pruned.snapshots > 0) this.d.logger.info('cache pruned', { ...pruned, retentionDays: this.d.cacheRetentionDays });
    if (pruned.notifications > 0) this.emitUnread();
  }

  // ── catch-up and polling ────────────────────────────────────────────────

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
    // Only a catch-up that started after the socket connected brings the desk up to date.
    const catchUp = this.catchingUp;
    const force = reason === 'sign-in' || reason === 'manual' || reason === 'connect';
    const run = (feature: Feature, sync: () => Promise<FeatureOutcome | void>): Promise<RunResult> =>
      this.disposed || !this.features.due(feature, force) ? Promise.resolve('ok') : this.features.run(feature, sync);
    try {
      this.flushPendingNotifications();
      const results = await Promise.all([
        run('notifications', async () => {
          const caught = await catchUpNotifications(this.d.api, this.d.cache, { retentionDays: this.d.cacheRetentionDays, now: this.d.now });
          inserted = caught.inserted.length;
          this.announceNotifications(caught.inserted);
          return caught;
        }),
        // Members first: the board's columns and the doctors' channels come from them.
        run('members', () => this.refreshMembers()).then(async (members) => [
          members,
          ...(await Promise.all([run('board', () => this.refreshBoard(this.boardDate)), run('consultations', () => this.refreshConsultations()), run('conversations', () => this.refreshConversations())])),
        ]),
      ]);
      const outcomes = results.flat();
      // After the session's first catch-up (a first sign-in fetches the whole history), then at most
      // hourly: a prune scans the whole table (~27 ms at 100k rows), too much for every reconnect.
      if (this.lastPruneAt === null || this.d.now() - this.lastPruneAt >= PRUNE_INTERVAL_MS) {
        this.lastPruneAt = this.d.now();
        this.prune();
      }
      // A session that ended meanwhile (sign-out, expiry, quit) stops here.
      if (this.disposed) return;
      this.d.realtime?.setChannels(this.channels());
      if (!this.board) this.replaceBoard(this.emptyBoard(this.boardDate));
      const outbox = await flushOutbox(this.d.api, this.d.cache, this.d.logger, (entry) => this.onOutboxDone(entry.action), () => this.disposed);
      flushed = outbox.flushed;
      // The REST API answers when any feature got an answer (a 404 is an answer too).
      this.restOk = outcomes.some((o) => o !== 'unreachable') && !(outbox.stoppedBy instanceof NetworkError);
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
        if (catchUp) this.catchingUp = false;
        this.updateConnection({ lastSyncAt: this.restOk ? this.iso() : this.tracker.current.lastSyncAt });
        this.scheduleFeatureRetry();
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
      void this.sync('poll');
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
    const socket = this.d.realtime?.status.state ?? null;
    const status = deriveStatus({ transport: this.d.transport, socket, restOk: this.restOk, everLive: this.everLive, caughtUp: !this.catchingUp });
    if (status === 'live') this.everLive = true;
    const nextRetryAt = status === 'polling' || status === 'offline' ? new Date(this.d.now() + this.d.pollingIntervalMs()).toISOString() : null;
    const wasLive = this.tracker.current.status === 'live';
    if (this.tracker.update({ ...patch, status, nextRetryAt })) {
      this.emit({ kind: 'connection', connection: this.tracker.current });
    }
    if (wasLive && status !== 'live' && this.board) this.replaceBoard({ ...this.board, stale: true });
    this.updatePolling();
  }

  // ── REST refreshes ──────────────────────────────────────────────────────

  private async refreshMembers(): Promise<FeatureOutcome> {
    if (this.user.role === 'patient') return {};
    const listing = await this.d.api.members();
    this.members = listing.items;
    this.saveSnapshotSoon('members', this.members, MemberList);
    this.emit({ kind: 'presence.replaced', presence: this.presence() });
    return listing;
  }

  private async refreshBoard(date: string): Promise<FeatureOutcome & { board: Board }> {
    const listing = await this.d.api.appointments(date);
    const held = this.board?.date === date ? new Map(this.board.appointments.map((a) => [a.id, a])) : new Map<number, Appointment>();
    // A live update that raced the REST answer is newer than the row: keep it.
    const appointments = listing.items.map((row) => {
      const mine = held.get(row.id);
      return mine ? newer(row, mine) : row;
    });
    const board: Board = { date, doctors: this.boardDoctors(appointments), appointments: sortByTime(appointments), syncedAt: this.iso(), stale: this.tracker.current.status !== 'live' && this.d.transport !== 'polling' };
    if (date === this.boardDate) this.replaceBoard(board);
    this.saveSnapshotSoon(`board:${date}`, board, Board);
    return { ...listing, board };
  }

  private async refreshConsultations(): Promise<FeatureOutcome> {
    const listing = await this.d.api.consultations();
    const next = new Map<number, Consultation>();
    for (const row of listing.items) {
      const mine = this.consultations.get(row.id);
      next.set(row.id, mine ? newer(row, mine) : row);
    }
    this.consultations.clear();
    for (const [id, c] of next) this.consultations.set(id, c);
    this.emit({ kind: 'consultations.replaced', consultations: this.consultationList() });
    this.saveSnapshotSoon('consultations', this.consultationList(), ConsultationList);
    return listing;
  }

  private async refreshConversations(): Promise<FeatureOutcome> {
    if (this.user.role === 'patient') return {};
    const listing = await this.d.api.conversations();
    const held = new Map(this.conversations);
    this.conversations.clear();
    for (const row of listing.items) {
      const mine = held.get(row.id);
      const conversation = mine ? newerConversation(row, mine) : row;
      // The list can bring a message before its live delivery, which then counts as a duplicate:
      // announce it here, once, or its alert is lost. (Not on the first listing: nothing is new then.)
      const arrived = conversation.last_message;
      if (mine && arrived && arrived.id > (mine.last_message?.id ?? 0)) this.emit({ kind: 'message.created', message: arrived, pending: false });
      this.conversations.set(row.id, conversation);
      this.emit({ kind: 'conversation.updated', conversation });
    }
    this.saveSnapshotSoon('conversations', [...this.conversations.values()], ConversationList);
    return listing;
  }

  /** Refreshes soon, once, however many events asked for it (an unknown consultation, a bare message). */
  private scheduleRefresh(): void {
    if (this.refreshSoon || this.disposed) return;
    this.refreshSoon = setTimeout(() => {
      this.refreshSoon = null;
      void this.sync('manual');
    }, 250);
    this.refreshSoon.unref();
  }

  // ── live events ─────────────────────────────────────────────────────────

  private onServerEvent(e: RealtimeEvents['event']): void {
    this.d.emitWire?.(e);
    this.tracker.update({ lastEventAt: e.receivedAt });
    switch (e.key) {
      case 'notification': {
        // Batched per tick: one transaction for a burst instead of one per event.
        this.pendingNotifications.push({ ...e.payload, read_at: null });
        this.notificationFlush ??= setImmediate(() => {
          this.notificationFlush = null;
          this.flushPendingNotifications();
        });
        return;
      }
      case 'appointment':
        this.onAppointment(e.payload);
        return;
      case 'consultation':
        this.onConsultation(e.payload);
        return;
      case 'messageSent':
      case 'messageRead':
        this.onMessageEvent(e.payload);
        return;
    }
  }

  private flushPendingNotifications(): void {
    if (this.pendingNotifications.length === 0) return;
    const batch = this.pendingNotifications.splice(0);
    this.announceNotifications(this.d.cache.upsertNotifications(batch).inserted);
  }

  /** New to the cache means new to the user: alert once, never twice (live and catch-up overlap). */
  private announceNotifications(inserted: Notification[]): void {
    if (inserted.length === 0) return;
    // Just inserted, so no outbox action can refer to them yet: pending is null.
    if (inserted.length <= MAX_SINGLE_ALERTS) {
      for (const n of inserted) this.emit({ kind: 'notification.upserted', notification: { ...n, pending: null }, isNew: true });
    } else {
      const newest = [...inserted].sort((a, b) => b.id - a.id).slice(0, MAX_SINGLE_ALERTS);
      this.emit({ kind: 'notifications.synced', inserted: inserted.length, newest: newest.map((n) => ({ ...n, pending: null })) });
    }
    this.unread += inserted.filter((n) => n.read_at === null).length;
    this.emit({ kind: 'notifications.unread', unread: this.unread });
  }

  private onAppointment(update: Extract<RealtimeEvents['event'], { key: 'appointment' }>['payload']): void {
    if (!this.board) this.board = this.emptyBoard(this.boardDate);
    const onBoard = utcDay(update.appointment_date) === this.board.date;
    const index = this.board.appointments.findIndex((a) => a.id === update.id);
    const current = index >= 0 ? (this.board.appointments[index] ?? null) : null;
    if (!onBoard && !current) return; // another day's appointment
    const merged = mergeAppointment(current, update, { clinic_id: this.user.clinic_id });
    if (!merged.applied) {
      if (merged.reason === 'incomplete') this.scheduleRefresh();
      return;
    }
    const rest = this.board.appointments.filter((a) => a.id !== update.id);
    const appointments = onBoard ? sortByTime([...rest, merged.value]) : rest;
    const doctors = this.board.doctors.some((d) => d.doctorId === merged.value.doctor_id) ? this.board.doctors : this.boardDoctors(appointments);
    this.board = { ...this.board, appointments, doctors };
    this.emit({ kind: 'appointment.updated', appointment: merged.value, action: update.action, changed: merged.changed });
    this.saveSnapshotSoon(`board:${this.board.date}`, this.board, Board);
  }

  private onConsultation(update: Extract<RealtimeEvents['event'], { key: 'consultation' }>['payload']): void {
    // A server without a consultations list: the desk knows a consultation from its live updates alone.
    const liveOnly = this.features.get('consultations').state === 'not-offered' ? { clinic_id: this.user.clinic_id } : null;
    const merged = mergeConsultation(this.consultations.get(update.id) ?? null, update, liveOnly);
    if (!merged.applied) {
      if (merged.reason === 'incomplete') this.scheduleRefresh();
      return;
    }
    this.consultations.set(update.id, merged.value);
    this.emit({ kind: 'consultation.updated', consultation: merged.value });
    this.saveSnapshotSoon('consultations', this.consultationList(), ConsultationList);
    if (!OPEN_CONSULTATION_STATUSES.includes(merged.value.status)) this.d.realtime?.setChannels(this.channels());
  }

  private onMessageEvent(payload: Extract<RealtimeEvents['event'], { key: 'messageSent' | 'messageRead' }>['payload']): void {
    const conversation = this.conversations.get(payload.conversation_id);
    if (payload.type === 'sent') {
      const message = payload.data.message;
      if (typeof message === 'string' || !conversation) {
        this.scheduleRefresh(); // the seed's bare-text form, or a conversation we have not listed yet
        return;
      }
      if (conversation.last_message && conversation.last_message.id >= message.id) return; // a duplicate delivery
      this.emit({ kind: 'message.created', message, pending: false });
      this.putConversation({
        ...conversation,
        last_message: message,
        unread_count: message.sender_id === this.user.id ? conversation.unread_count : conversation.unread_count + 1,
        updated_at: message.created_at,
      });
    } else if (payload.type === 'read') {
      this.emit({ kind: 'message.read', conversationId: payload.conversation_id, read: payload.data });
      if (conversation && payload.data.user_id === this.user.id) this.putConversation({ ...conversation, unread_count: 0, last_read_message_id: payload.data.last_read_message_id });
    }
  }

  private onPresence(e: RealtimeEvents['presence']): void {
    const at = this.iso();
    if (e.kind === 'here') {
      const previous = new Map(this.online);
      this.online.clear();
      for (const m of e.members) this.online.set(m.id, { ...m, role: this.roleOf(m), onlineSince: previous.get(m.id)?.onlineSince ?? at });
      this.emit({ kind: 'presence.replaced', presence: this.presence() });
    } else if (e.kind === 'joined') {
      if (this.online.has(e.member.id)) return;
      const member: OnlineMember = { ...e.member, role: this.roleOf(e.member), onlineSince: at };
      this.online.set(member.id, member);
      this.emit({ kind: 'presence.joined', member });
    } else {
      if (!this.online.delete(e.member.id)) return;
      this.emit({ kind: 'presence.left', memberId: e.member.id, at });
    }
  }

  // ── actions ─────────────────────────────────────────────────────────────

  async loadBoard(date: string): Promise<Board> {
    this.boardDate = date;
    try {
      return (await this.refreshBoard(date)).board;
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        this.d.onExpired();
        throw error;
      }
      const cached = this.d.cache.loadSnapshot(`board:${date}`, Board);
      const board: Board = cached ? { ...cached.value, stale: true } : { date, doctors: this.boardDoctors(), appointments: [], syncedAt: null, stale: true };
      this.replaceBoard(board);
      return board;
    }
  }

  listConsultations(): Consultation[] {
    return this.consultationList();
  }

  listNotifications(q: { beforeId?: number; limit: number; type?: string; unreadOnly: boolean }) {
    this.flushPendingNotifications();
    const page = this.d.cache.listNotifications(q);
    return { items: page.items, hasMore: page.hasMore, unread: this.d.cache.unreadCount() };
  }

  async markNotificationRead(id: number): Promise<ActionResult> {
    if (!this.d.cache.markReadLocal(id, this.iso())) return { status: 'done' };
    const outboxId = this.d.cache.enqueue({ kind: 'read', notificationId: id });
    this.emitNotification(id);
    this.emitUnread();
    return this.flushNow(outboxId);
  }

  async markAllNotificationsRead(): Promise<ActionResult> {
    this.d.cache.markAllReadLocal(this.iso());
    const outboxId = this.d.cache.enqueue({ kind: 'read-all', at: this.iso() });
    this.emit({ kind: 'notifications.synced', inserted: 0, newest: [] });
    this.emitUnread();
    return this.flushNow(outboxId);
  }

  async deleteNotification(id: number): Promise<ActionResult> {
    if (!this.d.cache.deleteLocal(id)) return { status: 'done' };
    const outboxId = this.d.cache.enqueue({ kind: 'delete', notificationId: id });
    this.emit({ kind: 'notification.removed', id });
    this.emitUnread();
    return this.flushNow(outboxId);
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
    return [...this.conversations.values()].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  }

  loadMessages(conversationId: number, beforeId?: number): Promise<Message[]> {
    return this.d.api.messages(conversationId, beforeId);
  }

  async sendMessage(input: { conversationId: number; body: string; clientId: string }): Promise<{ status: 'done' | 'queued'; message: Message | null }> {
    try {
      const message = await this.d.api.sendMessage(input.conversationId, input.body, input.clientId, this.d.realtime?.status.socketId ?? undefined);
      this.emit({ kind: 'message.created', message, pending: false });
      const conversation = this.conversations.get(input.conversationId);
      if (conversation) this.putConversation({ ...conversation, last_message: message, updated_at: message.created_at });
      return { status: 'done', message };
    } catch (error) {
      if (!(error instanceof NetworkError) && !(error instanceof ApiError && error.status >= 500)) throw error;
      this.d.cache.enqueue({ kind: 'send-message', conversationId: input.conversationId, body: input.body, clientId: input.clientId });
      return { status: 'queued', message: null };
    }
  }

  async markConversationRead(conversationId: number): Promise<ActionResult> {
    try {
      const conversation = await this.d.api.markConversationRead(conversationId);
      if (conversation) this.putConversation(conversation);
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
    this.d.realtime?.reconnectNow('reconnect requested');
    void this.sync('manual');
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private async flushNow(outboxId: number): Promise<ActionResult> {
    await this.sync('manual');
    // Signed out meanwhile (a 401): the action stays in the kept cache's outbox.
    if (this.disposed) return { status: 'queued' };
    return this.d.cache.pendingActions().some((a) => a.id === outboxId) ? { status: 'queued' } : { status: 'done' };
  }

  private onOutboxDone(action: { kind: string; notificationId?: number }): void {
    if (action.notificationId !== undefined) this.emitNotification(action.notificationId);
    if (action.kind === 'send-message') this.scheduleRefresh();
  }

  private emitNotification(id: number): void {
    const item = this.d.cache.getNotification(id);
    if (item) this.emit({ kind: 'notification.upserted', notification: NotificationItem.parse(item), isNew: false });
  }

  /** Recounts from the cache (after actions and syncs, where arithmetic could drift) and tells the window. */
  private emitUnread(): void {
    this.unread = this.d.cache.unreadCount();
    this.emit({ kind: 'notifications.unread', unread: this.unread });
  }

  private putConversation(conversation: Conversation): void {
    this.conversations.set(conversation.id, conversation);
    this.emit({ kind: 'conversation.updated', conversation });
  }

  private replaceBoard(board: Board): void {
    this.board = board;
    this.emit({ kind: 'board.replaced', board });
  }

  private channels(): ChannelRef[] {
    return wantedChannels({ user: this.user, members: this.members, consultations: this.consultationList(), conversations: [...this.conversations.values()] });
  }

  private consultationList(): Consultation[] {
    return [...this.consultations.values()].sort((a, b) => a.id - b.id);
  }

  private presence(): Presence {
    return {
      clinicId: this.user.role === 'patient' ? null : this.user.clinic_id,
      members: [...this.online.values()].sort((a, b) => a.name.localeCompare(b.name)),
      roster: this.members,
    };
  }

  /**
   * The doctors of the board, the signed-in doctor's own column first: from the
   * members list, else (a server without one, or members without doctor ids)
   * from the day's appointments.
   */
  private boardDoctors(appointments: readonly Appointment[] = this.board?.appointments ?? []): Board['doctors'] {
    const byId = new Map<number, string>();
    for (const m of this.members) if (m.doctor_id !== null) byId.set(m.doctor_id, m.name);
    if (byId.size === 0) for (const a of appointments) if (!byId.has(a.doctor_id) || a.doctor_name) byId.set(a.doctor_id, a.doctor_name ?? `Doctor ${a.doctor_id}`);
    if (this.user.doctor_id !== null && byId.size > 0 && !byId.has(this.user.doctor_id)) byId.set(this.user.doctor_id, this.user.name);
    const doctors = [...byId].map(([doctorId, name]) => ({ doctorId, name })).sort((a, b) => a.name.localeCompare(b.name));
    const own = doctors.findIndex((d) => d.doctorId === this.user.doctor_id);
    if (own > 0) doctors.unshift(...doctors.splice(own, 1));
    return doctors;
  }

  /** A presence member's role: as `user_info` says, else from the members list, else "staff". */
  private roleOf(member: { id: number; role: string | null }): string {
    return member.role ?? this.members.find((m) => m.id === member.id)?.role ?? 'staff';
  }

  /** A board with nothing on it yet: a server without an appointments list fills it from live updates. */
  private emptyBoard(date: string): Board {
    return { date, doctors: this.boardDoctors([]), appointments: [], syncedAt: null, stale: false };
  }

  private restoreSnapshots(): void {
    const members = this.d.cache.loadSnapshot('members', MemberList);
    if (members) this.members = members.value;
    const consultations = this.d.cache.loadSnapshot('consultations', ConsultationList);
    for (const c of consultations?.value ?? []) this.consultations.set(c.id, c);
    const conversations = this.d.cache.loadSnapshot('conversations', ConversationList);
    for (const c of conversations?.value ?? []) this.conversations.set(c.id, c);
    const board = this.d.cache.loadSnapshot(`board:${this.boardDate}`, Board);
    if (board) this.board = { ...board.value, stale: true };
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

/** The list each feature reads, as the API profile names it. */
const FEATURE_PATHS = { notifications: 'notifications', board: 'appointments', consultations: 'consultations', conversations: 'conversations', members: 'members' } as const;
const FEATURES_IN_ORDER = Object.keys(FEATURE_PATHS) as Feature[];

function sortByTime(list: Appointment[]): Appointment[] {
  return [...list].sort((a, b) => Date.parse(a.appointment_date) - Date.parse(b.appointment_date) || a.id - b.id);
}

function utcDay(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 10);
}
