import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as ElectronUpdater from 'electron-updater';
import type { Logger } from '../core/log';
import type { InstallKind } from '../core/updates/policy';
import type { UpdaterEngine } from '../core/updates/updates';

/**
 * electron-updater for the UpdateService: the updater class of this platform,
 * its log in ours. Loaded on first use with a dynamic import, and the service
 * asks for it only when the policy lets this desk update, so a desk with
 * updates off never loads it. The service sets the feed (the policy's URL,
 * electron-builder's generic provider) and the download rules.
 */

/** An electron-updater class, as far as it is used here: AppUpdater is one. */
type UpdaterClass = new () => UpdaterEngine & { logger: ElectronUpdater.Logger | null };

/** The classes of electron-updater this adapter picks from. */
export interface UpdaterModule {
  NsisUpdater: UpdaterClass;
  MacUpdater: UpdaterClass;
  AppImageUpdater: UpdaterClass;
}

export interface UpdaterAdapterOptions {
  platform: NodeJS.Platform;
  logger: Logger;
  /** How electron-updater is loaded; tests hand in a stand-in. */
  load?: () => Promise<UpdaterModule>;
}

export async function createUpdaterEngine(options: UpdaterAdapterOptions): Promise<UpdaterEngine> {
  const mod: UpdaterModule = await (options.load ?? (() => import('electron-updater')))();
  // Chosen here rather than by electron-updater's `autoUpdater`, which would pick a deb/rpm updater
  // (sudo dpkg -i) for a package-managed desk; the policy has already ruled those out.
  const updater = options.platform === 'win32' ? new mod.NsisUpdater() : options.platform === 'darwin' ? new mod.MacUpdater() : new mod.AppImageUpdater();
  updater.logger = updaterLog(options.logger);
  return updater;
}

/** electron-updater's `{ info, warn, error, debug }` logger, into ours. Its errors carry stacks: kept, but bounded. */
export function updaterLog(logger: Logger): ElectronUpdater.Logger {
  const text = (message: unknown) => (message instanceof Error ? (message.stack ?? message.message) : String(message)).slice(0, 2000);
  return {
    info: (message?: unknown) => logger.info('electron-updater', { message: text(message) }),
    warn: (message?: unknown) => logger.warn('electron-updater', { message: text(message) }),
    error: (message?: unknown) => logger.error('electron-updater', { message: text(message) }),
    debug: (message: string) => logger.debug('electron-updater', { message: text(message) }),
  };
}

export interface InstallProbe {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** process.execPath: the app's executable. */
  execPath: string;
  /** process.resourcesPath (Electron). */
  resourcesPath: string | undefined;
  windowsStore?: boolean;
  mas?: boolean;
  listDir?: (dir: string) => string[];
  readText?: (file: string) => string;
}

/** How this copy was installed, from the marks each kind of installation leaves (see InstallKind). */
export function detectInstallKind(probe: InstallProbe): InstallKind {
  const listDir = probe.listDir ?? ((dir: string) => readdirSync(dir));
  const readText = probe.readText ?? ((file: string) => readFileSync(file, 'utf8'));
  switch (probe.platform) {
    case 'win32': {
      if (probe.windowsStore === true) return 'store';
      if (present(probe.env['PORTABLE_EXECUTABLE_FILE'])) return 'portable';
      // electron-builder's NSIS installer leaves "Uninstall <product>.exe" next to the app; an MSI does not.
      const files = attempt(() => listDir(dirname(probe.execPath))) ?? [];
      return files.some((name) => /^Uninstall .+\.exe$/i.test(name)) ? 'installer' : 'managed';
    }
    case 'darwin':
      return probe.mas === true ? 'store' : 'installer';
    case 'linux': {
      if (present(probe.env['SNAP']) || present(probe.env['FLATPAK_ID'])) return 'store';
      if (present(probe.env['APPIMAGE'])) return 'appimage';
      // electron-builder writes the target's name here for deb, rpm and pacman packages.
      const type = probe.resourcesPath === undefined ? null : attempt(() => readText(join(probe.resourcesPath ?? '', 'package-type')).trim());
      return type === 'deb' || type === 'rpm' || type === 'pacman' ? 'managed' : 'unknown';
    }
    default:
      return 'unknown';
  }
}

function present(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

function attempt<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}
