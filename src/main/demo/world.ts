import { TZDate } from '@date-fns/tz';
import { dayIn, dayStart, isTimeZone, shiftDay, systemTimeZone } from '../../shared/clinic-time';
import type { Appointment, Consultation, Conversation, Message, Notification, Role } from '../../shared/domain';
import { toLaravelIso } from '../../shared/time';
import { Rng } from './rng';

/**
 * The demo clinic's data, generated from a seed: two clinics with their
 * admin, receptionists, doctors and patients, yesterday's, today's and
 * tomorrow's appointments, consultations, conversations and a few
 * notifications. "Today" is the clinic's local day in its time zone, and is
 * laid out around the clock's "now", so the clinic is in session whatever the
 * hour. The same seed, clock and zone give the same world.
 */

export interface DemoClinic {
  id: number;
  name: string;
  slug: string;
  /** The clinic's IANA time zone (both demo clinics share the demo's zone). */
  timezone: string;
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
  /** The clinic's IANA time zone: its days, "today" and the layout are local to it. */
  timeZone: string;
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

const CLINICS: ReadonlyArray<Omit<DemoClinic, 'timezone'>> = [
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
  /** The demo's "now" in ms: today's appointments are laid out around it, on its local day. */
  now: number;
  /** The clinic's IANA time zone, whose calendar day is "today" (default: this computer's zone). */
  timeZone?: string;
  patientsPerClinic?: number;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function buildWorld({ seed, now, timeZone = systemTimeZone(), patientsPerClinic = 24 }: WorldOptions): DemoWorld {
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
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
    timeZone,
    clinics: CLINICS.map((c) => ({ ...c, timezone: timeZone })),
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

  // The schedule has its own stream; the world's stream skips what the first layout drew, so a
  // seed keeps the conversations, messages and notifications that fixtures name (7001's participants, ...).
  skipFirstLayout(rng, world, now);
  const waiting = layOutAppointments(world, new Rng(seed * 7 + 3), now, timeZone);
  startConsultations(world, now, timeZone, waiting);
  openConversations(world, rng, now);
  seedNotifications(world, rng, now);
  return world;
}

// ─── the clinic day ──────────────────────────────────────────────────────

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Office hours of a day the newcomer is not in (yesterday, tomorrow), local wall clock. */
const OFFICE_OPENS = 8;
const OFFICE_CLOSES = 17;
/** Grid steps, in minutes, from a normal day's down to the most compressed. */
const STEPS = [30, 20, 15, 10, 5] as const;
/** The shortest slot, at the most compressed (5 minutes). */
const SHORTEST = 5 * MINUTE;
/** How much of the clinic day is kept either side of "now" even outside office hours. */
const AROUND_NOW = 2 * HOUR;
const DURATIONS = [15, 20, 30] as const;

/** The instant of a local wall-clock time on a clinic day (DST-aware). */
export function wallClock(day: string, hour: number, minute: number, zone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new TZDate(y ?? 1970, (m ?? 1) - 1, d ?? 1, hour, minute, zone).getTime();
}

/** The largest grid step that fits `slots` times into `room` ms, else the smallest. */
function stepFor(room: number, slots: number): number {
  for (const step of STEPS) if (room >= slots * step * MINUTE) return step * MINUTE;
  return SHORTEST;
}

/** `t` down (or up) to the grid of `step` that starts at local midnight `origin`: on the wall clock's :00, :30, ... */
const alignDown = (t: number, origin: number, step: number) => t - ((((t - origin) % step) + step) % step);
const alignUp = (t: number, origin: number, step: number) => {
  const down = alignDown(t, origin, step);
  return down === t ? t : down + step;
};

/**
 * Where each slot of today stands relative to now: `past` (well before), `previous`
 * (the slot just before now), `current` (holding now), `next` and `soon` (the two
 * after it), `later`.
 */
type SlotRole = 'past' | 'previous' | 'current' | 'next' | 'soon' | 'later';
interface Slot {
  role: SlotRole;
  start: number;
  /** Room until the next slot (or the session's end): durations never overlap the next patient. */
  room: number;
}

/**
 * Today's slots, laid out around `now` on the clinic's local day: the usual
 * 08:00–17:00, stretched to keep two hours either side of now, clipped to the
 * day. Where that leaves little room (just after midnight, late at night) the
 * grid tightens, down to 5-minute slots (an after-hours clinic's triage pace),
 * so that there is still something finished before now and something waiting
 * after it, and every appointment starts and ends on the local day.
 */
export function todaysSlots(now: number, zone: string): Slot[] {
  const day = dayIn(now, zone);
  const origin = dayStart(day, zone);
  const end = dayStart(shiftDay(day, 1), zone);
  const open = Math.max(origin, Math.min(wallClock(day, OFFICE_OPENS, 0, zone), now - AROUND_NOW));
  const close = Math.min(end, Math.max(wallClock(day, OFFICE_CLOSES, 0, zone), now + AROUND_NOW));
  const pastStep = stepFor(now - open, 4);
  const futureStep = stepFor(close - now, 4);
  const near = Math.min(pastStep, futureStep);
  const current = alignDown(now, origin, near);

  const starts: Array<{ role: SlotRole; start: number }> = [];
  const previous = current - near;
  for (let t = alignDown(open, origin, pastStep); t < previous; t += pastStep) starts.push({ role: 'past', start: t });
  if (previous >= origin) starts.push({ role: 'previous', start: previous });
  starts.push({ role: 'current', start: current });
  const fits = (t: number) => t + SHORTEST <= close;
  if (fits(current + near)) starts.push({ role: 'next', start: current + near });
  if (fits(current + 2 * near)) starts.push({ role: 'soon', start: current + 2 * near });
  for (let t = alignUp(current + 3 * near, origin, futureStep); fits(t); t += futureStep) starts.push({ role: 'later', start: t });
  return starts.map((slot, i) => ({ ...slot, room: (starts[i + 1]?.start ?? Math.max(close, slot.start + SHORTEST)) - slot.start }));
}

/** The usual office hours of a day the newcomer is not in. */
function officeSlots(day: string, zone: string): Slot[] {
  const open = wallClock(day, OFFICE_OPENS, 0, zone);
  const slots: Slot[] = [];
  for (let t = open; t < open + (OFFICE_CLOSES - OFFICE_OPENS) * HOUR; t += 30 * MINUTE) slots.push({ role: 'later', start: t, room: 30 * MINUTE });
  return slots;
}

/** A duration in minutes that ends before the next slot (and, for the current one, after now). */
function durationIn(rng: Rng, slot: Slot, endsAfter: number | null): number {
  const room = Math.floor(slot.room / MINUTE);
  const fitting = DURATIONS.filter((d) => d <= room && (endsAfter === null || slot.start + d * MINUTE > endsAfter));
  return fitting.length > 0 ? rng.pick(fitting) : room;
}

/**
 * Yesterday and tomorrow in office hours; today around now (see `todaysSlots`),
 * so that whatever the hour there are earlier visits completed, a consultation
 * in progress, patients checked in and waiting, and later ones booked. The
 * first doctor of each clinic always has all of these, so every clinic is in
 * session. Returns the ids of the waiting appointments whose consultation is
 * already open (pending).
 */
function layOutAppointments(world: DemoWorld, rng: Rng, now: number, zone: string): Set<number> {
  const today = dayIn(now, zone);
  const pending = new Set<number>();
  let id = ID_BASE.appointment;
  const firstOfClinic = new Set(world.clinics.map((c) => world.doctors.find((d) => d.clinic_id === c.id)?.id));
  for (const dayOffset of [-1, 0, 1]) {
    const day = shiftDay(today, dayOffset);
    const slots = dayOffset === 0 ? todaysSlots(now, zone) : officeSlots(day, zone);
    for (const doctor of world.doctors) {
      const patients = world.patients.filter((p) => p.clinic_id === doctor.clinic_id);
      const forced = firstOfClinic.has(doctor.id);
      // The doctor's own waiting room: the forced waiting patient goes after now, or just before it at the day's very end.
      const waitAfterNow = slots.some((s) => s.role === 'next');
      for (const slot of slots) {
        const planned = plan(rng, slot, dayOffset, forced, waitAfterNow, now);
        if (planned === null) continue;
        const patient = rng.pick(patients);
        const duration = durationIn(rng, slot, planned.status === 'in_consultation' ? now : null);
        const appointmentId = id++;
        if (planned.pending) pending.add(appointmentId);
        world.appointments.push({
          id: appointmentId,
          clinic_id: doctor.clinic_id,
          doctor_id: doctor.id,
          patient_id: patient.id,
          patient_name: patient.name,
          status: planned.status,
          appointment_date: toLaravelIso(slot.start),
          duration_minutes: duration,
          reason: rng.pick(REASONS),
          updated_at: toLaravelIso(lastChange(rng, planned.status, slot.start, duration, now)),
        });
      }
    }
  }
  return pending;
}

interface Planned {
  status: string;
  /** A checked-in patient whose consultation is open (pending): called in next. */
  pending: boolean;
}

function plan(rng: Rng, slot: Slot, dayOffset: number, forced: boolean, waitAfterNow: boolean, now: number): Planned | null {
  const is = (status: string, pending = false): Planned => ({ status, pending });
  if (dayOffset !== 0) {
    if (!rng.chance(0.6)) return null;
    const past = slot.start + 30 * MINUTE < now;
    return is(
      past
        ? rng.weighted([['completed', 8], ['no_show', 1], ['cancelled', 1]] as const)
        : rng.weighted([['scheduled', 3], ['confirmed', 5], ['reminder_sent', 1], ['cancelled', 1]] as const),
    );
  }
  switch (slot.role) {
    case 'past':
      if (!rng.chance(0.65)) return null;
      return is(rng.weighted([['completed', 8], ['no_show', 1], ['cancelled', 1]] as const));
    case 'previous':
      if (forced && !waitAfterNow) return is('checked_in', true);
      if (!forced && !rng.chance(0.85)) return null;
      return is(forced ? 'completed' : rng.weighted([['completed', 9], ['no_show', 1]] as const));
    case 'current':
      if (forced || rng.chance(0.75)) return is('in_consultation');
      // Between patients, or running late with the patient waiting.
      return rng.chance(0.5) ? is('checked_in', rng.chance(0.5)) : null;
    case 'next':
      if (forced) return is('checked_in', true);
      return rng.chance(0.6) ? is('checked_in', rng.chance(0.6)) : is('confirmed');
    case 'soon':
      // Someone is always booked after the waiting room, even five minutes before midnight.
      if (forced) return is(rng.weighted([['confirmed', 3], ['scheduled', 1], ['reminder_sent', 1]] as const));
      if (!rng.chance(0.75)) return null;
      return is(rng.weighted([['checked_in', 3], ['confirmed', 5], ['reminder_sent', 2]] as const));
    case 'later':
      if (!rng.chance(0.65)) return null;
      return is(rng.weighted([['scheduled', 3], ['confirmed', 5], ['reminder_sent', 1], ['cancelled', 1]] as const));
  }
}

/** When the row last changed: its visit's end, the patient's arrival, the start of the consultation, or a booking hours before. */
function lastChange(rng: Rng, status: string, start: number, durationMin: number, now: number): number {
  switch (status) {
    case 'completed':
      return Math.min(now, start + durationMin * MINUTE);
    case 'no_show':
      return Math.min(now, start + 15 * MINUTE);
    case 'in_consultation':
      return Math.min(now, start);
    case 'checked_in':
      return now - rng.int(1, 12) * MINUTE;
    default:
      return Math.min(now, start) - rng.int(1, 72) * HOUR;
  }
}

/**
 * Draws from the world's stream exactly what the first version of the layout
 * drew (UTC office hours, 30-minute slots, before the clinic had a zone), and
 * keeps nothing: the conversations and notifications drawn after it stay those
 * of every earlier demo of the same seed and clock.
 */
function skipFirstLayout(rng: Rng, world: DemoWorld, now: number): void {
  const utcMidnight = Date.parse(`${utcDay(now)}T00:00:00Z`);
  let pendingDraws = 0;
  for (const dayOffset of [-1, 0, 1]) {
    const day = utcMidnight + dayOffset * 24 * HOUR;
    for (const doctor of world.doctors) {
      const patients = world.patients.filter((p) => p.clinic_id === doctor.clinic_id);
      for (let minute = OFFICE_OPENS * 60; minute < OFFICE_CLOSES * 60; minute += 30) {
        if (!rng.chance(0.6)) continue;
        const start = day + minute * MINUTE;
        rng.pick(patients);
        const past = start + 30 * MINUTE < now;
        const status = past
          ? rng.weighted([['completed', 8], ['no_show', 1], ['cancelled', 1]] as const)
          : rng.weighted([['scheduled', 3], ['confirmed', 5], ['reminder_sent', 1], ['cancelled', 1]] as const);
        rng.pick(DURATIONS);
        rng.pick(REASONS);
        rng.int(1, 72);
        // Its consultations drew once for each of today's confirmed visits due within two hours.
        if (dayOffset === 0 && status === 'confirmed' && start > now && start - now < 2 * HOUR) pendingDraws++;
      }
    }
  }
  for (let i = 0; i < pendingDraws; i++) rng.chance(0.5);
}

/** Today's consultations follow its appointments: completed visits, the ones in progress, and the waiting ones already opened. */
function startConsultations(world: DemoWorld, now: number, zone: string, pending: ReadonlySet<number>): void {
  let id = ID_BASE.consultation;
  const today = dayIn(now, zone);
  const todays = world.appointments.filter((a) => dayIn(a.appointment_date, zone) === today);
  for (const appt of todays) {
    const start = Date.parse(appt.appointment_date);
    let status: Consultation['status'] | null = null;
    if (appt.status === 'completed') status = 'completed';
    else if (appt.status === 'in_consultation') status = 'active';
    else if (appt.status === 'checked_in' && pending.has(appt.id)) status = 'pending';
    if (status === null) continue;
    const started = status === 'pending' ? null : toLaravelIso(start);
    const ended = status === 'completed' ? toLaravelIso(Math.min(now, start + appt.duration_minutes * MINUTE)) : null;
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
      updated_at: ended ?? started ?? appt.updated_at,
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
