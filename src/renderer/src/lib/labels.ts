import type { SyncReason } from '../../../shared/bridge'
import type { ClinicTimeZone } from '../../../shared/clinic-time'
import type { ConnectionStatus } from '../../../shared/desk-state'
import type { ConsultationStatus, KnownAppointmentStatus, KnownConsultationStatus, KnownRole, Role } from '../../../shared/domain'
import { CONSULTATION_STATUSES, KNOWN_APPOINTMENT_STATUSES, ROLES } from '../../../shared/domain'
import type { Feature, FeatureState } from '../../../shared/features'
import { FEATURE_LABELS } from '../../../shared/features'
import type { AppointmentAction, KnownAppointmentAction } from '../../../shared/payloads'
import { APPOINTMENT_ACTIONS } from '../../../shared/payloads'
import type { IconName } from './icons'

/** Words the desk shows for the core's states: one place, so views and tests agree. */

type TimeZoneSource = ClinicTimeZone['source']

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  polling: 'Offline — polling',
  offline: 'Offline',
  idle: 'Signed out',
}

/** Why a catch-up ran, as Diagnostics says it. */
export const SYNC_REASON_LABELS: Record<SyncReason, string> = {
  'sign-in': 'at sign-in',
  connect: 'on connecting',
  reconnect: 'after reconnecting',
  poll: 'scheduled',
  manual: 'on request',
  refresh: 'to fill a gap',
  retry: 'retrying a feature',
  reconcile: 'checking while live',
}

/** Where the clinic's time zone came from, as Diagnostics says it. */
export const TIME_ZONE_SOURCE_LABELS: Record<TimeZoneSource, string> = {
  server: 'from the clinic server',
  policy: 'from the administrator’s policy',
  os: 'this computer’s zone',
}

export const CONNECTION_ICONS: Record<ConnectionStatus, IconName> = {
  live: 'wifi',
  connecting: 'refresh',
  reconnecting: 'refresh',
  polling: 'clock',
  offline: 'wifi-off',
  idle: 'log-out',
}

const APPOINTMENT_LABELS: Record<KnownAppointmentStatus, string> = {
  scheduled: 'Scheduled',
  confirmed: 'Confirmed',
  reminder_sent: 'Reminder sent',
  checked_in: 'Checked in',
  in_consultation: 'In consultation',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
}

const APPOINTMENT_ICONS: Record<KnownAppointmentStatus, IconName> = {
  scheduled: 'clock',
  confirmed: 'check',
  reminder_sent: 'bell',
  checked_in: 'log-in',
  in_consultation: 'stethoscope',
  completed: 'check-circle',
  cancelled: 'x',
  no_show: 'user-x',
}

export function isKnownAppointmentStatus(status: string): status is KnownAppointmentStatus {
  return (KNOWN_APPOINTMENT_STATUSES as readonly string[]).includes(status)
}

/**
 * A value the server wrote that the desk has no words for (a status, a role,
 * an action, a notification type), in its own words: `on_hold` → "On hold",
 * `nurse` → "Nurse". Every unknown value is shown this way.
 */
export function serverWords(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim()
  return words === '' ? value : words.charAt(0).toUpperCase() + words.slice(1)
}

/** "Checked in" for `checked_in`; an unknown status is shown as its own words. */
export function appointmentStatusLabel(status: string): string {
  return isKnownAppointmentStatus(status) ? APPOINTMENT_LABELS[status] : serverWords(status)
}

export function appointmentStatusIcon(status: string): IconName {
  return isKnownAppointmentStatus(status) ? APPOINTMENT_ICONS[status] : 'help-circle'
}

const APPOINTMENT_ACTION_LABELS: Record<KnownAppointmentAction, string> = {
  confirmed: 'Confirmed',
  cancelled: 'Cancelled',
  reminder: 'Reminder sent',
}

function isKnownAppointmentAction(action: AppointmentAction): action is KnownAppointmentAction {
  return (APPOINTMENT_ACTIONS as readonly string[]).includes(action)
}

/** What a live appointment change was: "Reminder sent" for `reminder`; an unknown one (`rescheduled`) in its own words. */
export function appointmentActionLabel(action: AppointmentAction): string {
  return isKnownAppointmentAction(action) ? APPOINTMENT_ACTION_LABELS[action] : serverWords(action)
}

export const CONSULTATION_LABELS: Record<KnownConsultationStatus, string> = {
  pending: 'Pending',
  active: 'Active',
  completed: 'Completed',
  cancelled: 'Cancelled',
}

export function isKnownConsultationStatus(status: ConsultationStatus): status is KnownConsultationStatus {
  return (CONSULTATION_STATUSES as readonly string[]).includes(status)
}

/** "Active" for `active`; an unknown status (`on_hold`) in its own words ("On hold"). */
export function consultationStatusLabel(status: ConsultationStatus): string {
  return isKnownConsultationStatus(status) ? CONSULTATION_LABELS[status] : serverWords(status)
}

export const ROLE_LABELS: Record<KnownRole, string> = {
  doctor: 'Doctor',
  reception: 'Reception',
  admin: 'Admin',
  patient: 'Patient',
}

export const ROLE_GROUP_LABELS: Record<KnownRole, string> = {
  doctor: 'Doctors',
  reception: 'Reception',
  admin: 'Administrators',
  patient: 'Patients',
}

export function isKnownRole(role: Role): role is KnownRole {
  return (ROLES as readonly string[]).includes(role)
}

/** "Doctor" for `doctor`; a role the desk does not know (`nurse`) in its own words ("Nurse"). */
export function roleLabel(role: Role): string {
  return isKnownRole(role) ? ROLE_LABELS[role] : serverWords(role)
}

/** The heading of a group of online members: "Doctors"; an unknown role as written ("Nurse"). */
export function roleGroupLabel(role: Role): string {
  return isKnownRole(role) ? ROLE_GROUP_LABELS[role] : serverWords(role)
}

/** A feature's REST state in words (Diagnostics); not by colour alone. */
export const FEATURE_STATE_LABELS: Record<FeatureState, string> = {
  available: 'Works',
  'not-offered': 'Not offered by this server — live updates only',
  'not-understood': 'Not understood',
  failing: 'Failing — retrying',
  pending: 'Checking…',
}

export const FEATURE_STATE_ICONS: Record<FeatureState, IconName> = {
  available: 'check-circle',
  'not-offered': 'info',
  'not-understood': 'help-circle',
  failing: 'refresh',
  pending: 'clock',
}

export function featureLabel(feature: Feature): string {
  return FEATURE_LABELS[feature]
}

/** "1 feature limited", "2 features limited". */
export function limitedFeaturesText(count: number): string {
  return `${count} ${count === 1 ? 'feature' : 'features'} limited`
}

/** "1 record skipped", "3 records skipped". */
export function droppedText(count: number): string {
  return `${count} ${count === 1 ? 'record' : 'records'} skipped`
}

/** Notification types the demo and the seed use; anything else gets the generic icon. */
const NOTIFICATION_ICONS: Record<string, IconName> = {
  urgent: 'alert-triangle',
  lab_result: 'flask',
  supplies: 'package',
  schedule: 'calendar',
  appointment: 'calendar',
  consultation: 'clipboard',
  message: 'message',
  system: 'info',
}

export function notificationIcon(type: string): IconName {
  return NOTIFICATION_ICONS[type] ?? 'bell'
}

export function notificationTypeLabel(type: string): string {
  return serverWords(type)
}
