import { channels, type ChannelRef } from '../../../shared/channels';
import { CLINIC_WIDE_ROLES, OPEN_CONSULTATION_STATUSES, type ClinicMember, type Consultation, type Conversation, type User } from '../../../shared/domain';

/**
 * Which channels a desk listens to, derived from who is signed in and what is
 * open right now. Everyone: their notifications and appointments, and the
 * clinic's presence (staff). Doctors, reception and admin: every doctor's
 * schedule in the clinic (a doctor's own first); the server may refuse a
 * doctor their colleagues' channels, which then refresh by reconciliation. Consultations while they are
 * pending or active; conversations the user can see.
 */
export function wantedChannels(input: {
  user: User;
  members: readonly ClinicMember[];
  consultations: readonly Consultation[];
  conversations: readonly Conversation[];
  /** Doctors known otherwise (the board's columns, from the day's appointments when there is no members list). */
  doctorIds?: readonly number[];
}): ChannelRef[] {
  const { user } = input;
  const wanted: ChannelRef[] = [channels.notifications(user.id), channels.appointments(user.id)];
  if (user.role !== 'patient') wanted.push(channels.presenceClinic(user.clinic_id));
  if (user.role === 'doctor' && user.doctor_id !== null) wanted.push(channels.doctorAppointments(user.doctor_id));
  // Everyone who sees the clinic's board asks for every doctor's schedule: a doctor's desk shows colleagues'
  // columns live where the clinic's channel rules allow it (a refusal only marks that column "refreshes every N s").
  if (CLINIC_WIDE_ROLES.includes(user.role) || user.role === 'doctor') {
    const doctorIds = new Set([
      ...input.members.filter((m) => m.clinic_id === user.clinic_id && m.doctor_id !== null).map((m) => m.doctor_id as number),
      ...(input.doctorIds ?? []),
    ]);
    for (const id of [...doctorIds].sort((a, b) => a - b)) wanted.push(channels.doctorAppointments(id));
  }
  for (const c of input.consultations) {
    if (OPEN_CONSULTATION_STATUSES.includes(c.status)) wanted.push(channels.consultation(c.id));
  }
  for (const c of input.conversations) wanted.push(channels.conversation(c.id));
  const seen = new Set<string>();
  return wanted.filter((ref) => (seen.has(ref.fullName) ? false : (seen.add(ref.fullName), true)));
}
