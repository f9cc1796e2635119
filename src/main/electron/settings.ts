import { app, nativeTheme } from 'electron';
import type { Settings, SettingsPatch, SettingsView } from '../../shared/settings';
import { formatIssue, saveUserSettings, type LoadedConfig } from '../core/config';
import type { SettingsPort } from '../core/desk-service';
import type { Logger } from '../core/log';

/**
 * Settings as the desktop keeps them: the Settings screen's changes go to the
 * user layer of the config (only the keys the user changed, so new defaults
 * still reach them); keys the admin policy sets are locked and refused. The
 * few settings the OS acts on (start at login, theme) are applied here. The
 * view also says where the policy came from and, when it was not applied,
 * why, so the Settings screen can tell the user.
 */

export function userSettingsPort(
  loaded: Pick<LoadedConfig, 'config' | 'locked'> & Partial<Pick<LoadedConfig, 'policySources' | 'policyProblems'>>,
  userFile: string,
): SettingsPort {
  let values: Settings = loaded.config.settings;
  const managed = { sources: [...(loaded.policySources ?? [])], problems: (loaded.policyProblems ?? []).map(formatIssue) };
  const view = (): SettingsView => ({ values, locked: [...loaded.locked], managed });
  return {
    view,
    update(patch: SettingsPatch) {
      values = saveUserSettings(userFile, patch, loaded.locked, values);
      return view();
    },
  };
}

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
