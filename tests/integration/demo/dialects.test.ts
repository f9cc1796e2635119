/**
 * The demo clinic's REST dialects (src/main/demo/dialects/), over real HTTP on
 * 127.0.0.1: each dialect's answer shapes (real keys, in Laravel's order),
 * paging that, followed from page 1, yields exactly what the default dialect
 * answers in full, page-size caps and their 422 bodies, string ids, the
 * minimal app's 404s, and presence `user_info`; broadcasts stay the same.
 */
import { request as httpRequest } from 'node:http';
import type Pusher from 'pusher-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { API_DIALECTS, API_DIALECT_DESCRIPTIONS, type ApiDialectName } from '../../../src/main/demo/dialects';
import { TODAY, ajaxAuthorization, nextEvent, request, subscribe, type ApiResponse } from '../../helpers/demo';
import { UtcHarness } from './pinned-zone';

const RECEPTION1 = 'reception1@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
/** Extra notifications for reception1 (user 2), so every paging dialect has several pages at its default size. */
const EXTRA_NOTIFICATIONS = 37;

type Json = Record<string, unknown>;
type Session = { token: string; user: Json };

const shared = new UtcHarness();
const harness = new UtcHarness();
const clinics = {} as Record<ApiDialectName, DemoClinic>;
const sessions = {} as Record<ApiDialectName, Session>;

/** What the default dialect answers in full: the reference every other dialect's pages must add up to. */
let reference: { notifications: Json[]; appointments: Json[]; members: Json[]; consultations: Json[]; conversations: Json[]; messages: Json[] };

async function signIn(clinic: DemoClinic, email: string): Promise<Session> {
  const res = await request(clinic.info.apiUrl, 'POST', '/api/login', { json: { email, password: 'password' } });
  expect(res.status, res.text).toBe(200);
  return res.body as Session;
}

function addNotifications(clinic: DemoClinic): void {
  for (let i = 1; i <= EXTRA_NOTIFICATIONS; i++) {
    clinic.store.createNotification({ user_id: 2, type: 'system', title: `Extra ${i}`, message: `Extra notification ${i}`, action_url: '/appointments/1001' });
  }
}

async function get(dialect: ApiDialectName, path: string): Promise<ApiResponse> {
  return request(clinics[dialect].info.apiUrl, 'GET', path, { token: sessions[dialect].token });
}

/** GET that must answer 200; its JSON body. */
async function body(dialect: ApiDialectName, path: string): Promise<Json> {
  const res = await get(dialect, path);
  expect(res.status, `${dialect} GET ${path}: ${res.text}`).toBe(200);
  return res.body as Json;
}

/** GET of an absolute URL a paginator handed out. */
async function getUrl(dialect: ApiDialectName, url: string): Promise<Json> {
  const res = await request('', 'GET', url, { token: sessions[dialect].token });
  expect(res.status, `GET ${url}: ${res.text}`).toBe(200);
  return res.body as Json;
}

/** Follows `next(page)` from the first page to the end; every page's items, in order, and the pages seen. */
async function follow(dialect: ApiDialectName, path: string, items: (page: Json) => Json[], next: (page: Json) => string | null) {
  const all: Json[] = [];
  let page = await body(dialect, path);
  let pages = 1;
  for (;;) {
    all.push(...items(page));
    const url = next(page);
    if (url === null) break;
    expect(url.startsWith(`${clinics[dialect].info.apiUrl}/api/`), url).toBe(true);
    page = await getUrl(dialect, url);
    if (++pages > 50) throw new Error(`more than 50 pages following ${path}`);
  }
  return { all, pages };
}

const data = (page: Json) => page.data as Json[];
const ids = (rows: Json[]) => rows.map((r) => Number(r.id));
const keys = (value: unknown) => Object.keys(value as Json);
/** The keys of a record in the contract's shapes, whose order the store does not keep (a new notification starts with user_id). */
const keySet = (value: unknown) => keys(value).sort();
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

const LIST_PATHS = {
  members: '/api/clinic/members',
  notifications: '/api/notifications',
  appointments: `/api/appointments?date=${TODAY}`,
  consultations: '/api/consultations',
  conversations: '/api/conversations',
  messages: '/api/conversations/7001/messages',
} as const;
type ListName = keyof typeof LIST_PATHS;
const LISTS = Object.keys(LIST_PATHS) as ListName[];
const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

