import { join } from 'node:path';
import type { DesktopPlatform } from '../core/policy/sources';

/**
 * Where the desktop app keeps its files. The admin policy sits in a
 * machine-wide folder that users cannot write (so a lock is a lock); every
 * user file sits in Electron's per-user `userData`, logs in its `logs` folder.
 */

export type { DesktopPlatform } from '../core/policy/sources';
/** The admin policy file of this OS (docs/admin-guide.md); the core discovers the policy's other sources too. */
export { policyFilePath } from '../core/policy/sources';

export function desktopPlatform(platform: NodeJS.Platform): DesktopPlatform {
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}

export interface UserFiles {
  /** What the Settings screen changed (the user layer of the config). */
  settings: string;
  windowState: string;
  /** The signed-in session, its token encrypted with safeStorage. */
  session: string;
  /** SQLite caches, one per user and server. */
  cacheDir: string;
  logsDir: string;
}

export function userFiles(userData: string, logsDir: string): UserFiles {
  return {
    settings: join(userData, 'settings.json'),
    windowState: join(userData, 'window-state.json'),
    session: join(userData, 'session.json'),
    cacheDir: join(userData, 'cache'),
    logsDir,
  };
}
