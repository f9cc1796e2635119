import type { DeskEvent } from '../../shared/bridge';
import type { Appointment, Consultation, Message, User } from '../../shared/domain';
import type { NotificationItem, OpenTarget } from '../../shared/desk-state';
import type { AppointmentAction, KnownAppointmentAction } from '../../shared/payloads';
import type { Settings } from '../../shared/settings';
import { clockIn, dayIn, sameZone, systemTimeZone, zoneLabel } from '../../shared/clinic-time';

/** The seed's actions have their titles; another (`rescheduled`) is shown as the server named it. */
function appointmentTitle(action: AppointmentAction): string {
  return (APPOINTMENT_TITLES as Record<string, string | undefined>)[action] ?? `Appointment ${action.replace(/[_-]+/g, ' ')}`;
}

/**
 * Which desk events become OS alerts, and what they say: pure decisions, so
 * the rules (what concerns whom, Do Not Disturb, a focused window, a burst
 * grouped into one alert, message text hidden) are tested without a desktop.
 * The notifier (notifier.ts) only times the grouping and shows the result.
 */

export type AlertCandidate =
  | { kind: 'notification'; notification: NotificationItem }
  | { kind: 'notifications-synced'; count: number }
  | { kind: 'appointment'; appointment: Appointment; action: AppointmentAction }
  | { kind: 'consultation'; consultation: Consultation }
  | { kind: 'message'; message: Message };

/** What a click on an alert does. */
export type AlertClick =
  /** Opened through the desk (marked read, its link followed); `hasLink: false` shows it in the list instead. */
  | { kind: 'notification'; id: number; hasLink: boolean }
  | { kind: 'open'; target: OpenTarget };

export interface OsAlert {
  title: string;
  body: string;
  urgent: boolean;
  click: AlertClick;
  /** A button on the alert, where the OS has them (macOS, Windows): call the patient in. */
  callIn?: { appointmentId: number };
}

/** What the alerts may offer beyond opening the desk. */
export interface AlertOptions {
  /** The user is a doctor this server lets call patients in: a checked-in patient's alert gets a "Call in" button. */
  canCallIn: boolean;
}

export const CALL_IN_BUTTON = 'Call in';

/** The notification type the back end uses for things that cannot wait. */
export const URGENT_TYPE = 'urgent';

/** Consultation changes a doctor did not make themselves: a patient is waiting, or the visit was called off. */
const CONSULTATION_ALERT_STATUSES: ReadonlySet<Consultation['status']> = new Set(['pending', 'cancelled']);

export function alertCandidate(event: DeskEvent, me: User | null, alerts: Settings['alerts']): AlertCandidate | null {
  switch (event.kind) {
    case 'notification.upserted':
      // isNew: first time in the cache (live and catch-up overlap, so this is what makes an alert once).
      if (!alerts.notifications || !event.isNew || event.notification.read_at !== null) return null;
      return { kind: 'notification', notification: event.notification };
    case 'notifications.synced':
      return alerts.notifications && event.inserted > 0 ? { kind: 'notifications-synced', count: event.inserted } : null;
    case 'appointment.updated':
      // The board shows every change to reception; an alert is for the doctor whose appointment it is.
      if (!alerts.appointments || event.action === null || !me || me.doctor_id === null || event.appointment.doctor_id !== me.doctor_id) return null;
      return { kind: 'appointment', appointment: event.appointment, action: event.action };
    case 'consultation.updated':
      if (!alerts.consultations || !me || me.doctor_id === null || event.consultation.doctor_id !== me.doctor_id) return null;
      return CONSULTATION_ALERT_STATUSES.has(event.consultation.status) ? { kind: 'consultation', consultation: event.consultation } : null;
    case 'message.created':
      if (!alerts.messages || !me || event.message.sender_id === me.id) return null;
      return { kind: 'message', message: event.message };
    default:
      return null;
  }
}

export interface SilenceContext {
  settings: Pick<Settings, 'dndUntil' | 'silenceWhenFocused'>;
  now: number;
  windowFocused: boolean;
}

/** Why alerts stay quiet right now, or null. */
export function silenceReason(ctx: SilenceContext): 'dnd' | 'focused' | null {
  if (ctx.settings.dndUntil !== null && Date.parse(ctx.settings.dndUntil) > ctx.now) return 'dnd';
  if (ctx.settings.silenceWhenFocused && ctx.windowFocused) return 'focused';
  return null;
}

function time(iso: string, zone: string): string {
  const clock = clockIn(iso, zone);
  return sameZone(zone, systemTimeZone()) ? clock : `${clock} ${zoneLabel(zone, Date.parse(iso))}`;
}

