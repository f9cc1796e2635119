/**
 * The demo clinic's Laravel-like REST API, over real HTTP on 127.0.0.1:
 * status codes, envelopes and bodies (validated with the shared schemas),
 * Laravel's error answers, authorization scoping and paging.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { DEFAULT_RETRY_AFTER_SEC } from '../../../src/main/demo/laravel-app';
import {
  Appointment,
  ClinicMember,
  Consultation,
  Conversation,
  ErrorBody,
  LoginResponse,
  MESSAGE_BODY_MAX,
  Message,
  Notification,
  NotificationPage,
  User,
  ValidationErrorBody,
  itemEnvelope,
  listEnvelope,
} from '../../../src/shared/domain';
import {
  TODAY,
  TOMORROW,
  YESTERDAY,
  account,
  apiClient,
  clientFor,
  login,
  request,
  type ApiClient,
} from '../../helpers/demo';
import { UtcHarness } from './pinned-zone';

const RECEPTION1 = 'reception1@northside.clinic.test';
const RECEPTION2 = 'reception2@northside.clinic.test';
const ADMIN = 'admin@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
const DOCTOR3 = 'doctor3@northside.clinic.test';
const PATIENT = 'patient@northside.clinic.test';
const RIVERSIDE_RECEPTION = 'reception@riverside.clinic.test';
const RIVERSIDE_DOCTOR = 'doctor1@riverside.clinic.test';

const UNAUTHENTICATED = { message: 'Unauthenticated.' };
const UNAUTHORIZED = { message: 'This action is unauthorized.' };

const NotificationList = listEnvelope(Notification);
const AppointmentList = listEnvelope(Appointment);
const ConsultationList = listEnvelope(Consultation);
const ConversationList = listEnvelope(Conversation);
const MessageList = listEnvelope(Message);
const MemberList = listEnvelope(ClinicMember);

const ids = (rows: ReadonlyArray<{ id: number }>) => rows.map((r) => r.id);
const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** Runs against a clinic nobody changes: read-only tests share it. */
const sharedHarness = new UtcHarness();
/** A fresh clinic per test that writes. */
const harness = new UtcHarness();
let shared: DemoClinic;

beforeAll(async () => {
  shared = await sharedHarness.clinic();
});
afterAll(() => sharedHarness.cleanup());
afterEach(() => harness.cleanup());

function expectValidationError(res: { status: number; body: unknown }, fields: string[]) {
  expect(res.status).toBe(422);
  const body = ValidationErrorBody.parse(res.body);
  expect(Object.keys(body.errors).sort()).toEqual([...fields].sort());
  for (const field of fields) expect(body.errors[field]?.length).toBeGreaterThan(0);
  return body;
}

// ------------------------------------------------------------------ login ---

describe('POST /api/login', () => {
  it('answers 200 {token, user} for the right password, and the token works', async () => {
    const expected = account(shared, RECEPTION1);
    const res = await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: RECEPTION1, password: 'password' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = LoginResponse.parse(res.body);
    // The contract's user, with its clinic and the clinic's zone next to clinic_id.
    expect((res.body as { user: unknown }).user).toEqual({
      id: expected.id,
      name: expected.name,
      email: RECEPTION1,
      role: 'reception',
      clinic_id: 1,
      doctor_id: null,
      clinic: { id: 1, name: 'Northside Family Clinic', timezone: shared.timeZone },
    });
    const me = await request(shared.info.apiUrl, 'GET', '/api/user', { token: body.token });
    expect(me.status).toBe(200);
    expect(User.parse(me.body).id).toBe(expected.id);
  });

  it('gives each sign-in its own token', async () => {
    const a = await login(shared, DOCTOR1);
    const b = await login(shared, DOCTOR1);
    expect(a.token).not.toBe(b.token);
    expect(a.user).toEqual(b.user);
  });

  it('answers 422 with errors.email for a wrong password or an unknown email, and no token', async () => {
    for (const json of [
      { email: RECEPTION1, password: 'not-the-password' },
      { email: 'nobody@northside.clinic.test', password: 'password' },
    ]) {
      const res = await request(shared.info.apiUrl, 'POST', '/api/login', { json });
      const body = expectValidationError(res, ['email']);
      expect(body.errors.email).toEqual(['These credentials do not match our records.']);
      expect(body.message).toBe('These credentials do not match our records.');
      expect(res.text).not.toContain('token');
    }
  });

  it('answers 422 with a "required" message per missing field', async () => {
    const res = await request(shared.info.apiUrl, 'POST', '/api/login', { json: {} });
    const body = expectValidationError(res, ['email', 'password']);
    expect(body.errors.email).toEqual(['The email field is required.']);
    expect(body.errors.password).toEqual(['The password field is required.']);
    expect(body.message).toBe('The email field is required. (and 1 more error)');

    const onlyEmail = await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: RECEPTION1 } });
    expect(expectValidationError(onlyEmail, ['password']).errors.password).toEqual(['The password field is required.']);
  });

  it('answers 422 per invalid field (bad email, empty password, wrong types)', async () => {
    expectValidationError(await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: 'not-an-email', password: 'password' } }), ['email']);
    expectValidationError(await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: RECEPTION1, password: '' } }), ['password']);
    const wrongTypes = expectValidationError(
      await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: 42, password: ['password'] } }),
      ['email', 'password'],
    );
    // A field that is there but of the wrong type is invalid, not missing.
    expect(wrongTypes.errors.email![0]).toMatch(/^The email field is invalid: /);
    expect(wrongTypes.errors.password![0]).toMatch(/^The password field is invalid: /);
    // null counts as missing, as Laravel's `required` has it.
    const nulls = expectValidationError(await request(shared.info.apiUrl, 'POST', '/api/login', { json: { email: null, password: null } }), ['email', 'password']);
    expect(nulls.errors).toEqual({ email: ['The email field is required.'], password: ['The password field is required.'] });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await request(shared.info.apiUrl, 'POST', '/api/login', { body: '{"email": "reception1@', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(res.body).message).toMatch(/not valid JSON/);
  });

  it('answers 413 for a body over the size limit, and the following requests still work', async () => {
    // Its own clinic: a connection left in a bad state must not leak into other tests.
    const clinic = await harness.clinic();
    const res = await request(clinic.info.apiUrl, 'POST', '/api/login', { json: { email: RECEPTION1, password: 'x'.repeat(200_000) } });
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(res.body).message).toBe('Payload Too Large');
    // fetch keeps connections alive: the next requests must not land on a half-read one.
    for (let i = 0; i < 3; i++) {
      await expect(login(clinic, RECEPTION1)).resolves.toMatchObject({ user: { email: RECEPTION1 } });
    }
  });

  it('takes a form-encoded body too, as Laravel does', async () => {
    const res = await request(shared.info.apiUrl, 'POST', '/api/login', { form: { email: DOCTOR1, password: 'password' } });
    expect(res.status).toBe(200);
    expect(LoginResponse.parse(res.body).user.email).toBe(DOCTOR1);
  });
});

