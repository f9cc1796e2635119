import { app, Menu, nativeImage, Tray, type BrowserWindow, type NativeImage } from 'electron';
import { systemTimeZone } from '../../shared/clinic-time';
import type { DeskEvent } from '../../shared/bridge';
import type { SettingsView } from '../../shared/settings';
import type { DeskService } from '../core/desk/desk-service';
import type { Logger } from '../core/log';
import type { DesktopPlatform } from './app-paths';
import { badgeLabel, drawBadge, drawTrayIcon } from './tray-icon';
import { RECENT_IN_MENU, trayMenuTemplate, trayStatus, trayTooltip, type TrayActions, type TrayView } from './tray-menu';
import { canCallIn, waitingPatients } from './waiting-patients';

/**
 * The tray icon, its tooltip and menu, and the unread badge wherever the OS
 * has one: the dock badge and menu-bar title on macOS, `setBadgeCount` on
 * Linux (Unity-style launchers), the taskbar overlay on Windows; on Windows and
 * Linux the count is also drawn into the tray icon itself. A doctor's menu
 * lists the patients waiting, each to call in. Everything is
 * recomputed from the desk (`getSnapshot`, the unread list, settings), so the
 * tray cannot drift from what the dashboard shows.
 */

export interface TrayDeps {
  desk: Pick<DeskService, 'getSnapshot' | 'listNotifications'>;
  settings: () => SettingsView;
  actions: TrayActions;
  platform: DesktopPlatform;
  mainWindow: () => BrowserWindow | null;
  now: () => number;
  logger: Logger;
}

const REFRESH_DELAY_MS = 50;
const REFRESH_ON: ReadonlySet<DeskEvent['kind']> = new Set([
  'session',
  'connection',
  'notification.upserted',
  'notification.removed',
  'notifications.unread',
  'notifications.synced',
  'settings',
  // Whether the waiting list is shown at all.
  'staff-actions.offered',
]);
/**
 * What a doctor's waiting list follows: the board and the user's own actions.
 * Only while the list is shown: reception's board changes many times a
 * second, and each refresh reads the whole snapshot.
 */
const REFRESH_WAITING_ON: ReadonlySet<DeskEvent['kind']> = new Set(['appointment.updated', 'board.replaced', 'staff-action.pending', 'staff-action.settled']);

/** 32 px drawn, shown as 16 pt: sharp on high-density screens, right-sized on the others. */
const ICON_PIXELS = 32;
const ICON_SCALE = 2;

export class TrayController {
  private tray: Tray | null = null;
  private view: TrayView;
  private readonly images = new Map<string, NativeImage>();
  private shownIcon = '';
  private overlay: { win: BrowserWindow | null; label: string } = { win: null, label: '' };
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly deps: TrayDeps) {
    this.view = { signedIn: false, connection: null, unread: 0, recent: [], canCallIn: false, waiting: [], dndUntil: null, dndLocked: false, now: deps.now(), zone: systemTimeZone() };
  }

  start(): void {
    this.tray = new Tray(this.icon());
    // macOS opens the menu on click; elsewhere a click is "show me the desk" (the menu is on right-click).
    if (this.deps.platform !== 'darwin') this.tray.on('click', () => this.deps.actions.openDashboard());
    this.render();
  }

  get current(): TrayView {
    return this.view;
  }

  onEvent(event: DeskEvent): void {
    const wanted = REFRESH_ON.has(event.kind) || (this.view.canCallIn && REFRESH_WAITING_ON.has(event.kind));
    if (!wanted || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  /** Re-reads the desk and redraws; concurrent calls share one pass. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.tray?.destroy();
    this.tray = null;
  }

  private async load(): Promise<void> {
    try {
      const snapshot = await this.deps.desk.getSnapshot();
      const signedIn = snapshot.session.status === 'signed-in';
      const recent = signedIn ? (await this.deps.desk.listNotifications({ limit: RECENT_IN_MENU, unreadOnly: true })).items : [];
      const settings = this.deps.settings();
      this.view = {
        signedIn,
        connection: signedIn ? snapshot.connection : null,
        unread: signedIn ? snapshot.unreadNotifications : 0,
        recent,
        canCallIn: canCallIn(snapshot),
        waiting: waitingPatients(snapshot),
        dndUntil: settings.values.dndUntil,
        dndLocked: settings.locked.includes('dndUntil'),
        now: this.deps.now(),
        zone: snapshot.session.status === 'signed-in' ? snapshot.session.timeZone.zone : systemTimeZone(),
      };
    } catch (error) {
      // Signed out between the two reads, or the cache is busy: the next event redraws.
      this.deps.logger.warn('tray refresh failed', { error: String(error) });
    }
    this.render();
  }

  private icon(): NativeImage {
    const drawCount = this.deps.platform !== 'darwin';
    const status = trayStatus(this.view);
    const label = drawCount ? badgeLabel(this.view.unread) : '';
    const key = `${status}:${label}`;
    let image = this.images.get(key);
    if (!image) {
      image = nativeImage.createFromBuffer(drawTrayIcon({ status, unread: this.view.unread, drawCount }, ICON_PIXELS).png(), { scaleFactor: ICON_SCALE });
      this.images.set(key, image);
    }
    this.shownIcon = key;
    return image;
  }

  private render(): void {
    const tray = this.tray;
    if (!tray) return;
    const before = this.shownIcon;
    const image = this.icon();
    if (this.shownIcon !== before) tray.setImage(image);
    tray.setToolTip(trayTooltip(this.view));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.view, this.deps.actions)));
    this.renderBadge();
  }

  private renderBadge(): void {
    const unread = this.view.unread;
    switch (this.deps.platform) {
      case 'darwin':
        app.setBadgeCount(unread);
        this.tray?.setTitle(unread > 0 ? String(unread) : '');
        return;
      case 'linux':
        app.setBadgeCount(unread);
        return;
      case 'win32': {
        const win = this.deps.mainWindow();
        const label = badgeLabel(unread);
        if (!win || (this.overlay.win === win && this.overlay.label === label)) return;
        const text = unread === 1 ? '1 unread notification' : `${unread} unread notifications`;
        win.setOverlayIcon(label === '' ? null : nativeImage.createFromBuffer(drawBadge(unread, 32).png(), { scaleFactor: 2 }), label === '' ? '' : text);
        this.overlay = { win, label };
        return;
      }
    }
  }
}
