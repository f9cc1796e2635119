/**
 * ConsultationsPart on its own: the list read from a demo clinic over real
 * HTTP, newest wins between it and live status changes, consultations known
 * from live events alone, and which ones are followed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConsultationsPart } from '../../../../src/main/core/sync/consultations';
import type { DemoClinic } from '../../../../src/main/demo/demo-clinic';
import { Consultation } from '../../../../src/shared/domain';
import type { ConsultationStatusPayload } from '../../../../src/shared/payloads';
import { RECEPTION, closeAll, closedPortApi, first, justBefore, recordedContext, requestsTo, signedIn, takeProblems } from './context';

const ConsultationList = z.array(Consultation);
const NORTHSIDE = 1;

afterEach(async () => {
  // Every event would cross the bridge and every snapshot passed its own schema.
  const problems = takeProblems();
  await closeAll();
  expect(problems).toEqual([]);
});

/** `consultation-status-changed` for a consultation, as Laravel broadcasts it, with a test's changes. */
function payload(c: Consultation, timestamp: string, changes: Partial<ConsultationStatusPayload> = {}): ConsultationStatusPayload {
  return { id: c.id, status: c.status, doctor_id: c.doctor_id, patient_id: c.patient_id, started_at: c.started_at, ended_at: c.ended_at, timestamp, ...changes };
}

function held(part: ConsultationsPart, id: number): Consultation {
  const found = part.list().find((c) => c.id === id);
  if (!found) throw new Error(`consultation ${id} is not held`);
  return found;
}

/** Northside's consultations (by id) that `is` describes, as the server holds them. */
function northside(clinic: DemoClinic, is: (c: Consultation) => boolean): Consultation[] {
  return clinic.store.consultationsWhere((c) => c.clinic_id === NORTHSIDE && is(c));
}

async function synced(email = 'reception1@northside.clinic.test') {
  const { clinic, api, user } = await signedIn(email);
  const r = recordedContext(user, api);
  const part = new ConsultationsPart(r.ctx);
  await part.sync();
  r.clear();
  return { clinic, user, r, part };
}

describe('ConsultationsPart: sync', () => {
  it("lists the clinic's consultations, tells the window and caches them", async () => {
    const { clinic, api, user } = await signedIn('reception1@northside.clinic.test');
    const r = recordedContext(user, api);
    const part = new ConsultationsPart(r.ctx);
    const outcome = await part.sync();
    const expected = clinic.store.consultationsWhere((c) => c.clinic_id === NORTHSIDE);
    // Northside's, of every doctor and state, and none of the other clinic's (which has some).
    expect(new Set(expected.map((c) => c.doctor_id)).size).toBeGreaterThan(1);
    expect(new Set(expected.map((c) => c.status))).toEqual(new Set(['completed', 'active', 'pending']));
    expect(clinic.store.consultationsWhere((c) => c.clinic_id !== NORTHSIDE)).not.toEqual([]);
    expect(requestsTo(clinic, '/api/consultations')).toEqual([200]);
    expect(outcome).toMatchObject({ dropped: 0, problem: null });
    expect(part.list()).toEqual(expected);
    expect(r.events).toEqual([{ kind: 'consultations.replaced', consultations: expected }]);
    expect(r.snapshot('consultations', ConsultationList)).toEqual(expected);

    // The next start shows them from the cache.
    const next = new ConsultationsPart(recordedContext(RECEPTION, await closedPortApi(), { snapshots: r.snapshots }).ctx);
    next.restore();
    expect(next.list()).toEqual(expected);
  });

  it("a doctor's list is their own", async () => {
    const { clinic, user, part } = await synced('doctor3@northside.clinic.test');
    const own = clinic.store.consultationsWhere((c) => c.doctor_id === user.doctor_id);
    // The doctor has some, and so do their colleagues: the list holds the former only.
    expect(own).not.toEqual([]);
    expect(clinic.store.consultationsWhere((c) => c.clinic_id === NORTHSIDE && c.doctor_id !== user.doctor_id)).not.toEqual([]);
    expect(part.list()).toEqual(own);
  });

  it('keeps a held consultation newer than its row; a newer row wins over an older one held', async () => {
    const { clinic, r, part } = await synced();
    // A pending one (opened before 09:59:30): the desk holds a live change the server has since overtaken.
    const overtaken = held(part, first(northside(clinic, (c) => c.status === 'pending' && Date.parse(c.updated_at) < Date.parse('2026-11-26T09:59:30Z')), 'pending consultation').id);
    expect(part.onUpdate(payload(overtaken, '2026-11-26T09:59:30.000000Z', { status: 'cancelled', ended_at: '2026-11-26T09:59:30.000000Z' }), false).result).toBe('applied');
    // Stamped at the fixed clock's 10:00, a microsecond or two on (after the generated rows of that millisecond).
    const serverRow = clinic.store.setConsultationStatus(overtaken.id, 'active');
    expect(serverRow.updated_at).toMatch(/^2026-11-26T10:00:00\.0000\d\dZ$/);

    // An active one (its row as of the fixed clock's 10:00) is completed live while the list is on its way.
    const raced = held(part, first(northside(clinic, (c) => c.status === 'active'), 'active consultation').id);
    const syncing = part.sync();
    const live = payload(raced, '2026-11-26T10:00:00.000700Z', { status: 'completed', ended_at: '2026-11-26T10:00:00.000700Z' });
    expect(part.onUpdate(live, false).result).toBe('applied');
    await syncing;

    expect(held(part, raced.id)).toEqual({ ...raced, status: 'completed', ended_at: '2026-11-26T10:00:00.000700Z', updated_at: '2026-11-26T10:00:00.000700Z' });
    expect(clinic.store.consultation(raced.id)?.status).toBe('active');
    expect(held(part, overtaken.id)).toEqual(serverRow);
    expect(part.list()).toHaveLength(northside(clinic, () => true).length);
    expect(r.of('consultations.replaced').at(-1)?.consultations).toEqual(part.list());
    expect(r.snapshot('consultations', ConsultationList)).toEqual(part.list());
  });
});

