/**
 * Conditional GETs and what requests cost, over real HTTP: the `default`,
 * `resource` and `nested` dialects send a weak ETag of each list's body and
 * answer `304 Not Modified` (no body) to a matching `If-None-Match`, as
 * Laravel's `cache.headers:etag` middleware does; `paginate`, `cursor` and
 * `minimal` never do. The demo counts requests, 304s and body bytes per path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import { etagMatches } from '../../../src/main/demo/laravel-app';
import { account, apiClient, request, type ApiClient } from '../../helpers/demo';
import { UtcHarness } from './pinned-zone';

const RECEPTION1 = 'reception1@northside.clinic.test';
const WITH_ETAGS = ['default', 'resource', 'nested'] as const satisfies readonly ApiDialectName[];
const WITHOUT_ETAGS = ['paginate', 'cursor'] as const satisfies readonly ApiDialectName[];

const harness = new UtcHarness();
const clinics = {} as Record<ApiDialectName, DemoClinic>;
const clients = {} as Record<ApiDialectName, ApiClient>;

beforeAll(async () => {
  await Promise.all(
    [...WITH_ETAGS, ...WITHOUT_ETAGS, 'minimal' as const].map(async (apiDialect) => {
      clinics[apiDialect] = await harness.clinic({ apiDialect });
      // Signed in over the raw answer: the dialects' users are not all in the contract's shape.
      const login = await request(clinics[apiDialect].info.apiUrl, 'POST', '/api/login', { json: { email: RECEPTION1, password: 'password' } });
      clients[apiDialect] = apiClient(clinics[apiDialect], (login.body as { token: string }).token);
    }),
  );
});
afterAll(() => harness.cleanup());

const lists = (clinic: DemoClinic) => ({
  appointments: `/api/appointments?date=${clinic.today()}`,
  consultations: '/api/consultations',
  conversations: '/api/conversations',
  members: '/api/clinic/members',
  notifications: '/api/notifications',
});

describe('ETag and 304', () => {
  for (const dialect of WITH_ETAGS) {
    it(`${dialect}: every list has a weak ETag of its body; a matching If-None-Match is a 304 without a body`, async () => {
      const clinic = clinics[dialect];
      const api = clients[dialect];
      for (const [list, path] of Object.entries(lists(clinic))) {
        const first = await api.get(path);
        expect(first.status, `${list}: ${first.text}`).toBe(200);
        const etag = first.headers.get('etag');
        expect(etag, list).toMatch(/^W\/"[0-9a-f]{32}"$/);
        // The same body, the same validator.
        expect((await api.get(path)).headers.get('etag')).toBe(etag);

        const again = await api.get(path, { headers: { 'If-None-Match': etag ?? '' } });
        expect(again.status, list).toBe(304);
        expect(again.text).toBe('');
        expect(again.headers.get('etag')).toBe(etag);
        expect(again.headers.get('content-type')).toBeNull();
        // Weak comparison, lists and `*`, as Symfony's isNotModified() compares.
        const strong = (etag ?? '').replace(/^W\//, '');
        expect((await api.get(path, { headers: { 'If-None-Match': `"nope", ${strong}` } })).status).toBe(304);
        expect((await api.get(path, { headers: { 'If-None-Match': '*' } })).status).toBe(304);
        expect((await api.get(path, { headers: { 'If-None-Match': 'W/"0000"' } })).status).toBe(200);
      }
    });

    it(`${dialect}: a change makes a new ETag, so the old one gets the full answer`, async () => {
      const clinic = clinics[dialect];
      const api = clients[dialect];
      const path = '/api/notifications';
      const before = await api.get(path);
      const etag = before.headers.get('etag') ?? '';
      await clinic.backend.notify({ user_id: account(clinic, RECEPTION1).id, type: 'system', title: 'New', message: 'changed', action_url: null });
      const after = await api.get(path, { headers: { 'If-None-Match': etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(after.text).toContain('changed');
    });
  }

  for (const dialect of WITHOUT_ETAGS) {
    it(`${dialect}: no ETag, and If-None-Match changes nothing`, async () => {
      const clinic = clinics[dialect];
      for (const path of Object.values(lists(clinic))) {
        const res = await clients[dialect].get(path, { headers: { 'If-None-Match': '*' } });
        expect(res.status, path).toBe(200);
        expect(res.headers.get('etag')).toBeNull();
      }
    });
  }

  it('minimal: no lists at all (404), and no ETag on what it has', async () => {
    const res = await clients.minimal.get('/api/user', { headers: { 'If-None-Match': '*' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect((await clients.minimal.get('/api/notifications')).status).toBe(404);
  });

  it('compares validators like Symfony: weakly, in a list, or *', () => {
    expect(etagMatches(undefined, 'W/"a"')).toBe(false);
    expect(etagMatches('W/"a"', 'W/"a"')).toBe(true);
    expect(etagMatches('"a"', 'W/"a"')).toBe(true);
    expect(etagMatches(' "b" ,W/"a"', 'W/"a"')).toBe(true);
    expect(etagMatches('"b"', 'W/"a"')).toBe(false);
    expect(etagMatches('*', 'W/"a"')).toBe(true);
    expect(etagMatches(['"b"', 'W/"a"'], 'W/"a"')).toBe(true);
  });
});

describe('traffic(): requests, 304s and body bytes per path', () => {
  it('counts what a quiet, polling desk costs, per METHOD /path, and starts again after resetTraffic()', async () => {
    const clinic = clinics.default;
    const api = clients.default;
    clinic.resetTraffic();
    expect(clinic.traffic()).toEqual({ requests: 0, notModified: 0, bytes: 0, byPath: {} });

    const path = lists(clinic).consultations;
    const full = await api.get(path);
    const etag = full.headers.get('etag') ?? '';
    for (let i = 0; i < 3; i++) expect((await api.get(path, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    await api.get('/api/user');

    const report = clinic.traffic();
    expect(report.byPath['GET /api/consultations']).toEqual({ requests: 4, notModified: 3, bytes: Buffer.byteLength(full.text) });
    expect(report.byPath['GET /api/user']?.requests).toBe(1);
    expect(report.byPath['GET /api/user']?.bytes).toBeGreaterThan(50);
    expect(report.requests).toBe(5);
    expect(report.notModified).toBe(3);
    expect(report.bytes).toBe(Object.values(report.byPath).reduce((sum, p) => sum + p.bytes, 0));
    // The log keeps every request, in order.
    expect(clinic.api.requestLog.at(-1)).toMatchObject({ method: 'GET', path: '/api/user', status: 200 });

    clinic.resetTraffic();
    await api.get(path, { headers: { 'If-None-Match': etag } });
    expect(clinic.traffic()).toEqual({ requests: 1, notModified: 1, bytes: 0, byPath: { 'GET /api/consultations': { requests: 1, notModified: 1, bytes: 0 } } });
  });

  it('counts the bytes of errors and of answers without ETags too', async () => {
    const clinic = clinics.paginate;
    clinic.resetTraffic();
    const res = await clients.paginate.get('/api/notifications?per_page=26');
    expect(res.status).toBe(422);
    const missing = await clients.paginate.get('/api/nothing-here');
    expect(missing.status).toBe(404);
    const report = clinic.traffic();
    expect(report.byPath['GET /api/notifications']).toEqual({ requests: 1, notModified: 0, bytes: Buffer.byteLength(res.text) });
    expect(report.byPath['GET /api/nothing-here']?.bytes).toBe(Buffer.byteLength(missing.text));
  });
});
