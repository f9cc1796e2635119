import { join } from 'node:path';

/**
 * Where the desktop app keeps its files. The admin policy sits in a
 * machine-wide folder that users cannot write (so a lock is a lock); every
 * user file sits in Electron's per-user `userData`, logs in its `logs` folder.
 */

export type DesktopPlatform = 'win32' | 'darwin' | 'linux';

export function desktopPlatform(platform: NodeJS.Platform): DesktopPlatform {
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}

/** The admin policy file of this OS (docs/admin-guide.md). */
export function policyFilePath(platform: DesktopPlatform, env: Record<string, string | undefined>): string {
  switch (platform) {
    case 'win32':
      return join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'ClinicDesk', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/ClinicDesk/policy.json';
    case 'linux':
      return '/etc/clinic-desk/policy.json';
  }
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
