/**
 * The REST client's staff actions over real HTTP on 127.0.0.1, against a
 * plain server that answers as a clinic's Laravel app might: the request of
 * each action (method, path, body, `Idempotency-Key`, `X-Socket-ID`,
 * `expected_status`), answers read tolerantly, a 409 as a typed error with
 * the server's sentence, the same key on a retry, and the `OPTIONS` probe.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ConflictError, PROBE_ID, ValidationFailedError, type ApiClientOptions } from '../../../src/main/core/api/client';
import { ApiProfile } from '../../../src/main/core/api/profile';
import { Appointment, Consultation } from '../../../src/shared/domain';
import { plainServer, recordingSleep, type PlainServer } from '../../helpers/core';

const KEY = '0b7f3c1e-59a4-4a53-8d0e-5f1c2b3a4d5e';
const SOCKET_ID = '1234.5678';
const STAMP = '2026-11-26T09:02:00.123456Z';

const APPOINTMENT = {
  id: 7,
  clinic_id: 1,
  doctor_id: 31,
  patient_id: 501,
  patient_name: 'Ana Lima',
  status: 'checked_in',
  appointment_date: '2026-11-26T09:00:00.000000Z',
  duration_minutes: 20,
  reason: null,
  updated_at: STAMP,
};
const CONSULTATION = {
  id: 90,
  clinic_id: 1,
  doctor_id: 31,
  patient_id: 501,
  patient_name: 'Ana Lima',
  appointment_id: 7,
  status: 'active',
  started_at: STAMP,
  ended_at: null,
  updated_at: STAMP,
};

const servers: PlainServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A server that answers each request with the next of `answers` for its `METHOD path` (the last one repeats). */
async function server(answers: Record<string, Answer[]>): Promise<PlainServer> {
  const s = await plainServer((req: IncomingMessage, res: ServerResponse) => {
    const key = `${req.method ?? ''} ${req.url ?? ''}`;
    const queue = answers[key];
    const answer = queue === undefined ? { status: 404, body: { message: `The route ${(req.url ?? '').slice(1)} could not be found.` } } : queue.length > 1 ? queue.shift()! : queue[0]!;
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...(text === '' ? {} : { 'Content-Type': 'application/json' }), ...answer.headers }).end(text);
  });
  servers.push(s);
  return s;
}

function client(s: PlainServer, options: Partial<ApiClientOptions> = {}): ApiClient {
  const c = new ApiClient({ baseUrl: s.url, sleep: recordingSleep().sleep, random: () => 0.5, budget: { threshold: Number.POSITIVE_INFINITY }, ...options });
  c.setToken('1|secret-token');
  return c;
}