describe('ConsultationsPart: live status changes', () => {
  it('applies a newer change to a known consultation; closed once it leaves pending and active', async () => {
    const { clinic, r, part } = await synced();
    const pending = held(part, first(northside(clinic, (c) => c.status === 'pending'), 'pending consultation').id);

    const started = payload(pending, '2026-11-26T10:00:01.000000Z', { status: 'active', started_at: '2026-11-26T10:00:01.000000Z' });
    expect(part.onUpdate(started, false)).toEqual({ result: 'applied', closed: false });
    const active = { ...pending, status: 'active', started_at: '2026-11-26T10:00:01.000000Z', updated_at: '2026-11-26T10:00:01.000000Z' };
    expect(held(part, pending.id)).toEqual(active);

    const ended = payload(active, '2026-11-26T10:20:00.000000Z', { status: 'completed', ended_at: '2026-11-26T10:20:00.000000Z' });
    expect(part.onUpdate(ended, false)).toEqual({ result: 'applied', closed: true });
    const completed = { ...active, status: 'completed', ended_at: '2026-11-26T10:20:00.000000Z', updated_at: '2026-11-26T10:20:00.000000Z' };
    expect(r.events).toEqual([
      { kind: 'consultation.updated', consultation: active },
      { kind: 'consultation.updated', consultation: completed },
    ]);
    expect(r.snapshot('consultations', ConsultationList)?.find((c) => c.id === pending.id)).toEqual(completed);
  });

  it('keeps a status it does not know, and counts it as closed', async () => {
    const { clinic, r, part } = await synced();
    const active = held(part, first(northside(clinic, (c) => c.status === 'active'), 'active consultation').id);
    expect(part.open().map((c) => c.id)).toContain(active.id);
    expect(part.onUpdate(payload(active, '2026-11-26T10:00:01.000000Z', { status: 'on_hold' }), false)).toEqual({ result: 'applied', closed: true });
    expect(held(part, active.id)).toEqual({ ...active, status: 'on_hold', updated_at: '2026-11-26T10:00:01.000000Z' });
    expect(part.open().map((c) => c.id)).not.toContain(active.id);
    expect(r.of('consultation.updated').map((e) => e.consultation.status)).toEqual(['on_hold']);
  });

  it('ignores a change older than (or as old as) the consultation it holds', async () => {
    const { clinic, r, part } = await synced();
    const active = held(part, first(northside(clinic, (c) => c.status === 'active'), 'active consultation').id);
    expect(part.onUpdate(payload(active, justBefore(active.updated_at), { status: 'completed' }), false)).toEqual({ result: 'ignored', closed: false });
    expect(part.onUpdate(payload(active, active.updated_at, { status: 'completed' }), true)).toEqual({ result: 'ignored', closed: false });
    expect(held(part, active.id)).toEqual(active);
    expect(r.events).toEqual([]);
  });

  it('asks for the list about a consultation it has not seen, when the server has one', async () => {
    const { r, part } = await synced();
    const unknown: ConsultationStatusPayload = { id: 3100, status: 'pending', doctor_id: 32, patient_id: 512, started_at: null, ended_at: null, timestamp: '2026-11-26T10:00:01.000000Z' };
    expect(part.onUpdate(unknown, false)).toEqual({ result: 'incomplete', closed: false });
    expect(part.list().map((c) => c.id)).not.toContain(3100);
    expect(r.events).toEqual([]);
  });

  it('knows a consultation from its live change alone when the server has no list', async () => {
    const r = recordedContext(RECEPTION, await closedPortApi());
    const part = new ConsultationsPart(r.ctx);
    const unknown: ConsultationStatusPayload = { id: 3100, status: 'pending', doctor_id: 32, patient_id: 512, started_at: null, ended_at: null, timestamp: '2026-11-26T10:00:01.000000Z' };
    expect(part.onUpdate(unknown, true)).toEqual({ result: 'applied', closed: false });
    const built: Consultation = {
      id: 3100,
      clinic_id: 1,
      doctor_id: 32,
      patient_id: 512,
      patient_name: 'Patient 512',
      appointment_id: null,
      status: 'pending',
      started_at: null,
      ended_at: null,
      updated_at: '2026-11-26T10:00:01.000000Z',
    };
    expect(part.list()).toEqual([built]);
    expect(part.open()).toEqual([built]);
    expect(r.events).toEqual([{ kind: 'consultation.updated', consultation: built }]);
    expect(r.snapshot('consultations', ConsultationList)).toEqual([built]);

    // Once known, the next change merges into it (and keeps the placeholder name).
    const started = { ...unknown, status: 'active', started_at: '2026-11-26T10:05:00.000000Z', timestamp: '2026-11-26T10:05:00.000000Z' };
    expect(part.onUpdate(started, true)).toEqual({ result: 'applied', closed: false });
    expect(part.list()).toEqual([{ ...built, status: 'active', started_at: '2026-11-26T10:05:00.000000Z', updated_at: '2026-11-26T10:05:00.000000Z' }]);
  });
});