const APPOINTMENT_TITLES: Record<KnownAppointmentAction, string> = {
  confirmed: 'Appointment confirmed',
  cancelled: 'Appointment cancelled',
  reminder: 'Appointment reminder',
};

/**
 * One alert's words. With `hideMessageText` (the default: a lock screen is
 * not private) an alert says only what kind of thing happened; no titles,
 * message text or patient names leave the app.
 */
/** `zone`: the clinic's, whose clock the alert's times are read on (with the zone named when this computer's differs). */
export function alertFor(c: Exclude<AlertCandidate, { kind: 'notifications-synced' }>, hideText: boolean, zone = systemTimeZone(), options: AlertOptions = { canCallIn: false }): OsAlert {
  switch (c.kind) {
    case 'notification': {
      const n = c.notification;
      return {
        title: hideText ? 'New notification' : n.title || 'New notification',
        body: hideText ? '' : n.message,
        urgent: n.type === URGENT_TYPE,
        click: { kind: 'notification', id: n.id, hasLink: Boolean(n.action_url) },
      };
    }
    case 'appointment': {
      const a = c.appointment;
      const click: AlertClick = { kind: 'open', target: { screen: 'board', appointmentId: a.id, date: dayIn(a.appointment_date, zone) } };
      const body = hideText ? '' : `${a.patient_name}, ${time(a.appointment_date, zone)}`;
      // The doctor's patient has arrived: the alert can call them in without opening the desk.
      if (a.status === 'checked_in' && options.canCallIn) return { title: 'Patient checked in', body, urgent: false, click, callIn: { appointmentId: a.id } };
      return { title: appointmentTitle(c.action), body, urgent: false, click };
    }
    case 'consultation': {
      const k = c.consultation;
      const waiting = k.status === 'pending';
      return {
        title: waiting ? 'Patient waiting' : 'Consultation cancelled',
        body: hideText ? '' : waiting ? `${k.patient_name} is waiting for you` : k.patient_name,
        urgent: false,
        click: { kind: 'open', target: { screen: 'consultations', consultationId: k.id } },
      };
    }
    case 'message': {
      const m = c.message;
      return {
        title: hideText ? 'New message' : `Message from ${m.sender_name}`,
        body: hideText ? '' : m.body,
        urgent: false,
        click: { kind: 'open', target: { screen: 'conversations', conversationId: m.conversation_id } },
      };
    }
  }
}

const GROUP_WORDS: Record<Exclude<AlertCandidate['kind'], 'notifications-synced'>, [string, OpenTarget]> = {
  notification: ['new notifications', { screen: 'notifications' }],
  appointment: ['appointment updates', { screen: 'board' }],
  consultation: ['consultation updates', { screen: 'consultations' }],
  message: ['new messages', { screen: 'conversations' }],
};

/**
 * The alerts for one grouping window's candidates. Up to `maxSingles` of a
 * kind are shown one by one; more become one alert ("20 new notifications"),
 * because Windows and Linux ignore notification tags and would stack twenty
 * toasts. A catch-up (`notifications-synced`) always joins the group, which
 * then says how many are unread (`unreadNow`, when known): a catch-up also
 * stores notifications already read elsewhere, and none unread means no alert.
 */
export function alertsFor(
  batch: readonly AlertCandidate[],
  hideText: boolean,
  maxSingles = 3,
  unreadNow: number | null = null,
  zone = systemTimeZone(),
  options: AlertOptions = { canCallIn: false },
): OsAlert[] {
  const out: OsAlert[] = [];
  const synced = batch.reduce((sum, c) => (c.kind === 'notifications-synced' ? sum + c.count : sum), 0);
  for (const kind of ['notification', 'appointment', 'consultation', 'message'] as const) {
    const same = batch.filter((c): c is Exclude<AlertCandidate, { kind: 'notifications-synced' }> => c.kind === kind);
    const count = same.length + (kind === 'notification' ? synced : 0);
    if (count === 0) continue;
    const singles = same.map((c) => alertFor(c, hideText, zone, options));
    if (count <= maxSingles && !(kind === 'notification' && synced > 0)) {
      out.push(...singles);
      continue;
    }
    const [words, target] = GROUP_WORDS[kind];
    const urgent = singles.some((a) => a.urgent);
    const click: AlertClick = { kind: 'open', target };
    if (kind === 'notification' && synced > 0 && unreadNow !== null) {
      if (unreadNow > 0) out.push({ title: unreadNow === 1 ? '1 unread notification' : `${unreadNow} unread notifications`, body: 'Open Clinic Desk to see them.', urgent, click });
      continue;
    }
    out.push({ title: `${count} ${words}`, body: 'Open Clinic Desk to see them.', urgent, click });
  }
  return out;
}
