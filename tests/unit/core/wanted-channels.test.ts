import { describe, expect, it } from 'vitest';
import type { ClinicMember, Consultation, Conversation, User } from '../../../src/shared/domain';
import { wantedChannels } from '../../../src/main/core/session/wanted-channels';

const member = (id: number, role: ClinicMember['role'], doctor_id: number | null = null, clinic_id = 1): ClinicMember => ({ id, name: `m${id}`, role, clinic_id, doctor_id });
const members = [member(1, 'admin'), member(2, 'reception'), member(4, 'doctor', 31), member(5, 'doctor', 32), member(9, 'doctor', 40, 2)];
const user = (role: User['role'], id: number, doctor_id: number | null = null): User => ({ id, name: 'u', email: 'u@x.test', role, clinic_id: 1, doctor_id, time_zone: null });
const consultation = (id: number, status: Consultation['status']): Consultation => ({
  id, clinic_id: 1, doctor_id: 31, patient_id: 501, patient_name: 'p', appointment_id: null, status, started_at: null, ended_at: null, updated_at: '2026-11-26T08:00:00.000000Z',
});
const conversation = (id: number): Conversation => ({
  id, clinic_id: 1, subject: 's', participant_ids: [2], last_message: null, unread_count: 0, last_read_message_id: null, updated_at: '2026-11-26T08:00:00.000000Z',
});

const names = (u: User, cs: Consultation[] = [], cv: Conversation[] = []) =>
  wantedChannels({ user: u, members, consultations: cs, conversations: cv }).map((c) => c.fullName);

describe('wanted channels', () => {
  it('gives reception every doctor of its own clinic, and presence', () => {
    expect(names(user('reception', 2))).toEqual([
      'private-notifications.2',
      'private-appointments.2',
      'presence-clinic.1',
      'private-appointments.doctor.31',
      'private-appointments.doctor.32',
    ]);
  });

  it("asks for a doctor's own schedule first (doctor id, not user id), then the colleagues' of the same clinic", () => {
    expect(names(user('doctor', 4, 31))).toEqual(['private-notifications.4', 'private-appointments.4', 'presence-clinic.1', 'private-appointments.doctor.31', 'private-appointments.doctor.32']);
  });

  it("asks for nobody's schedule for a staff member without a clinic-wide role", () => {
    expect(names(user('nurse', 6))).toEqual(['private-notifications.6', 'private-appointments.6', 'presence-clinic.1']);
  });

  it('follows consultations while pending or active, and every visible conversation', () => {
    const list = names(user('admin', 1), [consultation(3001, 'pending'), consultation(3002, 'active'), consultation(3003, 'completed'), consultation(3004, 'cancelled')], [conversation(7001), conversation(7001)]);
    expect(list).toContain('private-consultations.3001');
    expect(list).toContain('private-consultations.3002');
    expect(list).not.toContain('private-consultations.3003');
    expect(list).not.toContain('private-consultations.3004');
    expect(list.filter((n) => n === 'private-conversation.7001')).toHaveLength(1);
  });

  it('keeps a patient off the presence channel', () => {
    expect(names(user('patient', 20))).toEqual(['private-notifications.20', 'private-appointments.20']);
  });
});