const CONTRACT_KEYS = {
  user: ['id', 'name', 'email', 'role', 'clinic_id', 'doctor_id'],
  /** The default and resource dialects' user: the contract's, with `clinic: {id, name, timezone}` (the clinic's zone). */
  zonedUser: ['id', 'name', 'email', 'role', 'clinic_id', 'doctor_id', 'clinic'],
  members: ['id', 'name', 'role', 'clinic_id', 'doctor_id'],
  notifications: ['id', 'user_id', 'type', 'title', 'message', 'action_url', 'created_at', 'read_at'],
  appointments: ['id', 'clinic_id', 'doctor_id', 'patient_id', 'patient_name', 'status', 'appointment_date', 'duration_minutes', 'reason', 'updated_at'],
  consultations: ['id', 'clinic_id', 'doctor_id', 'patient_id', 'patient_name', 'appointment_id', 'status', 'started_at', 'ended_at', 'updated_at'],
  conversations: ['id', 'clinic_id', 'subject', 'participant_ids', 'updated_at', 'last_message', 'unread_count', 'last_read_message_id'],
  messages: ['id', 'conversation_id', 'sender_id', 'sender_name', 'body', 'created_at'],
} as const;

const PAGINATOR_KEYS = ['current_page', 'data', 'first_page_url', 'from', 'last_page', 'last_page_url', 'links', 'next_page_url', 'path', 'per_page', 'prev_page_url', 'to', 'total'];
const RESOURCE_META_KEYS = ['current_page', 'from', 'last_page', 'links', 'path', 'per_page', 'to', 'total'];
const CURSOR_KEYS = ['data', 'path', 'per_page', 'next_cursor', 'next_page_url', 'prev_cursor', 'prev_page_url'];

const tooBig = (max: number) => {
  const message = `The per page field must not be greater than ${max}.`;
  return { message, errors: { per_page: [message] } };
};

beforeAll(async () => {
  await Promise.all(
    API_DIALECTS.map(async (apiDialect) => {
      const clinic = await shared.clinic({ apiDialect });
      addNotifications(clinic);
      clinics[apiDialect] = clinic;
      sessions[apiDialect] = await signIn(clinic, RECEPTION1);
    }),
  );
  const full = async (list: ListName) => data(await body('default', list === 'notifications' ? '/api/notifications?per_page=500' : LIST_PATHS[list]));
  reference = {
    notifications: await full('notifications'),
    appointments: await full('appointments'),
    members: await full('members'),
    consultations: await full('consultations'),
    conversations: await full('conversations'),
    messages: await full('messages'),
  };
  // Enough rows that the paging below has something to page through.
  expect(reference.notifications.length).toBeGreaterThan(30);
  expect(reference.appointments.length).toBeGreaterThan(30);
});
afterAll(() => shared.cleanup());
afterEach(() => harness.cleanup());

// ------------------------------------------------------------------ names ---

describe('API_DIALECTS', () => {
  it('names the six dialects, each with a one-line description, and the clinic says which it speaks', () => {
    expect(API_DIALECTS).toEqual(['default', 'resource', 'paginate', 'cursor', 'nested', 'minimal']);
    for (const name of API_DIALECTS) {
      expect(API_DIALECT_DESCRIPTIONS[name].length).toBeGreaterThan(10);
      expect(API_DIALECT_DESCRIPTIONS[name]).not.toContain('\n');
      expect(clinics[name].info.apiDialect).toBe(name);
    }
  });

  it('default: the contract answers as before ({data, meta} notifications, plain JSON.stringify)', async () => {
    const page = await body('default', '/api/notifications?per_page=5');
    expect(keys(page)).toEqual(['data', 'meta']);
    expect(page.meta).toEqual({ per_page: 5, has_more: true, last_id: Number(data(page)[4]?.id) });
    expect(keySet(data(page)[0])).toEqual([...CONTRACT_KEYS.notifications].sort());
    expect(keySet(sessions.default.user)).toEqual([...CONTRACT_KEYS.zonedUser].sort());
    expect(sessions.default.user.clinic).toEqual({ id: 1, name: 'Northside Family Clinic', timezone: clinics.default.timeZone });
    const members = await get('default', LIST_PATHS.members);
    expect(keys(members.body)).toEqual(['data']);
    expect(data(members.body as Json).map((m) => m.role)).not.toContain('nurse');
  });
});

// --------------------------------------------------------------- resource ---

