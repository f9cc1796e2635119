import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  AppointmentsQuery,
  CLINIC_WIDE_ROLES,
  ConsultationsQuery,
  LoginRequest,
  SendMessageRequest,
  type User,
} from '../../shared/domain';
import type { DemoBackend } from './demo-backend';
import { createApiDialect, type ApiDialectName, type ListKind, type ListRequest } from './dialects';
import {
  HttpError,
  ValidationError,
  readBody,
  redirect,
  sendHtml,
  sendJson,
  validate,
  wantsJson,
  Router,
  type RequestContext,
} from './http-kit';
import { IdempotencyStore, type IdempotencyUse } from './idempotency';
import type { DemoLogger } from './logger';
import { answerOptions } from './options-answer';
import { phpJsonEncode } from './php-json';
import { authorizeChannel, canSeeAppointment, canSeeBoard, canSeeConsultation, canSeeConversation, doctorSeesClinicOverRest } from './policy';
import { addStaffActionRoutes, socketIdOf, type ActionAnswer } from './staff-action-routes';

/**
 * The clinic's Laravel application as the desk sees it: the REST API of
 * docs/backend-contract.md and `POST /broadcasting/auth`, with Laravel's
 * answers (`{data: ...}` envelopes, 401/403/404/422 bodies, redirects for
 * requests that do not ask for JSON). A dialect (`dialects/`) may reshape
 * the requests and answers of other clinics' apps; the store, authorization
 * and broadcasting stay the same in all of them.
 */

export interface LaravelAppOptions {
  backend: DemoBackend;
  /** Pusher app credentials, to sign channel authorizations as Laravel's PusherBroadcaster does. */
  pusherKey: string;
  pusherSecret: string;
  host?: string;
  port?: number;
  logger: DemoLogger;
  /** The REST dialect (default: 'default', the desk's contract). */
  apiDialect?: ApiDialectName;
}

/** A fault the tests can inject: the next `times` requests to matching paths get `status`. */
export interface InjectedFault {
  path: RegExp;
  status: number;
  times: number;
  /** `Retry-After` of the answer; a 429 without it gets `DEFAULT_RETRY_AFTER_SEC`. */
  retryAfterSec?: number;
  /** Instead of answering, hold the request this long (for client time-outs). */
  delayMs?: number;
  /**
   * Answer with this body instead of Laravel's JSON error (a proxy's HTML
   * page, JSON cut short, a redirect with `headers: {Location}`); default
   * content type `text/html`.
   */
  raw?: { body: string; contentType?: string; headers?: Record<string, string> };
}

/** `Retry-After` of an injected 429 that does not set one. */
export const DEFAULT_RETRY_AFTER_SEC = 1;

/** One request served: its method, path (no query) and status. */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

/** What requests cost, per `METHOD /path` and in all. */
export interface PathTraffic {
  requests: number;
  /** Answered `304 Not Modified`. */
  notModified: number;
  /** Body bytes sent (0 for a 204 or 304; headers not counted). */
  bytes: number;
}

export interface TrafficReport extends PathTraffic {
  /** Keyed `GET /api/appointments` (the path without its query). */
  byPath: Record<string, PathTraffic>;
}

export interface LaravelApp {
  readonly url: string;
  readonly port: number;
  injectFault(fault: InjectedFault): void;
  clearFaults(): void;
  /** Requests served, in order; the tests use it to see what a client asked. */
  readonly requestLog: ReadonlyArray<RequestRecord>;
  /** Requests, 304s and body bytes since the start or the last `resetTraffic()`, per path and in all. */
  traffic(): TrafficReport;
  /** How often an `Idempotency-Key` came with a staff action, and how often its first answer was replayed or the key refused. */
  idempotencyUses(key: string): IdempotencyUse;
  resetTraffic(): void;
  close(): Promise<void>;
}

const AuthRequest = z.object({
  socket_id: z.string().regex(/^\d+\.\d+$/, 'must look like 1234.5678'),
  channel_name: z.string().min(1).max(200),
});

