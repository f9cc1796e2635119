import { app, nativeTheme } from 'electron';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../core/log';

/**
 * The settings the OS acts on (start at login, theme); the settings file and
 * its policy locks are the core's (src/main/core/config/settings-file.ts).
 */

export interface OsSettingsDeps {
  /** Login items point at the installed app; a development build must not register itself. */
  packaged: boolean;
  logger: Logger;
}

/** Applies what the OS does for a setting; call at start (so a policy is enforced) and on every change. */
export function applyOsSettings(settings: Settings, deps: OsSettingsDeps): void {
  nativeTheme.themeSource = settings.theme;
  if (!deps.packaged) {
    deps.logger.debug('start at login not registered: development build', { startAtLogin: settings.startAtLogin });
    return;
  }
  if (app.getLoginItemSettings().openAtLogin !== settings.startAtLogin) {
    app.setLoginItemSettings({ openAtLogin: settings.startAtLogin });
    deps.logger.info('start at login changed', { startAtLogin: settings.startAtLogin });
  }
}
