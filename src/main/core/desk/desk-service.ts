import {
  BRIDGE_METHODS,
  type ActionResult,
  type BridgeInput,
  type BridgeOutput,
  type DeskEvent,
  type DemoAccount,
  type ServerPreset,
  type SignInResult,
  type Unsubscribe,
} from '../../../shared/bridge';
import fs from 'node:fs';
import { z } from 'zod';
import { User } from '../../../shared/domain';
import type { Board, CheckReport, DeskSnapshot, Diagnostics, SessionState, UpdateStatus } from '../../../shared/desk-state';
import type { SettingsPatch, SettingsView } from '../../../shared/settings';
import { ApiClient, ForbiddenError, NetworkError, NotAClinicError, UnauthorizedError, ValidationFailedError } from '../api/client';
import { CacheOpenError, cacheFileFor, openCache, type OpenedCache } from '../cache/cache';
import type { DeskConfig, TransportConfig } from '../config/schema';
import { ConnectionTimeline, ConnectionTracker } from '../session/connection-status';
import type { FaultRecord } from './last-resort';
import { DeskRefusal } from './refusal';
import { RendererLog } from './renderer-log';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { frameGuardStats } from '../realtime/pusher-guard';
import { deskEchoFactory, type EchoFactory } from '../realtime/echo-instance';
import { Realtime, type RealtimeEvents, type RealtimeOptions } from '../realtime/realtime';
import { RejectionLog } from '../realtime/rejection-log';
import { DeskSession } from '../session/session';
import { resolveClinicZone } from '../session/clinic-zone';
import { systemTimeZone, type ClinicTimeZone } from '../../../shared/clinic-time';
import { noUpdates, type UpdatesPort } from '../updates/updates';

/**
 * The desk as one service: sign-in and sign-out, the session's state and
 * actions, settings and diagnostics, and one typed event stream. Its methods
 * are exactly `ClinicBridge`'s (see `BRIDGE_METHODS`), so the Electron IPC
 * layer and the browser preview bridge are thin: they validate and forward.
 * Hosts hand in what differs between them (where files go, how links open,
 * where tokens are kept, the demo clinic).
 */

export interface StoredSession {
  apiUrl: string;
  token: string;
  userId: number;
  demo: boolean;
}

/** Where the bearer token lives between runs (Electron: safeStorage; CLI: memory or nowhere). */
export interface TokenStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

export const memoryTokenStore = (): TokenStore => {
  let held: StoredSession | null = null;
  return {
    load: () => Promise.resolve(held),
    save: (s) => Promise.resolve(void (held = s)),
    clear: () => Promise.resolve(void (held = null)),
  };
};

/** The embedded demo clinic, when the host offers it. */
export interface DemoPort {
  accounts(): DemoAccount[];
  /** Starts it (once) and says where it is and how to sign in as `role`. */
  start(role: DemoAccount['role']): Promise<{ apiUrl: string; transport: TransportConfig; email: string; password: string }>;
}

/** Settings persistence and policy locks (the config layer). */
export interface SettingsPort {
  view(): SettingsView;
  update(patch: SettingsPatch): SettingsView;
}

/**
 * Settings that only the configuration sets (the CLI): reading works, changing
 * is refused. `managed`: where the admin policy came from and why it was not
 * applied, when the host read one.
 */
export function fixedSettings(values: SettingsView['values'], locked: SettingsView['locked'], managed?: SettingsView['managed']): SettingsPort {
  return {
    view: () => ({ values, locked, ...(managed === undefined ? {} : { managed }) }),
    update: () => {
      throw new DeskRefusal('Settings cannot be changed here; edit the configuration instead.');
    },
  };
}