describe('each action’s request', () => {
  it('check-in, no-show, cancel and undo: PATCH the appointment with its status, the status expected, the reason of a cancel', async () => {
    const s = await server({ 'PATCH /api/appointments/7': [{ status: 200, body: { data: APPOINTMENT } }] });
    const api = client(s);
    expect(await api.setAppointmentStatus(7, { status: 'checked_in', expectedStatus: 'scheduled' }, { idempotencyKey: KEY, socketId: SOCKET_ID })).toEqual(Appointment.parse(APPOINTMENT));
    await api.setAppointmentStatus(7, { status: 'cancelled', reason: 'Rang to cancel', expectedStatus: 'confirmed' }, { idempotencyKey: KEY });
    const [checkIn, cancel] = s.requests;
    expect(checkIn).toMatchObject({ method: 'PATCH', url: '/api/appointments/7' });
    expect(JSON.parse(checkIn!.body)).toEqual({ status: 'checked_in', expected_status: 'scheduled' });
    expect(checkIn!.headers).toMatchObject({ 'idempotency-key': KEY, 'x-socket-id': SOCKET_ID, accept: 'application/json', authorization: 'Bearer 1|secret-token', 'content-type': 'application/json' });
    expect(JSON.parse(cancel!.body)).toEqual({ status: 'cancelled', reason: 'Rang to cancel', expected_status: 'confirmed' });
    // No socket given: no header (the broadcast then reaches this desk too).
    expect(cancel!.headers['x-socket-id']).toBeUndefined();
  });

  it('call-in: POST without a body; start: POST the appointment id; complete: PATCH status completed', async () => {
    const s = await server({
      'POST /api/appointments/7/call-in': [{ status: 200, body: { data: APPOINTMENT } }],
      'POST /api/consultations': [{ status: 201, body: { data: CONSULTATION } }],
      'PATCH /api/consultations/90': [{ status: 200, body: { data: { ...CONSULTATION, status: 'completed', ended_at: STAMP } } }],
    });
    const api = client(s);
    expect((await api.callIn(7, { idempotencyKey: KEY }))?.id).toBe(7);
    expect(await api.startConsultation(7, { idempotencyKey: KEY, socketId: SOCKET_ID })).toEqual(Consultation.parse(CONSULTATION));
    expect((await api.completeConsultation(90, { idempotencyKey: KEY }))?.status).toBe('completed');
    expect(s.requests.map((r) => [r.method, r.url, r.body === '' ? null : (JSON.parse(r.body) as unknown)])).toEqual([
      ['POST', '/api/appointments/7/call-in', null],
      ['POST', '/api/consultations', { appointment_id: 7 }],
      ['PATCH', '/api/consultations/90', { status: 'completed' }],
    ]);
    expect(s.requests.every((r) => r.headers['idempotency-key'] === KEY)).toBe(true);
  });

  it('the profile’s paths and methods: PUT to /api/v2/bookings/{id}', async () => {
    const s = await server({ 'PUT /api/v2/bookings/7': [{ status: 200, body: APPOINTMENT }] });
    const api = client(s, { profile: ApiProfile.parse({ paths: { appointmentUpdate: '/api/v2/bookings/{id}' }, methods: { appointmentUpdate: 'PUT' } }) });
    expect((await api.setAppointmentStatus(7, { status: 'no_show', expectedStatus: 'scheduled' }, { idempotencyKey: KEY }))?.status).toBe('checked_in');
    expect(api.actionRoute('appointmentUpdate')).toEqual({ method: 'PUT', path: '/api/v2/bookings/{id}' });
  });

  it('refuses a key or a socket id that could not be a header, before sending anything', async () => {
    const s = await server({});
    const api = client(s);
    await expect(api.callIn(7, { idempotencyKey: 'two words' })).rejects.toBeInstanceOf(RangeError);
    await expect(api.callIn(7, { idempotencyKey: KEY, socketId: 'abc' })).rejects.toBeInstanceOf(RangeError);
    expect(s.requests).toEqual([]);
  });
});

describe('answers, read tolerantly', () => {
  it('a bare record, ids as numeric strings, relations as objects, another name for the time', async () => {
    const nested = {
      id: '7',
      status: 'checked_in',
      starts_at: '2026-11-26 09:00:00',
      clinic: { id: '1' },
      doctor: { id: '31', name: 'Dr. Ortiz' },
      patient: { id: '501', name: 'Ana Lima' },
      updated_at: STAMP,
    };
    const s = await server({ 'PATCH /api/appointments/7': [{ status: 200, body: nested }] });
    const read = await client(s).setAppointmentStatus(7, { status: 'checked_in', expectedStatus: 'scheduled' }, { idempotencyKey: KEY });
    expect(read).toMatchObject({ id: 7, doctor_id: 31, doctor_name: 'Dr. Ortiz', patient_id: 501, patient_name: 'Ana Lima', appointment_date: '2026-11-26T09:00:00Z', updated_at: STAMP });
  });

  it('no body (204), or a body without a record the desk can read: done all the same, with no record', async () => {
    const s = await server({
      'POST /api/appointments/7/call-in': [{ status: 204 }],
      'POST /api/consultations': [{ status: 201, body: { data: { queued: true } } }],
    });
    const api = client(s);
    expect(await api.callIn(7, { idempotencyKey: KEY })).toBeNull();
    expect(await api.startConsultation(7, { idempotencyKey: KEY })).toBeNull();
  });
});

