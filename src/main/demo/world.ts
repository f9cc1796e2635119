import type { Appointment, Consultation, Conversation, Message, Notification, Role } from '../../shared/domain';
import { toLaravelIso } from '../../shared/time';
import { Rng } from './rng';

/**
 * The demo clinic's data, generated from a seed: two clinics with their
 * admin, receptionists, doctors and patients, today's appointments,
 * consultations, conversations and a few notifications. The same seed and the
 * same clock give the same world.
 */

export interface DemoClinic {
  id: number;
  name: string;
  slug: string;
}

export interface DemoAccountRow {
  id: number;
  name: string;
  email: string;
  password: string;
  role: Role;
  clinic_id: number;
  doctor_id: number | null;
}

export interface DemoDoctor {
  id: number;
  user_id: number;
  clinic_id: number;
  name: string;
  specialty: string;
}

export interface DemoPatient {
  id: number;
  clinic_id: number;
  name: string;
  /** Patients who have a portal account; most do not. */
  user_id: number | null;
}

export interface DemoWorld {
  seed: number;
  clinics: DemoClinic[];
  users: DemoAccountRow[];
  doctors: DemoDoctor[];
  patients: DemoPatient[];
  appointments: Appointment[];
  consultations: Consultation[];
  conversations: Array<Omit<Conversation, 'last_message' | 'unread_count' | 'last_read_message_id'>>;
  messages: Message[];
  notifications: Notification[];
}

/** The password every demo account uses; the demo is public by design. */
export const DEMO_PASSWORD = 'password';

/** Id ranges keep kinds apart, so a user id used as a doctor id fails loudly. */
export const ID_BASE = {
  user: 1,
  doctor: 31,
  patient: 501,
  appointment: 1001,
  consultation: 3001,
  conversation: 7001,
  message: 9001,
  notification: 1,
} as const;