describe('POST /api/logout', () => {
  it('answers 204, after which that token gets 401 while another token of the same user still works', async () => {
    const clinic = await harness.clinic();
    const first = await login(clinic, RECEPTION1);
    const second = await login(clinic, RECEPTION1);
    const out = await request(clinic.info.apiUrl, 'POST', '/api/logout', { token: first.token });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');

    const after = await request(clinic.info.apiUrl, 'GET', '/api/user', { token: first.token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(UNAUTHENTICATED);
    expect((await request(clinic.info.apiUrl, 'GET', '/api/notifications', { token: first.token })).status).toBe(401);
    expect((await request(clinic.info.apiUrl, 'POST', '/api/logout', { token: first.token })).status).toBe(401);

    expect((await request(clinic.info.apiUrl, 'GET', '/api/user', { token: second.token })).status).toBe(200);

    // Sanctum's "{id}|{secret}" tokens: a token id is never handed out again, even after a logout.
    const third = await login(clinic, RECEPTION1);
    const tokenId = (token: string) => /^(\d+)\|[\w-]{40}$/.exec(token)?.[1];
    const tokenIds = [first, second, third].map((s) => tokenId(s.token));
    expect(tokenIds.every((id) => id !== undefined)).toBe(true);
    expect(new Set(tokenIds).size).toBe(3);
  });

  it('answers 401 without a token', async () => {
    const res = await request(shared.info.apiUrl, 'POST', '/api/logout');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHENTICATED);
  });
});

// ------------------------------------------------------------------- user ---

describe('GET /api/user', () => {
  it('answers the signed-in user, with doctor_id for a doctor', async () => {
    const doctor = account(shared, DOCTOR1);
    const { token } = await login(shared, DOCTOR1);
    const res = await request(shared.info.apiUrl, 'GET', '/api/user', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: doctor.id,
      name: doctor.name,
      email: DOCTOR1,
      role: 'doctor',
      clinic_id: 1,
      doctor_id: doctor.doctorId,
      clinic: { id: 1, name: 'Northside Family Clinic', timezone: shared.timeZone },
    });
    expect(User.parse(res.body).doctor_id).toBe(doctor.doctorId);
    expect(doctor.doctorId).toBeGreaterThanOrEqual(31);
  });

  it('answers 401 {"message":"Unauthenticated."} without a token, with a bad one, or a malformed header', async () => {
    const { token } = await login(shared, RECEPTION1);
    const cases: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer 1|not-a-real-token' },
      { Authorization: `Bearer ${token}x` },
      { Authorization: `Token ${token}` },
      { Authorization: 'Bearer ' },
    ];
    for (const headers of cases) {
      const res = await request(shared.info.apiUrl, 'GET', '/api/user', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.text).toBe(JSON.stringify(UNAUTHENTICATED));
    }
  });

  it('redirects to /login (302) without Accept: application/json, as Laravel does', async () => {
    for (const accept of [null, 'text/html']) {
      const res = await request(shared.info.apiUrl, 'GET', '/api/user', { accept });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/\/login$/);
      expect(res.body).toBeUndefined();
    }
  });

  it('answers JSON to an XHR (X-Requested-With) even without the Accept header', async () => {
    const res = await request(shared.info.apiUrl, 'GET', '/api/user', { accept: null, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHENTICATED);
  });

  it('does not authenticate a request that did not ask for JSON any differently: a valid token still works', async () => {
    const { token } = await login(shared, RECEPTION1);
    const res = await request(shared.info.apiUrl, 'GET', '/api/user', { accept: null, token });
    expect(res.status).toBe(200);
    expect(User.parse(JSON.parse(res.text)).email).toBe(RECEPTION1);
  });
});

// ---------------------------------------------------------------- members ---

describe('GET /api/clinic/members', () => {
  it('lists the staff of the own clinic only, without patients or emails', async () => {
    const api = await clientFor(shared, RECEPTION1);
    const res = await api.get('/api/clinic/members');
    expect(res.status).toBe(200);
    const { data } = MemberList.parse(res.body);
    const expected = shared.info.users.filter((u) => u.clinicId === 1 && u.role !== 'patient');
    expect(ascending(ids(data))).toEqual(ascending(expected.map((u) => u.id)));
    expect(data.every((m) => m.clinic_id === 1 && m.role !== 'patient')).toBe(true);
    expect(new Set(data.map((m) => m.role))).toEqual(new Set(['admin', 'reception', 'doctor']));
    for (const member of data) {
      const user = expected.find((u) => u.id === member.id)!;
      expect(member).toEqual({ id: user.id, name: user.name, role: user.role, clinic_id: 1, doctor_id: user.doctorId ?? null });
    }
    for (const raw of (res.body as { data: object[] }).data) expect(raw).not.toHaveProperty('email');
    expect(ids(data)).not.toContain(account(shared, PATIENT).id);
  });

  it('lists the other clinic for its staff, disjoint from the first', async () => {
    const north = MemberList.parse((await (await clientFor(shared, DOCTOR1)).get('/api/clinic/members')).body).data;
    const river = MemberList.parse((await (await clientFor(shared, RIVERSIDE_DOCTOR)).get('/api/clinic/members')).body).data;
    expect(river.length).toBeGreaterThan(0);
    expect(river.every((m) => m.clinic_id === 2)).toBe(true);
    expect(ids(river).filter((id) => ids(north).includes(id))).toEqual([]);
  });

  it('answers 403 to a patient and 401 without a token', async () => {
    const patient = await clientFor(shared, PATIENT);
    const res = await patient.get('/api/clinic/members');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect((await apiClient(shared).get('/api/clinic/members')).status).toBe(401);
  });
});

