/**
 * Per dialect, over real HTTP and real sockets: where the user answer (login's
 * `user` and `GET /api/user`) says the clinic's time zone, and what a doctor
 * sees of colleagues' schedules: `default` (and `paginate`, `cursor`) their own
 * only, over REST and on the channels; `resource` the whole clinic over REST
 * and every colleague's channel; `nested` the whole clinic over REST while
 * colleagues' channels are refused (403).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { API_DIALECTS, API_DIALECT_DESCRIPTIONS, type ApiDialectName } from '../../../src/main/demo/dialects';
import { API_DIALECT_ZONE_KEYS } from '../../../src/main/demo/dialects/names';
import { AppointmentUpdatePayload } from '../../../src/shared/payloads';
import { DemoHarness, account, ajaxAuthorization, nextEvent, request, socketIdOf, subscribe } from '../../helpers/demo';

const ZONE = 'Asia/Kathmandu';
const RECEPTION1 = 'reception1@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
const DOCTOR2 = 'doctor2@northside.clinic.test';

type Json = Record<string, unknown>;
const harness = new DemoHarness();
const clinics = {} as Record<ApiDialectName, DemoClinic>;

beforeAll(async () => {
  await Promise.all(API_DIALECTS.map(async (apiDialect) => (clinics[apiDialect] = await harness.clinic({ apiDialect, timeZone: ZONE }))));
});
afterAll(() => harness.cleanup());

async function signIn(dialect: ApiDialectName, email: string): Promise<{ token: string; user: Json }> {
  const res = await request(clinics[dialect].info.apiUrl, 'POST', '/api/login', { json: { email, password: 'password' } });
  expect(res.status, res.text).toBe(200);
  return res.body as { token: string; user: Json };
}

const lookup = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value);

describe('the clinic zone in the user answer', () => {
  it('names, per dialect, the key that carries it', () => {
    expect(API_DIALECT_ZONE_KEYS).toEqual({
      default: 'clinic.timezone',
      resource: 'clinic.timezone',
      paginate: 'timezone',
      cursor: 'timezone',
      nested: 'current_clinic.timezone',
      minimal: null,
    });
  });

  it.each(API_DIALECTS)('%s: login\'s user and GET /api/user say it where the dialect puts it', async (dialect) => {
    const clinic = clinics[dialect];
    expect(clinic.info.timeZone).toBe(ZONE);
    const { token, user } = await signIn(dialect, RECEPTION1);
    const me = await request(clinic.info.apiUrl, 'GET', '/api/user', { token });
    expect(me.status).toBe(200);
    // A UserResource answers `{data: user}`; the login answer nests it unwrapped.
    const current = dialect === 'resource' ? (me.body as Json).data : me.body;
    expect(current).toEqual(user);
    const key = API_DIALECT_ZONE_KEYS[dialect];
    if (key === null) {
      expect(me.text).not.toMatch(/time_?zone/i);
      return;
    }
    expect(lookup(user, key)).toBe(ZONE);
    // Only there: no other spelling next to it.
    expect(JSON.stringify(user).match(/time_?zone/gi)).toHaveLength(1);
  });
});

/** Every row of a list, following the dialect's `next` links. */
async function allRows(dialect: ApiDialectName, token: string, path: string): Promise<Json[]> {
  const rows: Json[] = [];
  let url: string | null = `${clinics[dialect].info.apiUrl}${path}`;
  for (let page = 0; url !== null && page < 50; page++) {
    const res = await request('', 'GET', url, { token });
    expect(res.status, res.text).toBe(200);
    const body = res.body as Json;
    rows.push(...(body.data as Json[]));
    const next = lookup(body, 'links.next') ?? body.next_page_url ?? null;
    url = typeof next === 'string' ? next : null;
  }
  return rows;
}

const doctorIdOfRow = (dialect: ApiDialectName, row: Json) => Number(dialect === 'nested' ? lookup(row, 'doctor.id') : row.doctor_id);

/** `POST /broadcasting/auth` as pusher-js sends it: the status the server answers. */
async function authStatus(dialect: ApiDialectName, token: string, channel: string): Promise<number> {
  const res = await request(clinics[dialect].info.apiUrl, 'POST', '/broadcasting/auth', { token, form: { socket_id: '1234.5678', channel_name: channel } });
  return res.status;
}

