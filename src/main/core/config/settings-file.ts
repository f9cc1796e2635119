import type { Settings, SettingsPatch, SettingsView } from '../../../shared/settings';
import { formatIssue } from './issues';
import { saveUserSettings, type LoadedConfig } from './load';
import type { SettingsPort } from '../desk/desk-service';

export type SettingsSource = Pick<LoadedConfig, 'config' | 'locked'> & Partial<Pick<LoadedConfig, 'policySources' | 'policyProblems'>>;

/**
 * Settings as every host keeps them: the Settings screen's changes go to the
 * user layer of the config (only the keys the user changed, so new defaults
 * still reach them); keys the admin policy sets are locked and refused. The
 * view also says where the policy came from and, when it was not applied,
 * why, so the Settings screen can tell the user.
 */
export function settingsFilePort(loaded: SettingsSource, userFile: string): SettingsPort {
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