// ---------------------------------------------------------- notifications ---

describe('GET /api/notifications', () => {
  it('lists only the own notifications, ascending by id, with meta', async () => {
    const api = await clientFor(shared, RECEPTION2);
    const res = await api.get('/api/notifications');
    expect(res.status).toBe(200);
    const page = NotificationPage.parse(res.body);
    expect(NotificationList.parse(res.body).data).toEqual(page.data);
    const expected = shared.store.world.notifications.filter((n) => n.user_id === api.user.id);
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(page.data)).toEqual(ascending(ids(expected)));
    expect(page.data.every((n) => n.user_id === api.user.id)).toBe(true);
    expect(page.meta).toEqual({ per_page: 50, has_more: false, last_id: Math.max(...ids(expected)) });
  });

  it('pages with after_id/per_page: walking all pages yields every notification once, in order', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION2);
    const other = account(clinic, RECEPTION1);
    // Interleave with another user's notifications so the user's ids have holes.
    for (let i = 0; i < 12; i++) {
      await clinic.backend.notify({ user_id: i % 3 === 0 ? other.id : api.user.id, type: 'system', title: `n${i}`, message: 'm', action_url: null });
    }
    const all = NotificationPage.parse((await api.get('/api/notifications?per_page=500')).body);
    expect(all.meta.has_more).toBe(false);
    expect(all.data.length).toBeGreaterThan(10);
    expect(all.data.every((n) => n.user_id === api.user.id)).toBe(true);

    const perPage = 3;
    const seen: number[] = [];
    let afterId = 0;
    let pages = 0;
    for (;;) {
      const res = await api.get(`/api/notifications?after_id=${afterId}&per_page=${perPage}`);
      expect(res.status).toBe(200);
      const page = NotificationPage.parse(res.body);
      pages++;
      expect(page.meta.per_page).toBe(perPage);
      expect(page.data.length).toBeLessThanOrEqual(perPage);
      expect(page.data.every((n) => n.id > afterId)).toBe(true);
      expect(ids(page.data)).toEqual(ascending(ids(page.data)));
      expect(page.meta.last_id).toBe(page.data.at(-1)?.id ?? null);
      seen.push(...ids(page.data));
      if (!page.meta.has_more) break;
      expect(page.data).toHaveLength(perPage);
      afterId = page.meta.last_id!;
      expect(pages).toBeLessThan(50);
    }
    expect(seen).toEqual(ids(all.data));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(all.data.length / perPage));
  });

  it('says has_more only when more rows exist (exact fit → false), and answers an empty page past the end', async () => {
    const api = await clientFor(shared, RECEPTION2);
    const count = shared.store.world.notifications.filter((n) => n.user_id === api.user.id).length;
    const exact = NotificationPage.parse((await api.get(`/api/notifications?per_page=${count}`)).body);
    expect(exact.data).toHaveLength(count);
    expect(exact.meta.has_more).toBe(false);
    const short = NotificationPage.parse((await api.get(`/api/notifications?per_page=${count - 1}`)).body);
    expect(short.meta.has_more).toBe(true);

    const past = await api.get(`/api/notifications?after_id=${exact.meta.last_id}`);
    expect(past.status).toBe(200);
    expect(NotificationPage.parse(past.body)).toEqual({ data: [], meta: { per_page: 50, has_more: false, last_id: null } });
  });

  it.each([
    ['per_page=0', 'per_page'],
    ['per_page=abc', 'per_page'],
    ['per_page=-5', 'per_page'],
    ['per_page=2.5', 'per_page'],
    ['per_page=501', 'per_page'],
    ['after_id=abc', 'after_id'],
    ['after_id=-1', 'after_id'],
  ])('answers 422 for %s', async (query, field) => {
    const api = await clientFor(shared, RECEPTION2);
    const body = expectValidationError(await api.get(`/api/notifications?${query}`), [field]);
    expect(body.errors[field]![0]).toMatch(new RegExp(`^The ${field.replace('_', ' ')} field is invalid: `));
  });

  it('answers 401 without a token', async () => {
    const res = await apiClient(shared).get('/api/notifications');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHENTICATED);
  });

  it('shows a notification created by the back end after the previous last id', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    const before = NotificationPage.parse((await api.get('/api/notifications')).body);
    const lastId = before.meta.last_id!;
    const { notification } = await clinic.backend.notify({
      user_id: api.user.id,
      type: 'appointment',
      title: 'Patient checked in',
      message: 'Room 2',
      action_url: 'https://northside.clinic.test/appointments/1001',
    });
    // Someone else's new notification must not show up.
    await clinic.backend.notify({ user_id: account(clinic, RECEPTION2).id, type: 'system', title: 'x', message: 'y', action_url: null });

    const res = await api.get(`/api/notifications?after_id=${lastId}`);
    const page = NotificationPage.parse(res.body);
    expect(page.data).toEqual([
      {
        id: notification.id,
        user_id: api.user.id,
        type: 'appointment',
        title: 'Patient checked in',
        message: 'Room 2',
        action_url: 'https://northside.clinic.test/appointments/1001',
        created_at: notification.created_at,
        read_at: null,
      },
    ]);
    expect(notification.id).toBeGreaterThan(lastId);
    expect(page.meta).toEqual({ per_page: 50, has_more: false, last_id: notification.id });
  });
});