const VIEWS: Record<ApiDialectName, { rest: 'own' | 'clinic' | null; colleagueChannel: 200 | 403 }> = {
  default: { rest: 'own', colleagueChannel: 403 },
  resource: { rest: 'clinic', colleagueChannel: 200 },
  paginate: { rest: 'own', colleagueChannel: 403 },
  cursor: { rest: 'own', colleagueChannel: 403 },
  nested: { rest: 'clinic', colleagueChannel: 403 },
  minimal: { rest: null, colleagueChannel: 403 },
};

describe('a doctor\'s view of colleagues', () => {
  it.each(API_DIALECTS)('%s: REST and channel authorisation agree with the dialect\'s description', async (dialect) => {
    const clinic = clinics[dialect];
    const own = account(clinic, DOCTOR1).doctorId ?? -1;
    const colleague = account(clinic, DOCTOR2).doctorId ?? -1;
    const view = VIEWS[dialect];
    const { token } = await signIn(dialect, DOCTOR1);
    if (view.rest !== null) {
      const rows = await allRows(dialect, token, `/api/appointments?date=${clinic.today()}`);
      const doctors = new Set(rows.map((r) => doctorIdOfRow(dialect, r)));
      const clinicRows = clinic.store.appointmentsOn(1, clinic.today());
      if (view.rest === 'own') {
        expect([...doctors]).toEqual([own]);
        expect(rows).toHaveLength(clinicRows.filter((a) => a.doctor_id === own).length);
      } else {
        expect(doctors.has(colleague)).toBe(true);
        expect(rows).toHaveLength(clinicRows.length);
      }
    }
    expect(await authStatus(dialect, token, channels.doctorAppointments(own).fullName)).toBe(200);
    expect(await authStatus(dialect, token, channels.doctorAppointments(colleague).fullName)).toBe(view.colleagueChannel);
    // Another clinic's doctor is always refused; reception always sees every doctor of its clinic.
    const riverside = account(clinic, 'doctor1@riverside.clinic.test').doctorId ?? -1;
    expect(await authStatus(dialect, token, channels.doctorAppointments(riverside).fullName)).toBe(403);
    const reception = await signIn(dialect, RECEPTION1);
    expect(await authStatus(dialect, reception.token, channels.doctorAppointments(colleague).fullName)).toBe(200);
    // The one-line description says it too.
    expect(API_DIALECT_DESCRIPTIONS[dialect]).toMatch(/doctors/);
  });

  it('resource: a doctor\'s desk hears a colleague\'s appointment update live', async () => {
    const clinic = clinics.resource;
    const colleague = account(clinic, DOCTOR2).doctorId ?? -1;
    const { token } = await signIn('resource', DOCTOR1);
    const client = await harness.pusherJs(clinic, ajaxAuthorization(clinic, token));
    const channel = channels.doctorAppointments(colleague).fullName;
    expect((await subscribe(client, channel)).ok).toBe(true);
    const row = clinic.store.appointmentsOn(1, clinic.today(), (a) => a.doctor_id === colleague && a.status === 'confirmed')[0];
    if (!row) throw new Error('doctor2 has no confirmed appointment today');
    const event = nextEvent(client, channel, 'appointment-updated');
    await clinic.setAppointmentStatus(row.id, 'checked_in');
    expect(AppointmentUpdatePayload.parse(await event)).toMatchObject({ id: row.id, status: 'checked_in' });
  });

  it.each(['default', 'nested'] as const)('%s: pusher-js sees the 403 for a colleague\'s channel and keeps its own', async (dialect) => {
    const clinic = clinics[dialect];
    const own = account(clinic, DOCTOR1).doctorId ?? -1;
    const colleague = account(clinic, DOCTOR2).doctorId ?? -1;
    const { token } = await signIn(dialect, DOCTOR1);
    const client = await harness.pusherJs(clinic, ajaxAuthorization(clinic, token));
    expect(socketIdOf(client)).toMatch(/^\d+\.\d+$/);
    const refused = await subscribe(client, channels.doctorAppointments(colleague).fullName);
    expect(refused.ok).toBe(false);
    expect(refused.data).toMatchObject({ status: 403 });
    expect((await subscribe(client, channels.doctorAppointments(own).fullName)).ok).toBe(true);
  });
});
