import type { BrowserWindow } from 'electron';
import type { Logger } from '../core/log';

/**
 * A dashboard whose renderer crashed or hung is reloaded, and the user is
 * told; the core lives in the main process and keeps running meanwhile, so
 * the reloaded page gets the current state from `getSnapshot()`. A renderer
 * that keeps crashing is not reloaded in a loop: after `maxReloads` within
 * `windowMs` the user is told to restart the app instead.
 */

export interface RecoveryOptions {
  logger: Logger;
  /** Tells the user what happened (a system notice). */
  notify: (message: string) => void;
  now?: () => number;
  /** How long a page may stay unresponsive before it is killed and reloaded. */
  hangGraceMs?: number;
  maxReloads?: number;
  windowMs?: number;
}

/** Whether another reload fits in the budget; records it when it does. */
export function takeReload(history: number[], now: number, maxReloads: number, windowMs: number): boolean {
  while (history.length > 0 && (history[0] ?? 0) <= now - windowMs) history.shift();
  if (history.length >= maxReloads) return false;
  history.push(now);
  return true;
}

export function watchRenderer(win: BrowserWindow, options: RecoveryOptions): void {
  const now = options.now ?? Date.now;
  const hangGraceMs = options.hangGraceMs ?? 10_000;
  const maxReloads = options.maxReloads ?? 3;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const history: number[] = [];
  let hangTimer: NodeJS.Timeout | null = null;
  let killedForHang = false;

  const reload = (what: string) => {
    if (win.isDestroyed()) return;
    if (!takeReload(history, now(), maxReloads, windowMs)) {
      options.logger.error('dashboard keeps failing; not reloading again', { what, reloads: history.length });
      options.notify(`The Clinic Desk window ${what} again. Please quit and restart Clinic Desk; if it keeps happening, send the log to support.`);
      return;
    }
    options.logger.warn('dashboard reloaded', { what });
    win.webContents.reload();
    options.notify(`The Clinic Desk window ${what} and was reloaded. Nothing was lost: the desk kept running.`);
  };

  win.webContents.on('render-process-gone', (_event, details) => {
    if (killedForHang) {
      killedForHang = false;
      return; // the hang handler already reloads
    }
    options.logger.error('dashboard renderer gone', { reason: details.reason, exitCode: details.exitCode });
    if (details.reason === 'clean-exit') return;
    reload('stopped unexpectedly');
  });

  win.on('unresponsive', () => {
    options.logger.warn('dashboard unresponsive');
    hangTimer ??= setTimeout(() => {
      hangTimer = null;
      if (win.isDestroyed()) return;
      killedForHang = true;
      win.webContents.forcefullyCrashRenderer();
      reload('stopped responding');
    }, hangGraceMs);
  });
  win.on('responsive', () => {
    if (hangTimer) clearTimeout(hangTimer);
    hangTimer = null;
  });
  win.on('closed', () => {
    if (hangTimer) clearTimeout(hangTimer);
  });
}