describe('notification actions', () => {
  async function setup() {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    const mine = NotificationPage.parse((await api.get('/api/notifications')).body).data;
    const theirs = clinic.store.world.notifications.filter((n) => n.user_id === account(clinic, RECEPTION2).id);
    return { clinic, api, mine, theirs };
  }

  it('POST /{id}/read marks read and is idempotent: read_at does not change on repeat', async () => {
    const { api, mine } = await setup();
    const unread = mine.find((n) => n.read_at === null)!;
    expect(unread).toBeDefined();

    const first = await api.post(`/api/notifications/${unread.id}/read`);
    expect(first.status).toBe(200);
    const marked = itemEnvelope(Notification).parse(first.body).data;
    expect(marked).toMatchObject({ id: unread.id, user_id: api.user.id, title: unread.title });
    expect(marked.read_at).not.toBeNull();

    const again = itemEnvelope(Notification).parse((await api.post(`/api/notifications/${unread.id}/read`)).body).data;
    expect(again.read_at).toBe(marked.read_at);

    const listed = NotificationPage.parse((await api.get('/api/notifications')).body).data.find((n) => n.id === unread.id);
    expect(listed?.read_at).toBe(marked.read_at);

    // An already-read notification keeps its original read_at.
    const read = mine.find((n) => n.read_at !== null)!;
    const reread = itemEnvelope(Notification).parse((await api.post(`/api/notifications/${read.id}/read`)).body).data;
    expect(reread.read_at).toBe(read.read_at);
  });

  it('POST /read-all answers {data:{updated:n}}, then 0; every notification is read afterwards', async () => {
    const { clinic, api, mine } = await setup();
    await clinic.backend.notify({ user_id: api.user.id, type: 'system', title: 'new', message: 'new', action_url: null });
    const unread = mine.filter((n) => n.read_at === null).length + 1;
    expect(unread).toBeGreaterThanOrEqual(2);

    const first = await api.post('/api/notifications/read-all');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { updated: unread } });
    const second = await api.post('/api/notifications/read-all');
    expect(second.body).toEqual({ data: { updated: 0 } });

    const after = NotificationPage.parse((await api.get('/api/notifications')).body).data;
    expect(after.every((n) => n.read_at !== null)).toBe(true);
    // Already-read ones kept their read_at.
    for (const before of mine.filter((n) => n.read_at !== null)) {
      expect(after.find((n) => n.id === before.id)?.read_at).toBe(before.read_at);
    }
  });

  it('read-all leaves other users alone', async () => {
    const { clinic, api, theirs } = await setup();
    await api.post('/api/notifications/read-all');
    const other = await clientFor(clinic, RECEPTION2);
    const list = NotificationPage.parse((await other.get('/api/notifications')).body).data;
    expect(list.filter((n) => n.read_at === null).length).toBe(theirs.filter((n) => n.read_at === null).length);
    expect(list.filter((n) => n.read_at === null).length).toBeGreaterThan(0);
  });

  it('DELETE /{id} answers 204, then 404 for the same id; it is gone from the list', async () => {
    const { api, mine } = await setup();
    const target = mine[0]!;
    const res = await api.delete(`/api/notifications/${target.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const again = await api.delete(`/api/notifications/${target.id}`);
    expect(again.status).toBe(404);
    expect(ErrorBody.parse(again.body).message).toBe(`No query results for model [App\\Models\\Notification] ${target.id}`);
    expect((await api.post(`/api/notifications/${target.id}/read`)).status).toBe(404);

    const list = NotificationPage.parse((await api.get('/api/notifications')).body).data;
    expect(ids(list)).toEqual(ids(mine).filter((id) => id !== target.id));
  });

  it("answers 404 for another user's notification (read and delete) and leaves it untouched", async () => {
    const { clinic, api, theirs } = await setup();
    const target = theirs.find((n) => n.read_at === null)!;
    expect(target).toBeDefined();

    const read = await api.post(`/api/notifications/${target.id}/read`);
    expect(read.status).toBe(404);
    expect(ErrorBody.parse(read.body).message).toContain('Notification');
    const del = await api.delete(`/api/notifications/${target.id}`);
    expect(del.status).toBe(404);

    const owner = await clientFor(clinic, RECEPTION2);
    const still = NotificationPage.parse((await owner.get('/api/notifications')).body).data.find((n) => n.id === target.id);
    expect(still).toBeDefined();
    expect(still?.read_at).toBeNull();
  });

  it('answers 404 for an id that never existed, and 401 without a token', async () => {
    const { clinic, api } = await setup();
    expect((await api.post('/api/notifications/999999/read')).status).toBe(404);
    expect((await api.delete('/api/notifications/999999')).status).toBe(404);
    const anon = apiClient(clinic);
    expect((await anon.post('/api/notifications/1/read')).status).toBe(401);
    expect((await anon.post('/api/notifications/read-all')).status).toBe(401);
    expect((await anon.delete('/api/notifications/1')).status).toBe(401);
  });
});

// ----------------------------------------------------------- appointments ---

describe('GET /api/appointments?date=', () => {
  const seeded = (clinicId: number, day: string) =>
    shared.store.world.appointments.filter((a) => a.clinic_id === clinicId && a.appointment_date.startsWith(day));

  it("answers the own clinic's appointments of the day, sorted by time", async () => {
    const api = await clientFor(shared, RECEPTION1);
    const res = await api.get(`/api/appointments?date=${TODAY}`);
    expect(res.status).toBe(200);
    const { data } = AppointmentList.parse(res.body);
    expect(data.length).toBeGreaterThan(5);
    expect(ascending(ids(data))).toEqual(ascending(ids(seeded(1, TODAY))));
    expect(data.every((a) => a.clinic_id === 1 && a.appointment_date.startsWith(TODAY))).toBe(true);
    for (let i = 1; i < data.length; i++) {
      const prev = data[i - 1]!;
      const cur = data[i]!;
      expect(Date.parse(prev.appointment_date)).toBeLessThanOrEqual(Date.parse(cur.appointment_date));
      if (prev.appointment_date === cur.appointment_date) expect(prev.id).toBeLessThan(cur.id);
    }
    const doctorsOfClinic1 = shared.store.world.doctors.filter((d) => d.clinic_id === 1).map((d) => d.id);
    expect(data.every((a) => doctorsOfClinic1.includes(a.doctor_id))).toBe(true);
  });

  it("never shows the other clinic's rows, and other days are separate", async () => {
    const north = AppointmentList.parse((await (await clientFor(shared, RECEPTION1)).get(`/api/appointments?date=${TODAY}`)).body).data;
    const river = AppointmentList.parse((await (await clientFor(shared, RIVERSIDE_RECEPTION)).get(`/api/appointments?date=${TODAY}`)).body).data;
    expect(river.length).toBeGreaterThan(0);
    expect(ascending(ids(river))).toEqual(ascending(ids(seeded(2, TODAY))));
    expect(river.every((a) => a.clinic_id === 2)).toBe(true);
    expect(ids(north).filter((id) => ids(river).includes(id))).toEqual([]);

    const api = await clientFor(shared, RECEPTION1);
    const yesterday = AppointmentList.parse((await api.get(`/api/appointments?date=${YESTERDAY}`)).body).data;
    const tomorrow = AppointmentList.parse((await api.get(`/api/appointments?date=${TOMORROW}`)).body).data;
    expect(yesterday.length).toBeGreaterThan(0);
    expect(tomorrow.length).toBeGreaterThan(0);
    expect(yesterday.every((a) => a.appointment_date.startsWith(YESTERDAY))).toBe(true);
    expect(tomorrow.every((a) => a.appointment_date.startsWith(TOMORROW))).toBe(true);
    expect((await api.get('/api/appointments?date=2026-12-25')).body).toEqual({ data: [] });
  });

  it.each([
    ['', 'The date field is required.'],
    ['?date=', null],
    ['?date=2026-13-45', null],
    ['?date=26-11-2026', null],
    ['?date=today', null],
    ['?date=2026-11-26T00:00:00Z', null],
  ])('answers 422 for "%s"', async (query, message) => {
    const api = await clientFor(shared, RECEPTION1);
    const body = expectValidationError(await api.get(`/api/appointments${query}`), ['date']);
    if (message !== null) expect(body.errors.date).toEqual([message]);
  });

  it('shows a patient only their own appointments', async () => {
    const api = await clientFor(shared, PATIENT);
    const patientId = shared.store.world.patients.find((p) => p.user_id === api.user.id)!.id;
    const own = shared.store.world.appointments.filter((a) => a.patient_id === patientId);
    expect(own.length).toBeGreaterThan(0);
    const days = [...new Set(own.map((a) => a.appointment_date.slice(0, 10)))];
    for (const day of [...days, TODAY]) {
      const { data } = AppointmentList.parse((await api.get(`/api/appointments?date=${day}`)).body);
      expect(ascending(ids(data))).toEqual(ascending(ids(own.filter((a) => a.appointment_date.startsWith(day)))));
      expect(data.every((a) => a.patient_id === patientId)).toBe(true);
    }
    // The clinic has other patients' appointments on those days, which stay hidden.
    expect(seeded(1, days[0]!).length).toBeGreaterThan(own.filter((a) => a.appointment_date.startsWith(days[0]!)).length);
  });

  it('answers 401 without a token', async () => {
    expect((await apiClient(shared).get(`/api/appointments?date=${TODAY}`)).status).toBe(401);
  });
});

// ---------------------------------------------------------- consultations ---

describe('GET /api/consultations?status=', () => {
  const seeded = (filter: (c: Consultation) => boolean) => ascending(ids(shared.store.world.consultations.filter(filter)));

  it('shows reception and admin the whole own clinic, sorted by id', async () => {
    for (const email of [RECEPTION1, ADMIN]) {
      const api = await clientFor(shared, email);
      const res = await api.get('/api/consultations');
      expect(res.status).toBe(200);
      const { data } = ConsultationList.parse(res.body);
      expect(ids(data)).toEqual(seeded((c) => c.clinic_id === 1));
      expect(data.length).toBeGreaterThan(3);
      expect(new Set(data.map((c) => c.doctor_id)).size).toBeGreaterThan(1);
    }
  });

  it('filters by status', async () => {
    const api = await clientFor(shared, RECEPTION1);
    for (const status of ['pending', 'active', 'completed', 'cancelled'] as const) {
      const { data } = ConsultationList.parse((await api.get(`/api/consultations?status=${status}`)).body);
      expect(ids(data)).toEqual(seeded((c) => c.clinic_id === 1 && c.status === status));
      expect(data.every((c) => c.status === status)).toBe(true);
    }
    const pending = ConsultationList.parse((await api.get('/api/consultations?status=pending')).body).data;
    expect(pending.length).toBeGreaterThan(0);
  });

  it('shows a doctor only their own consultations', async () => {
    const api = await clientFor(shared, DOCTOR3);
    const doctorId = api.user.doctor_id!;
    const { data } = ConsultationList.parse((await api.get('/api/consultations')).body);
    expect(ids(data)).toEqual(seeded((c) => c.doctor_id === doctorId));
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((c) => c.doctor_id === doctorId)).toBe(true);
    // The clinic has consultations of other doctors that this doctor must not see.
    expect(seeded((c) => c.clinic_id === 1 && c.doctor_id !== doctorId).length).toBeGreaterThan(0);

    const active = ConsultationList.parse((await api.get('/api/consultations?status=active')).body).data;
    expect(ids(active)).toEqual(seeded((c) => c.doctor_id === doctorId && c.status === 'active'));
  });

  it("never shows the other clinic's consultations", async () => {
    const api = await clientFor(shared, RIVERSIDE_RECEPTION);
    const { data } = ConsultationList.parse((await api.get('/api/consultations')).body);
    expect(ids(data)).toEqual(seeded((c) => c.clinic_id === 2));
    expect(data.every((c) => c.clinic_id === 2)).toBe(true);
  });

  it('shows a patient only consultations of their own appointments', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, PATIENT);
    expect(ConsultationList.parse((await api.get('/api/consultations')).body).data).toEqual([]);
    const patientId = clinic.store.world.patients.find((p) => p.user_id === api.user.id)!.id;
    const appointment = clinic.store.allAppointments().find((a) => a.patient_id === patientId)!;
    const { consultation } = await clinic.backend.openConsultation(appointment);
    const { data } = ConsultationList.parse((await api.get('/api/consultations')).body);
    expect(ids(data)).toEqual([consultation.id]);
    expect(data[0]).toMatchObject({ patient_id: patientId, status: 'pending', appointment_id: appointment.id });
  });

  it.each(['done', 'PENDING', 'active,completed'])('answers 422 for status=%s', async (status) => {
    const api = await clientFor(shared, RECEPTION1);
    expectValidationError(await api.get(`/api/consultations?status=${encodeURIComponent(status)}`), ['status']);
  });

  it('answers 401 without a token', async () => {
    expect((await apiClient(shared).get('/api/consultations')).status).toBe(401);
  });
});

// ---------------------------------------------------------- conversations ---

describe('conversations', () => {
  /** What `unread_count` should be from the seed: messages by others after the user's own last one. */
  function seededUnread(clinic: DemoClinic, conversationId: number, userId: number): number {
    const list = clinic.store.world.messages.filter((m) => m.conversation_id === conversationId);
    const lastOwn = Math.max(0, ...list.filter((m) => m.sender_id === userId).map((m) => m.id));
    return list.filter((m) => m.sender_id !== userId && m.id > lastOwn).length;
  }
  const conversationsOf = (clinic: DemoClinic, clinicId: number) => clinic.store.world.conversations.filter((c) => c.clinic_id === clinicId);
  /** A clinic-1 conversation that a given staff member does not take part in. */
  const notParticipating = (clinic: DemoClinic, userId: number) =>
    conversationsOf(clinic, 1).find((c) => !c.participant_ids.includes(userId));

  it('lists every own-clinic conversation for reception, with unread_count and last_message', async () => {
    const api = await clientFor(shared, RECEPTION2);
    const res = await api.get('/api/conversations');
    expect(res.status).toBe(200);
    const { data } = ConversationList.parse(res.body);
    const expected = conversationsOf(shared, 1);
    expect(ids(data)).toEqual(ascending(ids(expected)));
    // Reception sees conversations it does not take part in too.
    expect(notParticipating(shared, api.user.id)).toBeDefined();
    let totalUnread = 0;
    for (const conversation of data) {
      const messages = shared.store.world.messages.filter((m) => m.conversation_id === conversation.id);
      expect(conversation.clinic_id).toBe(1);
      expect(conversation.last_message).toEqual(messages.at(-1));
      expect(conversation.unread_count).toBe(seededUnread(shared, conversation.id, api.user.id));
      totalUnread += conversation.unread_count;
    }
    expect(totalUnread).toBeGreaterThan(0);
  });

  it('lists for an admin a same-clinic conversation they are not part of', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, ADMIN);
    const target = conversationsOf(clinic, 1)[0]!;
    // In the seed the admin takes part in everything; take them out of one conversation.
    const row = clinic.store.conversationRow(target.id)!;
    row.participant_ids = row.participant_ids.filter((id) => id !== api.user.id);
    const { data } = ConversationList.parse((await api.get('/api/conversations')).body);
    expect(ids(data)).toEqual(ascending(ids(conversationsOf(clinic, 1))));
    expect(data.find((c) => c.id === target.id)?.participant_ids).not.toContain(api.user.id);
    expect((await api.get(`/api/conversations/${target.id}/messages`)).status).toBe(200);
  });

  it('lists for a doctor only the conversations they take part in', async () => {
    const api = await clientFor(shared, DOCTOR3);
    const { data } = ConversationList.parse((await api.get('/api/conversations')).body);
    const expected = conversationsOf(shared, 1).filter((c) => c.participant_ids.includes(api.user.id));
    expect(ids(data)).toEqual(ascending(ids(expected)));
    expect(expected.length).toBeLessThan(conversationsOf(shared, 1).length);
    for (const conversation of data) {
      expect(conversation.participant_ids).toContain(api.user.id);
      expect(conversation.unread_count).toBe(seededUnread(shared, conversation.id, api.user.id));
    }
  });

  it("never lists the other clinic's conversations; 403 for a patient", async () => {
    const river = ConversationList.parse((await (await clientFor(shared, RIVERSIDE_RECEPTION)).get('/api/conversations')).body).data;
    expect(ids(river)).toEqual(ascending(ids(conversationsOf(shared, 2))));
    const patient = await clientFor(shared, PATIENT);
    const res = await patient.get('/api/conversations');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('lists messages ascending, with limit (latest N) and before_id paging', async () => {
    const api = await clientFor(shared, RECEPTION1);
    const conversation = conversationsOf(shared, 1).find((c) => shared.store.world.messages.filter((m) => m.conversation_id === c.id).length >= 3)!;
    const seeded = shared.store.world.messages.filter((m) => m.conversation_id === conversation.id);
    const res = await api.get(`/api/conversations/${conversation.id}/messages`);
    expect(res.status).toBe(200);
    const { data } = MessageList.parse(res.body);
    expect(data).toEqual(seeded);
    expect(ids(data)).toEqual(ascending(ids(data)));

    const latest = MessageList.parse((await api.get(`/api/conversations/${conversation.id}/messages?limit=2`)).body).data;
    expect(ids(latest)).toEqual(ids(seeded.slice(-2)));
    const older = MessageList.parse((await api.get(`/api/conversations/${conversation.id}/messages?limit=2&before_id=${latest[0]!.id}`)).body).data;
    expect(ids(older)).toEqual(ids(seeded.filter((m) => m.id < latest[0]!.id).slice(-2)));
    expectValidationError(await api.get(`/api/conversations/${conversation.id}/messages?limit=0`), ['limit']);
  });

  it('POST messages answers 201 with the message; it becomes last_message and the sender has nothing unread', async () => {
    const clinic = await harness.clinic();
    const sender = await clientFor(clinic, RECEPTION1);
    const reader = await clientFor(clinic, RECEPTION2);
    const conversation = conversationsOf(clinic, 1)[0]!;
    const readerBefore = ConversationList.parse((await reader.get('/api/conversations')).body).data.find((c) => c.id === conversation.id)!;

    const res = await sender.post(`/api/conversations/${conversation.id}/messages`, { json: { body: '  Room 3 is free.  ' } });
    expect(res.status).toBe(201);
    const message = itemEnvelope(Message).parse(res.body).data;
    expect(message).toMatchObject({ conversation_id: conversation.id, sender_id: sender.user.id, sender_name: sender.user.name, body: 'Room 3 is free.' });
    expect(message.id).toBeGreaterThan(Math.max(...ids(clinic.store.world.messages)));

    const listed = MessageList.parse((await sender.get(`/api/conversations/${conversation.id}/messages`)).body).data;
    expect(listed.at(-1)).toEqual(message);
    const mine = ConversationList.parse((await sender.get('/api/conversations')).body).data.find((c) => c.id === conversation.id)!;
    expect(mine.last_message).toEqual(message);
    expect(mine.unread_count).toBe(0);
    const theirs = ConversationList.parse((await reader.get('/api/conversations')).body).data.find((c) => c.id === conversation.id)!;
    expect(theirs.last_message).toEqual(message);
    expect(theirs.unread_count).toBe(readerBefore.unread_count + 1);
  });

  it('validates the body: missing, empty, blank and too long → 422; exactly the maximum is fine', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    const id = conversationsOf(clinic, 1)[0]!.id;
    const count = () => clinic.store.messagesOf(id, null, 200).length;
    const before = count();

    const missing = expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: {} }), ['body']);
    expect(missing.errors.body).toEqual(['The body field is required.']);
    expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: { body: '' } }), ['body']);
    expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: { body: '   \n ' } }), ['body']);
    expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: { body: 'x'.repeat(MESSAGE_BODY_MAX + 1) } }), ['body']);
    const wrongType = expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: { body: 12 } }), ['body']);
    expect(wrongType.errors.body![0]).toMatch(/^The body field is invalid: /);
    expectValidationError(await api.post(`/api/conversations/${id}/messages`, { json: { body: 'ok', client_id: 'x'.repeat(65) } }), ['client_id']);
    expect(count()).toBe(before);

    const max = await api.post(`/api/conversations/${id}/messages`, { json: { body: 'y'.repeat(MESSAGE_BODY_MAX) } });
    expect(max.status).toBe(201);
    expect(count()).toBe(before + 1);
  });

  it('creates one message for the same client_id sent twice: 201, then 200 with the same id', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    const id = conversationsOf(clinic, 1)[0]!.id;
    const path = `/api/conversations/${id}/messages`;

    const first = await api.post(path, { json: { body: 'Lab results are in.', client_id: 'desk-abc-1' } });
    expect(first.status).toBe(201);
    const retry = await api.post(path, { json: { body: 'Lab results are in.', client_id: 'desk-abc-1' } });
    expect(retry.status).toBe(200);
    const a = itemEnvelope(Message).parse(first.body).data;
    const b = itemEnvelope(Message).parse(retry.body).data;
    expect(b).toEqual(a);

    const other = await api.post(path, { json: { body: 'Lab results are in.', client_id: 'desk-abc-2' } });
    expect(other.status).toBe(201);
    expect(itemEnvelope(Message).parse(other.body).data.id).not.toBe(a.id);

    const listed = MessageList.parse((await api.get(path)).body).data;
    expect(listed.filter((m) => m.id === a.id)).toHaveLength(1);
    expect(listed.filter((m) => m.body === 'Lab results are in.')).toHaveLength(2);
  });

  it('POST read brings unread_count to 0 and records the read position', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION2);
    const before = ConversationList.parse((await api.get('/api/conversations')).body).data;
    const target = before.find((c) => c.unread_count > 0)!;
    expect(target).toBeDefined();

    const res = await api.post(`/api/conversations/${target.id}/read`);
    expect(res.status).toBe(200);
    const read = itemEnvelope(Conversation).parse(res.body).data;
    expect(read.id).toBe(target.id);
    expect(read.unread_count).toBe(0);
    expect(read.last_read_message_id).toBe(target.last_message!.id);

    const after = ConversationList.parse((await api.get('/api/conversations')).body).data;
    expect(after.find((c) => c.id === target.id)?.unread_count).toBe(0);
    for (const other of before.filter((c) => c.id !== target.id)) {
      expect(after.find((c) => c.id === other.id)?.unread_count).toBe(other.unread_count);
    }
    // Repeating is harmless.
    expect(itemEnvelope(Conversation).parse((await api.post(`/api/conversations/${target.id}/read`)).body).data.unread_count).toBe(0);
    // A new message from someone else is unread again.
    const sender = await clientFor(clinic, RECEPTION1);
    await sender.post(`/api/conversations/${target.id}/messages`, { json: { body: 'One more thing.' } });
    const again = ConversationList.parse((await api.get('/api/conversations')).body).data.find((c) => c.id === target.id)!;
    expect(again.unread_count).toBe(1);
  });

  it("answers 404 for another clinic's conversation (list, send, read) and changes nothing", async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    const foreign = conversationsOf(clinic, 2)[0]!;
    const count = clinic.store.messagesOf(foreign.id, null, 200).length;
    for (const res of [
      await api.get(`/api/conversations/${foreign.id}/messages`),
      await api.post(`/api/conversations/${foreign.id}/messages`, { json: { body: 'hello' } }),
      await api.post(`/api/conversations/${foreign.id}/read`),
    ]) {
      expect(res.status).toBe(404);
      expect(ErrorBody.parse(res.body).message).toBe(`No query results for model [App\\Models\\Conversation] ${foreign.id}`);
    }
    expect(clinic.store.messagesOf(foreign.id, null, 200)).toHaveLength(count);
    expect((await api.get('/api/conversations/999999/messages')).status).toBe(404);
  });

  it('answers 404 to a doctor for a same-clinic conversation they are not part of', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, DOCTOR3);
    const outside = notParticipating(clinic, api.user.id)!;
    expect(outside).toBeDefined();
    expect((await api.get(`/api/conversations/${outside.id}/messages`)).status).toBe(404);
    expect((await api.post(`/api/conversations/${outside.id}/messages`, { json: { body: 'hi' } })).status).toBe(404);
    expect((await api.post(`/api/conversations/${outside.id}/read`)).status).toBe(404);
  });

  it('answers 401 without a token and 403 to a patient', async () => {
    const id = conversationsOf(shared, 1)[0]!.id;
    expect((await apiClient(shared).get('/api/conversations')).status).toBe(401);
    expect((await apiClient(shared).post(`/api/conversations/${id}/messages`, { json: { body: 'x' } })).status).toBe(401);
    const patient = await clientFor(shared, PATIENT);
    expect((await patient.post(`/api/conversations/${id}/messages`, { json: { body: 'x' } })).status).toBe(403);
    expect((await patient.get(`/api/conversations/${id}/messages`)).status).toBe(403);
  });
});

// ----------------------------------------------------------------- routing ---

describe('routing and Laravel error answers', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await clientFor(shared, RECEPTION1);
  });

  it.each([
    ['GET', '/api/nope'],
    ['GET', '/api'],
    ['POST', '/api/notifications/abc/read'],
    ['GET', '/api/users'],
    ['GET', '/nope'],
  ])('answers 404 JSON for %s %s', async (method, path) => {
    const res = await api.send(method, path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ErrorBody.parse(res.body).message).toBe(`The route ${path.slice(1)} could not be found.`);
  });

  it('answers an HTML 404 page to a request that does not ask for JSON', async () => {
    const res = await request(shared.info.apiUrl, 'GET', '/api/nope', { accept: null });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('Not Found');
  });

  it.each([
    ['GET', '/api/login', 'POST'],
    // A GET route answers HEAD too, and Laravel names both.
    ['DELETE', '/api/user', 'GET, HEAD'],
    ['PUT', '/api/notifications/1', 'DELETE'],
    ['GET', '/api/notifications/read-all', 'POST'],
    ['DELETE', '/api/conversations/7001/read', 'POST'],
    ['GET', '/broadcasting/auth', 'POST'],
  ])('answers 405 for %s %s, naming the allowed method', async (method, path, allowed) => {
    const res = await api.send(method, path);
    expect(res.status).toBe(405);
    expect(ErrorBody.parse(res.body).message).toBe(`The ${method} method is not supported for route ${path.slice(1)}. Supported methods: ${allowed}.`);
    expect(res.headers.get('allow')).toBe(allowed);
  });

  it('redirects back (302) on a validation failure that did not ask for JSON', async () => {
    const res = await request(shared.info.apiUrl, 'POST', '/api/login', { accept: null, json: {}, headers: { Referer: `${shared.info.apiUrl}/login` } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${shared.info.apiUrl}/login`);
  });
});

