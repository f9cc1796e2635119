import { randomBytes } from 'node:crypto';
import type {
  Appointment,
  ClinicMember,
  Consultation,
  ConsultationStatus,
  Conversation,
  Message,
  Notification,
  User,
} from '../../shared/domain';
import { dayIn } from '../../shared/clinic-time';
import { toLaravelIso } from '../../shared/time';
import { ID_BASE, type DemoAccountRow, type DemoWorld } from './world';

export type ConversationRow = DemoWorld['conversations'][number];

/**
 * Who gave an appointment its current status, and when: what a refusal says
 * ("Already checked in by Elena Ruiz at 09:02."). `from` is the status before,
 * so an undo can be told from a first confirmation.
 */
export interface StatusChange {
  status: string;
  from: string | null;
  /** The user who made it. */
  byUserId: number;
  at: string;
  /** The reason given with it (a cancellation's), if any. */
  reason: string | null;
}

/** What `updateAppointment` records with a change of status; without `by`, the colleague who usually makes it (see `presumedActor`). */
export interface ChangeOptions {
  by?: number;
  reason?: string | null;
}

/** Statuses a doctor gives: everything else on the board is the front desk's doing. */
const DOCTOR_STATUSES: ReadonlySet<string> = new Set(['in_consultation', 'completed']);

/**
 * The demo back end's database: in memory, synchronous, and shaped like the
 * Laravel app's tables. Only the REST API, the channel policy and the scenario
 * engine change it; every change that Laravel would broadcast is broadcast by
 * the caller (see `demo-backend.ts`), never from here.
 */
export class ClinicStore {
  readonly world: DemoWorld;
  private readonly tokens = new Map<string, number>();
  private lastTokenId = 0;
  private readonly notifications = new Map<number, Notification>();
  private readonly appointments = new Map<number, Appointment>();
  /** Appointment id → who gave it its current status, and when. */
  private readonly statusChanges = new Map<number, StatusChange>();
  private readonly consultations = new Map<number, Consultation>();
  private readonly conversations = new Map<number, ConversationRow>();
  private readonly messages = new Map<number, Message[]>();
  /** `${conversationId}:${userId}` → last message id read. */
  private readonly reads = new Map<string, number>();
  /** `${userId}:${clientId}` → message id, so a retried send creates one message. */
  private readonly sentByClientId = new Map<string, number>();
  private nextId: { notification: number; appointment: number; consultation: number; conversation: number; message: number };
  /** The clinic's IANA time zone: its calendar decides "today" and which day an appointment is on. */
  readonly timeZone: string;
  private lastStamp = { ms: 0, micros: 0 };

  constructor(
    world: DemoWorld,
    private readonly now: () => number = Date.now,
  ) {
    this.world = world;
    this.timeZone = world.timeZone;
    for (const n of world.notifications) this.notifications.set(n.id, { ...n });
    for (const a of world.appointments) {
      this.appointments.set(a.id, { ...a });
      // The generated day has no history: its statuses were given when the row last changed, by whoever gives them.
      this.statusChanges.set(a.id, { status: a.status, from: null, byUserId: this.presumedActor(a), at: a.updated_at, reason: null });
    }
    for (const c of world.consultations) this.consultations.set(c.id, { ...c });
    for (const c of world.conversations) this.conversations.set(c.id, { ...c, participant_ids: [...c.participant_ids] });
    for (const m of world.messages) {
      const list = this.messages.get(m.conversation_id) ?? [];
      list.push({ ...m });
      this.messages.set(m.conversation_id, list);
    }
    // Participants have read everything older than their own last message.
    for (const [conversationId, list] of this.messages) {
      for (const m of list) this.reads.set(`${conversationId}:${m.sender_id}`, m.id);
    }
    // A change made now stamps after every row it may change, even one the generated day stamped this very millisecond.
    const stamped = [...world.appointments.map((a) => a.updated_at), ...world.consultations.map((c) => c.updated_at)].map((t) => Date.parse(t)).filter((ms) => ms <= now());
    this.lastStamp = { ms: Math.max(0, ...stamped), micros: 0 };
    const maxId = (ids: number[], base: number) => Math.max(base - 1, ...ids) + 1;
    this.nextId = {
      notification: maxId([...this.notifications.keys()], ID_BASE.notification),
      appointment: maxId([...this.appointments.keys()], ID_BASE.appointment),
      consultation: maxId([...this.consultations.keys()], ID_BASE.consultation),
      conversation: maxId([...this.conversations.keys()], ID_BASE.conversation),
      message: maxId(world.messages.map((m) => m.id), ID_BASE.message),
    };
  }