describe('ConsultationsPart: open', () => {
  it('follows the pending and active ones, by id', async () => {
    const { clinic, part } = await synced();
    const open = northside(clinic, (c) => c.status === 'pending' || c.status === 'active');
    // Both kinds are there, and completed ones that are not followed.
    expect(new Set(open.map((c) => c.status))).toEqual(new Set(['pending', 'active']));
    expect(part.open().map((c) => [c.id, c.status])).toEqual(open.map((c) => [c.id, c.status]));
    const byId = (ids: number[]) => [...ids].sort((a, b) => a - b);

    // A completed one called back (a newer change) is followed again.
    const done = held(part, first(northside(clinic, (c) => c.status === 'completed'), 'completed consultation').id);
    expect(part.onUpdate(payload(done, '2026-11-26T10:00:01.000000Z', { status: 'pending', ended_at: null }), false)).toEqual({ result: 'applied', closed: false });
    expect(part.open().map((c) => c.id)).toEqual(byId([done.id, ...open.map((c) => c.id)]));
    const cancelled = held(part, first(open.filter((c) => c.status === 'pending'), 'pending consultation').id);
    expect(part.onUpdate(payload(cancelled, '2026-11-26T10:00:02.000000Z', { status: 'cancelled', ended_at: '2026-11-26T10:00:02.000000Z' }), false)).toEqual({ result: 'applied', closed: true });
    expect(part.open().map((c) => c.id)).toEqual(byId([done.id, ...open.map((c) => c.id)].filter((id) => id !== cancelled.id)));
  });
});