// ----------------------------------------------------------------- faults ---

describe('injected faults', () => {
  it('injectFault({status: 503, times: 1}) gives one 503, then normal answers', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /\/api\/user/, status: 503, times: 1 });
    const failed = await api.get('/api/user');
    expect(failed.status).toBe(503);
    expect(ErrorBody.parse(failed.body).message).toBeTruthy();
    const ok = await api.get('/api/user');
    expect(ok.status).toBe(200);
    expect(User.parse(ok.body).id).toBe(api.user.id);
    // Other paths were never affected.
    expect((await api.get('/api/notifications')).status).toBe(200);
    const log = clinic.api.requestLog.filter((r) => r.path === '/api/user');
    expect(log.map((r) => [r.method, r.status])).toEqual([
      ['GET', 503],
      ['GET', 200],
    ]);
  });

  it('a 429 carries Retry-After (the given one, or a default)', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /^\/api\/notifications$/, status: 429, times: 1, retryAfterSec: 7 });
    const limited = await api.get('/api/notifications');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(ErrorBody.parse(limited.body).message).toBe('Too Many Attempts.');
    expect((await api.get('/api/notifications')).status).toBe(200);

    clinic.api.injectFault({ path: /^\/api\/notifications$/, status: 429, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await api.get('/api/notifications');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe(String(DEFAULT_RETRY_AFTER_SEC));
    }
    expect((await api.get('/api/notifications')).status).toBe(200);
  });

  it('clearFaults() removes pending faults', async () => {
    const clinic = await harness.clinic();
    const api = await clientFor(clinic, RECEPTION1);
    clinic.api.injectFault({ path: /\/api\/user/, status: 500, times: 5 });
    expect((await api.get('/api/user')).status).toBe(500);
    clinic.api.clearFaults();
    expect((await api.get('/api/user')).status).toBe(200);
  });
});

// Keeps the schemas honest: a body that a schema strips silently would hide a wrong shape.
describe('response shapes carry no surprises', () => {
  it('GET /api/user answers exactly the User fields, the zone inside its clinic (clinic.timezone, not time_zone)', async () => {
    const api = await clientFor(shared, RECEPTION1);
    const raw = (await api.get('/api/user')).body as Record<string, unknown>;
    const wire = [...Object.keys(User.shape).filter((k) => k !== 'time_zone'), 'clinic'];
    expect(Object.keys(raw).sort()).toEqual(wire.sort());
  });
});