describe('resource dialect', () => {
  it.each(LISTS)('answers %s as a resource collection {data, links, meta} with absolute URLs', async (list) => {
    const page = await body('resource', LIST_PATHS[list]);
    expect(keys(page)).toEqual(['data', 'links', 'meta']);
    expect(keys(page.links)).toEqual(['first', 'last', 'prev', 'next']);
    const meta = page.meta as Json;
    expect(keys(meta)).toEqual(RESOURCE_META_KEYS);
    const path = `${clinics.resource.info.apiUrl}${LIST_PATHS[list].split('?')[0]}`;
    expect(meta.path).toBe(path);
    expect(meta.per_page).toBe(15);
    expect(meta.current_page).toBe(1);
    expect(meta.total).toBe(reference[list].length);
    expect((page.links as Json).first).toBe(withQuery(LIST_PATHS[list].replace(/^[^?]*/, path), 'page=1'));
    expect((page.links as Json).prev).toBeNull();
    for (const item of data(page)) expect(keySet(item)).toEqual([...CONTRACT_KEYS[list]].sort());
    for (const link of meta.links as Json[]) expect(keys(link)).toEqual(['url', 'label', 'active']);
  });

  it('pages the day\'s appointments: following links.next from page 1 gives the default answer, in order', async () => {
    const { all, pages } = await follow('resource', LIST_PATHS.appointments, data, (p) => (p.links as Json).next as string | null);
    expect(pages).toBe(Math.ceil(reference.appointments.length / 15));
    expect(all).toEqual(reference.appointments);
  });

  it('answers notifications newest first and ignores after_id; the pages add up to the default\'s notifications', async () => {
    const { all } = await follow('resource', '/api/notifications?after_id=999999&per_page=10', data, (p) => (p.links as Json).next as string | null);
    expect(ids(all)).toEqual(sorted(ids(reference.notifications)).reverse());
    expect(all).toEqual([...reference.notifications].reverse());
  });

  it('lays out meta like LengthAwarePaginator: from/to, last_page, and the links array with its window and labels', async () => {
    const page = await body('resource', withQuery(LIST_PATHS.appointments, 'per_page=5&page=2'));
    const meta = page.meta as Json;
    const total = reference.appointments.length;
    const lastPage = Math.ceil(total / 5);
    const url = (n: number) => `${clinics.resource.info.apiUrl}/api/appointments?date=${TODAY}&per_page=5&page=${n}`;
    expect(meta).toMatchObject({ current_page: 2, from: 6, to: 10, last_page: lastPage, per_page: 5, total });
    expect(page.links).toEqual({ first: url(1), last: url(lastPage), prev: url(1), next: url(3) });
    const links = meta.links as Json[];
    expect(links[0]).toEqual({ url: url(1), label: '&laquo; Previous', active: false });
    expect(links[links.length - 1]).toEqual({ url: url(3), label: 'Next &raquo;', active: false });
    expect(links.filter((l) => l.active)).toEqual([{ url: url(2), label: '2', active: true }]);
    // Fewer than 14 pages: every page is listed.
    expect(links.slice(1, -1).map((l) => l.label)).toEqual(Array.from({ length: lastPage }, (_, i) => String(i + 1)));
    expect(data(page)).toEqual(reference.appointments.slice(5, 10));
  });

  it('shows the UrlWindow with "..." when there are many pages', async () => {
    const page = await body('resource', withQuery(LIST_PATHS.appointments, 'per_page=1&page=16'));
    const labels = ((page.meta as Json).links as Json[]).map((l) => l.label);
    expect(labels).toEqual(['&laquo; Previous', '1', '2', '...', '13', '14', '15', '16', '17', '18', '19', '...', '31', '32', 'Next &raquo;']);
    expect(((page.meta as Json).links as Json[])[3]).toEqual({ url: null, label: '...', active: false });
  });

  it('caps per_page at 50 silently (meta.per_page says 50) and treats a nonsense per_page as 15', async () => {
    for (const perPage of ['51', '500']) {
      const page = await body('resource', `/api/notifications?per_page=${perPage}`);
      expect((page.meta as Json).per_page).toBe(50);
      expect(data(page)).toHaveLength(Math.min(50, reference.notifications.length));
    }
    for (const perPage of ['0', '-3', 'abc']) {
      expect(((await body('resource', `/api/notifications?per_page=${perPage}`)).meta as Json).per_page).toBe(15);
    }
  });

  it('answers a page past the end with no items, from/to null, and no next link', async () => {
    const page = await body('resource', withQuery(LIST_PATHS.appointments, 'page=99'));
    expect(data(page)).toEqual([]);
    expect(page.meta).toMatchObject({ current_page: 99, from: null, to: null, total: reference.appointments.length });
    expect((page.links as Json).next).toBeNull();
  });

  it('builds its URLs from the request\'s Host and encodes like json_encode (\\/ in URLs)', async () => {
    const { port } = new URL(clinics.resource.info.apiUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/clinic/members',
          headers: { Host: 'clinic.example.org:8443', Accept: 'application/json', Authorization: `Bearer ${sessions.resource.token}` },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(raw).toContain('"path":"http:\\/\\/clinic.example.org:8443\\/api\\/clinic\\/members"');
    const page = JSON.parse(raw) as Json;
    expect((page.links as Json).first).toBe('http://clinic.example.org:8443/api/clinic/members?page=1');
  });

  it('keeps single answers in the contract\'s shapes; /api/user is a UserResource {data: user}, login\'s user unwrapped', async () => {
    expect(keySet(sessions.resource.user)).toEqual([...CONTRACT_KEYS.zonedUser].sort());
    const me = await body('resource', '/api/user');
    expect(keys(me)).toEqual(['data']);
    expect(me.data).toEqual(sessions.resource.user);
    expect(sessions.resource.user.clinic).toEqual({ id: 1, name: 'Northside Family Clinic', timezone: clinics.resource.timeZone });
  });
});

// --------------------------------------------------------------- paginate ---

describe('paginate dialect', () => {
  it.each(LISTS)('answers %s as paginate()\'s own JSON at top level', async (list) => {
    const page = await body('paginate', LIST_PATHS[list]);
    expect(keys(page)).toEqual(PAGINATOR_KEYS);
    expect(page).toMatchObject({ current_page: 1, per_page: 15, total: reference[list].length, prev_page_url: null });
    expect(page.path).toBe(`${clinics.paginate.info.apiUrl}${LIST_PATHS[list].split('?')[0]}`);
    for (const item of data(page)) expect(keySet(item)).toEqual([...CONTRACT_KEYS[list]].sort());
  });

  it('pages the day\'s appointments and the notifications: next_page_url from page 1 adds up to the default answer', async () => {
    const appointments = await follow('paginate', LIST_PATHS.appointments, data, (p) => p.next_page_url as string | null);
    expect(appointments.all).toEqual(reference.appointments);
    const notifications = await follow('paginate', '/api/notifications?per_page=7', data, (p) => p.next_page_url as string | null);
    expect(notifications.pages).toBe(Math.ceil(reference.notifications.length / 7));
    expect(notifications.all).toEqual(reference.notifications);
  });

  it('honours after_id on notifications: ascending, strictly after, kept in the page links', async () => {
    const after = Number(reference.notifications[9]?.id);
    const { all } = await follow('paginate', `/api/notifications?after_id=${after}&per_page=4`, data, (p) => {
      const next = p.next_page_url as string | null;
      if (next !== null) expect(next).toContain(`after_id=${after}`);
      return next;
    });
    expect(all).toEqual(reference.notifications.filter((n) => Number(n.id) > after));
  });

  it('accepts per_page 25 and answers 422 above it, exactly as Laravel\'s validator', async () => {
    expect((await body('paginate', '/api/notifications?per_page=25')).per_page).toBe(25);
    for (const list of LISTS) {
      const res = await get('paginate', withQuery(LIST_PATHS[list], 'per_page=26'));
      expect(res.status, list).toBe(422);
      expect(res.body).toEqual(tooBig(25));
    }
    const zero = await get('paginate', '/api/notifications?per_page=0');
    expect(zero.status).toBe(422);
    expect(zero.body).toEqual({ message: 'The per page field must be at least 1.', errors: { per_page: ['The per page field must be at least 1.'] } });
    const words = await get('paginate', '/api/notifications?per_page=ten&after_id=x');
    expect(words.body).toEqual({
      message: 'The per page field must be an integer. (and 1 more error)',
      errors: { per_page: ['The per page field must be an integer.'], after_id: ['The after id field must be an integer.'] },
    });
  });
});

// ----------------------------------------------------------------- cursor ---

/** Every `id`, `*_id` and `*_ids` entry of a record (and of records inside it). */
function idValues(record: unknown, out: unknown[] = []): unknown[] {
  if (typeof record !== 'object' || record === null) return out;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'id' || key.endsWith('_id')) out.push(value);
    else if (key.endsWith('_ids')) out.push(...(value as unknown[]));
    else if (typeof value === 'object' && value !== null) idValues(value, out);
  }
  return out;
}

