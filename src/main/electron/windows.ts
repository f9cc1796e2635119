import { BrowserWindow, screen, type NativeImage, type WebContents } from 'electron';
import type { Logger } from '../core/log';
import { watchRenderer } from './renderer-recovery';
import { secureWebPreferences } from './security';
import { placeWindow, readWindowState, writeWindowState } from './window-state';

/**
 * The dashboard window: created with the secure web preferences, remembered
 * size and position, hidden to the tray on close (when the user wants that),
 * shown and focused on demand (tray, alert click, second launch, deep link),
 * and reloaded after a renderer crash or hang.
 */

export interface DashboardOptions {
  /** The page to load: `app://desk/` (or the dev server). */
  url: string;
  preload: string;
  devTools: boolean;
  stateFile: string;
  icon?: NativeImage;
  closeToTray: () => boolean;
  logger: Logger;
  notify: (message: string) => void;
  /** A window was created (the tray re-applies the taskbar badge to it). */
  onCreated?: (win: BrowserWindow) => void;
  now?: () => number;
}

const SAVE_DELAY_MS = 500;

export class DashboardWindows {
  private main: BrowserWindow | null = null;
  private quitting = false;

  constructor(private readonly options: DashboardOptions) {}

  /** From now on closing a window closes it (the app is quitting). */
  setQuitting(): void {
    this.quitting = true;
  }

  get mainWindow(): BrowserWindow | null {
    return this.main && !this.main.isDestroyed() ? this.main : null;
  }

  /** Web contents of every dashboard window (events go to each; IPC is accepted from these only). */
  contents(): WebContents[] {
    const win = this.mainWindow;
    return win ? [win.webContents] : [];
  }

  isFocused(): boolean {
    return this.mainWindow?.isFocused() ?? false;
  }

  /** Creates the window if there is none; `show: false` keeps it in the tray (start minimised). */
  create(show: boolean): BrowserWindow {
    const existing = this.mainWindow;
    if (existing) return existing;
    const { options } = this;
    const saved = readWindowState(options.stateFile);
    const bounds = placeWindow(saved, screen.getAllDisplays().map((d) => d.workArea));
    const win = new BrowserWindow({
      ...bounds,
      minWidth: 800,
      minHeight: 560,
      show: false,
      title: 'Clinic Desk',
      backgroundColor: '#f8fafc',
      ...(options.icon ? { icon: options.icon } : {}),
      webPreferences: secureWebPreferences(options.preload, options.devTools),
    });
    this.main = win;
    if (saved?.maximized) win.maximize();

    win.once('ready-to-show', () => {
      if (show) win.show();
    });
    win.on('close', (event) => {
      this.saveState(win);
      if (!this.quitting && options.closeToTray()) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => {
      if (this.main === win) this.main = null;
    });
    let saveTimer: NodeJS.Timeout | null = null;
    const saveSoon = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(() => this.saveState(win), SAVE_DELAY_MS);
      saveTimer.unref();
    };
    win.on('resize', saveSoon);
    win.on('move', saveSoon);
    // An urgent alert flashes the taskbar until the user looks.
    win.on('focus', () => win.flashFrame(false));
    watchRenderer(win, { logger: options.logger, notify: options.notify, ...(options.now ? { now: options.now } : {}) });

    options.onCreated?.(win);
    win.loadURL(options.url).catch((error: unknown) => options.logger.error('dashboard failed to load', { url: options.url, error: String(error) }));
    return win;
  }

  /** Shows the dashboard in front, creating it if it was closed. */
  show(): BrowserWindow {
    const win = this.create(true);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  private saveState(win: BrowserWindow): void {
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    try {
      writeWindowState(this.options.stateFile, {
        x: Math.round(bounds.x),
        y: Math.round(bounds.y),
        width: Math.round(bounds.width),
        height: Math.round(bounds.height),
        maximized: win.isMaximized(),
      });
    } catch (error) {
      this.options.logger.warn('could not save the window position', { error: String(error) });
    }
  }
}