export async function startLaravelApp(options: LaravelAppOptions): Promise<LaravelApp> {
  const { backend, logger } = options;
  const store = backend.store;
  const faults: InjectedFault[] = [];
  const requestLog: RequestRecord[] = [];
  /** The body bytes of each request in `requestLog`, at the same index. */
  const bytesLog: number[] = [];
  let trafficFrom = 0;
  const router = new Router();
  const dialect = createApiDialect(options.apiDialect ?? 'default', store);
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    sendJson(res, status, body, headers, dialect.encode);
  const sendList = <K extends ListKind>(ctx: RequestContext, u: User, kind: K, rows: ListRequest<K>['rows']) => {
    const body = dialect.list({ kind, rows, user: u, url: ctx.url, req: ctx.req });
    if (!dialect.etags) return send(ctx.res, 200, body);
    // `cache.headers:etag`: a weak validator of the body; a client that has it gets 304 and no body.
    const etag = `W/"${createHash('md5').update(dialect.encode(body)).digest('hex')}"`;
    if (etagMatches(ctx.req.headers['if-none-match'], etag)) {
      ctx.res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache, private' }).end();
      return;
    }
    send(ctx.res, 200, body, { ETag: etag });
  };
  const present = dialect.present;
  const idempotency = new IdempotencyStore<ActionAnswer>(() => store.clock());

  const user = (ctx: RequestContext): User => {
    const header = ctx.req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const found = token ? store.userByToken(token) : null;
    if (!found) throw new HttpError(401, 'Unauthenticated.');
    return found;
  };
  const staff = (ctx: RequestContext): User => {
    const u = user(ctx);
    if (!canSeeBoard(u)) throw new HttpError(403, 'This action is unauthorized.');
    return u;
  };
  const query = (ctx: RequestContext) => Object.fromEntries(ctx.url.searchParams);
  const idParam = (ctx: RequestContext, key = 'id') => Number(ctx.params[key]);
  const notFound = (model: string, id: number) => new HttpError(404, `No query results for model [App\\Models\\${model}] ${id}`);

  router
    .on('GET', '/up', ({ res }) => sendHtml(res, 200, 'Application up'))
    .on('POST', '/api/login', async ({ req, res }) => {
      const input = validate(LoginRequest, await readBody(req));
      const session = store.login(input.email, input.password);
      if (!session) throw new ValidationError({ email: ['These credentials do not match our records.'] });
      logger.info('login', { userId: session.user.id });
      send(res, 200, { token: session.token, user: present.user(session.user) });
    })
    .on('POST', '/api/logout', (ctx) => {
      user(ctx);
      const token = /^Bearer\s+(.+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1]?.trim() ?? '';
      store.revokeToken(token);
      ctx.res.writeHead(204).end();
    })
    .on('GET', '/api/user', (ctx) => {
      const shaped = present.user(user(ctx));
      send(ctx.res, 200, dialect.wrapsUser ? { data: shaped } : shaped);
    })
    .on('POST', '/broadcasting/auth', async (ctx) => {
      const u = user(ctx);
      const input = validate(AuthRequest, await readBody(ctx.req));
      const decision = authorizeChannel(store, u, input.channel_name, { doctorView: dialect.doctorView });
      if (!decision.allow) {
        logger.info('channel refused', { userId: u.id, channel: input.channel_name, reason: decision.reason });
        throw new HttpError(403, 'This action is unauthorized.');
      }
      // The channel callback's array is the dialect's; the user id is always Laravel's string.
      const presence = decision.presence ? { user_id: decision.presence.user_id, user_info: dialect.presenceUserInfo(u) } : null;
      const channelData = presence ? phpJsonEncode(presence) : null;
      const toSign = channelData === null ? `${input.socket_id}:${input.channel_name}` : `${input.socket_id}:${input.channel_name}:${channelData}`;
      const signature = createHmac('sha256', options.pusherSecret).update(toSign).digest('hex');
      const auth = `${options.pusherKey}:${signature}`;
      send(ctx.res, 200, channelData === null ? { auth } : { auth, channel_data: channelData });
    });

  // A minimal clinic app has nothing else: every other route is Laravel's 404.
  if (dialect.fullApi) {
    router
      .on('GET', '/api/clinic/members', (ctx) => {
        const u = staff(ctx);
        sendList(ctx, u, 'members', store.members(u.clinic_id));
      })
      .on('GET', '/api/notifications', (ctx) => {
        const u = user(ctx);
        sendList(ctx, u, 'notifications', store.listNotifications(u.id, 0, Number.MAX_SAFE_INTEGER).data);
      })
      .on('POST', '/api/notifications/read-all', (ctx) => {
        const u = user(ctx);
        send(ctx.res, 200, { data: { updated: store.markAllNotificationsRead(u.id) } });
      })
      .on('POST', '/api/notifications/{id}/read', (ctx) => {
        const u = user(ctx);
        const n = store.markNotificationRead(u.id, idParam(ctx));
        if (!n) throw notFound('Notification', idParam(ctx));
        send(ctx.res, 200, { data: present.notification(n) });
      })
      .on('DELETE', '/api/notifications/{id}', (ctx) => {
        const u = user(ctx);
        if (!store.deleteNotification(u.id, idParam(ctx))) throw notFound('Notification', idParam(ctx));
        ctx.res.writeHead(204).end();
      })
      .on('GET', '/api/appointments/{id}', (ctx) => {
        const u = user(ctx);
        const appointment = store.appointment(idParam(ctx));
        if (!appointment) throw notFound('Appointment', idParam(ctx));
        if (!canSeeAppointment(store, u, appointment, dialect.doctorView)) throw new HttpError(403, 'This action is unauthorized.');
        send(ctx.res, 200, { data: present.appointment(appointment) });
      })
      .on('GET', '/api/consultations/{id}', (ctx) => {
        const u = user(ctx);
        const consultation = store.consultation(idParam(ctx));
        if (!consultation) throw notFound('Consultation', idParam(ctx));
        if (!canSeeConsultation(store, u, consultation.id)) throw new HttpError(403, 'This action is unauthorized.');
        send(ctx.res, 200, { data: present.consultation(consultation) });
      })
      .on('GET', '/api/appointments', (ctx) => {
        const u = user(ctx);
        const q = validate(AppointmentsQuery, query(ctx));
        const patientId = store.world.patients.find((p) => p.user_id === u.id)?.id;
        const ownOnly = u.role === 'doctor' && !doctorSeesClinicOverRest(dialect.doctorView);
        const rows = !canSeeBoard(u)
          ? store.appointmentsOn(u.clinic_id, q.date, (a) => a.patient_id === patientId)
          : ownOnly
            ? store.appointmentsOn(u.clinic_id, q.date, (a) => a.doctor_id === u.doctor_id)
            : store.appointmentsOn(u.clinic_id, q.date);
        sendList(ctx, u, 'appointments', rows);
      })
      .on('GET', '/api/consultations', (ctx) => {
        const u = user(ctx);
        const q = validate(ConsultationsQuery, query(ctx));
        const patientId = store.world.patients.find((p) => p.user_id === u.id)?.id;
        const rows = store.consultationsWhere(
          (c) =>
            c.clinic_id === u.clinic_id &&
            (q.status === undefined || c.status === q.status) &&
            (CLINIC_WIDE_ROLES.includes(u.role) ||
              (u.role === 'doctor' && c.doctor_id === u.doctor_id) ||
              (u.role === 'patient' && c.patient_id === patientId)),
        );
        sendList(ctx, u, 'consultations', rows);
      })
      .on('GET', '/api/conversations', (ctx) => {
        const u = staff(ctx);
        const rows = store
          .conversationsWhere((c) => canSeeConversation(store, u, c.id))
          .map((c) => store.conversationFor(c.id, u.id))
          .filter((c) => c !== null);
        sendList(ctx, u, 'conversations', rows);
      })
      .on('GET', '/api/conversations/{id}/messages', (ctx) => {
        const u = staff(ctx);
        if (!canSeeConversation(store, u, idParam(ctx))) throw notFound('Conversation', idParam(ctx));
        sendList(ctx, u, 'messages', store.messagesOf(idParam(ctx), null, Number.MAX_SAFE_INTEGER));
      })
      .on('POST', '/api/conversations/{id}/messages', async (ctx) => {
        const u = staff(ctx);
        if (!canSeeConversation(store, u, idParam(ctx))) throw notFound('Conversation', idParam(ctx));
        const input = validate(SendMessageRequest, await readBody(ctx.req));
        const { message, created } = await backend.postMessage(idParam(ctx), u, input.body, input.client_id, socketIdOf(ctx.req));
        send(ctx.res, created ? 201 : 200, { data: present.message(message) });
      })
      .on('POST', '/api/conversations/{id}/read', async (ctx) => {
        const u = staff(ctx);
        if (!canSeeConversation(store, u, idParam(ctx))) throw notFound('Conversation', idParam(ctx));
        await backend.markConversationRead(idParam(ctx), u);
        const conversation = store.conversationFor(idParam(ctx), u.id);
        send(ctx.res, 200, { data: conversation === null ? null : present.conversation(conversation) });
      });
  }

  if (dialect.staffActions !== null) {
    addStaffActionRoutes({
      router,
      backend,
      routes: dialect.staffActions,
      present,
      user,
      send: (ctx, answer) => send(ctx.res, answer.status, answer.body),
      idempotency,
    });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const fault = faults.find((f) => f.path.test(url.pathname) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
      // Laravel's throttle always tells a 429 client when to come back.
      const retryAfterSec = fault.retryAfterSec ?? (fault.status === 429 ? DEFAULT_RETRY_AFTER_SEC : undefined);
      const headers: Record<string, string> = retryAfterSec === undefined ? {} : { 'Retry-After': String(retryAfterSec) };
      if (fault.raw) {
        res.writeHead(fault.status, { 'Content-Type': fault.raw.contentType ?? 'text/html; charset=UTF-8', ...headers, ...fault.raw.headers }).end(fault.raw.body);
        return;
      }
      send(res, fault.status, { message: fault.status === 429 ? 'Too Many Attempts.' : 'Server Error' }, headers);
      return;
    }
    try {
      if (method === 'OPTIONS') {
        answerOptions(dialect.options, router, req, res, url.pathname);
        return;
      }
      const matched = router.match(method === 'HEAD' ? 'GET' : method, url.pathname);
      if (!matched) throw new HttpError(404, `The route ${url.pathname.slice(1)} could not be found.`);
      if ('allowed' in matched) {
        const allowed = matched.allowed.join(', ');
        throw new HttpError(405, `The ${method} method is not supported for route ${url.pathname.slice(1)}. Supported methods: ${allowed}.`, { Allow: allowed });
      }
      await matched.handler({ req, res, url, params: matched.params });
    } catch (error) {
      renderError(req, res, error, logger, dialect.encode);
    }
  };

  const server: Server = createServer((req, res) => {
    const counted = countBodyBytes(res);
    res.on('finish', () => {
      requestLog.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', status: res.statusCode });
      bytesLog.push(counted.bytes);
    });
    handle(req, res).catch((error: unknown) => renderError(req, res, error, logger, dialect.encode));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closed: Promise<void> | null = null;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requestLog,
    traffic: () => trafficOf(requestLog.slice(trafficFrom), bytesLog.slice(trafficFrom)),
    resetTraffic: () => {
      trafficFrom = requestLog.length;
    },
    idempotencyUses: (key) => idempotency.usesOf(key),
    injectFault: (fault) => faults.push({ ...fault }),
    clearFaults: () => faults.splice(0, faults.length),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Symfony's `isNotModified()`: any of the listed validators (or `*`) matches, compared weakly. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  const listed = (Array.isArray(header) ? header.join(',') : header).split(',').map((t) => t.trim()).filter((t) => t !== '');
  return listed.some((tag) => tag === '*' || weak(tag) === weak(etag));
}

/** Counts the body bytes a response writes (whatever writes them: JSON, HTML, a raw fault). */
function countBodyBytes(res: ServerResponse): { bytes: number } {
  const counted = { bytes: 0 };
  const size = (chunk: unknown) => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.byteLength : 0);
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    counted.bytes += size(chunk);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') counted.bytes += size(chunk);
    return end(chunk, ...rest);
  }) as typeof res.end;
  return counted;
}