export interface DeskServiceOptions {
  config: DeskConfig;
  settings: SettingsPort;
  cacheDir: string;
  /** One fixed cache file instead of one per user in `cacheDir` (`clinic-desk watch --cache`). */
  cacheFile?: string;
  host: Diagnostics['host'];
  appVersion: string;
  now?: () => number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Options passed to every Realtime (an Echo factory over another Pusher class in tests, watchdog timings). */
  realtime?: Partial<Pick<RealtimeOptions, 'echo' | 'watchdog' | 'reconnect'>>;
  tokens?: TokenStore;
  demo?: DemoPort;
  openExternal?: (url: string) => Promise<void>;
  /**
   * The desk's own checks, for `runChecks` (the `doctor` command's engine).
   * Given the Echo factory every session's Realtime builds its connection
   * with, so that the checks connect the way the desk does.
   */
  runChecks?: (desk: { echo: EchoFactory }) => Promise<CheckReport>;
  /** The updater (the desktop app); other hosts report updates as off. */
  updates?: UpdatesPort;
  /**
   * The administrator's policy sets `config.apiUrl` (`LoadedConfig.lockedFields`
   * has `apiUrl`): sign-in goes to that server only, and a stored session for
   * another server is not resumed. Default false.
   */
  serverLocked?: boolean;
  /** The host's last-resort handler's record (see last-resort.ts), for the diagnostics report. */
  faults?: () => readonly FaultRecord[];
  /** This computer's time zone, the clinic's when neither the server nor the policy names one. Default: the OS's. */
  systemTimeZone?: () => string;
  /** Overrides the reconciliation interval setting (its minimum is 15 s): tests and benchmarks that cannot wait a minute. */
  reconcileIntervalMs?: () => number;
  /** Where the window's own log lines go (`log`); default `logger`. The desktop app hands in its log's `renderer` scope. */
  rendererLogger?: Logger;
}

/**
 * Who the cache belongs to, kept in it after the server confirmed them: the next
 * start shows the cached desk as theirs at once and asks the server after.
 */
export const SIGNED_IN_USER = 'signed-in-user';
export const SignedInUser = z.object({ apiUrl: z.string(), user: User });

type Methods = { [K in keyof typeof BRIDGE_METHODS]: (input: BridgeInput<K>) => Promise<BridgeOutput<K>> };

export class DeskService implements Methods {
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly listeners = new Set<(event: DeskEvent) => void>();
  private readonly wireListeners = new Set<(event: RealtimeEvents['event']) => void>();
  private session: DeskSession | null = null;
  private sessionState: SessionState = { status: 'signed-out', reason: null };
  private apiUrl: string | null;
  private transport: TransportConfig;
  private demo = false;
  /**
   * What the Diagnostics screen and the report show of the desk's past, one
   * of each for the desk's whole life (sign-ins, sign-outs, restarts after an
   * internal error): the connection's timeline, which each session's status
   * tracker writes to, and the log of refused payloads, which each session's
   * Realtime records into.
   */
  private readonly timeline = new ConnectionTimeline();
  private readonly rejections = new RejectionLog();
  /** Whose refusals the log holds: a refused payload's reason may quote its data, which the next user must not see. */
  private rejectionsOf: string | null = null;
  /** Builds every session's connection, and the checks' (`runChecks`). */
  private readonly echo: EchoFactory;
  private idleConnection: ConnectionTracker;
  private readonly updates: UpdatesPort;
  private readonly stopUpdateEvents: Unsubscribe;
  private readonly rendererLog: RendererLog;

  constructor(private readonly options: DeskServiceOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.rendererLog = new RendererLog({ logger: options.rendererLogger ?? this.logger, now: this.now });
    this.apiUrl = options.config.apiUrl;
    this.transport = options.config.transport;
    this.idleConnection = this.idle();
    this.echo = options.realtime?.echo ?? deskEchoFactory();
    this.updates = options.updates ?? noUpdates(options.appVersion, 'this host does not install updates; the desktop app does');
    this.stopUpdateEvents = this.updates.onStatus((status) => this.emit({ kind: 'update', status }));
  }

  // ── events ──────────────────────────────────────────────────────────────

