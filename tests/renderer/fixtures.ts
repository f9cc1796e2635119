import type { DemoAccount } from '../../src/shared/bridge'
import type { ClinicTimeZone } from '../../src/shared/clinic-time'
import type {
  Board,
  ChannelStatus,
  ConnectionInfo,
  ConnectionStatus,
  DeskSnapshot,
  Diagnostics,
  NotificationItem,
  OnlineMember,
  SessionState,
} from '../../src/shared/desk-state'
import type { Appointment, ClinicMember, Consultation, Conversation, Message, User } from '../../src/shared/domain'
import { FEATURES, type Feature, type FeatureStatus } from '../../src/shared/features'
import { DEFAULT_SETTINGS, type SettingsView } from '../../src/shared/settings'
import type { PendingStaffAction, StaffActionKind } from '../../src/shared/staff-actions'

/** Test data in the shapes the core sends, with just enough variety. */

export const DAY = '2026-11-26'
export const at = (hhmm: string, day = DAY): string => `${day}T${hhmm}:00.000000Z`

/** The fixtures' clinic keeps UTC (its `at` times are its wall clock), whatever zone the test machine is in. */
export const CLINIC_ZONE = 'UTC'

export function clinicZone(zone = CLINIC_ZONE, overrides: Partial<ClinicTimeZone> = {}): ClinicTimeZone {
  return { zone, source: 'server', note: null, ...overrides }
}

export function sessionZone(u: User): ClinicTimeZone {
  return u.time_zone ? clinicZone(u.time_zone) : clinicZone(CLINIC_ZONE, { source: 'policy' })
}

export function user(overrides: Partial<User> = {}): User {
  return { id: 2, name: 'Rita Reception', email: 'reception1@northside.clinic.test', role: 'reception', clinic_id: 1, doctor_id: null, time_zone: null, ...overrides }
}

/** Signed in; the clinic's zone is the user's `time_zone` when set (the server's word), else the policy's UTC. */
export function signedIn(u: User = user(), demo = false, timeZone: ClinicTimeZone = sessionZone(u)): SessionState {
  return { status: 'signed-in', user: u, apiUrl: 'http://127.0.0.1:8000', demo, timeZone }
}

export function connection(status: ConnectionStatus = 'live', overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    status,
    since: at('08:00'),
    transport: 'pusher',
    socketId: status === 'live' ? '123.456' : null,
    lastEventAt: null,
    lastSyncAt: at('08:00'),
    nextRetryAt: null,
    detail: null,
    limitedFeatures: [],
    broadcastWarning: null,
    ...overrides,
  }
}

const ENDPOINTS: Record<Feature, string> = {
  notifications: 'GET /api/notifications',
  board: 'GET /api/appointments',
  consultations: 'GET /api/consultations',
  conversations: 'GET /api/conversations',
  members: 'GET /api/clinic/members',
}

/** A feature the REST API serves (override `state` and the rest for the other cases). */
export function featureStatus(feature: Feature, overrides: Partial<FeatureStatus> = {}): FeatureStatus {
  return {
    feature,
    state: 'available',
    endpoint: ENDPOINTS[feature],
    lastSuccessAt: at('08:00'),
    lastAttemptAt: at('08:00'),
    error: null,
    fix: null,
    problem: null,
    dropped: 0,
    ...overrides,
  }
}

/** Every feature available, as a well-matched clinic server answers. */
export function allFeatures(): FeatureStatus[] {
  return FEATURES.map((f) => featureStatus(f))
}

let nextId = 1000
export function appointment(overrides: Partial<Appointment> = {}): Appointment {
  const id = overrides.id ?? nextId++
  return {
    id,
    clinic_id: 1,
    doctor_id: 31,
    patient_id: 500 + id,
    patient_name: `Patient ${id}`,
    status: 'scheduled',
    appointment_date: at('09:00'),
    duration_minutes: 30,
    reason: 'Check-up',
    updated_at: at('07:00'),
    ...overrides,
  }
}

export const DOCTORS: Board['doctors'] = [
  { doctorId: 31, name: 'Dr. Ada Lovelace', refreshSeconds: null },
  { doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds: null },
]

export function board(overrides: Partial<Board> = {}): Board {
  return {
    date: DAY,
    doctors: DOCTORS,
    appointments: [
      appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', status: 'confirmed', appointment_date: at('09:00') }),
      appointment({ id: 2, doctor_id: 31, patient_name: 'Bob Brown', status: 'checked_in', appointment_date: at('09:30') }),
      appointment({ id: 3, doctor_id: 32, patient_name: 'Carol Clark', status: 'cancelled', appointment_date: at('10:00') }),
      appointment({ id: 4, doctor_id: 32, patient_name: 'Dan Dorsey', status: 'reminder_sent', appointment_date: at('11:00') }),
    ],
    syncedAt: at('08:00'),
    stale: false,
    ...overrides,
  }
}

