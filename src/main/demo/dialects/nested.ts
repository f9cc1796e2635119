import type { Message, User } from '../../../shared/domain';
import type { ClinicStore } from '../clinic-store';
import { phpJsonEncode } from '../php-json';
import { contractWindow } from './default';
import { presentRows, type ApiDialect, type Presenters } from './types';

/**
 * An app whose API Resources use other common field names and nest relations
 * as objects (`'clinic' => ['id' => ...]`, `'doctor' => new DoctorResource(...)`),
 * with `{data}` lists that carry no meta. Paging parameters are the contract's
 * (`after_id`/`per_page` for notifications, at most `per_page` items, ascending).
 * The clinic also has a nurse, a role the desk does not know; the presence
 * callback returns `['id' => ..., 'name' => ...]`. The user names the session's
 * clinic and its zone as `current_clinic: {id, timezone}`; lists send a weak
 * ETag (304 to `If-None-Match`). Doctors see the whole clinic's schedule over
 * REST, but colleagues' doctor channels are refused (403). An appointment's
 * status changes only by `PUT /api/appointments/{id}` (`Route::put`; a PATCH is
 * Laravel's 405), and there is no call-in route; consultations as the contract.
 */

/** The nurse each clinic's member list has in this dialect only (no account behind it). */
const NURSE_NAMES = ['Nadia Okoro', 'Ruth Brennan', 'Ines Haddad'];

export function nestedNurse(store: ClinicStore, clinicId: number) {
  const index = Math.max(store.world.clinics.findIndex((c) => c.id === clinicId), 0);
  const lastUserId = Math.max(0, ...store.world.users.map((u) => u.id));
  return {
    id: lastUserId + 1 + index,
    name: NURSE_NAMES[index % NURSE_NAMES.length] ?? 'Nurse',
    role: 'nurse',
    clinic: { id: clinicId },
    doctor: null,
  };
}

export const nestedDialect = (store: ClinicStore): ApiDialect => {
  const clinicName = (id: number) => store.world.clinics.find((c) => c.id === id)?.name ?? null;
  const userName = (id: number) => store.accountById(id)?.name ?? null;
  const doctor = (id: number) => ({ id, name: store.doctor(id)?.name ?? null });
  const message = (m: Message) => ({
    id: m.id,
    conversation_id: m.conversation_id,
    user_id: m.sender_id,
    user: { id: m.sender_id, name: m.sender_name },
    body: m.body,
    created_at: m.created_at,
  });
  const present: Presenters = {
    user: (u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.role,
      clinic: { id: u.clinic_id, name: clinicName(u.clinic_id) },
      current_clinic: { id: u.clinic_id, timezone: u.time_zone },
      doctor: u.doctor_id === null ? null : { id: u.doctor_id },
    }),
    member: (m) => ({ id: m.id, name: m.name, role: m.role, clinic: { id: m.clinic_id }, doctor: m.doctor_id === null ? null : { id: m.doctor_id } }),
    notification: (n) => ({
      id: n.id,
      user_id: n.user_id,
      type: n.type,
      title: n.title,
      body: n.message,
      url: n.action_url,
      created_at: n.created_at,
      read_at: n.read_at,
    }),
    appointment: (a) => ({
      id: a.id,
      clinic: { id: a.clinic_id },
      doctor: doctor(a.doctor_id),
      patient: { id: a.patient_id, name: a.patient_name },
      status: a.status,
      starts_at: a.appointment_date,
      details: { duration_minutes: a.duration_minutes, reason: a.reason },
      updated_at: a.updated_at,
    }),
    consultation: (c) => ({
      id: c.id,
      clinic: { id: c.clinic_id },
      doctor: doctor(c.doctor_id),
      patient: { id: c.patient_id, name: c.patient_name },
      appointment: c.appointment_id === null ? null : { id: c.appointment_id },
      status: c.status,
      started_at: c.started_at,
      ended_at: c.ended_at,
      updated_at: c.updated_at,
    }),
    conversation: (c) => ({
      id: c.id,
      clinic: { id: c.clinic_id },
      title: c.subject,
      participants: c.participant_ids.map((id) => ({ id, name: userName(id) })),
      latest_message: c.last_message === null ? null : message(c.last_message),
      unread_messages_count: c.unread_count,
      last_read_message_id: c.last_read_message_id,
      updated_at: c.updated_at,
    }),
    message,
  };
  return {
    name: 'nested',
    fullApi: true,
    encode: phpJsonEncode,
    present,
    list(request) {
      const data = presentRows(present, request.kind, contractWindow(request).rows);
      if (request.kind === 'members') data.push(nestedNurse(store, request.user.clinic_id));
      return { data };
    },
    presenceUserInfo: (user: User) => ({ id: user.id, name: user.name }),
    wrapsUser: false,
    etags: true,
    doctorView: 'clinic-rest',
    staffActions: { appointmentUpdate: 'PUT', callIn: false },
    options: 'router',
  };
};