function expectStringIds(record: unknown, label: string): void {
  const values = idValues(record);
  expect(values.length, label).toBeGreaterThan(0);
  for (const value of values) {
    if (value !== null) expect(value, `${label}: ${JSON.stringify(record)}`).toMatch(/^\d+$/);
  }
}

const decodeCursor = (cursor: string) => JSON.parse(Buffer.from(cursor.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Json;

describe('cursor dialect', () => {
  it.each(LISTS)('answers %s as cursorPaginate()\'s JSON, every id a numeric string', async (list) => {
    const page = await body('cursor', LIST_PATHS[list]);
    expect(keys(page)).toEqual(CURSOR_KEYS);
    expect(page).toMatchObject({ per_page: 15, prev_cursor: null, prev_page_url: null });
    expect(page.path).toBe(`${clinics.cursor.info.apiUrl}${LIST_PATHS[list].split('?')[0]}`);
    expect(data(page).length).toBe(Math.min(15, reference[list].length));
    for (const item of data(page)) {
      expect(keySet(item)).toEqual([...CONTRACT_KEYS[list]].sort());
      expectStringIds(item, list);
    }
    // Same records as the default answer, ids aside.
    expect(ids(data(page))).toEqual(ids(reference[list]).slice(0, 15));
  });

  it('writes ids as strings in the login answer, /api/user, and nested records (participants, last message)', async () => {
    const { clinic: _clinic, ...contract } = sessions.default.user;
    // The zone at top level, as `timezone`.
    expect(sessions.cursor.user).toEqual({ ...contract, id: '2', clinic_id: '1', doctor_id: null, timezone: clinics.cursor.timeZone });
    expect(await body('cursor', '/api/user')).toEqual(sessions.cursor.user);
    const doctor = await signIn(clinics.cursor, DOCTOR1);
    expect(doctor.user.doctor_id).toMatch(/^\d+$/);
    const conversation = data(await body('cursor', LIST_PATHS.conversations))[0] as Json;
    expect((conversation.participant_ids as unknown[]).every((id) => typeof id === 'string')).toBe(true);
    expectStringIds(conversation.last_message, 'last_message');
    expect(typeof conversation.unread_count).toBe('number');
  });

  it('follows next_cursor from the first page to the default\'s answer (notifications, the day\'s appointments)', async () => {
    const appointments = await follow('cursor', LIST_PATHS.appointments, data, (p) => p.next_page_url as string | null);
    expect(ids(appointments.all)).toEqual(ids(reference.appointments));
    const notifications = await follow('cursor', '/api/notifications?per_page=6', data, (p) => p.next_page_url as string | null);
    expect(notifications.pages).toBe(Math.ceil(reference.notifications.length / 6));
    expect(ids(notifications.all)).toEqual(ids(reference.notifications));
  });

  it('hands out Laravel\'s opaque cursors: URL-safe base64 JSON of the order columns, with ?cursor= in the URLs', async () => {
    const first = await body('cursor', withQuery(LIST_PATHS.appointments, 'per_page=5'));
    const cursor = first.next_cursor as string;
    expect(cursor).toMatch(/^[\w-]+$/);
    const last = data(first)[4] as Json;
    expect(decodeCursor(cursor)).toEqual({ appointment_date: last.appointment_date, id: Number(last.id), _pointsToNextItems: true });
    expect(first.next_page_url).toBe(`${clinics.cursor.info.apiUrl}/api/appointments?date=${TODAY}&per_page=5&cursor=${cursor}`);

    const second = await getUrl('cursor', first.next_page_url as string);
    expect(ids(data(second))).toEqual(ids(reference.appointments.slice(5, 10)));
    expect(decodeCursor(second.prev_cursor as string)).toMatchObject({ id: Number(data(second)[0]?.id), _pointsToNextItems: false });
    const back = await getUrl('cursor', second.prev_page_url as string);
    expect(ids(data(back))).toEqual(ids(reference.appointments.slice(0, 5)));
    // Back on the first page: no way further back, and the way forward again.
    expect(back.prev_cursor).toBeNull();
    expect(back.next_cursor).toBe(cursor);

    // Text that is not a cursor is the first page, as Cursor::fromEncoded has it.
    expect(ids(data(await body('cursor', '/api/notifications?cursor=not-a-cursor')))).toEqual(ids(reference.notifications).slice(0, 15));
  });

  it('honours after_id on notifications, ascending and strictly after', async () => {
    const after = Number(reference.notifications[20]?.id);
    const { all } = await follow('cursor', `/api/notifications?after_id=${after}&per_page=5`, data, (p) => p.next_page_url as string | null);
    expect(ids(all)).toEqual(ids(reference.notifications.filter((n) => Number(n.id) > after)));
  });

  it('accepts per_page 100 and answers 422 above it, exactly as Laravel\'s validator', async () => {
    const page = await body('cursor', '/api/notifications?per_page=100');
    expect(page.per_page).toBe(100);
    expect(page.next_cursor).toBeNull();
    for (const list of LISTS) {
      const res = await get('cursor', withQuery(LIST_PATHS[list], 'per_page=101'));
      expect(res.status, list).toBe(422);
      expect(res.body).toEqual(tooBig(100));
    }
  });

  it('writes string ids in action answers too (mark read, send message, read conversation)', async () => {
    const clinic = await harness.clinic({ apiDialect: 'cursor' });
    const { token } = await signIn(clinic, RECEPTION1);
    const read = await request(clinic.info.apiUrl, 'POST', `/api/notifications/${String(reference.notifications[0]?.id)}/read`, { token });
    expect(read.status).toBe(200);
    expect(keySet((read.body as Json).data)).toEqual([...CONTRACT_KEYS.notifications].sort());
    expectStringIds((read.body as Json).data, 'read notification');
    const sent = await request(clinic.info.apiUrl, 'POST', '/api/conversations/7001/messages', { token, json: { body: 'Hello' } });
    expect(sent.status).toBe(201);
    expect((sent.body as Json).data).toMatchObject({ conversation_id: '7001', sender_id: '2', body: 'Hello' });
    const conversation = await request(clinic.info.apiUrl, 'POST', '/api/conversations/7001/read', { token });
    expect(conversation.status).toBe(200);
    expect((conversation.body as Json).data).toMatchObject({ id: '7001', clinic_id: '1', last_read_message_id: ((sent.body as Json).data as Json).id });
  });
});

// ----------------------------------------------------------------- nested ---

const NESTED_KEYS = {
  user: ['id', 'name', 'email', 'role', 'clinic', 'current_clinic', 'doctor'],
  members: ['id', 'name', 'role', 'clinic', 'doctor'],
  notifications: ['id', 'user_id', 'type', 'title', 'body', 'url', 'created_at', 'read_at'],
  appointments: ['id', 'clinic', 'doctor', 'patient', 'status', 'starts_at', 'details', 'updated_at'],
  consultations: ['id', 'clinic', 'doctor', 'patient', 'appointment', 'status', 'started_at', 'ended_at', 'updated_at'],
  conversations: ['id', 'clinic', 'title', 'participants', 'latest_message', 'unread_messages_count', 'last_read_message_id', 'updated_at'],
  messages: ['id', 'conversation_id', 'user_id', 'user', 'body', 'created_at'],
} as const;

describe('nested dialect', () => {
  it.each(LISTS)('answers %s as {data} without meta, records in the nested shapes', async (list) => {
    const page = await body('nested', LIST_PATHS[list]);
    expect(keys(page)).toEqual(['data']);
    for (const item of data(page)) expect(keys(item)).toEqual(NESTED_KEYS[list]);
  });

  it('answers the user with clinic {id, name}, current_clinic {id, timezone} and doctor {id} | null, in /api/user and the login answer', async () => {
    expect(sessions.nested.user).toEqual({
      id: 2,
      name: sessions.default.user.name,
      email: RECEPTION1,
      role: 'reception',
      clinic: { id: 1, name: 'Northside Family Clinic' },
      current_clinic: { id: 1, timezone: clinics.nested.timeZone },
      doctor: null,
    });
    expect(await body('nested', '/api/user')).toEqual(sessions.nested.user);
    const doctor = await signIn(clinics.nested, DOCTOR1);
    expect(keys(doctor.user)).toEqual(NESTED_KEYS.user);
    expect(doctor.user.doctor).toEqual({ id: clinics.nested.info.users.find((u) => u.email === DOCTOR1)?.doctorId });
  });

  it('maps every record from the contract\'s fields', async () => {
    const members = data(await body('nested', LIST_PATHS.members));
    expect(members.slice(0, -1)).toEqual(reference.members.map((m) => ({ id: m.id, name: m.name, role: m.role, clinic: { id: m.clinic_id }, doctor: m.doctor_id === null ? null : { id: m.doctor_id } })));
    const appointments = data(await body('nested', LIST_PATHS.appointments));
    const doctors = new Map(reference.members.filter((m) => m.doctor_id !== null).map((m) => [m.doctor_id, m.name]));
    expect(appointments).toEqual(
      reference.appointments.map((a) => ({
        id: a.id,
        clinic: { id: a.clinic_id },
        doctor: { id: a.doctor_id, name: doctors.get(a.doctor_id) },
        patient: { id: a.patient_id, name: a.patient_name },
        status: a.status,
        starts_at: a.appointment_date,
        details: { duration_minutes: a.duration_minutes, reason: a.reason },
        updated_at: a.updated_at,
      })),
    );
    const consultations = data(await body('nested', LIST_PATHS.consultations));
    expect(consultations).toEqual(
      reference.consultations.map((c) => ({
        id: c.id,
        clinic: { id: c.clinic_id },
        doctor: { id: c.doctor_id, name: doctors.get(c.doctor_id) },
        patient: { id: c.patient_id, name: c.patient_name },
        appointment: c.appointment_id === null ? null : { id: c.appointment_id },
        status: c.status,
        started_at: c.started_at,
        ended_at: c.ended_at,
        updated_at: c.updated_at,
      })),
    );
    const message = (m: Json) => ({ id: m.id, conversation_id: m.conversation_id, user_id: m.sender_id, user: { id: m.sender_id, name: m.sender_name }, body: m.body, created_at: m.created_at });
    expect(data(await body('nested', LIST_PATHS.messages))).toEqual(reference.messages.map(message));
    const names = new Map(reference.members.map((m) => [m.id, m.name]));
    expect(data(await body('nested', LIST_PATHS.conversations))).toEqual(
      reference.conversations.map((c) => ({
        id: c.id,
        clinic: { id: c.clinic_id },
        title: c.subject,
        participants: (c.participant_ids as number[]).map((id) => ({ id, name: names.get(id) })),
        latest_message: c.last_message === null ? null : message(c.last_message as Json),
        unread_messages_count: c.unread_count,
        last_read_message_id: c.last_read_message_id,
        updated_at: c.updated_at,
      })),
    );
    const notifications = data(await body('nested', '/api/notifications?per_page=500'));
    expect(notifications).toEqual(
      reference.notifications.map((n) => ({ id: n.id, user_id: n.user_id, type: n.type, title: n.title, body: n.message, url: n.action_url, created_at: n.created_at, read_at: n.read_at })),
    );
  });

  it('adds one member with role "nurse" to the clinic\'s members', async () => {
    const members = data(await body('nested', LIST_PATHS.members));
    const nurses = members.filter((m) => m.role === 'nurse');
    expect(nurses).toHaveLength(1);
    expect(nurses[0]).toMatchObject({ clinic: { id: 1 }, doctor: null });
    expect(reference.members.map((m) => m.id)).not.toContain(nurses[0]?.id);
  });

  it('honours after_id and per_page on notifications (ascending, at most per_page) and sends no meta', async () => {
    const after = Number(reference.notifications[3]?.id);
    const page = await body('nested', `/api/notifications?after_id=${after}&per_page=7`);
    expect(keys(page)).toEqual(['data']);
    expect(ids(data(page))).toEqual(ids(reference.notifications.filter((n) => Number(n.id) > after)).slice(0, 7));
    // Paging with after_id = the last id seen reaches the default's full answer.
    const seen: number[] = [];
    for (let last = 0; ; ) {
      const rows = data(await body('nested', `/api/notifications?after_id=${last}&per_page=10`));
      if (rows.length === 0) break;
      seen.push(...ids(rows));
      last = seen[seen.length - 1] ?? 0;
    }
    expect(seen).toEqual(ids(reference.notifications));
  });

  it('answers actions in the nested shapes inside {data}, while the broadcast keeps the seed\'s payload', async () => {
    const clinic = await harness.clinic({ apiDialect: 'nested' });
    const { token } = await signIn(clinic, RECEPTION1);
    const read = await request(clinic.info.apiUrl, 'POST', `/api/notifications/${String(reference.notifications[0]?.id)}/read`, { token });
    expect(keys((read.body as Json).data)).toEqual(NESTED_KEYS.notifications);
    expect(((read.body as Json).data as Json).read_at).toEqual(expect.any(String));

    const client: Pusher = await harness.pusherJs(clinic, ajaxAuthorization(clinic, token));
    expect((await subscribe(client, 'private-conversation.7001')).ok).toBe(true);
    const broadcast = nextEvent(client, 'private-conversation.7001', 'message-sent');
    const sent = await request(clinic.info.apiUrl, 'POST', '/api/conversations/7001/messages', { token, json: { body: 'Nested hello' } });
    expect(sent.status).toBe(201);
    const message = (sent.body as Json).data as Json;
    expect(message).toEqual({ id: expect.any(Number), conversation_id: 7001, user_id: 2, user: { id: 2, name: sessions.nested.user.name }, body: 'Nested hello', created_at: expect.any(String) });
    const event = (await broadcast) as Json;
    expect(event).toMatchObject({ conversation_id: 7001, type: 'sent' });
    expect(keySet((event.data as Json).message)).toEqual([...CONTRACT_KEYS.messages].sort());

    const conversation = await request(clinic.info.apiUrl, 'POST', '/api/conversations/7001/read', { token });
    expect(keys((conversation.body as Json).data)).toEqual(NESTED_KEYS.conversations);
    expect((conversation.body as Json).data).toMatchObject({ id: 7001, latest_message: message, unread_messages_count: 0, last_read_message_id: message.id });
  });
});

// ---------------------------------------------------------------- minimal ---

describe('minimal dialect', () => {
  it('signs in, answers the user, authorizes channels and signs out', async () => {
    expect(keySet(sessions.minimal.user)).toEqual([...CONTRACT_KEYS.user].sort());
    expect(await body('minimal', '/api/user')).toEqual(sessions.minimal.user);
    const up = await request(clinics.minimal.info.apiUrl, 'GET', '/up', { accept: 'text/html' });
    expect(up.status).toBe(200);
    const auth = await request(clinics.minimal.info.apiUrl, 'POST', '/broadcasting/auth', {
      token: sessions.minimal.token,
      form: { socket_id: '1234.5678', channel_name: 'private-notifications.2' },
    });
    expect(auth.status).toBe(200);
    expect(keys(auth.body)).toEqual(['auth']);
    const other = await signIn(clinics.minimal, DOCTOR1);
    expect((await request(clinics.minimal.info.apiUrl, 'POST', '/api/logout', { token: other.token })).status).toBe(204);
    expect((await request(clinics.minimal.info.apiUrl, 'GET', '/api/user', { token: other.token })).status).toBe(401);
  });

  it.each([
    ['GET', LIST_PATHS.members],
    ['GET', LIST_PATHS.notifications],
    ['GET', LIST_PATHS.appointments],
    ['GET', LIST_PATHS.consultations],
    ['GET', LIST_PATHS.conversations],
    ['GET', LIST_PATHS.messages],
    ['POST', '/api/notifications/1/read'],
    ['POST', '/api/notifications/read-all'],
    ['DELETE', '/api/notifications/1'],
    ['POST', '/api/conversations/7001/messages'],
    ['POST', '/api/conversations/7001/read'],
  ])('answers %s %s with Laravel\'s route 404', async (method, path) => {
    const res = await request(clinics.minimal.info.apiUrl, method, path, { token: sessions.minimal.token, json: method === 'GET' || method === 'DELETE' ? undefined : {} });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: `The route ${path.split('?')[0]?.slice(1) ?? ''} could not be found.` });
  });
});