export function consultation(overrides: Partial<Consultation> = {}): Consultation {
  const id = overrides.id ?? nextId++
  return {
    id,
    clinic_id: 1,
    doctor_id: 31,
    patient_id: 600 + id,
    patient_name: `Consult patient ${id}`,
    appointment_id: null,
    status: 'pending',
    started_at: null,
    ended_at: null,
    updated_at: at('08:00'),
    ...overrides,
  }
}

export function notification(overrides: Partial<NotificationItem> = {}): NotificationItem {
  const id = overrides.id ?? nextId++
  return {
    id,
    user_id: 2,
    type: 'system',
    title: `Notice ${id}`,
    message: `Message ${id}`,
    action_url: null,
    created_at: at('08:00'),
    read_at: null,
    pending: null,
    ...overrides,
  }
}

export function message(overrides: Partial<Message> = {}): Message {
  const id = overrides.id ?? nextId++
  return { id, conversation_id: 70, sender_id: 5, sender_name: 'Dr. Ada Lovelace', body: `Hello ${id}`, created_at: at('08:30'), ...overrides }
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 70,
    clinic_id: 1,
    subject: 'Front desk',
    participant_ids: [2, 5],
    last_message: null,
    unread_count: 0,
    last_read_message_id: null,
    updated_at: at('08:30'),
    ...overrides,
  }
}

export function member(overrides: Partial<OnlineMember> = {}): OnlineMember {
  return { id: 5, name: 'Dr. Ada Lovelace', role: 'doctor', onlineSince: at('07:45'), ...overrides }
}

export const ROSTER: ClinicMember[] = [
  { id: 2, name: 'Rita Reception', role: 'reception', clinic_id: 1, doctor_id: null },
  { id: 5, name: 'Dr. Ada Lovelace', role: 'doctor', clinic_id: 1, doctor_id: 31 },
  { id: 6, name: 'Dr. Ben Carson', role: 'doctor', clinic_id: 1, doctor_id: 32 },
  { id: 1, name: 'Adam Admin', role: 'admin', clinic_id: 1, doctor_id: null },
]

/** A staff action the core shows at once: a check-in of Alice Archer (appointment 1), on its way. */
export function pendingAction(overrides: Partial<PendingStaffAction> = {}): PendingStaffAction {
  return {
    id: crypto.randomUUID(),
    kind: 'check-in',
    appointmentId: 1,
    consultationId: null,
    status: 'checked_in',
    previousStatus: 'confirmed',
    createdAt: new Date().toISOString(),
    state: 'sending',
    undoUntil: null,
    undoes: null,
    ...overrides,
  }
}

export const RECEPTION_ACTIONS: StaffActionKind[] = ['check-in', 'no-show', 'cancel']
export const DOCTOR_ACTIONS: StaffActionKind[] = ['call-in', 'start-consultation', 'complete-consultation']

export function channel(overrides: Partial<ChannelStatus> = {}): ChannelStatus {
  return {
    name: 'private-notifications.2',
    state: 'subscribed',
    errorStatus: null,
    error: null,
    subscribedAt: at('08:00'),
    lastEventAt: null,
    eventCount: 0,
    rejectedCount: 0,
    lastLatencyMs: null,
    ...overrides,
  }
}

/** What `getDiagnostics` answers, for a desk signed in to the fixtures' clinic. */
export function diagnostics(overrides: Partial<Diagnostics> = {}): Diagnostics {
  return {
    appVersion: '0.1.0',
    host: 'preview',
    connection: connection('live'),
    timeline: [],
    channels: [],
    rejected: [],
    cache: { notifications: 0, outbox: 0, writeError: null, datesFlagged: 0 },
    features: allFeatures(),
    timeZone: clinicZone(CLINIC_ZONE, { source: 'policy' }),
    reconciliation: { intervalSec: 60, lastAt: null, requests: 0, notModified: 0, unannounced: 0 },
    ...overrides,
  }
}

export function settingsView(overrides: Partial<SettingsView> = {}): SettingsView {
  return { values: structuredClone(DEFAULT_SETTINGS), locked: [], ...overrides }
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: 'reception', name: 'Rita Reception', email: 'reception1@northside.clinic.test' },
  { role: 'doctor', name: 'Dr. Ada Lovelace', email: 'doctor1@northside.clinic.test' },
  { role: 'admin', name: 'Adam Admin', email: 'admin@northside.clinic.test' },
]

export function snapshot(overrides: Partial<DeskSnapshot> = {}): DeskSnapshot {
  return {
    session: signedIn(),
    connection: connection('live'),
    board: board(),
    consultations: [],
    presence: { clinicId: 1, members: [], roster: ROSTER },
    conversations: [],
    outgoing: [],
    pendingActions: [],
    staffActions: [],
    unreadNotifications: 0,
    channels: [],
    features: allFeatures(),
    ...overrides,
  }
}

export function signedOutSnapshot(): DeskSnapshot {
  return snapshot({
    session: { status: 'signed-out', reason: null },
    connection: connection('idle', { socketId: null, lastSyncAt: null }),
    board: null,
    presence: { clinicId: null, members: [], roster: [] },
    features: [],
  })
}
