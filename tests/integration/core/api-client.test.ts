/**
 * The REST client against the demo clinic over real HTTP on 127.0.0.1: every
 * method of the contract, the typed errors, retries (with injected faults and
 * a sleep that records instead of waiting), time-outs, refused connections,
 * and servers that are not a clinic back end at all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApiClient,
  ApiError,
  ForbiddenError,
  NetworkError,
  NotAClinicError,
  NotUnderstoodError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
  ValidationFailedError,
  type ApiClientOptions,
} from '../../../src/main/core/api/client';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { channels } from '../../../src/shared/channels';
import { Appointment, ClinicMember, Consultation, Conversation, LoginResponse, Message, Notification, User } from '../../../src/shared/domain';
import { closedPort, plainServer, recordingSleep, type PlainServer } from '../../helpers/core';
import { DemoHarness, TODAY, account, hmacHex, request } from '../../helpers/demo';

const RECEPTION1 = 'reception1@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
const PATIENT = 'patient@northside.clinic.test';
const SOCKET_ID = '1234.5678';

const sharedHarness = new DemoHarness();
const harness = new DemoHarness();
let shared: DemoClinic;
const servers: PlainServer[] = [];

beforeAll(async () => {
  shared = await sharedHarness.clinic();
});
afterAll(() => sharedHarness.cleanup());
afterEach(async () => {
  await harness.cleanup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A client for `baseUrl` whose retries wait no time; `delays` has what they asked for. */
function makeClient(baseUrl: string, options: Partial<ApiClientOptions> = {}) {
  const recorder = recordingSleep();
  const client = new ApiClient({ baseUrl, sleep: recorder.sleep, random: () => 0.5, ...options });
  return { client, delays: recorder.delays };
}

async function signedIn(clinic: DemoClinic, email: string, options: Partial<ApiClientOptions> = {}) {
  const made = makeClient(clinic.info.apiUrl, options);
  const session = await made.client.login(email, 'password');
  return { ...made, user: session.user };
}

