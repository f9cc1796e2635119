import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/main/core/api/client';
import type { ApiProfile } from '../../../src/main/core/api/profile';
import { compatibilityChecks } from '../../../src/main/core/doctor/compatibility';
import { API_DIALECTS } from '../../../src/main/demo/dialects';
import { account, startTestClinic, TODAY } from '../../helpers/demo';
import { plainServer, type PlainServer } from '../../helpers/core';

/**
 * The compatibility report `clinic-desk doctor` and Diagnostics' "Run checks"
 * print: what the clinic's REST API offers, feature by feature, against every
 * dialect of the demo clinic and a clinic's own app the desk half understands.
 */

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const FEATURE_IDS = ['feature-notifications', 'feature-board', 'feature-consultations', 'feature-conversations', 'feature-members'];

describe.each(API_DIALECTS)('compatibility report against the %s dialect', (dialect) => {
  it(dialect === 'minimal' ? 'every list is not offered: live-only, a warning each, never a failure' : 'every feature works', async () => {
    const clinic = await startTestClinic({ apiDialect: dialect });
    open.push(clinic);
    const me = account(clinic, 'reception1@northside.clinic.test');
    const api = new ApiClient({ baseUrl: clinic.info.apiUrl, retry: { attempts: 1 } });
    const { user } = await api.login(me.email, me.password);
    const checks = await compatibilityChecks(api, user, TODAY);
    expect(checks.map((c) => c.id)).toEqual(FEATURE_IDS);
    expect(checks.every((c) => c.ok)).toBe(true);
    if (dialect === 'minimal') {
      for (const c of checks) {
        expect(c.warning).toBe(true);
        expect(c.detail).toMatch(/^Not offered by this server \(GET \/api\/\S+ answered 404: The route api\/\S+ could not be found\)\. The desk runs this feature live-only\.$/);
        expect(c.fix).toMatch(/"api": \{"paths": \{"\w+": "\/api\/…"\}\}/);
      }
    } else {
      expect(checks.filter((c) => c.warning)).toEqual([]);
      const board = checks.find((c) => c.id === 'feature-board');
      expect(board?.detail).toBe(`Works: GET /api/appointments, ${clinic.store.appointmentsOn(me.clinicId, TODAY).length} appointments on ${TODAY}.`);
    }
  });
});

/** A clinic's own Laravel app, written before the desk: a few things the desk reads, one it cannot, two it lacks. */
async function ownClinicApp(): Promise<PlainServer> {
  const s = await plainServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/api/user') return json(200, { data: { id: '5', name: 'Nora Nurse', email: 'nora@clinic.test', role: 'nurse', clinic: { id: 1, name: 'Northside' } } });
    if (path === '/api/notifications') return json(200, []);
    if (path === '/api/appointments') {
      return json(200, {
        data: [
          { id: 1, slot: '2026-11-26T09:00:00Z', doctor: { id: 3, name: 'Dr Adams' }, patient: { id: 4, name: 'Bo' }, status: 'booked' },
          { id: 2, slot: '2026-11-26T09:30:00Z', doctor: { id: 3, name: 'Dr Adams' }, patient: { id: 6, name: 'Cy' }, status: 'booked' },
        ],
      });
    }
    if (path === '/api/consultations') return json(500, { message: 'Server Error' });
    if (path === '/api/conversations') return json(405, { message: 'The GET method is not supported for route api/conversations.' });
    return json(404, { message: `The route ${path?.slice(1) ?? ''} could not be found.` });
  });
  open.push(s);
  return s;
}

describe("a clinic's own app", () => {
  it('says what works, what is not offered, and for what it cannot read the field, the value seen and the profile line', async () => {
    const s = await ownClinicApp();
    const api = new ApiClient({ baseUrl: s.url, retry: { attempts: 1 } });
    api.setToken('1|token');
    const user = await api.user();
    // An unknown role is kept; the clinic comes from a nested relation, the id from a numeric string.
    expect(user).toMatchObject({ id: 5, role: 'nurse', clinic_id: 1, doctor_id: null });
    const checks = Object.fromEntries((await compatibilityChecks(api, user, TODAY)).map((c) => [c.id, c]));

    expect(checks['feature-notifications']).toMatchObject({ ok: true, detail: 'Works: GET /api/notifications, 0 on the first page.' });
    expect(checks['feature-board']).toMatchObject({ ok: true, warning: true });
    expect(checks['feature-board']?.detail).toBe(
      'Not understood: GET /api/appointments (at data.0.appointment_date: appointment_date, required: an ISO 8601 date-time such as 2026-11-26T09:00:00Z, got (missing)).',
    );
    // The suggestion points at the field that holds a date-time.
    expect(checks['feature-board']?.fix).toContain('"api": {"fields": {"appointments.appointment_date": "slot"}}');
    expect(checks['feature-consultations']).toMatchObject({ ok: true, warning: true });
    expect(checks['feature-consultations']?.detail).toMatch(/^Could not be checked: GET \/api\/consultations answered 500/);
    expect(checks['feature-conversations']?.detail).toMatch(/^Not offered by this server \(GET \/api\/conversations answered 405/);
    expect(checks['feature-members']?.detail).toMatch(/^Not offered by this server \(GET \/api\/clinic\/members answered 404/);
  });

  it('with the profile line the report suggested, the board works', async () => {
    const s = await ownClinicApp();
    const profile: ApiProfile = { fields: { 'appointments.appointment_date': 'slot' } };
    const api = new ApiClient({ baseUrl: s.url, retry: { attempts: 1 }, profile });
    api.setToken('1|token');
    const user = await api.user();
    const board = (await compatibilityChecks(api, user, TODAY)).find((c) => c.id === 'feature-board');
    expect(board).toMatchObject({ ok: true, detail: `Works: GET /api/appointments, 2 appointments on ${TODAY}.`, fix: null });
    expect(board?.warning).toBeUndefined();
    const listing = await api.appointments(TODAY);
    expect(listing.items.map((a) => [a.id, a.appointment_date, a.doctor_id, a.doctor_name, a.patient_name, a.status, a.duration_minutes])).toEqual([
      [1, '2026-11-26T09:00:00Z', 3, 'Dr Adams', 'Bo', 'booked', 30],
      [2, '2026-11-26T09:30:00Z', 3, 'Dr Adams', 'Cy', 'booked', 30],
    ]);
  });
});