  /**
   * A strictly increasing Laravel timestamp. Events produced in the same
   * millisecond still order correctly through their microseconds, as they do
   * on a real server.
   */
  stamp(): string {
    const ms = this.now();
    if (ms > this.lastStamp.ms) this.lastStamp = { ms, micros: 0 };
    else this.lastStamp = { ms: this.lastStamp.ms, micros: this.lastStamp.micros + 1 };
    if (this.lastStamp.micros > 999) this.lastStamp = { ms: this.lastStamp.ms + 1, micros: 0 };
    return toLaravelIso(this.lastStamp.ms, this.lastStamp.micros);
  }

  /** The clinic's current local day, `YYYY-MM-DD` (in its time zone, not UTC). */
  today(): string {
    return dayIn(this.now(), this.timeZone);
  }

  /** The demo's clock (ms). */
  clock(): number {
    return this.now();
  }

  /** Whether an appointment is on a clinic day (its local calendar day, as `?date=` means it). */
  isOnDay(appointment: Pick<Appointment, 'appointment_date'>, day: string): boolean {
    return dayIn(appointment.appointment_date, this.timeZone) === day;
  }

  // ── accounts ────────────────────────────────────────────────────────────

  login(email: string, password: string): { token: string; user: User } | null {
    const row = this.world.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!row || row.password !== password) return null;
    const token = this.newToken();
    this.tokens.set(token, row.id);
    return { token, user: toUser(row, this.timeZone) };
  }

  /** Sanctum's plain-text token shape, "{id}|{40 random chars}", with an id never handed out twice. */
  private newToken(): string {
    return `${++this.lastTokenId}|${randomBytes(30).toString('base64url').slice(0, 40)}`;
  }

  /** Issues a token without a password, for tests and the scenario's simulated staff. */
  issueToken(userId: number): string {
    if (!this.accountById(userId)) throw new RangeError(`no user ${userId}`);
    const token = this.newToken();
    this.tokens.set(token, userId);
    return token;
  }

  userByToken(token: string): User | null {
    const id = this.tokens.get(token);
    const row = id === undefined ? undefined : this.accountById(id);
    return row ? toUser(row, this.timeZone) : null;
  }

  revokeToken(token: string): boolean {
    return this.tokens.delete(token);
  }

  /** Revokes every token of a user: their next request gets 401, as after a password reset. */
  revokeUserTokens(userId: number): number {
    let count = 0;
    for (const [token, id] of this.tokens) {
      if (id === userId) {
        this.tokens.delete(token);
        count++;
      }
    }
    return count;
  }

  accountById(id: number): DemoAccountRow | undefined {
    return this.world.users.find((u) => u.id === id);
  }

  userById(id: number): User | null {
    const row = this.accountById(id);
    return row ? toUser(row, this.timeZone) : null;
  }

  members(clinicId: number): ClinicMember[] {
    return this.world.users
      .filter((u) => u.clinic_id === clinicId && u.role !== 'patient')
      .map((u) => ({ id: u.id, name: u.name, role: u.role, clinic_id: u.clinic_id, doctor_id: u.doctor_id }));
  }

  doctor(doctorId: number) {
    return this.world.doctors.find((d) => d.id === doctorId);
  }

  patient(patientId: number) {
    return this.world.patients.find((p) => p.id === patientId);
  }

  // ── notifications ───────────────────────────────────────────────────────

  listNotifications(userId: number, afterId: number, perPage: number): { data: Notification[]; hasMore: boolean } {
    const mine = [...this.notifications.values()]
      .filter((n) => n.user_id === userId && n.id > afterId)
      .sort((a, b) => a.id - b.id);
    return { data: mine.slice(0, perPage).map((n) => ({ ...n })), hasMore: mine.length > perPage };
  }

  createNotification(input: Pick<Notification, 'user_id' | 'type' | 'title' | 'message' | 'action_url'>): Notification {
    if (!this.accountById(input.user_id)) throw new RangeError(`no user ${input.user_id}`);
    const n: Notification = { ...input, id: this.nextId.notification++, created_at: this.stamp(), read_at: null };
    this.notifications.set(n.id, n);
    return { ...n };
  }

  /** Null when the notification is not the user's (or gone): the API answers 404. */
  markNotificationRead(userId: number, id: number): Notification | null {
    const n = this.notifications.get(id);
    if (!n || n.user_id !== userId) return null;
    n.read_at ??= this.stamp();
    return { ...n };
  }

  markAllNotificationsRead(userId: number): number {
    let updated = 0;
    for (const n of this.notifications.values()) {
      if (n.user_id === userId && n.read_at === null) {
        n.read_at = this.stamp();
        updated++;
      }
    }
    return updated;
  }

  deleteNotification(userId: number, id: number): boolean {
    const n = this.notifications.get(id);
    if (!n || n.user_id !== userId) return false;
    return this.notifications.delete(id);
  }

  // ── appointments ────────────────────────────────────────────────────────

  appointmentsOn(clinicId: number, day: string, filter?: (a: Appointment) => boolean): Appointment[] {
    return [...this.appointments.values()]
      .filter((a) => a.clinic_id === clinicId && this.isOnDay(a, day) && (filter ? filter(a) : true))
      .sort((a, b) => a.appointment_date.localeCompare(b.appointment_date) || a.id - b.id)
      .map((a) => ({ ...a }));
  }

  appointment(id: number): Appointment | null {
    const a = this.appointments.get(id);
    return a ? { ...a } : null;
  }

  allAppointments(): Appointment[] {
    return [...this.appointments.values()].map((a) => ({ ...a }));
  }

  /** A new appointment (a walk-in, a booking), stamped now. */
  createAppointment(input: Pick<Appointment, 'doctor_id' | 'patient_id' | 'status' | 'appointment_date' | 'duration_minutes' | 'reason'>): Appointment {
    const doctor = this.doctor(input.doctor_id);
    const patient = this.patient(input.patient_id);
    if (!doctor) throw new RangeError(`no doctor ${input.doctor_id}`);
    if (!patient) throw new RangeError(`no patient ${input.patient_id}`);
    if (patient.clinic_id !== doctor.clinic_id) throw new RangeError(`patient ${patient.id} is not a patient of doctor ${doctor.id}'s clinic`);
    const a: Appointment = { ...input, id: this.nextId.appointment++, clinic_id: doctor.clinic_id, patient_name: patient.name, updated_at: this.stamp() };
    this.appointments.set(a.id, a);
    this.statusChanges.set(a.id, { status: a.status, from: null, byUserId: this.presumedActor(a), at: a.updated_at, reason: null });
    return { ...a };
  }

  /** Changes an appointment, stamped now; a change of status is recorded with who made it (`options.by`, else `presumedActor`). */
  updateAppointment(id: number, changes: Partial<Pick<Appointment, 'status' | 'appointment_date' | 'reason'>>, options: ChangeOptions = {}): Appointment {
    const a = this.appointments.get(id);
    if (!a) throw new RangeError(`no appointment ${id}`);
    const from = a.status;
    Object.assign(a, changes, { updated_at: this.stamp() });
    if (changes.status !== undefined && changes.status !== from) {
      this.statusChanges.set(id, { status: a.status, from, byUserId: options.by ?? this.presumedActor(a), at: a.updated_at, reason: options.reason ?? null });
    }
    return { ...a };
  }

  /** Who gave the appointment its current status, and when. */
  statusChange(id: number): StatusChange | null {
    const change = this.statusChanges.get(id);
    return change ? { ...change } : null;
  }

  /**
   * Who makes a status no user was named for (the generated day, the
   * scenario): the doctor for a consultation's statuses, else the clinic's
   * front desk, its last receptionist (the colleague the scenario plays, not
   * the one "Try the demo clinic" signs in as), else anyone of its staff.
   */
  presumedActor(a: Pick<Appointment, 'clinic_id' | 'doctor_id' | 'status'>): number {
    const doctorUser = this.doctor(a.doctor_id)?.user_id;
    if (DOCTOR_STATUSES.has(a.status) && doctorUser !== undefined) return doctorUser;
    const staff = this.world.users.filter((u) => u.clinic_id === a.clinic_id && u.role !== 'patient');
    const desk = staff.filter((u) => u.role === 'reception').at(-1) ?? staff.find((u) => u.role === 'admin') ?? staff[0];
    return desk?.id ?? doctorUser ?? 0;
  }

  // ── consultations ───────────────────────────────────────────────────────

  consultationsWhere(filter: (c: Consultation) => boolean): Consultation[] {
    return [...this.consultations.values()].filter(filter).sort((a, b) => a.id - b.id).map((c) => ({ ...c }));
  }

  consultation(id: number): Consultation | null {
    const c = this.consultations.get(id);
    return c ? { ...c } : null;
  }

  /** A consultation for the appointment's doctor and patient, pending (called in next) or already active. */
  openConsultation(appointment: Appointment, status: 'pending' | 'active' = 'pending'): Consultation {
    const at = this.stamp();
    const c: Consultation = {
      id: this.nextId.consultation++,
      clinic_id: appointment.clinic_id,
      doctor_id: appointment.doctor_id,
      patient_id: appointment.patient_id,
      patient_name: appointment.patient_name,
      appointment_id: appointment.id,
      status,
      started_at: status === 'active' ? at : null,
      ended_at: null,
      updated_at: at,
    };
    this.consultations.set(c.id, c);
    return { ...c };
  }

  setConsultationStatus(id: number, status: ConsultationStatus): Consultation {
    const c = this.consultations.get(id);
    if (!c) throw new RangeError(`no consultation ${id}`);
    const at = this.stamp();
    c.status = status;
    if (status === 'active') c.started_at ??= at;
    if (status === 'completed' || status === 'cancelled') c.ended_at ??= at;
    c.updated_at = at;
    return { ...c };
  }

  // ── conversations ───────────────────────────────────────────────────────

  conversationRow(id: number) {
    return this.conversations.get(id);
  }

  conversationsWhere(filter: (c: ConversationRow) => boolean) {
    return [...this.conversations.values()].filter(filter).sort((a, b) => a.id - b.id);
  }

  /** A new conversation between staff of one clinic (no messages yet). */
  createConversation(input: { clinic_id: number; subject: string; participant_ids: readonly number[] }): ConversationRow {
    const participants = [...new Set(input.participant_ids)];
    for (const id of participants) {
      const row = this.accountById(id);
      if (!row || row.clinic_id !== input.clinic_id || row.role === 'patient') throw new RangeError(`user ${id} is not staff of clinic ${input.clinic_id}`);
    }
    const row: ConversationRow = { id: this.nextId.conversation++, clinic_id: input.clinic_id, subject: input.subject, participant_ids: participants, updated_at: this.stamp() };
    this.conversations.set(row.id, row);
    return { ...row, participant_ids: [...row.participant_ids] };
  }

  /** The conversation as `userId` sees it: unread count and their read position. */
  conversationFor(id: number, userId: number): Conversation | null {
    const row = this.conversations.get(id);
    if (!row) return null;
    const list = this.messages.get(id) ?? [];
    const lastRead = this.reads.get(`${id}:${userId}`) ?? null;
    return {
      ...row,
      participant_ids: [...row.participant_ids],
      last_message: list.length > 0 ? { ...(list[list.length - 1] as Message) } : null,
      unread_count: list.filter((m) => m.sender_id !== userId && m.id > (lastRead ?? 0)).length,
      last_read_message_id: lastRead,
    };
  }

  messagesOf(conversationId: number, beforeId: number | null, limit: number): Message[] {
    const list = (this.messages.get(conversationId) ?? []).filter((m) => beforeId === null || m.id < beforeId);
    return list.slice(-limit).map((m) => ({ ...m }));
  }

  /** Adds a message; a repeated `clientId` from the same sender returns the first message instead. */
  addMessage(conversationId: number, sender: User, body: string, clientId?: string): { message: Message; created: boolean } {
    const row = this.conversations.get(conversationId);
    if (!row) throw new RangeError(`no conversation ${conversationId}`);
    const key = clientId === undefined ? null : `${sender.id}:${clientId}`;
    const earlier = key === null ? undefined : this.sentByClientId.get(key);
    if (earlier !== undefined) {
      const found = this.messages.get(conversationId)?.find((m) => m.id === earlier);
      if (found) return { message: { ...found }, created: false };
    }
    const message: Message = {
      id: this.nextId.message++,
      conversation_id: conversationId,
      sender_id: sender.id,
      sender_name: sender.name,
      body,
      created_at: this.stamp(),
    };
    const list = this.messages.get(conversationId) ?? [];
    list.push(message);
    this.messages.set(conversationId, list);
    row.updated_at = message.created_at;
    this.reads.set(`${conversationId}:${sender.id}`, message.id);
    if (key !== null) this.sentByClientId.set(key, message.id);
    return { message: { ...message }, created: true };
  }

  /** Marks everything read for the user; null when there is nothing new to read. */
  markConversationRead(conversationId: number, userId: number): { last_read_message_id: number; read_at: string } | null {
    const list = this.messages.get(conversationId) ?? [];
    const last = list[list.length - 1];
    if (!last) return null;
    const key = `${conversationId}:${userId}`;
    if ((this.reads.get(key) ?? 0) >= last.id) return null;
    this.reads.set(key, last.id);
    return { last_read_message_id: last.id, read_at: this.stamp() };
  }
}

/** The user as the app's model has it; each dialect decides where (and whether) the answer says the clinic's zone. */
function toUser(row: DemoAccountRow, timeZone: string): User {
  return { id: row.id, name: row.name, email: row.email, role: row.role, clinic_id: row.clinic_id, doctor_id: row.doctor_id, time_zone: timeZone };
}