  on(listener: (event: DeskEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every validated server event as it arrived (for `clinic-desk watch`). */
  onWire(listener: (event: RealtimeEvents['event']) => void): Unsubscribe {
    this.wireListeners.add(listener);
    return () => this.wireListeners.delete(listener);
  }

  private emit = (event: DeskEvent): void => {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error('desk event listener threw', { kind: event.kind, error: String(error) });
      }
    }
  };

  private setSession(state: SessionState): void {
    this.sessionState = state;
    this.emit({ kind: 'session', session: state });
  }

  // ── session ─────────────────────────────────────────────────────────────

  async getSnapshot(): Promise<DeskSnapshot> {
    const s = this.session?.snapshot();
    return {
      session: this.sessionState,
      connection: s?.connection ?? this.idleConnection.current,
      board: s?.board ?? null,
      consultations: s?.consultations ?? [],
      presence: s?.presence ?? { clinicId: null, members: [], roster: [] },
      conversations: s?.conversations ?? [],
      outgoing: s?.outgoing ?? [],
      pendingActions: s?.pendingActions ?? [],
      staffActions: s?.staffActions ?? [],
      unreadNotifications: s?.unreadNotifications ?? 0,
      channels: s?.channels ?? [],
      features: s?.features ?? [],
    };
  }

  async signIn(input: BridgeInput<'signIn'>): Promise<SignInResult> {
    const locked = this.lockedServer();
    if (locked !== null) {
      // Refused before any request: the password never goes to a server the administrator did not choose.
      if (serverKey(input.apiUrl) !== serverKey(locked)) {
        this.logger.warn('sign-in to a server other than the one the policy sets refused', { apiUrl: input.apiUrl, locked });
        return { ok: false, error: 'invalid-input', message: `This desk signs in to ${locked} only (set by your administrator).` };
      }
      return this.signInWith(locked, input.email, input.password, this.options.config.transport, false);
    }
    return this.signInWith(input.apiUrl.replace(/\/+$/, ''), input.email, input.password, this.options.config.transport, false);
  }

  async getServerPreset(): Promise<ServerPreset> {
    const { apiUrl } = this.options.config;
    return { apiUrl, locked: this.lockedServer() !== null };
  }

  /** The server the administrator's policy pins this desk to, if any. */
  private lockedServer(): string | null {
    return this.options.serverLocked === true ? this.options.config.apiUrl : null;
  }

  async listDemoAccounts(): Promise<DemoAccount[]> {
    return this.options.demo?.accounts() ?? [];
  }