/** The error a promise rejects with (fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function server(handler: Parameters<typeof plainServer>[0]): Promise<PlainServer> {
  const s = await plainServer(handler);
  servers.push(s);
  return s;
}

const requestsTo = (clinic: DemoClinic, method: string, path: string) => clinic.api.requestLog.filter((r) => r.method === method && r.path === path);

// ------------------------------------------------------------ happy paths ---

describe('every method against the demo clinic', () => {
  it('login keeps the token; user() and members() answer validated shapes', async () => {
    const { client } = makeClient(shared.info.apiUrl);
    expect(client.token).toBeNull();
    const session = await client.login(RECEPTION1, 'password');
    expect(LoginResponse.parse(session)).toEqual(session);
    expect(client.token).toBe(session.token);
    const me = await client.user();
    expect(User.parse(me)).toEqual(me);
    expect(me).toEqual(session.user);
    expect(me.id).toBe(account(shared, RECEPTION1).id);

    const listing = await client.members();
    expect(listing).toMatchObject({ dropped: 0, problem: null });
    const members = listing.items;
    expect(z.array(ClinicMember).parse(members)).toEqual(members);
    expect(members.map((m) => m.id).sort((a, b) => a - b)).toEqual(shared.store.members(1).map((m) => m.id).sort((a, b) => a - b));
  });

  it('notifications pages ascending after an id', async () => {
    const { client, user } = await signedIn(shared, DOCTOR1);
    const all = shared.store.listNotifications(user.id, 0, 500).data;
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = await (await signedIn(shared, DOCTOR1, { profile: { pageSize: 1 } })).client.notificationsPage(0);
    expect(z.array(Notification).parse(first.items)).toEqual(first.items);
    expect(first.items.map((n) => n.id)).toEqual([all[0]?.id]);
    expect(first).toMatchObject({ hasNext: true, dropped: 0, problem: null });
    const rest = await client.notificationsPage(all[0]?.id ?? 0);
    expect(rest.items.map((n) => n.id)).toEqual(all.slice(1).map((n) => n.id));
    expect(rest.hasNext).toBe(false);
  });

  it('appointments, consultations (all and by status), conversations and messages', async () => {
    const { client } = await signedIn(shared, RECEPTION1);
    const board = (await client.appointments(TODAY)).items;
    expect(z.array(Appointment).parse(board)).toEqual(board);
    expect(board.length).toBeGreaterThan(0);
    expect(board.map((a) => a.id)).toEqual(shared.store.appointmentsOn(1, TODAY).map((a) => a.id));

    const consultations = (await client.consultations()).items;
    expect(z.array(Consultation).parse(consultations)).toEqual(consultations);
    const active = (await client.consultations('active')).items;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((c) => c.status === 'active')).toBe(true);
    expect(active.map((c) => c.id)).toEqual(consultations.filter((c) => c.status === 'active').map((c) => c.id));

    const conversations = (await client.conversations()).items;
    expect(z.array(Conversation).parse(conversations)).toEqual(conversations);
    const conversation = conversations[0]!;
    const messages = await client.messages(conversation.id);
    expect(z.array(Message).parse(messages)).toEqual(messages);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.map((m) => m.id)).toEqual([...messages.map((m) => m.id)].sort((a, b) => a - b));
    const older = await client.messages(conversation.id, messages[messages.length - 1]!.id);
    expect(older.map((m) => m.id)).toEqual(messages.slice(0, -1).map((m) => m.id));
  });

  it('mark read, read all, delete (then 404), send (idempotent by client_id, with X-Socket-ID), conversation read, logout', async () => {
    const clinic = await harness.clinic();
    const { client, user } = await signedIn(clinic, RECEPTION1);
    const page = await client.notificationsPage(0);
    const unread = page.items.find((n) => n.read_at === null)!;
    await client.markNotificationRead(unread.id);
    const readAt = clinic.store.listNotifications(user.id, 0, 500).data.find((n) => n.id === unread.id)?.read_at;
    expect(readAt).not.toBeNull();
    // Idempotent on the server too.
    await client.markNotificationRead(unread.id);
    expect(clinic.store.listNotifications(user.id, 0, 500).data.find((n) => n.id === unread.id)?.read_at).toBe(readAt);

    clinic.store.createNotification({ user_id: user.id, type: 'system', title: 'x', message: 'y', action_url: null });
    await client.markAllNotificationsRead();
    expect(clinic.store.listNotifications(user.id, 0, 500).data.filter((n) => n.read_at === null)).toEqual([]);

    await expect(client.deleteNotification(unread.id)).resolves.toBeUndefined();
    const gone = await failure(client.deleteNotification(unread.id));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect((gone as NotFoundError).status).toBe(404);

    const conversation = (await client.conversations()).items[0]!;
    const sent = await client.sendMessage(conversation.id, 'The 10:30 patient is here.', 'desk-client-1', SOCKET_ID);
    expect(Message.parse(sent)).toEqual(sent);
    expect(sent).toMatchObject({ conversation_id: conversation.id, sender_id: user.id, body: 'The 10:30 patient is here.' });
    const again = await client.sendMessage(conversation.id, 'The 10:30 patient is here.', 'desk-client-1');
    expect(again.id).toBe(sent.id);
    expect(clinic.store.messagesOf(conversation.id, null, 200).filter((m) => m.body === sent.body)).toHaveLength(1);

    const marked = await client.markConversationRead(conversation.id);
    if (!marked) throw new Error('the answer of read conversation was not read');
    expect(Conversation.parse(marked)).toEqual(marked);
    expect(marked.unread_count).toBe(0);
    expect(marked.last_read_message_id).toBe(sent.id);

    const token = client.token!;
    await client.logout();
    expect(client.token).toBeNull();
    expect(clinic.store.userByToken(token)).toBeNull();
  });

  it('authorizeChannel: the demo\'s signature for an allowed private or presence channel, ForbiddenError for another user\'s', async () => {
    const { client, user } = await signedIn(shared, DOCTOR1);
    const privateName = channels.notifications(user.id).fullName;
    const privateAuth = await client.authorizeChannel(SOCKET_ID, privateName);
    expect(privateAuth).toEqual({ auth: `${shared.info.appKey}:${hmacHex(shared.info.appSecret, `${SOCKET_ID}:${privateName}`)}` });

    const presenceName = channels.presenceClinic(user.clinic_id).fullName;
    const presence = await client.authorizeChannel(SOCKET_ID, presenceName);
    expect(JSON.parse(presence.channel_data!)).toEqual({ user_id: String(user.id), user_info: { name: user.name, role: 'doctor' } });
    expect(presence.auth).toBe(`${shared.info.appKey}:${hmacHex(shared.info.appSecret, `${SOCKET_ID}:${presenceName}:${presence.channel_data!}`)}`);

    const someoneElse = account(shared, RECEPTION1).id;
    const refused = await failure(client.authorizeChannel(SOCKET_ID, channels.notifications(someoneElse).fullName));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as ForbiddenError).serverMessage).toBe('This action is unauthorized.');
  });

  it('two clients with different tokens in one process keep their own headers', async () => {
    const a = await signedIn(shared, RECEPTION1);
    const b = await signedIn(shared, DOCTOR1);
    expect(a.client.token).not.toBe(b.client.token);
    const results = await Promise.all([a.client.user(), b.client.user(), a.client.user(), b.client.user()]);
    expect(results.map((u) => u.email)).toEqual([RECEPTION1, DOCTOR1, RECEPTION1, DOCTOR1]);
    a.client.setToken(null);
    await expect(a.client.user()).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await b.client.user()).email).toBe(DOCTOR1);
  });

  it('refuses bad arguments before sending anything', async () => {
    const { client } = makeClient(shared.info.apiUrl);
    await expect(client.appointments('26/11/2026')).rejects.toBeInstanceOf(RangeError);
    await expect(client.notificationsPage(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(client.markNotificationRead(1.5)).rejects.toBeInstanceOf(RangeError);
    await expect(client.sendMessage(7001, '   ', 'c')).rejects.toBeInstanceOf(RangeError);
    await expect(client.authorizeChannel('not-a-socket', 'private-notifications.1')).rejects.toBeInstanceOf(RangeError);
    expect(() => new ApiClient({ baseUrl: 'ftp://clinic.example.org' })).toThrow(TypeError);
  });
});

// ------------------------------------------------------------------ errors ---

describe('typed errors', () => {
  it('401 → UnauthorizedError and onUnauthorized fires (once, not retried) when a revoked token is used', async () => {
    const clinic = await harness.clinic();
    const { client, user } = await signedIn(clinic, RECEPTION1);
    let fired = 0;
    const stop = client.onUnauthorized(() => fired++);
    clinic.store.revokeUserTokens(user.id);
    const error = await failure(client.user());
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, method: 'GET', url: `${clinic.info.apiUrl}/api/user`, serverMessage: 'Unauthenticated.' });
    expect(fired).toBe(1);
    expect(requestsTo(clinic, 'GET', '/api/user')).toEqual([{ method: 'GET', path: '/api/user', status: 401 }]);

    stop();
    await expect(client.members()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(fired).toBe(1);
    // Signing out with a token the server already revoked is done, and tells no one.
    const again = client.onUnauthorized(() => fired++);
    await client.logout();
    expect(client.token).toBeNull();
    expect(fired).toBe(1);
    again();
  });

  it('401 without a token does not fire onUnauthorized', async () => {
    const { client } = makeClient(shared.info.apiUrl);
    let fired = 0;
    client.onUnauthorized(() => fired++);
    await expect(client.user()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(fired).toBe(0);
  });

  it('403 → ForbiddenError (a patient asking for the clinic\'s members)', async () => {
    const { client } = await signedIn(shared, PATIENT);
    const error = await failure(client.members());
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ status: 403, serverMessage: 'This action is unauthorized.' });
  });

  it('404 → NotFoundError, not retried', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    const error = await failure(client.markNotificationRead(99_999));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).serverMessage).toBe('No query results for model [App\\Models\\Notification] 99999');
    expect(requestsTo(clinic, 'POST', '/api/notifications/99999/read')).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('422 → ValidationFailedError with the fields (wrong password, invalid email), not retried, token unchanged', async () => {
    const clinic = await harness.clinic();
    const { client } = makeClient(clinic.info.apiUrl);
    const wrong = await failure(client.login(RECEPTION1, 'not-the-password'));
    expect(wrong).toBeInstanceOf(ValidationFailedError);
    expect((wrong as ValidationFailedError).fields).toEqual({ email: ['These credentials do not match our records.'] });
    const invalid = await failure(client.login('not-an-email', ''));
    expect(Object.keys((invalid as ValidationFailedError).fields).sort()).toEqual(['email', 'password']);
    expect(requestsTo(clinic, 'POST', '/api/login')).toHaveLength(2);
    expect(client.token).toBeNull();
  });
});

// ----------------------------------------------------------------- retries ---

describe('retries', () => {
  it('429 with Retry-After: waits that long, then succeeds', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/user$/, status: 429, times: 1, retryAfterSec: 2 });
    expect((await client.user()).email).toBe(RECEPTION1);
    expect(delays).toEqual([2_000]);
    expect(requestsTo(clinic, 'GET', '/api/user').map((r) => r.status)).toEqual([429, 200]);
  });

  it('429 asking for longer than maxDelayMs: RateLimitedError with retryAfterMs, left to the caller', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/notifications$/, status: 429, times: 1, retryAfterSec: 30 });
    const error = await failure(client.notificationsPage(0));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(delays).toEqual([]);
  });

  it('login is not retried on 429 (the throttle is the answer)', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = makeClient(clinic.info.apiUrl);
    clinic.api.injectFault({ path: /^\/api\/login$/, status: 429, times: 1, retryAfterSec: 1 });
    const error = await failure(client.login(RECEPTION1, 'password'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1_000);
    expect(delays).toEqual([]);
    expect(requestsTo(clinic, 'POST', '/api/login')).toHaveLength(1);
  });

  it('503 twice, then success: exponential backoff with jitter', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/appointments$/, status: 503, times: 2 });
    expect((await client.appointments(TODAY)).items.length).toBeGreaterThan(0);
    // random() = 0.5: half the ceiling plus half of the other half; ceilings 250, 500.
    expect(delays).toEqual([188, 375]);
    expect(requestsTo(clinic, 'GET', '/api/appointments').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('503 with Retry-After (maintenance mode) waits as asked; beyond maxDelayMs it is left to the caller', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/consultations$/, status: 503, times: 1, retryAfterSec: 1 });
    await client.consultations();
    expect(delays).toEqual([1_000]);
    clinic.api.injectFault({ path: /^\/api\/consultations$/, status: 503, times: 1, retryAfterSec: 60 });
    const error = await failure(client.consultations());
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).retryAfterMs).toBe(60_000);
    expect(delays).toEqual([1_000]);
  });

  it('sendMessage is retried after a 502 and still creates one message (client_id)', async () => {
    const clinic = await harness.clinic();
    const { client } = await signedIn(clinic, RECEPTION1);
    const conversation = (await client.conversations()).items[0]!;
    clinic.api.injectFault({ path: /\/messages$/, status: 502, times: 1 });
    const sent = await client.sendMessage(conversation.id, 'Retried once', 'retry-1');
    expect(sent.body).toBe('Retried once');
    expect(requestsTo(clinic, 'POST', `/api/conversations/${conversation.id}/messages`).map((r) => r.status)).toEqual([502, 201]);
  });

  it('attempts exhausted → ServerError', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/conversations$/, status: 503, times: 10 });
    const error = await failure(client.conversations());
    expect(error).toBeInstanceOf(ServerError);
    // A 5xx's message is not kept: in debug mode it is the exception's text.
    expect(error).toMatchObject({ status: 503, serverMessage: null, message: 'GET /api/conversations answered 503' });
    expect(delays).toHaveLength(2);
    expect(requestsTo(clinic, 'GET', '/api/conversations')).toHaveLength(3);
  });

  it('500 is not retried', async () => {
    const clinic = await harness.clinic();
    const { client, delays } = await signedIn(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/user$/, status: 500, times: 1 });
    await expect(client.user()).rejects.toBeInstanceOf(ServerError);
    expect(delays).toEqual([]);
  });

  it('a time-out → NetworkError with timedOut; retried, the next attempt succeeds', async () => {
    const clinic = await harness.clinic();
    const { client } = await signedIn(clinic, RECEPTION1, { timeoutMs: 150, retry: { attempts: 1 } });
    clinic.api.injectFault({ path: /^\/api\/user$/, status: 200, times: 1, delayMs: 1_000 });
    const error = await failure(client.user());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: true, status: 0, method: 'GET' });
    expect((error as NetworkError).message).toMatch(/no answer within 150 ms/);

    const retried = await signedIn(clinic, RECEPTION1, { timeoutMs: 150 });
    clinic.api.injectFault({ path: /^\/api\/user$/, status: 200, times: 1, delayMs: 1_000 });
    expect((await retried.client.user()).email).toBe(RECEPTION1);
    expect(retried.delays).toHaveLength(1);
  });

  it('connection refused (a closed port) → NetworkError, retried, not timedOut', async () => {
    const port = await closedPort();
    const { client, delays } = makeClient(`http://127.0.0.1:${port}`);
    const error = await failure(client.user());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: false, code: 'ECONNREFUSED', status: 0 });
    expect((error as NetworkError).message).toMatch(/connection refused/);
    expect(delays).toHaveLength(2);
  });
});

// ------------------------------------------------------- not a clinic ---

describe('servers that are not a clinic back end', () => {
  it('an HTML page → NotAClinicError naming it', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><head><title>Welcome to nginx!</title></head><body></body></html>');
    });
    const { client, delays } = makeClient(s.url);
    const error = await failure(client.user());
    expect(error).toBeInstanceOf(NotAClinicError);
    // Named, never quoted: a page's text is the server's, and may be anything.
    expect((error as NotAClinicError).reason).toBe('it answered 200 with an HTML page instead of JSON');
    expect((error as NotAClinicError).message).toMatch(/does not look like a clinic back end/);
    expect(delays).toEqual([]);
  });

  it('a 302 to /login → NotAClinicError, the redirect not followed', async () => {
    const s = await server((_req, res) => {
      res.writeHead(302, { Location: '/login' }).end();
    });
    const { client } = makeClient(s.url);
    const error = await failure(client.user());
    expect(error).toBeInstanceOf(NotAClinicError);
    expect((error as NotAClinicError).reason).toMatch(/redirect \(302\) to http:\/\/127\.0\.0\.1:\d+\/login instead of JSON; a login page.*base URL/);
    expect(s.requests.map((r) => r.url)).toEqual(['/api/user']);
  });

  it('an http → https redirect suggests the https address', async () => {
    const s = await server((req, res) => {
      res.writeHead(301, { Location: `https://${req.headers.host ?? ''}${req.url ?? ''}` }).end();
    });
    const error = await failure(makeClient(s.url).client.user());
    expect((error as NotAClinicError).reason).toMatch(/use the https:\/\/ address/);
  });

  it('JSON of the wrong shape, non-JSON text, an HTML 404 → NotAClinicError with what was wrong', async () => {
    let answer: () => [number, string, string] = () => [200, 'application/json', '{"id":"seven","name":""}'];
    const s = await server((_req, res) => {
      const [status, type, body] = answer();
      res.writeHead(status, { 'Content-Type': type }).end(body);
    });
    const { client } = makeClient(s.url);
    const shape = (await failure(client.user())) as NotAClinicError;
    expect(shape).toBeInstanceOf(NotAClinicError);
    // The exact place, what was there, and the profile line that would map it.
    expect(shape).toBeInstanceOf(NotUnderstoodError);
    expect((shape as NotUnderstoodError).problem).toMatchObject({ path: 'user.id', seen: '"seven"' });
    expect(shape.reason).toBe('its answer (200) could not be read at user.id: id, a positive whole-number id, got "seven"');

    answer = () => [200, 'text/plain', 'OK'];
    expect(((await failure(client.user())) as NotAClinicError).reason).toBe('it answered 200 with text/plain that is not JSON (2 characters)');

    answer = () => [404, 'text/html', '<html><title>Not Found</title></html>'];
    const missing = (await failure(client.conversations())) as NotAClinicError;
    expect(missing).toBeInstanceOf(NotAClinicError);
    expect(missing.status).toBe(404);
    expect(missing.reason).toMatch(/\/api\/conversations does not exist there/);
  });

  it('a proxy\'s HTML 502 is a ServerError (retried), not "not a clinic"', async () => {
    const s = await server((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><title>502 Bad Gateway</title></html>');
    });
    const { client, delays } = makeClient(s.url);
    await expect(client.user()).rejects.toBeInstanceOf(ServerError);
    expect(delays).toHaveLength(2);
    expect(s.requests).toHaveLength(3);
  });
});

// -------------------------------------------------------------- headers ---

describe('headers', () => {
  it('without Accept the demo redirects to /login; the client always sends it, so it sees a 401', async () => {
    const bare = await request(shared.info.apiUrl, 'GET', '/api/user', { accept: null });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/login');

    const clinic = await harness.clinic();
    const { client } = makeClient(clinic.info.apiUrl);
    await expect(client.user()).rejects.toBeInstanceOf(UnauthorizedError);
    await client.login(DOCTOR1, 'password');
    expect((await client.user()).email).toBe(DOCTOR1);
    expect(requestsTo(clinic, 'GET', '/api/user').map((r) => r.status)).toEqual([401, 200]);
    expect(clinic.api.requestLog.some((r) => r.status >= 300 && r.status < 400)).toBe(false);
  });

  it('every method sends Accept: application/json and the bearer token (not on login), with the right bodies', async () => {
    const s = await server((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"message":"Server Error"}');
    });
    // The retry budget would hold back every call after the first failures (see the retry budget tests): off here.
    const { client } = makeClient(s.url, { userAgent: 'ClinicDesk/test', budget: { threshold: Number.POSITIVE_INFINITY } });
    client.setToken('1|secret-token');
    const calls: Array<() => Promise<unknown>> = [
      () => client.user(),
      () => client.members(),
      () => client.notificationsPage(5),
      () => client.markNotificationRead(3),
      () => client.markAllNotificationsRead(),
      () => client.deleteNotification(3),
      () => client.appointments(TODAY),
      () => client.consultations('pending'),
      () => client.conversations(),
      () => client.messages(7001, 9005),
      () => client.sendMessage(7001, 'Hi', 'c-1', SOCKET_ID),
      () => client.markConversationRead(7001),
      () => client.authorizeChannel(SOCKET_ID, 'private-notifications.3'),
      () => client.logout(),
      () => client.login(RECEPTION1, 'password'),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ServerError);
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/user',
      'GET /api/clinic/members?per_page=500',
      'GET /api/notifications?after_id=5&per_page=500',
      'POST /api/notifications/3/read',
      'POST /api/notifications/read-all',
      'DELETE /api/notifications/3',
      `GET /api/appointments?per_page=500&date=${TODAY}`,
      'GET /api/consultations?per_page=500&status=pending',
      'GET /api/conversations?per_page=500',
      'GET /api/conversations/7001/messages?before_id=9005',
      'POST /api/conversations/7001/messages',
      'POST /api/conversations/7001/read',
      'POST /broadcasting/auth',
      'POST /api/logout',
      'POST /api/login',
    ]);
    for (const r of s.requests) {
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['user-agent']).toBe('ClinicDesk/test');
      expect(r.headers.authorization).toBe(r.url === '/api/login' ? undefined : 'Bearer 1|secret-token');
    }
    const byUrl = (url: string) => s.requests.find((r) => r.url === url)!;
    expect(byUrl('/api/conversations/7001/messages').headers['x-socket-id']).toBe(SOCKET_ID);
    expect(JSON.parse(byUrl('/api/conversations/7001/messages').body)).toEqual({ body: 'Hi', client_id: 'c-1' });
    const auth = byUrl('/broadcasting/auth');
    expect(auth.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(auth.body))).toEqual({ socket_id: SOCKET_ID, channel_name: 'private-notifications.3' });
    expect(JSON.parse(byUrl('/api/login').body)).toEqual({ email: RECEPTION1, password: 'password' });
  });
});
