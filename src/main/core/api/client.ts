import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import {
  ErrorBody,
  KnownConsultationStatus,
  MESSAGE_BODY_MAX,
  ValidationErrorBody,
  type Appointment,
  type ClinicMember,
  type Consultation,
  type Conversation,
  type LoginResponse,
  type Message,
  type Notification,
  type User,
} from '../../../shared/domain';
import type { FieldProblem } from '../../../shared/features';
import { IsoDate } from '../../../shared/time';
import { ConditionalCache, type TransferStats } from './conditional';
import { pageCapFrom, readListPage } from './listing';
import { pathWith, resolveProfile, type ActionRoute, type ApiProfile, type ProfileAction, type ProfilePath, type ResolvedProfile } from './profile';
import { isRecord, lookup, readRecord, type ReadContext, type ResourceTypes } from './records';
import { jsonTextProblem } from '../../../shared/json-limits';
import { silentLogger, type Logger } from '../log';
import { RetryBudget, type Priority, type RetryBudgetOptions } from './retry-budget';

/**
 * The clinic's REST API (docs/backend-contract.md), one method per endpoint.
 * Every answer is checked against the shared schemas; every failure is one of
 * the typed errors below, so callers decide on the kind of failure (sign out,
 * queue for later, show "not a clinic") rather than on status codes. Transient
 * failures of idempotent calls are retried here with backoff.
 */

// -------------------------------------------------------------- errors ---

interface ApiErrorInit {
  status: number;
  url: string;
  method: string;
  serverMessage?: string | null;
  cause?: unknown;
}

/** Any failed call. `status` is 0 when no HTTP answer arrived (`NetworkError`). */
export class ApiError extends Error {
  readonly status: number;
  readonly url: string;
  readonly method: string;
  /** The back end's own `message`, when its answer had one. */
  readonly serverMessage: string | null;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.url = init.url;
    this.method = init.method;
    this.serverMessage = init.serverMessage ?? null;
  }
}

/** 401: no token, or the token was revoked or expired. */
export class UnauthorizedError extends ApiError {}
/** 403: signed in, but not allowed (a patient account, a channel of someone else). */
export class ForbiddenError extends ApiError {}
/** 404: the item is gone or not visible to this user. */
export class NotFoundError extends ApiError {}
/**
 * 409: the server refused a change made from a stale view ("Already checked in
 * by Elena Ruiz at 09:02."); `serverMessage` is its one sentence, as the
 * contract's conventions keep it (one line, at most 200 characters).
 */
export class ConflictError extends ApiError {}
/** 422: Laravel's validation answer, with messages per field. */
export class ValidationFailedError extends ApiError {
  readonly fields: Record<string, string[]>;
  constructor(message: string, init: ApiErrorInit & { fields: Record<string, string[]> }) {
    super(message, init);
    this.fields = init.fields;
  }
}
/** 429: throttled; `retryAfterMs` from `Retry-After` when the server sent one. */
export class RateLimitedError extends ApiError {
  readonly retryAfterMs: number | null;
  constructor(message: string, init: ApiErrorInit & { retryAfterMs: number | null }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}
/** 5xx. `retryAfterMs`: a 503 of Laravel's maintenance mode (`artisan down --retry=`) says when to come back. */
export class ServerError extends ApiError {
  readonly retryAfterMs: number | null;
  constructor(message: string, init: ApiErrorInit & { retryAfterMs?: number | null }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}
/** No HTTP answer: connection refused or reset, DNS, TLS, or no answer in time (`timedOut`). */
export class NetworkError extends ApiError {
  readonly timedOut: boolean;
  /** The system's error code (`ECONNREFUSED`, `ENOTFOUND`, ...), when there was one. */
  readonly code: string | null;
  constructor(message: string, init: ApiErrorInit & { timedOut: boolean; code: string | null }) {
    super(message, init);
    this.timedOut = init.timedOut;
    this.code = init.code;
  }
}
/**
 * Not sent: the desk's retry budget holds requests back while the server is
 * failing, or the server asked to wait (`Retry-After`). `retryAfterMs` says
 * when a request would be let through.
 */
export class BackoffError extends NetworkError {
  readonly retryAfterMs: number;
  constructor(reason: string, init: ApiErrorInit & { retryAfterMs: number }) {
    super(`not sent: ${reason} (${init.method} ${init.url})`, { ...init, timedOut: false, code: null });
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * The server answered, but not like a clinic back end: a redirect, an HTML
 * page, something that is not JSON, or JSON of the wrong shape. `reason` says
 * which, in words for the sign-in screen and diagnostics.
 */
export class NotAClinicError extends ApiError {
  readonly reason: string;
  constructor(reason: string, init: ApiErrorInit) {
    super(`${init.method} ${init.url}: this server does not look like a clinic back end: ${reason}`, init);
    this.reason = reason;
  }
}

/**
 * The server answered JSON, but not in a shape the desk can read even
 * tolerantly; `problem` says where, what was there, and the profile line that
 * would map it.
 */
export class NotUnderstoodError extends NotAClinicError {
  readonly problem: FieldProblem;
  constructor(problem: FieldProblem, init: ApiErrorInit) {
    super(`its answer (${init.status}) could not be read at ${problem.path}: ${problem.expected}, got ${problem.seen}`, init);
    this.problem = problem;
  }
}

/**
 * The request's route is not there: a 405 (not a method the route takes), or a
 * 404 that is not about a record: Laravel's "The route … could not be found.",
 * or a page that is not the API's JSON. A record that is gone answers "No query
 * results for model …" instead.
 */
export function routeMissing(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 405) return true;
  if (error.status !== 404) return false;
  return error instanceof NotAClinicError || /\broute\b/i.test(error.serverMessage ?? '');
}

/** The records of a list the desk could read, and what it had to leave out. */
export interface Listing<T> {
  items: T[];
  /** Records that could not be read; the first one's problem is in `problem`. */
  dropped: number;
  problem: FieldProblem | null;
}

/** One page of a notification catch-up. */
export interface NotificationPageRead extends Listing<Notification> {
  /** The server has more after this page, as far as it says (or, without a word, when the page was full). */
  hasNext: boolean;
  /** The query that asks for the next page, when the server named one. */
  nextQuery: Record<string, string> | null;
}

// ------------------------------------------------------------- options ---

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  /** No single wait is longer; a `Retry-After` beyond it is left to the caller. */
  maxDelayMs: number;
}

export interface ApiClientOptions {
  /** The clinic's Laravel app, e.g. `https://clinic.example.org` (REST under `/api`). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per attempt, from sending to the last byte of the answer. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
  logger?: Logger;
  userAgent?: string;
  /** The admin's API profile (paths, methods, parameter names, field mappings). */
  profile?: ApiProfile;
  /** Stands in for a missing `updated_at` in a record. */
  now?: () => number;
  /** The desk's retry budget (one per desk), or options for a new one. */
  budget?: RetryBudget | Partial<RetryBudgetOptions>;
}

/** One staff action's request: its idempotency key (the action's id, the same on every retry) and this desk's socket. */
export interface ActionOptions {
  idempotencyKey: string;
  /** `X-Socket-ID`: the action's broadcast is not echoed back to this desk (its answer updates it). */
  socketId?: string | undefined;
}

/**
 * What an `OPTIONS` probe of an action's path found: the methods its `Allow`
 * names; `no-allow`, answered without one (a CORS middleware answering a
 * preflight); `route-missing`, a 404, or a 405 that names no method; or
 * `unanswered` (no answer, a 5xx, a throttle), to be asked again.
 */
export type AllowProbe = { kind: 'allow'; methods: string[] } | { kind: 'no-allow' } | { kind: 'route-missing' } | { kind: 'unanswered' };

/** The id an `OPTIONS` probe puts in a path: Laravel answers `OPTIONS` from its routes, without looking the record up. */
export const PROBE_ID = 1;

/** Follows at most this many pages of one list: a server whose "next" never ends must not hold the desk. */
export const MAX_LIST_PAGES = 200;

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };
/** Larger answers are refused: no endpoint of the contract comes near it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const TRANSIENT_STATUSES = new Set([502, 503, 504]);
/** TLS problems do not go away by asking again. */
const PERMANENT_NETWORK_CODES = /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_SSL_|ERR_INVALID_URL)/;

