import { app, Notification, type BrowserWindow, type NativeImage } from 'electron';
import type { DeskEvent } from '../../shared/bridge';
import type { User } from '../../shared/domain';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../core/log';
import type { DesktopPlatform } from './app-paths';
import { CALL_IN_BUTTON, alertCandidate, alertsFor, silenceReason, type AlertCandidate, type AlertClick, type OsAlert } from './alerts';

/**
 * Native notifications. Candidates are collected for a short window so a
 * burst becomes one alert, then shown unless Do Not Disturb (or a focused
 * window, when the user asked for that) silences them. A click shows the desk
 * and opens the item; an urgent one can also flash the taskbar or bounce the
 * dock until the user looks.
 */

export interface NotifierDeps {
  settings: () => Settings;
  windowFocused: () => boolean;
  mainWindow: () => BrowserWindow | null;
  onClick: (click: AlertClick) => void;
  /** The alert's "Call in" button (macOS and Windows show buttons on notifications). */
  onCallIn: (appointmentId: number) => void;
  platform: DesktopPlatform;
  logger: Logger;
  now?: () => number;
  icon?: NativeImage;
  /** How long candidates are gathered before alerting. */
  groupWindowMs?: number;
}

/** Electron drops a notification's click handler when the object is garbage-collected: keep the recent ones. */
const KEEP_ALIVE = 50;

export class Notifier {
  private me: User | null = null;
  /** The clinic's zone while someone is signed in: alerts read times on its clock. */
  private zone: string | undefined;
  /** The desk's unread count, as last announced (a catch-up's alert reports it). */
  private unread: number | null = null;
  /** This user may call patients in on this server (`staff-actions.offered`). */
  private canCallIn = false;
  private batch: AlertCandidate[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly alive: Notification[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: NotifierDeps) {
    this.now = deps.now ?? Date.now;
  }

  onEvent(event: DeskEvent): void {
    if (event.kind === 'session') {
      this.me = event.session.status === 'signed-in' ? event.session.user : null;
      this.zone = event.session.status === 'signed-in' ? event.session.timeZone.zone : undefined;
      if (!this.me) {
        this.batch = []; // nothing about a previous user is shown after sign-out
        this.unread = null;
        this.canCallIn = false;
      }
      return;
    }
    if (event.kind === 'staff-actions.offered') {
      this.canCallIn = event.actions.includes('call-in');
      return;
    }
    if (event.kind === 'notifications.unread') {
      this.unread = event.unread;
      return;
    }
    const candidate = alertCandidate(event, this.me, this.deps.settings().alerts);
    if (!candidate) return;
    this.batch.push(candidate);
    this.timer ??= setTimeout(() => this.flush(), this.deps.groupWindowMs ?? 1000);
  }

  /** Shows what was gathered (the timer calls this; tests may too). Returns what was shown. */
  flush(): OsAlert[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return [];
    const settings = this.deps.settings();
    const silenced = silenceReason({ settings, now: this.now(), windowFocused: this.deps.windowFocused() });
    if (silenced) {
      this.deps.logger.info('alerts silenced', { reason: silenced, count: batch.length });
      return [];
    }
    const alerts = alertsFor(batch, settings.hideMessageText, 3, this.unread, this.zone, { canCallIn: this.canCallIn && this.me?.doctor_id !== null });
    for (const alert of alerts) this.show(alert);
    if (settings.alerts.flashUrgent && alerts.some((a) => a.urgent)) this.drawAttention();
    return alerts;
  }

  /** A message about the app itself (a reloaded window): shown even in Do Not Disturb, it is rare and it matters. */
  notice(body: string): void {
    this.show({ title: 'Clinic Desk', body, urgent: false, click: { kind: 'open', target: { screen: 'diagnostics' } } });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.batch = [];
  }

  private show(alert: OsAlert): void {
    if (!Notification.isSupported()) {
      this.deps.logger.warn('native notifications are not supported here', { title: alert.title });
      return;
    }
    // Linux notification servers may show no buttons (and Electron sends none there): a click still opens the board at the patient.
    const callIn = alert.callIn !== undefined && this.deps.platform !== 'linux' ? alert.callIn : null;
    const notification = new Notification({
      title: alert.title,
      body: alert.body,
      urgency: alert.urgent ? 'critical' : 'normal',
      timeoutType: alert.urgent ? 'never' : 'default',
      ...(this.deps.icon ? { icon: this.deps.icon } : {}),
      ...(callIn ? { actions: [{ type: 'button' as const, text: CALL_IN_BUTTON }] } : {}),
    });
    const forget = () => {
      const i = this.alive.indexOf(notification);
      if (i >= 0) this.alive.splice(i, 1);
    };
    notification.on('click', () => {
      forget();
      this.deps.onClick(alert.click);
    });
    notification.on('action', (_event, index) => {
      forget();
      if (callIn && index === 0) this.deps.onCallIn(callIn.appointmentId);
    });
    notification.on('close', forget);
    notification.on('failed', (_event, error) => {
      forget();
      this.deps.logger.warn('notification failed', { error });
    });
    this.alive.push(notification);
    if (this.alive.length > KEEP_ALIVE) this.alive.shift();
    notification.show();
  }

  private drawAttention(): void {
    if (this.deps.windowFocused()) return;
    if (this.deps.platform === 'darwin') {
      app.dock?.bounce('critical');
      return;
    }
    this.deps.mainWindow()?.flashFrame(true);
  }
}
