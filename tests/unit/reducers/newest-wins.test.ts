import { describe, expect, it } from 'vitest';
import type { Appointment, Consultation } from '../../../src/shared/domain';
import type { AppointmentUpdatePayload, ConsultationStatusPayload } from '../../../src/shared/payloads';
import { mergeAppointment, mergeConsultation, newer, supersedes } from '../../../src/shared/reducers/newest-wins';

const appointment: Appointment = {
  id: 1001,
  clinic_id: 1,
  doctor_id: 31,
  patient_id: 501,
  patient_name: 'Ada Lovelace',
  status: 'scheduled',
  appointment_date: '2026-11-26T09:00:00.000000Z',
  duration_minutes: 20,
  reason: 'Check-up',
  updated_at: '2026-11-26T08:00:00.000100Z',
};

const update = (timestamp: string, status = 'confirmed'): AppointmentUpdatePayload => ({
  id: 1001,
  action: 'confirmed',
  status,
  appointment_date: appointment.appointment_date,
  details: { clinic_id: 1, doctor_id: 31, patient_id: 501, patient_name: 'Ada Lovelace' },
  timestamp,
});

describe('newest wins', () => {
  it('applies a newer appointment update and names what changed', () => {
    const merged = mergeAppointment(appointment, update('2026-11-26T08:00:00.000101Z'));
    expect(merged).toEqual({ applied: true, value: { ...appointment, status: 'confirmed', updated_at: '2026-11-26T08:00:00.000101Z' }, changed: ['status'] });
  });

  it('ignores an update older than what the desk holds, down to the microsecond', () => {
    expect(mergeAppointment(appointment, update('2026-11-26T08:00:00.000099Z'))).toEqual({ applied: false, reason: 'stale' });
    expect(mergeAppointment(appointment, update(appointment.updated_at))).toEqual({ applied: false, reason: 'stale' });
  });

  it('orders updates by timestamp whatever order they arrive in', () => {
    const older = update('2026-11-26T08:05:00.000000Z', 'confirmed');
    const newest = update('2026-11-26T08:06:00.000000Z', 'cancelled');
    let held: Appointment = appointment;
    for (const u of [newest, older]) {
      const m = mergeAppointment(held, u);
      if (m.applied) held = m.value;
    }
    expect(held.status).toBe('cancelled');
  });

  it('builds an appointment it has not seen from complete details, and refuses incomplete ones', () => {
    const built = mergeAppointment(null, update('2026-11-26T08:06:00.000000Z'));
    expect(built.applied && built.value.patient_name).toBe('Ada Lovelace');
    const bare = { ...update('2026-11-26T08:06:00.000000Z'), details: {} };
    expect(mergeAppointment(null, bare)).toEqual({ applied: false, reason: 'incomplete' });
  });

  it('accepts offsets as well as Z when comparing', () => {
    const plusOne = update('2026-11-26T09:00:00.000200+01:00'); // = 08:00:00.000200Z
    expect(mergeAppointment(appointment, plusOne).applied).toBe(true);
  });

  const consultation: Consultation = {
    id: 3001,
    clinic_id: 1,
    doctor_id: 31,
    patient_id: 501,
    patient_name: 'Ada Lovelace',
    appointment_id: 1001,
    status: 'pending',
    started_at: null,
    ended_at: null,
    updated_at: '2026-11-26T08:00:00.000000Z',
  };
  const statusChange = (status: ConsultationStatusPayload['status'], timestamp: string): ConsultationStatusPayload => ({
    id: 3001,
    status,
    doctor_id: 31,
    patient_id: 501,
    started_at: status === 'pending' ? null : '2026-11-26T08:10:00.000000Z',
    ended_at: status === 'completed' ? '2026-11-26T08:30:00.000000Z' : null,
    timestamp,
  });

  it('never lets a late "active" undo a "completed" consultation', () => {
    const done = mergeConsultation(consultation, statusChange('completed', '2026-11-26T08:30:00.000000Z'));
    if (!done.applied) throw new Error('completed not applied');
    expect(done.changed).toEqual(['status', 'started_at', 'ended_at']);
    expect(mergeConsultation(done.value, statusChange('active', '2026-11-26T08:10:00.000000Z'))).toEqual({ applied: false, reason: 'stale' });
    expect(mergeConsultation(null, statusChange('active', '2026-11-26T08:10:00.000000Z'))).toEqual({ applied: false, reason: 'incomplete' });
  });

  it('picks the newer of two copies', () => {
    const later = { ...appointment, status: 'checked_in', updated_at: '2026-11-26T08:00:00.000200Z' };
    expect(newer(appointment, later)).toBe(later);
    expect(newer(later, appointment)).toBe(later);
  });
});

describe('supersedes: the one tie rule', () => {
  const held = { updated_at: '2026-11-26T08:00:00.000100Z' };
  it.each([
    { incoming: '2026-11-26T08:00:00.000101Z', wins: true, why: 'one microsecond newer' },
    { incoming: '2026-11-26T08:00:00.000100Z', wins: false, why: 'the same instant' },
    { incoming: '2026-11-26T09:00:00.0001+01:00', wins: false, why: 'the same instant, with an offset' },
    { incoming: '2026-11-26T08:00:00.000099Z', wins: false, why: 'one microsecond older' },
    { incoming: '2026-11-26T08:00:00.0002Z', wins: true, why: 'fewer digits, still newer' },
  ])('$why → $wins', ({ incoming, wins }) => {
    expect(supersedes({ updated_at: incoming }, held)).toBe(wins);
  });

  it('anything replaces nothing', () => {
    expect(supersedes(held, null)).toBe(true);
    expect(supersedes(held, undefined)).toBe(true);
  });

  it('newer(read, held): the held copy only when strictly newer', () => {
    const read = { id: 1, updated_at: held.updated_at, from: 'read' };
    expect(newer(read, { ...read, from: 'held' }).from).toBe('read');
    expect(newer(read, { ...read, updated_at: '2026-11-26T08:00:00.000101Z', from: 'held' }).from).toBe('held');
  });
});