const FIRST = ['Amira', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Yusuf', 'Zoe'];
const LAST = ['Adeyemi', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Yilmaz', 'Zhang'];
const SPECIALTIES = ['General practice', 'Paediatrics', 'Cardiology', 'Dermatology', 'Physiotherapy'];
const REASONS = ['Check-up', 'Follow-up', 'Vaccination', 'Blood test results', 'Back pain', 'Prescription renewal', 'Skin rash', 'Consultation', 'Sports injury', 'Fever'];
const SUBJECTS = ['Front desk', 'Lab results', 'Schedule changes', 'Supplies'];

const CLINICS: DemoClinic[] = [
  { id: 1, name: 'Northside Family Clinic', slug: 'northside' },
  { id: 2, name: 'Riverside Health Centre', slug: 'riverside' },
];

/** Staff per clinic: [role, count]. Clinic 1 has the admin. */
const STAFF: Record<number, ReadonlyArray<readonly [Role, number]>> = {
  1: [['admin', 1], ['reception', 2], ['doctor', 3]],
  2: [['reception', 1], ['doctor', 2]],
};

export interface WorldOptions {
  seed: number;
  /** The demo's "now" in ms; appointments are laid out on its UTC day. */
  now: number;
  patientsPerClinic?: number;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function buildWorld({ seed, now, patientsPerClinic = 24 }: WorldOptions): DemoWorld {
  const rng = new Rng(seed);
  const usedNames = new Set<string>();
  const personName = (): string => {
    for (;;) {
      const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };

  const world: DemoWorld = {
    seed,
    clinics: CLINICS.map((c) => ({ ...c })),
    users: [],
    doctors: [],
    patients: [],
    appointments: [],
    consultations: [],
    conversations: [],
    messages: [],
    notifications: [],
  };
  let userId = ID_BASE.user;
  let doctorId = ID_BASE.doctor;
  let patientId = ID_BASE.patient;

  for (const clinic of world.clinics) {
    for (const [role, count] of STAFF[clinic.id] ?? []) {
      for (let i = 1; i <= count; i++) {
        const name = personName();
        const id = userId++;
        const row: DemoAccountRow = {
          id,
          name: role === 'doctor' ? `Dr. ${name}` : name,
          email: `${role}${count > 1 ? i : ''}@${clinic.slug}.clinic.test`,
          password: DEMO_PASSWORD,
          role,
          clinic_id: clinic.id,
          doctor_id: null,
        };
        if (role === 'doctor') {
          row.doctor_id = doctorId;
          world.doctors.push({ id: doctorId++, user_id: id, clinic_id: clinic.id, name: row.name, specialty: rng.pick(SPECIALTIES) });
        }
        world.users.push(row);
      }
    }
    for (let i = 0; i < patientsPerClinic; i++) {
      world.patients.push({ id: patientId++, clinic_id: clinic.id, name: personName(), user_id: null });
    }
  }

  // One patient of clinic 1 has a portal account, so patient-facing rules are exercised too.
  const portalPatient = world.patients.find((p) => p.clinic_id === 1);
  if (portalPatient) {
    const id = userId;
    portalPatient.user_id = id;
    world.users.push({ id, name: portalPatient.name, email: 'patient@northside.clinic.test', password: DEMO_PASSWORD, role: 'patient', clinic_id: 1, doctor_id: null });
  }

  layOutAppointments(world, rng, now);
  startConsultations(world, rng, now);
  openConversations(world, rng, now);
  seedNotifications(world, rng, now);
  return world;
}

function layOutAppointments(world: DemoWorld, rng: Rng, now: number): void {
  const dayStart = Date.parse(`${utcDay(now)}T00:00:00Z`);
  let id = ID_BASE.appointment;
  for (const dayOffset of [-1, 0, 1]) {
    const day = dayStart + dayOffset * 86_400_000;
    for (const doctor of world.doctors) {
      const patients = world.patients.filter((p) => p.clinic_id === doctor.clinic_id);
      for (let minute = 8 * 60; minute < 17 * 60; minute += 30) {
        if (!rng.chance(0.6)) continue;
        const start = day + minute * 60_000;
        const patient = rng.pick(patients);
        const past = start + 30 * 60_000 < now;
        const status = past
          ? rng.weighted([['completed', 8], ['no_show', 1], ['cancelled', 1]] as const)
          : rng.weighted([['scheduled', 3], ['confirmed', 5], ['reminder_sent', 1], ['cancelled', 1]] as const);
        world.appointments.push({
          id: id++,
          clinic_id: doctor.clinic_id,
          doctor_id: doctor.id,
          patient_id: patient.id,
          patient_name: patient.name,
          status,
          appointment_date: toLaravelIso(start),
          duration_minutes: rng.pick([15, 20, 30]),
          reason: rng.pick(REASONS),
          updated_at: toLaravelIso(Math.min(now, start) - rng.int(1, 72) * 3_600_000),
        });
      }
    }
  }
}

function startConsultations(world: DemoWorld, rng: Rng, now: number): void {
  let id = ID_BASE.consultation;
  const today = utcDay(now);
  const todays = world.appointments.filter((a) => a.appointment_date.startsWith(today));
  for (const appt of todays) {
    const start = Date.parse(appt.appointment_date);
    let status: Consultation['status'] | null = null;
    if (appt.status === 'completed') status = 'completed';
    else if (start <= now && start + appt.duration_minutes * 60_000 > now && appt.status !== 'cancelled') status = 'active';
    else if (start > now && start - now < 2 * 3_600_000 && appt.status === 'confirmed' && rng.chance(0.5)) status = 'pending';
    if (status === null) continue;
    const started = status === 'pending' ? null : toLaravelIso(start);
    const ended = status === 'completed' ? toLaravelIso(start + appt.duration_minutes * 60_000) : null;
    if (status === 'active') appt.status = 'in_consultation';
    world.consultations.push({
      id: id++,
      clinic_id: appt.clinic_id,
      doctor_id: appt.doctor_id,
      patient_id: appt.patient_id,
      patient_name: appt.patient_name,
      appointment_id: appt.id,
      status,
      started_at: started,
      ended_at: ended,
      updated_at: ended ?? started ?? toLaravelIso(now - 60_000),
    });
  }
}

function openConversations(world: DemoWorld, rng: Rng, now: number): void {
  let id = ID_BASE.conversation;
  let messageId = ID_BASE.message;
  for (const clinic of world.clinics) {
    const staff = world.users.filter((u) => u.clinic_id === clinic.id && u.role !== 'patient');
    for (const subject of SUBJECTS.slice(0, clinic.id === 1 ? 3 : 2)) {
      const participants = staff.filter(() => rng.chance(0.7));
      if (participants.length < 2) participants.splice(0, participants.length, ...staff.slice(0, 2));
      const conversationId = id++;
      let at = now - rng.int(2, 6) * 3_600_000;
      const count = rng.int(2, 5);
      for (let i = 0; i < count; i++) {
        const sender = rng.pick(participants);
        at += rng.int(5, 40) * 60_000;
        world.messages.push({
          id: messageId++,
          conversation_id: conversationId,
          sender_id: sender.id,
          sender_name: sender.name,
          body: `${subject}: ${rng.pick(['Can you check this?', 'Done, thanks.', 'On my way.', 'Patient is waiting.', 'Updated the file.', 'Noted.'])}`,
          created_at: toLaravelIso(Math.min(at, now - 1000)),
        });
      }
      world.conversations.push({
        id: conversationId,
        clinic_id: clinic.id,
        subject,
        participant_ids: participants.map((p) => p.id),
        updated_at: toLaravelIso(Math.min(at, now - 1000)),
      });
    }
  }
}

function seedNotifications(world: DemoWorld, rng: Rng, now: number): void {
  let id = ID_BASE.notification;
  for (const user of world.users) {
    const count = rng.int(2, 5);
    for (let i = 0; i < count; i++) {
      const at = now - rng.int(10, 48 * 60) * 60_000;
      world.notifications.push({
        id: id++,
        user_id: user.id,
        type: 'system',
        title: 'Welcome to the demo clinic',
        message: `Sample notification ${i + 1} for ${user.name}.`,
        action_url: null,
        created_at: toLaravelIso(at),
        read_at: i === 0 ? null : toLaravelIso(at + 60_000),
      });
    }
  }
  world.notifications.sort((a, b) => a.id - b.id);
}