// --------------------------------------------------------------- presence ---

describe('presence channel_data per dialect', () => {
  const expected: Record<ApiDialectName, Json> = {
    default: { name: 'NAME', role: 'reception' },
    resource: { name: 'NAME', role: 'reception' },
    paginate: { name: 'NAME', role: 'reception' },
    cursor: { name: 'NAME', role: 'reception' },
    nested: { id: 2, name: 'NAME' },
    minimal: { name: 'NAME' },
  };

  it.each(API_DIALECTS)('%s: user_id is the string "2" and user_info as the dialect\'s channel callback returns it', async (dialect) => {
    const res = await request(clinics[dialect].info.apiUrl, 'POST', '/broadcasting/auth', {
      token: sessions[dialect].token,
      form: { socket_id: '1234.5678', channel_name: 'presence-clinic.1' },
    });
    expect(res.status).toBe(200);
    const answer = res.body as { auth: string; channel_data: string };
    const name = clinics.default.info.users.find((u) => u.email === RECEPTION1)?.name;
    const info = Object.fromEntries(Object.entries(expected[dialect]).map(([k, v]) => [k, v === 'NAME' ? name : v]));
    expect(JSON.parse(answer.channel_data)).toEqual({ user_id: '2', user_info: info });
  });

  it('nested: pusher-js joins with the signed channel_data, and members see {id, name}', async () => {
    const clinic = await harness.clinic({ apiDialect: 'nested' });
    const { token } = await signIn(clinic, RECEPTION1);
    const client = await harness.pusherJs(clinic, ajaxAuthorization(clinic, token));
    const joined = await subscribe(client, 'presence-clinic.1');
    expect(joined.ok).toBe(true);
    const me = (client.channel('presence-clinic.1') as unknown as { members: { me: { id: string; info: unknown } } }).members.me;
    expect(me).toMatchObject({ id: '2', info: { id: 2, name: sessions.nested.user.name } });
  });
});
