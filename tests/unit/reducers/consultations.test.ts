/**
 * The consultations reducer (src/shared/reducers/consultations.ts) on its own:
 * the core's consultations part and the window's store both use it.
 */
import { describe, expect, it } from 'vitest';
import type { Consultation } from '../../../src/shared/domain';
import type { ConsultationStatusPayload } from '../../../src/shared/payloads';
import { applyConsultationsRead, applyStatusChange, isOpenConsultation, placeConsultation, type ConsultationsState } from '../../../src/shared/reducers/consultations';

const stamp = (micros: string, time = '09:00:00') => `2026-11-26T${time}.${micros}Z`;

function consultation(id: number, status: string, updatedAt: string, extra: Partial<Consultation> = {}): Consultation {
  return { id, clinic_id: 1, doctor_id: 31, patient_id: 500 + id, patient_name: `Patient ${id}`, appointment_id: null, status, started_at: null, ended_at: null, updated_at: updatedAt, ...extra };
}

function change(id: number, status: ConsultationStatusPayload['status'], timestamp: string): ConsultationStatusPayload {
  return { id, status, doctor_id: 31, patient_id: 500 + id, started_at: status === 'pending' ? null : stamp('000000', '08:50:00'), ended_at: status === 'completed' ? timestamp : null, timestamp };
}

const HELD = stamp('000100');
const start = (): ConsultationsState => [consultation(1, 'pending', HELD), consultation(2, 'active', HELD)];
const statuses = (s: ConsultationsState) => s.map((c) => [c.id, c.status]);

describe('consultations reducer: placing a consultation the desk decided', () => {
  it.each([
    { case: 'newer by a microsecond', updatedAt: stamp('000101'), applied: true },
    { case: 'equal stamp', updatedAt: HELD, applied: false },
    { case: 'older by a microsecond', updatedAt: stamp('000099'), applied: false },
  ])('$case → applied: $applied', ({ updatedAt, applied }) => {
    const before = start();
    const placed = placeConsultation(before, consultation(1, 'active', updatedAt));
    expect(placed.applied).toBe(applied);
    expect(placed.state.find((c) => c.id === 1)?.status).toBe(applied ? 'active' : 'pending');
    expect(before[0]?.status).toBe('pending');
  });

  it('adds one it did not hold, in id order', () => {
    expect(placeConsultation(start(), consultation(0, 'pending', HELD)).state.map((c) => c.id)).toEqual([0, 1, 2]);
  });
});

describe('consultations reducer: a live status change', () => {
  it('a late "active" never undoes "completed", whatever order they arrive in', () => {
    for (const order of [
      ['active', 'completed'],
      ['completed', 'active'],
    ] as const) {
      let s = start();
      for (const status of order) s = applyStatusChange(s, change(1, status, status === 'active' ? stamp('000200') : stamp('000300')), null).state;
      expect(s.find((c) => c.id === 1)?.status).toBe('completed');
    }
  });

  it('says when a consultation is no longer followed; a duplicate is ignored', () => {
    const done = applyStatusChange(start(), change(2, 'completed', stamp('000200')), null);
    expect(done).toMatchObject({ result: 'applied', closed: true, consultation: { id: 2, status: 'completed' } });
    expect(applyStatusChange(done.state, change(2, 'completed', stamp('000200')), null).result).toBe('ignored');
    expect(applyStatusChange(start(), change(1, 'active', stamp('000200')), null)).toMatchObject({ result: 'applied', closed: false });
  });

  it('an unknown consultation: the list is asked for it, or the payload makes it when there is no list', () => {
    expect(applyStatusChange(start(), change(9, 'pending', stamp('000200')), null).result).toBe('incomplete');
    const made = applyStatusChange(start(), change(9, 'pending', stamp('000200')), { clinic_id: 4 });
    expect(made).toMatchObject({ result: 'applied', consultation: { id: 9, clinic_id: 4, patient_name: 'Patient 509' } });
    expect(made.state.map((c) => c.id)).toEqual([1, 2, 9]);
  });

  it('knows which statuses are followed live', () => {
    expect(['pending', 'active', 'completed', 'cancelled', 'on_hold'].map((status) => isOpenConsultation({ status }))).toEqual([true, true, false, false, false]);
  });
});

describe('consultations reducer: the server’s list', () => {
  it('is the list; each row newest wins against the copy held; counts open ones it changed without an event', () => {
    const held = applyStatusChange(start(), change(1, 'active', stamp('000500')), null).state;
    const read = [
      consultation(1, 'pending', stamp('000400')), // older than the live change held
      consultation(2, 'completed', stamp('000101')), // newer than an open one held: unannounced
      consultation(3, 'pending', stamp('000101')), // new: not evidence
    ];
    const merged = applyConsultationsRead(held, read);
    expect(statuses(merged.state)).toEqual([
      [1, 'active'],
      [2, 'completed'],
      [3, 'pending'],
    ]);
    expect(merged.unannounced).toBe(1);
    // One it no longer lists goes.
    expect(applyConsultationsRead(merged.state, [consultation(3, 'pending', stamp('000101'))]).state.map((c) => c.id)).toEqual([3]);
  });

  it('on a tie the read’s copy; a closed one held does not count', () => {
    const held: ConsultationsState = [consultation(1, 'pending', HELD, { patient_name: 'Held' }), consultation(2, 'completed', HELD)];
    const merged = applyConsultationsRead(held, [consultation(1, 'pending', HELD, { patient_name: 'Read' }), consultation(2, 'cancelled', stamp('000900'))]);
    expect(merged.state.map((c) => c.patient_name)).toEqual(['Read', 'Patient 2']);
    expect(merged.unannounced).toBe(0);
  });
});
