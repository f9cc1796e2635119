import type { MenuItemConstructorOptions } from 'electron';
import { clockIn, dayIn, sameZone, shiftDay, systemTimeZone, wallTime, zoneLabel } from '../../shared/clinic-time';
import type { ConnectionInfo, NotificationItem } from '../../shared/desk-state';
import type { TrayStatus } from './tray-icon';
import { WAITING_IN_MENU, type WaitingPatient } from './waiting-patients';

/**
 * What the tray shows, as pure functions of the desk's state so each state's
 * icon, tooltip and menu can be tested without a desktop: the connection line,
 * the unread count, the last five unread notifications (a click opens one),
 * for a doctor the patients waiting (a click calls one in), Do Not Disturb,
 * and the session's own actions.
 */

export interface TrayView {
  signedIn: boolean;
  connection: ConnectionInfo | null;
  unread: number;
  /** Newest unread first, at most five. */
  recent: NotificationItem[];
  /** A doctor this server lets call patients in: the waiting list is shown. */
  canCallIn: boolean;
  /** The doctor's checked-in patients, earliest first. */
  waiting: WaitingPatient[];
  dndUntil: string | null;
  /** The admin's policy sets Do Not Disturb: shown, not changeable. */
  dndLocked: boolean;
  now: number;
  /** The clinic's zone while signed in (this computer's otherwise): the tray's times are read on its clock. */
  zone: string;
}

export interface TrayActions {
  openDashboard(): void;
  openNotification(id: number): void;
  callIn(appointmentId: number): void;
  markAllRead(): void;
  setDnd(choice: DndChoice): void;
  reconnect(): void;
  signOut(): void;
  quit(): void;
}

export const RECENT_IN_MENU = 5;

export type DndChoice = 'hour' | 'tomorrow' | 'off';

export function trayStatus(view: Pick<TrayView, 'signedIn' | 'connection'>): TrayStatus {
  if (!view.signedIn || !view.connection) return 'signed-out';
  switch (view.connection.status) {
    case 'live':
      return 'connected';
    // Polling by choice (no WebSocket configured) is this desk's normal, connected state.
    case 'polling':
      return view.connection.transport === 'polling' ? 'connected' : 'reconnecting';
    case 'connecting':
    case 'reconnecting':
      return 'reconnecting';
    case 'offline':
      return 'offline';
    case 'idle':
      return 'signed-out';
  }
}

const STATUS_WORDS: Record<TrayStatus, string> = {
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

export function dndActive(dndUntil: string | null, now: number): boolean {
  return dndUntil !== null && Date.parse(dndUntil) > now;
}

/** A time on the clinic's clock, its zone named when this computer's is another (the tray has no screen around it). */
function clock(iso: string, zone: string): string {
  const text = clockIn(iso, zone);
  return sameZone(zone, systemTimeZone()) ? text : `${text} ${zoneLabel(zone, Date.parse(iso))}`;
}

export function connectionLine(view: TrayView): string {
  const status = trayStatus(view);
  if (status === 'signed-out') return 'Not signed in';
  const c = view.connection;
  if (c?.status === 'polling' && c.transport === 'polling') return 'Connected (refreshing every few seconds)';
  if (c?.status === 'polling') return 'Live updates interrupted; refreshing over the network';
  if (status === 'offline' && c?.nextRetryAt) return `Offline; next try at ${clock(c.nextRetryAt, view.zone)}`;
  return STATUS_WORDS[status];
}

export function trayTooltip(view: TrayView): string {
  const parts = [`Clinic Desk: ${STATUS_WORDS[trayStatus(view)]}`];
  if (view.signedIn) parts.push(view.unread === 1 ? '1 unread notification' : `${view.unread} unread notifications`);
  if (dndActive(view.dndUntil, view.now) && view.dndUntil) parts.push(`Do Not Disturb until ${clock(view.dndUntil, view.zone)}`);
  return parts.join('\n');
}

/** When Do Not Disturb ends: "For 1 hour" and "Until tomorrow 8:00" (on the clinic's clock) from `now`, or off (null). */
export function dndUntil(choice: DndChoice, now: number, zone = systemTimeZone()): string | null {
  if (choice === 'off') return null;
  if (choice === 'hour') return new Date(now + 60 * 60_000).toISOString();
  return new Date(wallTime(shiftDay(dayIn(now, zone), 1), 8, 0, zone)).toISOString();
}

/** Menu labels: `&` marks an access key on Windows and Linux, so a title's own `&` is doubled. */
function label(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return short.replace(/&/g, '&&');
}

export function trayMenuTemplate(view: TrayView, actions: TrayActions): MenuItemConstructorOptions[] {
  const dnd = dndActive(view.dndUntil, view.now);
  const items: MenuItemConstructorOptions[] = [{ id: 'open', label: 'Open Clinic Desk', click: () => actions.openDashboard() }, { type: 'separator' }];

  if (view.signedIn) {
    items.push({ id: 'unread-header', label: view.unread === 0 ? 'No unread notifications' : `Unread notifications (${view.unread})`, enabled: false });
    for (const n of view.recent.slice(0, RECENT_IN_MENU)) {
      items.push({ id: `notification-${n.id}`, label: label(n.title || 'Notification'), click: () => actions.openNotification(n.id) });
    }
    items.push({ id: 'mark-all-read', label: 'Mark all as read', enabled: view.unread > 0, click: () => actions.markAllRead() });
    items.push({ type: 'separator' });
  }

  if (view.signedIn && view.canCallIn) {
    const count = view.waiting.length;
    items.push({ id: 'waiting-header', label: count === 0 ? 'No patients waiting' : `Waiting (${count})`, enabled: false });
    for (const w of view.waiting.slice(0, WAITING_IN_MENU)) {
      const who = `${label(w.patientName, 40)} (${clock(w.at, view.zone)})`;
      items.push(
        w.callingIn
          ? { id: `call-in-${w.appointmentId}`, label: `Calling in ${who}…`, enabled: false }
          : { id: `call-in-${w.appointmentId}`, label: `Call in ${who}`, click: () => actions.callIn(w.appointmentId) },
      );
    }
    items.push({ type: 'separator' });
  }

  items.push({
    id: 'dnd',
    label: dnd && view.dndUntil ? `Do Not Disturb (until ${clock(view.dndUntil, view.zone)})` : 'Do Not Disturb',
    enabled: !view.dndLocked,
    submenu: [
      { id: 'dnd-hour', label: 'For 1 hour', click: () => actions.setDnd('hour') },
      { id: 'dnd-tomorrow', label: 'Until tomorrow 8:00', click: () => actions.setDnd('tomorrow') },
      { id: 'dnd-off', label: 'Off', type: 'radio', checked: !dnd, click: () => actions.setDnd('off') },
    ],
  });
  items.push({ type: 'separator' });
  items.push({ id: 'connection', label: connectionLine(view), enabled: false });
  items.push({ id: 'reconnect', label: 'Reconnect now', enabled: view.signedIn, click: () => actions.reconnect() });
  items.push({ type: 'separator' });
  if (view.signedIn) items.push({ id: 'sign-out', label: 'Sign out', click: () => actions.signOut() });
  items.push({ id: 'quit', label: 'Quit Clinic Desk', click: () => actions.quit() });
  return items;
}