// -------------------------------------------------------------- answers ---

const AuthSignature = /^[^:\s]+:[0-9a-f]{64}$/;
const ChannelAuthorization = z.object({
  auth: z.string().max(512).regex(AuthSignature, 'must be "<key>:<hex hmac-sha256>"'),
  channel_data: z.string().max(10_000).optional(),
});
export type ChannelAuthorization = z.infer<typeof ChannelAuthorization>;
const PresenceChannelData = z.object({ user_id: z.union([z.string().min(1), z.number()]) });


const SOCKET_ID = /^\d+\.\d+$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;
/** Pusher's channel name alphabet and length limit. */
const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]{1,164}$/;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS';

interface Call<T> {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The answer's schema; null for answers without a body we need (204, or ignored). */
  schema: z.ZodType<T> | null;
  /**
   * `idempotent`: 429, 502/503/504 and network failures are retried.
   * `transient`: like it, except 429 (sign-in: throttling is the answer).
   */
  retry: 'idempotent' | 'transient';
  /** Send the token (not for sign-in). */
  authenticated: boolean;
  /** A 401 is expected here (sign-out of a revoked token): do not tell the listeners. */
  quiet401?: boolean;
  /** An empty answer (204, or 200 without a body) is fine: resolves to undefined. */
  emptyOk?: boolean;
  /** Default: 'user' through `userView()` or inside `asUser`, else 'background'. */
  priority?: Priority;
  /** Sees the answer's headers (every answer, a refusal included): the `Allow` of an `OPTIONS` probe. */
  onHeaders?: (headers: Headers) => void;
  /**
   * The query parameter a list reader moves on (`after_id`): the conditional
   * cache keeps only the answer for its newest value (`ConditionalCache.remember`).
   */
  cursor?: string;
}

/** Requests made inside `ApiClient.asUser` are the user's (see `retry-budget.ts`). */
const userInitiated = new AsyncLocalStorage<true>();

