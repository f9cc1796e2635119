import { parseChannel } from '../../shared/channels';
import { CLINIC_WIDE_ROLES, type Appointment, type User } from '../../shared/domain';
import type { ClinicStore } from './clinic-store';

/**
 * Who may see what: the rules of the back end's `routes/channels.php` and its
 * model policies, in one place so `/broadcasting/auth` and the REST API agree.
 */

const isClinicWide = (user: User) => CLINIC_WIDE_ROLES.includes(user.role);

/**
 * What a doctor sees of their colleagues' schedules, which clinics' apps decide
 * differently (each dialect names its own, see `dialects/names.ts`):
 * - `own`: only their own schedule, over REST and on the channels;
 * - `clinic`: the whole clinic's schedule over REST, and every colleague's
 *   `private-appointments.doctor.{id}` channel is authorised;
 * - `clinic-rest`: the whole clinic over REST, but colleagues' channels are
 *   refused (403), so their columns only refresh over REST.
 */
export const DOCTOR_VIEWS = ['own', 'clinic', 'clinic-rest'] as const;
export type DoctorView = (typeof DOCTOR_VIEWS)[number];

export interface ChannelRules {
  doctorView: DoctorView;
}

const OWN_ONLY: ChannelRules = { doctorView: 'own' };

/** Whether a doctor's REST answers (the appointments list) show colleagues' appointments. */
export function doctorSeesClinicOverRest(view: DoctorView): boolean {
  return view !== 'own';
}

/**
 * Whether the user may see one appointment, as the list shows them: staff of
 * its clinic (a doctor only their own unless the dialect shows colleagues'
 * schedules over REST), a patient their own.
 */
export function canSeeAppointment(store: ClinicStore, user: User, appointment: Appointment, view: DoctorView): boolean {
  if (user.clinic_id !== appointment.clinic_id) return false;
  if (isClinicWide(user)) return true;
  if (user.role === 'doctor') return user.doctor_id === appointment.doctor_id || doctorSeesClinicOverRest(view);
  if (user.role === 'patient') return store.patient(appointment.patient_id)?.user_id === user.id;
  return true;
}

export function canSeeConsultation(store: ClinicStore, user: User, consultationId: number): boolean {
  const c = store.consultation(consultationId);
  if (!c) return false;
  if (isClinicWide(user)) return user.clinic_id === c.clinic_id;
  if (user.role === 'doctor') return user.doctor_id === c.doctor_id;
  return store.patient(c.patient_id)?.user_id === user.id;
}

export function canSeeConversation(store: ClinicStore, user: User, conversationId: number): boolean {
  const c = store.conversationRow(conversationId);
  if (!c) return false;
  if (c.participant_ids.includes(user.id)) return true;
  return isClinicWide(user) && user.clinic_id === c.clinic_id;
}

/** Whether the user may join a doctor's schedule channel (`private-appointments.doctor.{id}`). */
export function canSeeDoctorSchedule(store: ClinicStore, user: User, doctorId: number, rules: ChannelRules = OWN_ONLY): boolean {
  const doctor = store.doctor(doctorId);
  if (!doctor) return false;
  if (user.role === 'doctor') return user.doctor_id === doctorId || (rules.doctorView === 'clinic' && user.clinic_id === doctor.clinic_id);
  return isClinicWide(user) && user.clinic_id === doctor.clinic_id;
}

/** Whether the clinic board (all of a day's appointments) is visible: staff only. */
export function canSeeBoard(user: User): boolean {
  return user.role !== 'patient';
}

export type ChannelDecision =
  | { allow: true; presence: { user_id: string; user_info: { name: string; role: User['role'] } } | null }
  | { allow: false; reason: string };

/** The channel callbacks of `routes/channels.php`, for a full channel name. */
export function authorizeChannel(store: ClinicStore, user: User, channelName: string, rules: ChannelRules = OWN_ONLY): ChannelDecision {
  const ref = parseChannel(channelName);
  if (!ref) return { allow: false, reason: `no such channel: ${channelName}` };
  const deny = (reason: string): ChannelDecision => ({ allow: false, reason });
  const allow: ChannelDecision = { allow: true, presence: null };
  switch (ref.kind) {
    case 'notifications':
    case 'appointments':
      return user.id === ref.id ? allow : deny('not your channel');
    case 'doctor-appointments':
      return canSeeDoctorSchedule(store, user, ref.id, rules) ? allow : deny('not your doctor');
    case 'consultation':
      return canSeeConsultation(store, user, ref.id) ? allow : deny('not a participant');
    case 'conversation':
      return canSeeConversation(store, user, ref.id) ? allow : deny('not a participant');
    case 'presence-clinic':
      if (user.role === 'patient' || user.clinic_id !== ref.id) return deny('not a member of this clinic');
      // Laravel sends the identifier as a string (getAuthIdentifierForBroadcasting on a string key).
      return { allow: true, presence: { user_id: String(user.id), user_info: { name: user.name, role: user.role } } };
  }
}
