import type { ConnectionStatus } from '../../../shared/desk-state'
import type { ConsultationStatus, KnownAppointmentStatus, Role } from '../../../shared/domain'
import { KNOWN_APPOINTMENT_STATUSES } from '../../../shared/domain'
import type { IconName } from './icons'

/** Words the desk shows for the core's states: one place, so views and tests agree. */

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  polling: 'Offline — polling',
  offline: 'Offline',
  idle: 'Signed out',
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

/** "Checked in" for `checked_in`; an unknown status is shown as its own words. */
export function appointmentStatusLabel(status: string): string {
  if (isKnownAppointmentStatus(status)) return APPOINTMENT_LABELS[status]
  const words = status.replace(/[_-]+/g, ' ').trim()
  return words === '' ? status : words.charAt(0).toUpperCase() + words.slice(1)
}

export function appointmentStatusIcon(status: string): IconName {
  return isKnownAppointmentStatus(status) ? APPOINTMENT_ICONS[status] : 'help-circle'
}

export const CONSULTATION_LABELS: Record<ConsultationStatus, string> = {
  pending: 'Pending',
  active: 'Active',
  completed: 'Completed',
  cancelled: 'Cancelled',
}

export const ROLE_LABELS: Record<Role, string> = {
  doctor: 'Doctor',
  reception: 'Reception',
  admin: 'Admin',
  patient: 'Patient',
}

export const ROLE_GROUP_LABELS: Record<Role, string> = {
  doctor: 'Doctors',
  reception: 'Reception',
  admin: 'Administrators',
  patient: 'Patients',
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
  const words = type.replace(/[_-]+/g, ' ').trim()
  return words === '' ? type : words.charAt(0).toUpperCase() + words.slice(1)
}
