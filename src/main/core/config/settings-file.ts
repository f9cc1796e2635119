import { DEFAULT_SETTINGS, SettingsPatch, type SettingKey, type Settings, type SettingsView } from '../../../shared/settings';
import type { SettingsPort } from '../desk/desk-service';
import { ConfigError, formatIssue } from './issues';
import { writeJsonFileAtomic } from './json-file';
import { applySettings, type LoadedConfig, type SettingsLayer } from './load';
import { readConfigJson } from './read-config-json';
import { UserSettingsFile } from './schema';
import { zodIssues } from './zod-issues';

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

function mergePatches(a: SettingsLayer, b: SettingsLayer): SettingsLayer {
  const alerts = a.alerts === undefined && b.alerts === undefined ? undefined : { ...a.alerts, ...b.alerts };
  return { ...a, ...b, ...(alerts === undefined ? {} : { alerts }) };
}

/**
 * Applies a change from the Settings screen to the user file (only the keys
 * the user changed are stored, atomically). Refuses keys the policy locks.
 *
 * Returns `current` with the patch applied: pass the loaded `config.settings`
 * to get the desk's new effective settings. Without `current`, returns the
 * defaults with everything the user file now holds.
 */
export function saveUserSettings(userFile: string, patch: SettingsPatch, locked: SettingKey[], current?: Settings): Settings {
  const parsed = SettingsPatch.safeParse(patch, { reportInput: true });
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, 'user', patch));
  const refused = Object.keys(parsed.data).filter((k) => locked.includes(k as SettingKey));
  if (refused.length > 0) {
    throw new ConfigError(
      refused.map((key) => ({
        source: 'user' as const,
        field: key,
        message: "is set by the administrator's policy and cannot be changed here",
        fix: 'leave it out, or ask your administrator to change the policy',
      })),
    );
  }
  const existingRead = readConfigJson(userFile);
  const existing = existingRead.kind === 'ok' ? UserSettingsFile.safeParse(existingRead.value) : null;
  // An unreadable file was already ignored at load time; the user's new choice replaces it.
  const stored = mergePatches(existing?.success ? existing.data : {}, parsed.data);
  const next = current === undefined ? applySettings(DEFAULT_SETTINGS, stored) : applySettings(current, parsed.data);
  writeJsonFileAtomic(userFile, stored, { mode: 0o600 });
  return next;
}