// --------------------------------------------------------------- client ---

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly userAgent: string | undefined;
  private currentToken: string | null = null;
  private readonly conditional = new ConditionalCache();
  private readonly transferred: TransferStats = { requests: 0, notModified: 0, bytes: 0 };
  private readonly unauthorizedListeners = new Set<() => void>();
  private readonly profile: ResolvedProfile;
  private readonly now: () => number;
  /** The signed-in user, for the readers' defaults (their clinic, their notifications). */
  private identity: { id: number; clinic_id: number } | null = null;
  /** The largest `per_page` the server accepted or said it uses; null until it says. */
  private pageCap: number | null = null;
  /** Shared by every request of this client: REST reads, outbox actions, channel authorizations. */
  readonly budget: RetryBudget;

  constructor(options: ApiClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`ApiClient: baseUrl must be an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`ApiClient: baseUrl must be an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
    }
    this.baseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.retry.attempts = Math.max(1, Math.floor(this.retry.attempts));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.userAgent = options.userAgent;
    this.profile = resolveProfile(options.profile);
    this.now = options.now ?? Date.now;
    this.budget = options.budget instanceof RetryBudget ? options.budget : new RetryBudget({ random: this.random, ...options.budget });
  }

  /**
   * This client, with every request marked as the user's: they bypass the
   * retry budget's backoff and cap (not a `Retry-After`), and are not retried
   * within the call once the server is failing. Shares everything else (token,
   * budget, profile) with this client.
   */
  userView(): ApiClient {
    const send = (call: Call<unknown>) => this.send({ ...call, priority: 'user' });
    return new Proxy(this, {
      get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)),
    });
  }

  /**
   * Runs `work` with the requests it makes marked as the user's (see
   * `userView`), for work that reaches the API through other objects. Wrap
   * only the request itself: timers and listeners set up inside inherit the
   * mark (the budget's own events are emitted outside it).
   */
  asUser<T>(work: () => Promise<T>): Promise<T> {
    return userInitiated.run(true, work);
  }

  /** The page size a catch-up asks for: the profile's, or less when the server said so. */
  get pageSize(): number {
    return Math.min(this.profile.pageSize, this.pageCap ?? Number.MAX_SAFE_INTEGER);
  }

  /** `GET /api/user` for the identity, e.g. `GET /api/clinic/members`. */
  endpoint(path: ProfilePath): string {
    return this.profile.paths[path];
  }

  setToken(token: string | null): void {
    const next = token === '' ? null : token;
    if (next !== this.currentToken) this.conditional.clear();
    this.currentToken = next;
  }

  /** Requests sent, answers "not modified", and body bytes received, since this client was made. */
  get transfer(): Readonly<TransferStats> {
    return { ...this.transferred };
  }

  get token(): string | null {
    return this.currentToken;
  }

  /** Called on any 401 to a request that carried the current token: the session is over. */
  onUnauthorized(listener: () => void): () => void {
    this.unauthorizedListeners.add(listener);
    return () => void this.unauthorizedListeners.delete(listener);
  }

  // ------------------------------------------------------------ session ---

  /**
   * `POST /api/login`. On success the client keeps the new token (as
   * `setToken` would). Wrong credentials are a `ValidationFailedError` with
   * `fields.email`; no 4xx is retried (a 429 here is the server's throttle).
   */
  async login(email: string, password: string): Promise<LoginResponse> {
    const answer = await this.send({
      method: 'POST',
      path: this.profile.paths.login,
      json: { email, password },
      schema: z.unknown(),
      retry: 'transient',
      authenticated: false,
      priority: 'user',
    });
    const init = { status: 200, url: this.url(this.profile.paths.login), method: 'POST' };
    // Sanctum apps name it `token`, Passport `access_token`; some wrap the answer in `data`.
    const body = isRecord(answer) && isRecord(answer.data) && !('token' in answer) ? answer.data : answer;
    const token = ['token', 'access_token', 'plainTextToken', 'token.plainTextToken'].map((p) => lookup(body, p)).find((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096);
    // The reason never quotes the answer: it carries the token.
    if (token === undefined) throw new NotAClinicError('its sign-in answer has no token (looked for token, access_token, plainTextToken)', init);
    this.setToken(token);
    const rawUser = isRecord(body) ? body.user : undefined;
    const user = rawUser === undefined ? await this.user() : this.readUser(rawUser, init);
    return { token, user };
  }

  /** `POST /api/logout`: revokes the token and forgets it. A token the server already revoked counts as done. */
  async logout(): Promise<void> {
    const token = this.currentToken;
    if (token === null) return;
    try {
      await this.send({ method: 'POST', path: this.profile.paths.logout, schema: null, retry: 'idempotent', authenticated: true, quiet401: true });
    } catch (error) {
      if (!(error instanceof UnauthorizedError) && !(error instanceof NotFoundError)) throw error;
    }
    if (this.currentToken === token) this.currentToken = null;
  }

  async user(): Promise<User> {
    const answer = await this.get(this.profile.paths.user, z.unknown());
    // `UserResource` answers `{data: {...}}`; the default route returns the model itself.
    const body = isRecord(answer) && isRecord(answer.data) && !('id' in answer) ? answer.data : answer;
    return this.readUser(body, { status: 200, url: this.url(this.profile.paths.user), method: 'GET' });
  }

  private readUser(raw: unknown, init: ApiErrorInit): User {
    const read = readRecord('user', raw, this.readContext(), 'user');
    if (!read.ok) throw new NotUnderstoodError(read.problem, init);
    this.identity = { id: read.value.id, clinic_id: read.value.clinic_id };
    return read.value;
  }

  members(): Promise<Listing<ClinicMember>> {
    return this.list('members', this.profile.paths.members, {});
  }

  // ------------------------------------------------------ notifications ---

  /**
   * One page of notifications after `afterId` (0: from the start), asking for
   * `perPage`. A 422 on the page size means "use what the server allows": the
   * request is made again with that size, which is remembered. `nextQuery`
   * continues a paginator that ignores `after_id`.
   */
  async notificationsPage(afterId: number, extra: Record<string, string> = {}): Promise<NotificationPageRead> {
    checkInt(afterId, 'afterId', 0);
    const path = this.profile.paths.notifications;
    for (let attempt = 0; ; attempt++) {
      const perPage = this.pageSize;
      const query = { [this.profile.params.afterId]: afterId, [this.profile.params.perPage]: perPage, ...extra };
      let body: unknown;
      try {
        body = await this.get(path, z.unknown(), query, this.profile.params.afterId);
      } catch (error) {
        const capped = error instanceof ValidationFailedError ? this.capFrom(error, perPage) : null;
        if (capped === null || attempt >= 5) throw error;
        this.pageCap = capped;
        this.logger.info('the server allows fewer records per page; using its limit', { path, perPage: capped });
        continue;
      }
      const page = readListPage(body);
      const init = { status: 200, url: this.url(path), method: 'GET' };
      if (!page.ok) throw new NotUnderstoodError(page.problem, init);
      if (page.page.perPage !== null && page.page.perPage < perPage) this.pageCap = page.page.perPage;
      const listing = this.readAll('notifications', page.page.records, init);
      const full = page.page.records.length >= Math.min(perPage, page.page.perPage ?? perPage);
      return { ...listing, hasNext: page.page.next !== null || (page.page.hasMore ?? full), nextQuery: page.page.next };
    }
  }

  /** A 422 about the page size: the size the server allows (its message's number, else half). */
  private capFrom(error: ValidationFailedError, asked: number): number | null {
    const messages = error.fields[this.profile.params.perPage] ?? error.fields.per_page ?? error.fields.limit;
    if (messages === undefined) return null;
    const cap = pageCapFrom(messages) ?? Math.floor(asked / 2);
    return cap >= 1 && cap < asked ? cap : null;
  }

  async markNotificationRead(id: number): Promise<void> {
    await this.write('notificationRead', pathWith(this.profile.paths.notificationRead, checkId(id, 'id')));
  }

  async markAllNotificationsRead(): Promise<void> {
    await this.write('notificationsReadAll', this.profile.paths.notificationsReadAll);
  }

  /** `NotFoundError` when it is already gone (the caller may count that as done). */
  async deleteNotification(id: number): Promise<void> {
    await this.write('notificationDelete', pathWith(this.profile.paths.notificationDelete, checkId(id, 'id')));
  }

  // ---------------------------------------------------- board and care ---

  async appointments(date: string): Promise<Listing<Appointment>> {
    if (!IsoDate.safeParse(date).success) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
    return this.list('appointments', this.profile.paths.appointments, { [this.profile.params.date]: date });
  }

  async consultations(status?: KnownConsultationStatus): Promise<Listing<Consultation>> {
    if (status !== undefined && !KnownConsultationStatus.safeParse(status).success) {
      throw new RangeError(`status must be one of ${KnownConsultationStatus.options.join(', ')}, got ${JSON.stringify(status)}`);
    }
    return this.list('consultations', this.profile.paths.consultations, status === undefined ? {} : { [this.profile.params.status]: status });
  }

  // ------------------------------------------------------ conversations ---

  conversations(): Promise<Listing<Conversation>> {
    return this.list('conversations', this.profile.paths.conversations, {});
  }

  /** Oldest first; `beforeId` pages back in history. One page: history loads as the user scrolls. */
  async messages(conversationId: number, beforeId?: number): Promise<Message[]> {
    const query = beforeId === undefined ? {} : { [this.profile.params.beforeId]: checkId(beforeId, 'beforeId') };
    const path = pathWith(this.profile.paths.messages, checkId(conversationId, 'conversationId'));
    const listing = await this.list('messages', path, query, 1);
    // Newest-first servers: the thread reads oldest first.
    return [...listing.items].sort((a, b) => a.id - b.id);
  }

  /**
   * Retried like an idempotent call: `client_id` makes the server answer a
   * repeated send with the first message. `socketId` (`X-Socket-ID`) keeps the
   * broadcast from echoing back to this desk.
   */
  async sendMessage(conversationId: number, body: string, clientId: string, socketId?: string): Promise<Message> {
    checkId(conversationId, 'conversationId');
    const trimmed = body.trim();
    if (trimmed.length === 0 || trimmed.length > MESSAGE_BODY_MAX) throw new RangeError(`body must have 1 to ${MESSAGE_BODY_MAX} characters`);
    if (clientId.length === 0 || clientId.length > 64) throw new RangeError('clientId must have 1 to 64 characters');
    if (socketId !== undefined && !SOCKET_ID.test(socketId)) throw new RangeError(`socketId must look like 1234.5678, got ${JSON.stringify(socketId)}`);
    const path = pathWith(this.profile.paths.messages, conversationId);
    const answer = await this.send({
      method: this.profile.methods.sendMessage,
      path,
      json: { body, client_id: clientId },
      ...(socketId === undefined ? {} : { headers: { 'X-Socket-ID': socketId } }),
      schema: z.unknown(),
      retry: 'idempotent',
      authenticated: true,
    });
    return this.readItem('messages', answer, { status: 201, url: this.url(path), method: this.profile.methods.sendMessage });
  }

  /** The conversation as the server now has it, or null when its answer says nothing the desk can read. */
  async markConversationRead(conversationId: number): Promise<Conversation | null> {
    const path = pathWith(this.profile.paths.conversationRead, checkId(conversationId, 'conversationId'));
    const answer = await this.write('conversationRead', path);
    try {
      return this.readItem('conversations', answer, { status: 200, url: this.url(path), method: this.profile.methods.conversationRead });
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------- staff actions ---

  /** The method and path template of a staff action's endpoint, as this server's profile has them. */
  actionRoute(route: ActionRoute): { method: string; path: string } {
    return { method: this.profile.methods[route], path: this.profile.paths[route] };
  }

  /** Whether the admin's profile leaves each staff action on. */
  get actionSwitches(): Readonly<Record<ProfileAction, boolean>> {
    return this.profile.actions;
  }

  /**
   * `PATCH /api/appointments/{id}` `{status, reason?, expected_status?}`: a
   * check-in, no-show or cancel, or an undo back to the status before. The
   * appointment as the server now has it; null when its answer holds none the
   * desk can read (the action still happened).
   */
  async setAppointmentStatus(id: number, change: { status: string; reason?: string | undefined; expectedStatus?: string | undefined }, options: ActionOptions): Promise<Appointment | null> {
    const json = {
      status: change.status,
      ...(change.reason === undefined ? {} : { reason: change.reason }),
      ...(change.expectedStatus === undefined ? {} : { expected_status: change.expectedStatus }),
    };
    return this.action('appointmentUpdate', pathWith(this.profile.paths.appointmentUpdate, checkId(id, 'id')), json, options, 'appointments');
  }

  /** `POST /api/appointments/{id}/call-in`: the server tells reception; the appointment answered (its status unchanged), or null. */
  async callIn(appointmentId: number, options: ActionOptions): Promise<Appointment | null> {
    return this.action('appointmentCallIn', pathWith(this.profile.paths.appointmentCallIn, checkId(appointmentId, 'appointmentId')), undefined, options, 'appointments');
  }

  /** `POST /api/consultations` `{appointment_id}`: the consultation the server opened, or null. */
  async startConsultation(appointmentId: number, options: ActionOptions): Promise<Consultation | null> {
    return this.action('consultationStart', this.profile.paths.consultationStart, { appointment_id: checkId(appointmentId, 'appointmentId') }, options, 'consultations');
  }

  /** `PATCH /api/consultations/{id}` `{status: "completed"}`: the consultation as the server closed it, or null. */
  async completeConsultation(consultationId: number, options: ActionOptions): Promise<Consultation | null> {
    return this.action('consultationUpdate', pathWith(this.profile.paths.consultationUpdate, checkId(consultationId, 'consultationId')), { status: 'completed' }, options, 'consultations');
  }

  /**
   * `OPTIONS` on a staff action's path (a placeholder id where its id goes),
   * as Laravel's router answers it for any route it has: the methods its
   * `Allow` names. A 405 that names methods names them too (a server that
   * does not answer `OPTIONS` itself still says what the route takes).
   */
  async allowedMethods(route: ActionRoute): Promise<AllowProbe> {
    const seen: { allow: string | null } = { allow: null };
    const path = pathWith(this.profile.paths[route], PROBE_ID);
    try {
      await this.send({ method: 'OPTIONS', path, schema: null, retry: 'idempotent', authenticated: true, emptyOk: true, onHeaders: (headers) => (seen.allow = headers.get('allow')) });
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      const methods = seen.allow === null ? [] : allowedList(seen.allow);
      if (status === 405 && methods.length > 0) return { kind: 'allow', methods };
      if (status === 404 || status === 405) return { kind: 'route-missing' };
      if (isServerTrouble(error) || error instanceof UnauthorizedError) return { kind: 'unanswered' };
      // Another answer (a 403 of a middleware, a 400): no word on the route, so it is offered until a request says otherwise.
      return { kind: 'no-allow' };
    }
    return seen.allow === null ? { kind: 'no-allow' } : { kind: 'allow', methods: allowedList(seen.allow) };
  }

  /**
   * One staff action's request: its idempotency key on every try, retried
   * within the call like any idempotent request (the key makes a repeat
   * harmless to a server that stores it; one that does not is sent a repeat
   * only when no answer came). The record of the answer, `{data: record}` or
   * the record itself, read as the lists are; null when there is none to read.
   */
  private async action<R extends 'appointments' | 'consultations'>(
    route: ActionRoute,
    path: string,
    json: unknown,
    options: ActionOptions,
    resource: R,
  ): Promise<ResourceTypes[R] | null> {
    if (!IDEMPOTENCY_KEY.test(options.idempotencyKey)) throw new RangeError(`idempotencyKey must be 1 to 64 letters, digits or -._:, got ${JSON.stringify(options.idempotencyKey)}`);
    if (options.socketId !== undefined && !SOCKET_ID.test(options.socketId)) throw new RangeError(`socketId must look like 1234.5678, got ${JSON.stringify(options.socketId)}`);
    const method = this.profile.methods[route];
    const headers: Record<string, string> = { 'Idempotency-Key': options.idempotencyKey };
    if (options.socketId !== undefined) headers['X-Socket-ID'] = options.socketId;
    const answer = await this.send({ method, path, ...(json === undefined ? {} : { json }), headers, schema: z.unknown(), retry: 'idempotent', authenticated: true, emptyOk: true });
    if (answer === undefined || answer === null) return null;
    try {
      return this.readItem(resource, answer, { status: 200, url: this.url(path), method });
    } catch (error) {
      // Done all the same: the broadcast (or the next read) brings the record.
      this.logger.warn('the answer to a staff action could not be read; the list will be read instead', { method, path, error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  // ---------------------------------------------------------- broadcasting ---

  /**
   * `POST {baseUrl}/broadcasting/auth`, form-encoded as pusher-js sends it.
   * The answer feeds pusher-js's `channelAuthorization.customHandler`.
   */
  async authorizeChannel(socketId: string, channelName: string): Promise<{ auth: string; channel_data?: string }> {
    if (!SOCKET_ID.test(socketId)) throw new RangeError(`socketId must look like 1234.5678, got ${JSON.stringify(socketId)}`);
    if (!CHANNEL_NAME.test(channelName)) throw new RangeError(`not a channel name: ${JSON.stringify(channelName)}`);
    const presence = channelName.startsWith('presence-');
    const schema = ChannelAuthorization.superRefine((answer, ctx) => {
      if (!presence) return;
      let data: unknown;
      try {
        data = answer.channel_data === undefined ? undefined : JSON.parse(answer.channel_data);
      } catch {
        data = undefined;
      }
      if (!PresenceChannelData.safeParse(data).success) {
        ctx.addIssue({ code: 'custom', path: ['channel_data'], message: 'a presence channel needs channel_data, a JSON string with user_id' });
      }
    });
    const answer = await this.send({
      method: 'POST',
      path: this.profile.paths.broadcastingAuth,
      form: { socket_id: socketId, channel_name: channelName },
      schema,
      retry: 'idempotent',
      authenticated: true,
    });
    return answer.channel_data === undefined ? { auth: answer.auth } : { auth: answer.auth, channel_data: answer.channel_data };
  }

  // ------------------------------------------------------------- readers ---

  private readContext(): ReadContext {
    return { user: this.identity, fields: this.profile.fields, nowIso: () => new Date(this.now()).toISOString() };
  }

  /**
   * Every page of a list, following the server's paginator. Records the desk
   * cannot read are left out and counted; when none of a non-empty list can be
   * read, the feature is not understood.
   */
  private async list<R extends 'members' | 'appointments' | 'consultations' | 'conversations' | 'messages'>(
    resource: R,
    path: string,
    query: Record<string, string | number>,
    maxPages = MAX_LIST_PAGES,
  ): Promise<Listing<ResourceTypes[R]>> {
    const init = { status: 200, url: this.url(path), method: 'GET' };
    const items: ResourceTypes[R][] = [];
    let dropped = 0;
    let problem: FieldProblem | null = null;
    let next: Record<string, string> | null = {};
    const asked = new Set<string>();
    for (let page = 0; next !== null && page < maxPages; page++) {
      const key = JSON.stringify(next);
      if (asked.has(key)) break; // a "next" that points back: the end, however the server sees it
      asked.add(key);
      // A thread's history is read one server page at a time (its own size); the synced lists whole.
      const read = readListPage(resource === 'messages' ? await this.get(path, z.unknown(), { ...query, ...next }) : await this.listPage(path, query, next));
      if (!read.ok) throw new NotUnderstoodError(read.problem, init);
      const listing = this.readAll(resource, read.page.records, init, items.length);
      items.push(...listing.items);
      dropped += listing.dropped;
      problem ??= listing.problem;
      next = read.page.next;
    }
    if (items.length === 0 && problem !== null) throw new NotUnderstoodError(problem, init);
    return { items, dropped, problem };
  }

  /**
   * One page of a list, asking for as many records per page as the desk
   * takes (a server's default of 15 would make a busy day five requests): a
   * 422 on the page size is answered with the size the server allows, as for
   * notifications. The size stays in the query of the pages that follow,
   * whose "next" links may leave it out.
   */
  private async listPage(path: string, query: Record<string, string | number>, next: Record<string, string>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const perPage = this.pageSize;
      try {
        return await this.get(path, z.unknown(), { [this.profile.params.perPage]: perPage, ...query, ...next });
      } catch (error) {
        const capped = error instanceof ValidationFailedError ? this.capFrom(error, perPage) : null;
        if (capped === null || attempt >= 5) throw error;
        this.pageCap = capped;
        this.logger.info('the server allows fewer records per page; using its limit', { path, perPage: capped });
      }
    }
  }

  private readAll<R extends keyof ResourceTypes>(resource: R, records: unknown[], init: ApiErrorInit, offset = 0): Listing<ResourceTypes[R]> {
    const ctx = this.readContext();
    const items: ResourceTypes[R][] = [];
    let dropped = 0;
    let problem: FieldProblem | null = null;
    records.forEach((raw, i) => {
      const read = readRecord(resource, raw, ctx, `data.${offset + i}`);
      if (read.ok) items.push(read.value);
      else {
        dropped++;
        problem ??= read.problem;
      }
    });
    if (items.length === 0 && problem !== null) throw new NotUnderstoodError(problem, init);
    return { items, dropped, problem };
  }

  /** A single resource: `{data: {...}}` as API Resources send it, or the record itself. */
  private readItem<R extends keyof ResourceTypes>(resource: R, answer: unknown, init: ApiErrorInit): ResourceTypes[R] {
    const body = isRecord(answer) && isRecord(answer.data) ? answer.data : answer;
    const read = readRecord(resource, body, this.readContext(), isRecord(answer) && isRecord(answer.data) ? 'data' : '');
    if (!read.ok) throw new NotUnderstoodError(read.problem, init);
    return read.value;
  }

  /** An action whose answer the desk does not need beyond "it worked". */
  private write(action: keyof ResolvedProfile['methods'], path: string): Promise<unknown> {
    return this.send({ method: this.profile.methods[action], path, schema: z.unknown(), retry: 'idempotent', authenticated: true, emptyOk: true });
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  // ------------------------------------------------------------ plumbing ---

  private get<T>(path: string, schema: z.ZodType<T>, query?: Call<T>['query'], cursor?: string): Promise<T> {
    return this.send({ method: 'GET', path, schema, retry: 'idempotent', authenticated: true, ...(query === undefined ? {} : { query }), ...(cursor === undefined ? {} : { cursor }) });
  }

  private post<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.send({ method: 'POST', path, schema, retry: 'idempotent', authenticated: true });
  }

  private async send<T>(call: Call<T>): Promise<T>;
  private async send(call: Call<null>): Promise<void>;
  private async send<T>(call: Call<T>): Promise<T | undefined> {
    const priority = call.priority ?? (userInitiated.getStore() === true ? 'user' : 'background');
    const admission = this.budget.begin(priority);
    if (!admission.ok) {
      throw new BackoffError(admission.reason, { status: 0, url: this.buildUrl(call), method: call.method, retryAfterMs: admission.waitMs });
    }
    const ticket = admission.ticket;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.attempt(call, attempt);
        // The budget's listeners (the session's timers) must not inherit a user's mark.
        userInitiated.exit(() => this.budget.answered(ticket));
        return result;
      } catch (error) {
        userInitiated.exit(() => {
          if (isServerTrouble(error)) this.budget.failed(ticket, retryAfterOf(error));
          else if (error instanceof ApiError) this.budget.answered(ticket);
          else this.budget.release(ticket);
        });
        const delayMs = this.retryDelay(call, error, attempt);
        // A user's request that timed out is not held for another timeout: the outbox (or the user) tries again.
        const userTimeout = priority === 'user' && error instanceof NetworkError && error.timedOut;
        if (delayMs === null || userTimeout || !this.budget.mayRetry(ticket)) throw error;
        this.logger.warn('api request will be retried', {
          method: call.method,
          path: call.path,
          attempt,
          delayMs,
          error: error instanceof ApiError ? `${error.name} ${error.status}` : String(error),
        });
        await this.sleep(delayMs);
        this.budget.retrying(ticket);
      }
    }
  }

  /** How long to wait before trying again, or null to give up. */
  private retryDelay(call: Call<unknown>, error: unknown, attempt: number): number | null {
    if (attempt >= this.retry.attempts) return null;
    if (error instanceof RateLimitedError) {
      if (call.retry !== 'idempotent') return null;
      if (error.retryAfterMs === null) return this.backoff(attempt);
      // A longer wait than we are prepared to hold the caller for: its own scheduling decides.
      return error.retryAfterMs <= this.retry.maxDelayMs ? error.retryAfterMs : null;
    }
    if (error instanceof ServerError && TRANSIENT_STATUSES.has(error.status)) {
      if (error.retryAfterMs === null) return this.backoff(attempt);
      return error.retryAfterMs <= this.retry.maxDelayMs ? error.retryAfterMs : null;
    }
    if (error instanceof NetworkError && (error.code === null || !PERMANENT_NETWORK_CODES.test(error.code))) return this.backoff(attempt);
    return null;
  }

  /** Exponential, capped, with jitter over the upper half so that desks restarted together spread out. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private buildUrl(call: Call<unknown>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${this.baseUrl}${call.path}${search === '' ? '' : `?${search}`}`;
  }

  private async attempt<T>(call: Call<T>, attempt: number): Promise<T | undefined> {
    const url = this.buildUrl(call);
    const token = call.authenticated ? this.currentToken : null;
    // Without Accept, Laravel answers a 401 with a redirect to /login: signed-out would look like "not a clinic".
    const headers: Record<string, string> = { Accept: 'application/json', ...call.headers };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (this.userAgent !== undefined) headers['User-Agent'] = this.userAgent;
    const validated = call.method === 'GET' ? this.conditional.lookup(url) : null;
    if (validated !== null) headers['If-None-Match'] = validated.etag;
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['Content-Type'] = 'application/json';
    } else if (call.form !== undefined) {
      body = new URLSearchParams(call.form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const started = Date.now();
    const init = { status: 0, url, method: call.method };
    try {
      let res: Response;
      let text: string;
      try {
        this.transferred.requests++;
        res = await this.fetchImpl(url, { method: call.method, headers, body, redirect: 'manual', signal: controller.signal });
        text = await readText(res, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) throw new NotAClinicError(`the answer is larger than ${MAX_BODY_BYTES} bytes`, init);
        throw this.networkError(error, timedOut, init);
      }
      this.transferred.bytes += Buffer.byteLength(text);
      call.onHeaders?.(res.headers);
      this.logger.debug('api request', { method: call.method, path: call.path, status: res.status, ms: Date.now() - started, attempt });
      if (call.method === 'GET') {
        // 304: the copy the validator named is still the server's answer.
        const kept = res.status === 304 && validated !== null ? validated.text : null;
        if (kept !== null) {
          this.transferred.notModified++;
          return this.interpret(call, new Response(kept, { status: 200, headers: { 'content-type': 'application/json' } }), kept, token);
        }
        if (res.status >= 200 && res.status < 300) {
          const family = call.cursor === undefined ? null : this.buildUrl({ ...call, query: { ...call.query, [call.cursor]: undefined } });
          this.conditional.remember(url, res.headers.get('etag'), text, family);
        }
        else this.conditional.forget(url);
      }
      return this.interpret(call, res, text, token);
    } finally {
      clearTimeout(timer);
    }
  }

  private networkError(error: unknown, timedOut: boolean, init: ApiErrorInit): NetworkError {
    const code = errorCode(error);
    const what = timedOut ? `no answer within ${this.timeoutMs} ms` : describeNetworkFailure(code, error);
    return new NetworkError(`${what} (${init.method} ${init.url})`, { ...init, cause: error, timedOut, code: timedOut ? null : code });
  }

  private interpret<T>(call: Call<T>, res: Response, text: string, sentToken: string | null): T | undefined {
    const status = res.status;
    const base = { status, url: this.buildUrl(call), method: call.method };
    const contentType = res.headers.get('content-type') ?? '';
    const json = parseJson(text);
    // A 5xx message is Laravel's exception text in debug mode (SQL with its values, a stack): not repeated.
    const serverMessage = status >= 500 ? null : serverSaid(json.ok ? (ErrorBody.safeParse(json.value).data?.message ?? null) : null);
    const init = { ...base, serverMessage };
    const said = serverMessage === null ? '' : `: ${serverMessage}`;

    if (status >= 300 && status < 400) throw new NotAClinicError(describeRedirect(status, res.headers.get('location'), base.url), init);
    if (status >= 200 && status < 300) {
      if (call.schema === null || (call.emptyOk && text.trim() === '')) return undefined;
      if (!json.ok) throw new NotAClinicError(json.tooDeep === undefined ? describeNonJson(status, contentType, text) : `its answer (${status}) is JSON ${json.tooDeep}`, init);
      const parsed = call.schema.safeParse(json.value);
      if (!parsed.success) throw new NotAClinicError(`its answer (${status}) does not match the clinic API: ${describeIssues(parsed.error)}`, init);
      return parsed.data;
    }
    if (status === 401) {
      if (sentToken !== null && sentToken === this.currentToken && !call.quiet401) this.notifyUnauthorized();
      throw new UnauthorizedError(`${call.method} ${call.path} answered 401${said || ': not signed in'}`, init);
    }
    if (status === 403) throw new ForbiddenError(`${call.method} ${call.path} answered 403${said || ': not allowed'}`, init);
    if (status === 404) {
      // With Accept: application/json Laravel's 404 is JSON; an HTML one means the address is not a clinic's API.
      if (!json.ok) throw new NotAClinicError(`${call.path} does not exist there (${describeNonJson(status, contentType, text)})`, init);
      throw new NotFoundError(`${call.method} ${call.path} answered 404${said}`, init);
    }
    if (status === 409) throw new ConflictError(`${call.method} ${call.path} answered 409${said || ': conflict'}`, init);
    if (status === 422) {
      if (!json.ok) throw new NotAClinicError(describeNonJson(status, contentType, text), init);
      const fields = ValidationErrorBody.safeParse(json.value).data?.errors ?? {};
      throw new ValidationFailedError(`${call.method} ${call.path} answered 422${said}`, { ...init, fields });
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new RateLimitedError(`${call.method} ${call.path} answered 429${said || ': too many requests'}`, { ...init, retryAfterMs });
    }
    // Behind a proxy a 5xx may well be HTML (nginx's "502 Bad Gateway"): still the server's trouble, not "not a clinic".
    if (status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new ServerError(`${call.method} ${call.path} answered ${status}${said}`, { ...init, retryAfterMs });
    }
    throw new ApiError(`${call.method} ${call.path} answered ${status}${said}`, init);
  }

  private notifyUnauthorized(): void {
    for (const listener of [...this.unauthorizedListeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error('onUnauthorized listener failed', { error: String(error) });
      }
    }
  }
}

// -------------------------------------------------------------- helpers ---

function checkInt(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got ${value}`);
  }
  return value;
}

function checkId(value: number, name: string): number {
  return checkInt(value, name, 1);
}

class BodyTooLarge extends Error {}

async function readText(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  if (res.body === null) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * A failure of the server rather than an answer: no answer at all, a 5xx, a
 * 429, or something that is not the clinic's API (an HTML page, a redirect,
 * JSON cut short). A 401, 403, 404 or 422 is an answer.
 */
function isServerTrouble(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof ServerError || error instanceof RateLimitedError) return true;
  return error instanceof NotAClinicError && !(error instanceof NotUnderstoodError);
}

/** `Allow: GET, HEAD, PATCH` (or `GET,HEAD,PATCH`, as Laravel writes it), upper case. */
function allowedList(header: string): string[] {
  return header
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter((m) => /^[A-Z]{1,20}$/.test(m));
}

function retryAfterOf(error: unknown): number | null {
  return error instanceof ServerError || error instanceof RateLimitedError ? error.retryAfterMs : null;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; tooDeep?: string } {
  if (text.trim() === '') return { ok: false };
  // Before parsing: the readers and zod walk what JSON.parse builds, and a depth bomb must not reach them.
  const tooDeep = jsonTextProblem(text);
  if (tooDeep !== null) return { ok: false, tooDeep };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Where a redirect points, without its query or fragment (which may carry a token or a session). */
function describeRedirect(status: number, location: string | null, url: string): string {
  if (location === null) return `it answered with a redirect (${status}) instead of JSON`;
  let hint = '';
  let where = 'another address';
  try {
    const target = new URL(location, url);
    const from = new URL(url);
    where = `${target.origin}${target.pathname}`;
    if (from.protocol === 'http:' && target.protocol === 'https:' && target.host === from.host) hint = '; use the https:// address';
    else if (/\/login\/?$/.test(target.pathname)) hint = "; a login page answered, not the API: use the Laravel app's base URL (without /api)";
  } catch {
    // An unparsable Location is not repeated: it is the server's text.
  }
  return `it answered with a redirect (${status}) to ${where} instead of JSON${hint}`;
}

/**
 * What came instead of JSON, named, never quoted: a body may hold a token (a
 * truncated login answer) or patient data (the start of another answer).
 */
function describeNonJson(status: number, contentType: string, text: string): string {
  if (text.trim() === '') return `it answered ${status} with an empty body instead of JSON`;
  if (/html/i.test(contentType) || /^\s*</.test(text)) return `it answered ${status} with an HTML page instead of JSON`;
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) return `it answered ${status} with JSON that is cut short or malformed (${text.length} characters)`;
  return `it answered ${status} with ${type === '' ? 'something' : /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'a body'} that is not JSON (${text.length} characters)`;
}

/** The server's own `message`, bounded and on one line: it goes into errors and logs. */
function serverSaid(message: string | null): string | null {
  if (message === null) return null;
  const line = [...message].map((c) => (c < ' ' || c === '\u007f' ? ' ' : c)).join('').replace(/ {2,}/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.join('.')}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function errorCode(error: unknown): string | null {
  for (let e = error, depth = 0; e !== null && e !== undefined && depth < 5; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return null;
}

function describeNetworkFailure(code: string | null, error: unknown): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused: nothing listens there',
    ECONNRESET: 'the connection was reset',
    EPIPE: 'the connection was closed',
    ENOTFOUND: 'the host name was not found (DNS)',
    EAI_AGAIN: 'the host name could not be looked up (DNS)',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection was closed',
  };
  if (code !== null) {
    const known = words[code];
    if (known !== undefined) return `${known} (${code})`;
    if (PERMANENT_NETWORK_CODES.test(code)) return `TLS certificate problem (${code})`;
    return code;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message === 'fetch failed' ? 'the request failed' : message;
}