describe('refusals and retries', () => {
  it('a 409 is a ConflictError carrying the server’s sentence, on one line and at most 200 characters', async () => {
    const long = `Already checked in by Elena Ruiz at 09:02.\nSee the log.${' Really.'.repeat(40)}`;
    const s = await server({
      'PATCH /api/appointments/7': [{ status: 409, body: { message: 'Already checked in by Elena Ruiz at 09:02.' } }, { status: 409, body: { message: long } }],
    });
    const api = client(s);
    const first = await api.setAppointmentStatus(7, { status: 'checked_in', expectedStatus: 'scheduled' }, { idempotencyKey: KEY }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ConflictError);
    expect(first).toMatchObject({ status: 409, serverMessage: 'Already checked in by Elena Ruiz at 09:02.' });
    const second = (await api.setAppointmentStatus(7, { status: 'checked_in', expectedStatus: 'scheduled' }, { idempotencyKey: KEY }).catch((e: unknown) => e)) as ConflictError;
    expect(second.serverMessage).toMatch(/^Already checked in by Elena Ruiz at 09:02\. See the log\. Really\./);
    expect(second.serverMessage!.length).toBe(200);
    expect(second.serverMessage).not.toContain('\n');
    // A refusal is an answer: not tried again.
    expect(s.requests).toHaveLength(2);
  });

  it('a 422 is a ValidationFailedError with its fields', async () => {
    const s = await server({ 'PATCH /api/consultations/90': [{ status: 422, body: { message: 'The given data was invalid.', errors: { status: ['The consultation is already completed.'] } } }] });
    const error = await client(s).completeConsultation(90, { idempotencyKey: KEY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fields).toEqual({ status: ['The consultation is already completed.'] });
  });

  it('retried after a 503 with the same Idempotency-Key', async () => {
    const s = await server({ 'POST /api/consultations': [{ status: 503, body: { message: 'Service Unavailable' } }, { status: 201, body: { data: CONSULTATION } }] });
    expect((await client(s).startConsultation(7, { idempotencyKey: KEY }))?.id).toBe(90);
    expect(s.requests.map((r) => r.headers['idempotency-key'])).toEqual([KEY, KEY]);
  });
});

describe('the OPTIONS probe of an action’s path', () => {
  it('reads Allow as Laravel writes it, with a placeholder id, carrying the token', async () => {
    const s = await server({
      [`OPTIONS /api/appointments/${PROBE_ID}`]: [{ status: 200, headers: { Allow: 'GET,HEAD,PUT,PATCH,DELETE' } }],
      'OPTIONS /api/consultations': [{ status: 200, headers: { Allow: 'GET, HEAD, post' } }],
    });
    const api = client(s);
    expect(await api.allowedMethods('appointmentUpdate')).toEqual({ kind: 'allow', methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'] });
    expect(await api.allowedMethods('consultationStart')).toEqual({ kind: 'allow', methods: ['GET', 'HEAD', 'POST'] });
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`OPTIONS /api/appointments/${PROBE_ID}`, 'OPTIONS /api/consultations']);
    expect(s.requests[0]?.headers.authorization).toBe('Bearer 1|secret-token');
  });

  it('no Allow (a CORS middleware answering the preflight): no-allow; a 404 or a 405 naming nothing: route-missing', async () => {
    const s = await server({
      [`OPTIONS /api/appointments/${PROBE_ID}`]: [{ status: 204, headers: { 'Access-Control-Allow-Methods': 'GET, POST' } }],
      [`OPTIONS /api/consultations/${PROBE_ID}`]: [{ status: 405, body: { message: 'The OPTIONS method is not supported for route.' } }],
    });
    const api = client(s);
    expect(await api.allowedMethods('appointmentUpdate')).toEqual({ kind: 'no-allow' });
    expect(await api.allowedMethods('appointmentCallIn')).toEqual({ kind: 'route-missing' });
    expect(await api.allowedMethods('consultationUpdate')).toEqual({ kind: 'route-missing' });
  });

  it('a 405 that names the route’s methods says what it takes; a 5xx is no answer', async () => {
    const s = await server({
      [`OPTIONS /api/appointments/${PROBE_ID}`]: [{ status: 405, body: { message: 'Method not allowed.' }, headers: { Allow: 'GET, HEAD, PUT' } }],
      'OPTIONS /api/consultations': [{ status: 500, body: { message: 'Server Error' } }],
    });
    const api = client(s, { retry: { attempts: 1 } });
    expect(await api.allowedMethods('appointmentUpdate')).toEqual({ kind: 'allow', methods: ['GET', 'HEAD', 'PUT'] });
    expect(await api.allowedMethods('consultationStart')).toEqual({ kind: 'unanswered' });
  });
});