function trafficOf(records: readonly RequestRecord[], bytes: readonly number[]): TrafficReport {
  const report: TrafficReport = { requests: 0, notModified: 0, bytes: 0, byPath: {} };
  records.forEach((r, i) => {
    const key = `${r.method} ${r.path}`;
    const entry = (report.byPath[key] ??= { requests: 0, notModified: 0, bytes: 0 });
    for (const t of [entry, report]) {
      t.requests++;
      t.bytes += bytes[i] ?? 0;
      if (r.status === 304) t.notModified++;
    }
  });
  return report;
}

/** Laravel's exception handler: JSON for JSON requests, a redirect or an HTML page for the rest. */
function renderError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: DemoLogger, encode: (body: unknown) => string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const json = wantsJson(req);
  if (error instanceof ValidationError) {
    if (json) sendJson(res, 422, { message: error.message, errors: error.errors }, {}, encode);
    else redirect(res, req.headers.referer ?? '/');
    return;
  }
  if (error instanceof HttpError) {
    if (error.status === 401 && !json) {
      redirect(res, '/login');
      return;
    }
    if (json) sendJson(res, error.status, { message: error.message }, error.headers, encode);
    else sendHtml(res, error.status, error.status === 404 ? 'Not Found' : error.message, error.headers);
    return;
  }
  logger.warn('unhandled error in demo API', { error: error instanceof Error ? error.stack : String(error) });
  if (json) sendJson(res, 500, { message: 'Server Error' }, {}, encode);
  else sendHtml(res, 500, 'Server Error');
}