  async signInDemo(input: BridgeInput<'signInDemo'>): Promise<SignInResult> {
    if (!this.options.demo) return { ok: false, error: 'invalid-input', message: 'The demo clinic is not available here.' };
    try {
      const demo = await this.options.demo.start(input.role);
      return await this.signInWith(demo.apiUrl, demo.email, demo.password, demo.transport, true);
    } catch (error) {
      this.logger.error('demo clinic did not start', { error: String(error) });
      return { ok: false, error: 'server-error', message: `The demo clinic could not start: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async signInWith(apiUrl: string, email: string, password: string, transport: TransportConfig, demo: boolean): Promise<SignInResult> {
    this.setSession({ status: 'signing-in' });
    const api = this.apiClient(apiUrl);
    try {
      const { token, user } = await api.login(email, password);
      if (user.role === 'patient') {
        await api.logout().catch(() => undefined);
        this.setSession({ status: 'signed-out', reason: null });
        return { ok: false, error: 'forbidden', message: 'Clinic Desk is for clinic staff; this account is a patient account.' };
      }
      await this.end(false, 'another sign-in');
      api.setToken(token);
      try {
        this.startSession(api, user, apiUrl, transport, demo);
      } catch (error) {
        // The server said yes but this computer cannot keep the session's cache: the token just issued is revoked, not left live.
        await api.logout().catch((logoutError: unknown) => this.logger.warn('revoking the token after a failed start failed', { error: String(logoutError) }));
        throw error;
      }
      await this.options.tokens?.save({ apiUrl, token, userId: user.id, demo });
      return { ok: true, user, timeZone: this.session?.timeZone ?? this.clinicZone(user) };
    } catch (error) {
      this.setSession({ status: 'signed-out', reason: null });
      return signInFailure(error);
    }
  }

  /** Resumes the stored session at start: the cached state at once, then live. */
  async resume(): Promise<boolean> {
    const stored = await this.options.tokens?.load();
    if (!stored) return false;
    if (stored.demo) {
      await this.options.tokens?.clear(); // the demo clinic does not outlive the process
      return false;
    }
    const locked = this.lockedServer();
    if (locked !== null && serverKey(stored.apiUrl) !== serverKey(locked)) {
      // The administrator moved the desks: the old server's token is of no use (and is not sent anywhere).
      this.logger.warn('stored session not resumed: the policy sets another server; signing in again is needed', { stored: stored.apiUrl, locked });
      await this.options.tokens?.clear();
      this.setSession({ status: 'signed-out', reason: `Your administrator moved this desk to ${locked}; please sign in again.` });
      return false;
    }
    const api = this.apiClient(stored.apiUrl);
    api.setToken(stored.token);
    let opened: OpenedCache | null = null;
    try {
      // The cached desk first, when this computer holds one for this user: the server confirms the token after.
      opened = this.openStoredCache(stored);
      const cached = opened?.cache.loadSnapshot(SIGNED_IN_USER, SignedInUser)?.value;
      if (opened !== null && cached !== undefined && cached.user.id === stored.userId && serverKey(cached.apiUrl) === serverKey(stored.apiUrl)) {
        const held = opened;
        opened = null;
        this.startSession(api, cached.user, stored.apiUrl, this.options.config.transport, false, held, false);
        // On the next turn, as the session's own requests: the cached desk is handed out first.
        setImmediate(() => void this.confirmResumed(api, cached.user, stored.apiUrl));
        return true;
      }
      const user = await api.user();
      if (opened !== null && user.id !== stored.userId) opened.cache.close();
      const held = opened !== null && user.id === stored.userId ? opened : undefined;
      opened = null;
      this.startSession(api, user, stored.apiUrl, this.options.config.transport, false, held);
      return true;
    } catch (error) {
      opened?.cache.close();
      if (error instanceof UnauthorizedError) {
        await this.options.tokens?.clear();
        this.setSession({ status: 'signed-out', reason: 'Your session has expired. Please sign in again.' });
      } else if (error instanceof CacheOpenError) {
        this.logger.error('stored session not resumed: the local cache cannot be opened', { error: error.message });
        this.setSession({ status: 'signed-out', reason: localCacheMessage(error).slice(0, 500) });
      } else {
        this.setSession({ status: 'signed-out', reason: `The clinic server could not be reached (${error instanceof Error ? error.message : String(error)}).` });
      }
      return false;
    }
  }

  /** The stored session's cache file, opened, if this computer has one (a first start after sign-in has). */
  private openStoredCache(stored: StoredSession): OpenedCache | null {
    const file = this.options.cacheFile ?? cacheFileFor(this.options.cacheDir, stored.apiUrl, stored.userId);
    return fs.existsSync(file) ? openCache({ file, now: this.now, logger: this.logger }) : null;
  }

  /**
   * After resuming from the cache: the server confirms the token. A 401 signs
   * out as an expiry mid-session does (cache kept); no answer keeps the cached
   * desk, whose connection says the server is unreachable; an account that
   * changed meanwhile (a name, a role, the clinic's zone) starts the session
   * again from the server's answer.
   */
  private async confirmResumed(api: ApiClient, cached: User, apiUrl: string): Promise<void> {
    // Signed out (or in again) before its turn came: nothing to confirm.
    if (this.currentApi !== api) return;
    let user: User;
    try {
      user = await api.user();
    } catch (error) {
      if (this.currentApi !== api) return;
      if (error instanceof UnauthorizedError) {
        await this.expire();
        return;
      }
      this.logger.warn('the saved sign-in could not be confirmed yet; the cached desk stays', { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const session = this.session;
    if (this.currentApi !== api || session === null) return;
    if (JSON.stringify(user) === JSON.stringify(cached)) {
      this.rememberUser(session, apiUrl, user);
      return;
    }
    const transport = this.transport;
    await this.end(false, 'the account changed on the server');
    this.startSession(api, user, apiUrl, transport, false);
  }

  /** Keeps who the cache belongs to in it, once the cached desk has been handed out (nothing is written before). */
  private rememberUser(session: DeskSession, apiUrl: string, user: User): void {
    setImmediate(() => {
      if (this.session === session) session.cache.saveSnapshot(SIGNED_IN_USER, { apiUrl, user }, SignedInUser);
    });
  }

  async signOut(): Promise<undefined> {
    const session = this.session;
    await this.end(true, 'signed out');
    if (session) await this.options.tokens?.clear();
    this.setSession({ status: 'signed-out', reason: null });
    return undefined;
  }

  /**
   * Stops the current session; `wipe` deletes its cache (sign-out) and
   * revokes the token. `why` is the timeline's reason for going idle.
   */
  private async end(wipe: boolean, why: string): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    const api = this.currentApi;
    this.currentApi = null;
    this.idleConnection = this.idle();
    session.dispose(wipe, why.slice(0, 500));
    if (wipe) this.forgetRejections();
    if (wipe && api) await api.logout().catch((error: unknown) => this.logger.warn('logout failed', { error: String(error) }));
  }

  private forgetRejections(): void {
    this.rejections.clear();
    this.rejectionsOf = null;
  }

  /** The connection while no one is signed in: idle since now. */
  private idle(): ConnectionTracker {
    return new ConnectionTracker(this.transport.kind, () => new Date(this.now()).toISOString(), this.timeline);
  }

  private currentApi: ApiClient | null = null;
  private offUnauthorized: (() => void) | null = null;

  private clinicZone(user: User): ClinicTimeZone {
    return resolveClinicZone({ server: user.time_zone, policy: this.options.config.clinic?.timeZone, system: (this.options.systemTimeZone ?? systemTimeZone)() });
  }

  /**
   * `opened`: the user's cache, already opened (a resume); `confirmed`: the
   * server has confirmed this user (not a resume from the cache), so the cache
   * keeps them for the next start.
   */
  private startSession(api: ApiClient, user: User, apiUrl: string, transport: TransportConfig, demo: boolean, opened?: OpenedCache, confirmed = true): void {
    const owner = `${user.id}@${apiUrl}`;
    if (this.rejectionsOf !== owner) this.forgetRejections();
    this.rejectionsOf = owner;
    const file = opened?.cache.file ?? this.options.cacheFile ?? cacheFileFor(this.options.cacheDir, apiUrl, user.id);
    opened ??= openCache({ file, now: this.now, logger: this.logger });
    for (const warning of opened.warnings) this.logger.warn(warning, { file });
    const realtime =
      transport.kind === 'polling'
        ? null
        : new Realtime({
            transport,
            authorize: (socketId, channelName) => api.authorizeChannel(socketId, channelName),
            rejections: this.rejections,
            now: this.now,
            logger: this.logger,
            ...this.options.realtime,
            echo: this.echo,
          });
    this.apiUrl = apiUrl;
    this.transport = transport;
    this.demo = demo;
    this.currentApi = api;
    const timeZone = this.clinicZone(user);
    if (timeZone.note !== null) this.logger.warn('clinic time zone', { zone: timeZone.zone, source: timeZone.source, note: timeZone.note });
    const session = new DeskSession({
      user,
      timeZone,
      apiUrl,
      demo,
      transport: transport.kind,
      api,
      cache: opened.cache,
      realtime,
      pollingIntervalMs: () => this.options.settings.view().values.pollingIntervalSec * 1000,
      reconcileIntervalMs: this.options.reconcileIntervalMs ?? (() => this.options.settings.view().values.reconcileIntervalSec * 1000),
      cacheRetentionDays: this.options.config.cacheRetentionDays,
      allowedLinkHosts: this.options.config.allowedLinkHosts,
      now: this.now,
      logger: this.logger,
      emit: this.emit,
      timeline: this.timeline,
      emitWire: (e) => {
        for (const listener of [...this.wireListeners]) listener(e);
      },
      onExpired: () => void this.expire(),
      openExternal: (url) => this.options.openExternal?.(url) ?? Promise.resolve(),
    });
    this.offUnauthorized?.();
    this.offUnauthorized = api.onUnauthorized(() => void this.expire());
    this.session = session;
    this.setSession({ status: 'signed-in', user, apiUrl, demo, timeZone });
    session.start();
    if (confirmed && !demo) this.rememberUser(session, apiUrl, user);
  }

  /**
   * After an internal error (the host's last-resort handler, last-resort.ts):
   * the session's parts are thrown away and built again from the same
   * sign-in (a new socket, sync and cache handle; token, cache file and
   * outbox kept). Resolves false when no one is signed in.
   */
  async restartCore(reason: string): Promise<boolean> {
    const session = this.session;
    const api = this.currentApi;
    if (!session || !api) return false;
    const { apiUrl, transport, demo } = this;
    const user = session.user;
    this.logger.warn('restarting the desk core after an internal error', { reason });
    try {
      await this.end(false, `restarting after an internal error (${reason})`);
    } catch (error) {
      // A session broken enough to throw while stopping is dropped all the same.
      this.session = null;
      this.logger.error('stopping the session for a restart failed', { error: error instanceof Error ? error.name : typeof error });
    }
    if (apiUrl === null) return false;
    try {
      this.startSession(api, user, apiUrl, transport, demo);
    } catch (error) {
      this.setSession({ status: 'signed-out', reason: 'Clinic Desk could not restart after an internal error; please sign in again.' });
      throw error;
    }
    return true;
  }

  /**
   * After a crash loop: the session is stopped (its token and cache are
   * kept, so the next start resumes it) and the user is told why.
   */
  async stopCore(reason: string): Promise<void> {
    try {
      await this.end(false, reason);
    } catch {
      this.session = null;
    }
    this.setSession({ status: 'signed-out', reason });
  }

  /** 401 mid-session: signed out, cache kept (its outbox still holds the user's offline actions). */
  private async expire(): Promise<void> {
    if (!this.session) return;
    this.logger.warn('session expired: the server no longer accepts the token', { userId: this.session.user.id });
    await this.end(false, 'the session expired: the server no longer accepts the token');
    await this.options.tokens?.clear();
    this.setSession({ status: 'signed-out', reason: 'Your session has expired. Please sign in again.' });
  }

  private apiClient(baseUrl: string): ApiClient {
    return new ApiClient({
      baseUrl,
      timeoutMs: this.options.config.requestTimeoutMs,
      logger: this.logger,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      userAgent: `ClinicDesk/${this.options.appVersion}`,
      ...(this.options.config.api ? { profile: this.options.config.api } : {}),
      now: this.options.now ?? Date.now,
    });
  }

  private need(): DeskSession {
    if (!this.session) throw new DeskRefusal('Not signed in.');
    return this.session;
  }

  // ── board, consultations, notifications, conversations ──────────────────

  loadBoard(input: BridgeInput<'loadBoard'>): Promise<Board> {
    return this.need().loadBoard(input.date);
  }

  async listConsultations() {
    return this.need().listConsultations();
  }

  async listNotifications(input: BridgeInput<'listNotifications'>) {
    const q = BRIDGE_METHODS.listNotifications.input.parse(input);
    return this.need().listNotifications(q);
  }

  markNotificationRead(input: BridgeInput<'markNotificationRead'>): Promise<ActionResult> {
    return this.need().markNotificationRead(input.id);
  }

  markAllNotificationsRead(): Promise<ActionResult> {
    return this.need().markAllNotificationsRead();
  }

  deleteNotification(input: BridgeInput<'deleteNotification'>): Promise<ActionResult> {
    return this.need().deleteNotification(input.id);
  }

  openNotification(input: BridgeInput<'openNotification'>): Promise<ActionResult> {
    return this.need().openNotification(input.id);
  }

  async openExternal(input: BridgeInput<'openExternal'>) {
    if (!this.session) return { opened: false, reason: 'not signed in' };
    return this.session.open(input.url);
  }

  async listConversations() {
    return this.need().listConversations();
  }

  loadMessages(input: BridgeInput<'loadMessages'>) {
    return this.need().loadMessages(input.conversationId, input.beforeId);
  }

  sendMessage(input: BridgeInput<'sendMessage'>) {
    return this.need().sendMessage(input);
  }

  markConversationRead(input: BridgeInput<'markConversationRead'>): Promise<ActionResult> {
    return this.need().markConversationRead(input.conversationId);
  }

  async setTyping(input: BridgeInput<'setTyping'>): Promise<undefined> {
    this.need().setTyping(input.conversationId, input.typing);
    return undefined;
  }

  // ── staff actions ───────────────────────────────────────────────────────

  staffAction(input: BridgeInput<'staffAction'>): Promise<BridgeOutput<'staffAction'>> {
    return this.need().staffAction(input);
  }

  undoStaffAction(input: BridgeInput<'undoStaffAction'>): Promise<BridgeOutput<'undoStaffAction'>> {
    return this.need().undoStaffAction(input.id);
  }

  // ── connection and diagnostics ──────────────────────────────────────────

  async reconnect(): Promise<undefined> {
    this.session?.reconnect();
    return undefined;
  }

  /** A line from the window for the app's log, rate-limited (renderer-log.ts). */
  async log(input: BridgeInput<'log'>): Promise<undefined> {
    this.rendererLog.write(input);
    return undefined;
  }

  async getDiagnostics(): Promise<Diagnostics> {
    const s = this.session;
    const stats = s?.cache.stats();
    return {
      appVersion: this.options.appVersion,
      host: this.options.host,
      connection: s?.connection ?? this.idleConnection.current,
      timeline: this.timeline.list(),
      channels: s?.channelStatuses() ?? [],
      rejected: this.rejections.list(),
      cache: { notifications: stats?.notifications ?? 0, outbox: stats?.outbox ?? 0, writeError: stats?.writeError ?? null, datesFlagged: stats?.datesFlagged ?? 0 },
      features: s?.featureStatuses() ?? [],
      timeZone: s?.timeZone ?? null,
      reconciliation: s?.reconciliationStats() ?? { intervalSec: this.options.settings.view().values.reconcileIntervalSec, lastAt: null, requests: 0, notModified: 0, unannounced: 0 },
    };
  }

  async diagnosticsReport(): Promise<{ text: string }> {
    const d = await this.getDiagnostics();
    const report = {
      generatedAt: new Date(this.now()).toISOString(),
      ...d,
      session: this.sessionState.status === 'signed-in' ? { userId: this.sessionState.user.id, role: this.sessionState.user.role, demo: this.demo } : { status: this.sessionState.status },
      // No secret leaves: the server without user info or query, the transport's public fields only (its
      // key is public by design: every client holds it); the token and the password are never in it.
      config: { apiUrl: reportedServer(this.apiUrl), transport: reportedTransport(this.transport), pollingIntervalSec: this.options.settings.view().values.pollingIntervalSec },
      updates: this.updates.status(),
      // Internal errors the host caught (kind, class, where; never contents), and socket frames refused unread.
      faults: this.options.faults?.() ?? [],
      socketFrames: frameGuardStats(),
    };
    return { text: JSON.stringify(report, null, 2) };
  }

  async runChecks(): Promise<CheckReport> {
    if (this.options.runChecks) return this.options.runChecks({ echo: this.echo });
    return { ok: false, ranAt: new Date(this.now()).toISOString(), checks: [{ id: 'unavailable', title: 'Checks', ok: false, detail: 'This host does not run checks.', fix: null }] };
  }

  // ── settings ────────────────────────────────────────────────────────────

  async getSettings(): Promise<SettingsView> {
    return this.options.settings.view();
  }

  async updateSettings(patch: BridgeInput<'updateSettings'>): Promise<SettingsView> {
    const before = this.options.settings.view().values;
    const view = this.options.settings.update(patch);
    if (view.values.pollingIntervalSec !== before.pollingIntervalSec) this.session?.pollingIntervalChanged();
    if (view.values.reconcileIntervalSec !== before.reconcileIntervalSec) this.session?.reconcileIntervalChanged();
    this.emit({ kind: 'settings', settings: view });
    return view;
  }

  // ── updates ─────────────────────────────────────────────────────────────

  async getUpdateStatus(): Promise<UpdateStatus> {
    return this.updates.status();
  }

  checkForUpdates(): Promise<UpdateStatus> {
    return this.updates.checkNow();
  }

  async installUpdate(): Promise<undefined> {
    this.updates.installNow();
    return undefined;
  }

  /** Stops everything without signing out (app quit). */
  async close(): Promise<void> {
    this.stopUpdateEvents();
    await this.end(false, 'the desk closed');
  }
}

/** A server address compared as origin and path, without trailing slashes; null when it is not a URL. */
function serverKey(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

/**
 * The transport as the diagnostics report shows it: the fields that say where
 * the desk connects, each named, so nothing else an object may carry (a Pusher
 * app secret spread into a host's transport, a field added later) leaves with it.
 */
function reportedTransport(t: TransportConfig): Record<string, unknown> {
  switch (t.kind) {
    case 'pusher':
      return { kind: t.kind, key: t.key, cluster: t.cluster };
    case 'reverb':
      return { kind: t.kind, key: t.key, host: t.host, port: t.port, scheme: t.scheme, ...(t.path === undefined ? {} : { path: t.path }) };
    case 'polling':
      return { kind: t.kind };
  }
}

/**
 * The server address as the diagnostics report shows it: origin and path, as
 * the API client uses it, without a user name, password, query or fragment
 * typed into the sign-in form. Not a URL: said so, not quoted.
 */
function reportedServer(url: string | null): string | null {
  return url === null ? null : (serverKey(url) ?? '(not a URL)');
}

function signInFailure(error: unknown): SignInResult {
  if (error instanceof ValidationFailedError) {
    const message = Object.values(error.fields).flat()[0] ?? 'These credentials do not match our records.';
    return { ok: false, error: 'invalid-credentials', message };
  }
  if (error instanceof NetworkError) return { ok: false, error: 'unreachable', message: `The clinic server could not be reached: ${error.message}` };
  if (error instanceof NotAClinicError) return { ok: false, error: 'not-a-clinic', message: `This server does not look like a clinic back end: ${error.message}` };
  if (error instanceof ForbiddenError) return { ok: false, error: 'forbidden', message: error.message };
  if (error instanceof CacheOpenError) return { ok: false, error: 'local-cache', message: localCacheMessage(error).slice(0, 1000) };
  return { ok: false, error: 'server-error', message: error instanceof Error ? error.message : String(error) };
}

/** A problem of this computer, not of the clinic server: said so, with what is wrong. */
function localCacheMessage(error: CacheOpenError): string {
  return `This computer could not open Clinic Desk's local cache, so the desk cannot start: ${error.message}`;
}

/** For hosts that route by method name (IPC, the preview bridge). */
export type DeskMethods = Methods;
